// A pod's QoS class, as pkg/apis/core/helper/qos computes it for status.qosClass
// when the pod is created. Only cpu and memory count; zero amounts count as unset;
// init containers count like app containers.

import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isObject, type JsonObject, objectAt, objectsAt } from "./json.ts";
import { quantityNanos } from "./quantity-value.ts";

export type PodQOSClass = "Guaranteed" | "Burstable" | "BestEffort";

const qosResources = new Set(["cpu", "memory"]);

/** status.qosClass when already set (GetPodQOS), else the computed class (ComputePodQOS). */
export function getPodQOS(pod: Pod | JsonObject): PodQOSClass {
  const status = objectAt(pod as JsonObject, "status");
  const stated = status?.qosClass;
  if (stated === "Guaranteed" || stated === "Burstable" || stated === "BestEffort") return stated;
  return computePodQOS(pod as JsonObject);
}

export function computePodQOS(pod: JsonObject): PodQOSClass {
  const spec = objectAt(pod, "spec") ?? {};
  const requests = new Map<string, bigint>();
  const limits = new Map<string, bigint>();
  let isGuaranteed = true;
  for (const container of [...objectsAt(spec, "containers"), ...objectsAt(spec, "initContainers")]) {
    const resources = objectAt(container, "resources") ?? {};
    addPositive(requests, resources.requests);
    const limitsFound = addPositive(limits, resources.limits);
    if (!limitsFound.has("cpu") || !limitsFound.has("memory")) isGuaranteed = false;
  }
  if (requests.size === 0 && limits.size === 0) return "BestEffort";
  if (isGuaranteed) {
    for (const [name, request] of requests) {
      if (limits.get(name) !== request) {
        isGuaranteed = false;
        break;
      }
    }
  }
  return isGuaranteed && requests.size === limits.size ? "Guaranteed" : "Burstable";
}

/** Adds the positive cpu/memory amounts of list into sums; returns the names it added. */
function addPositive(sums: Map<string, bigint>, list: unknown): Set<string> {
  const found = new Set<string>();
  if (!isObject(list)) return found;
  for (const [name, value] of Object.entries(list)) {
    if (!qosResources.has(name)) continue;
    const amount = quantityNanos(value);
    if (amount === undefined || amount <= 0n) continue;
    found.add(name);
    sums.set(name, (sums.get(name) ?? 0n) + amount);
  }
  return found;
}
