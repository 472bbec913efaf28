// A pod's total requests and limits (pkg/api/v1/resource PodRequests and
// PodLimits): app containers add up, sidecars (restartable init containers)
// add to both, and each regular init container needs its own amount plus the
// sidecars started before it; the pod needs the larger of the two.
import type { Obj } from "../registry.ts";
import { addInto, maxInto, type ResourceList, resourceList } from "./resources.ts";

export interface PodResourcesOptions {
  /** Count spec.overhead (quota does; LimitRanger's simplified copy does not). */
  overhead: boolean;
}

function containers(pod: Obj, field: "containers" | "initContainers"): Obj[] {
  const list = pod.spec?.[field];
  return Array.isArray(list) ? (list as Obj[]) : [];
}

function aggregate(pod: Obj, which: "requests" | "limits"): ResourceList {
  const total: ResourceList = new Map();
  for (const c of containers(pod, "containers")) addInto(total, resourceList(c.resources?.[which]));
  const sidecars: ResourceList = new Map();
  const initMax: ResourceList = new Map();
  for (const c of containers(pod, "initContainers")) {
    const own = resourceList(c.resources?.[which]);
    let needed: ResourceList;
    if (c.restartPolicy === "Always") {
      addInto(total, own);
      addInto(sidecars, own);
      needed = sidecars;
    } else {
      needed = new Map();
      addInto(needed, own);
      addInto(needed, sidecars);
    }
    maxInto(initMax, needed);
  }
  maxInto(total, initMax);
  return total;
}

export function podRequests(pod: Obj, opts: PodResourcesOptions): ResourceList {
  const reqs = aggregate(pod, "requests");
  if (opts.overhead) addInto(reqs, resourceList(pod.spec?.overhead));
  return reqs;
}

export function podLimits(pod: Obj, opts: PodResourcesOptions): ResourceList {
  const limits = aggregate(pod, "limits");
  if (opts.overhead) {
    // Overhead counts only towards limits that are set: an unset limit stays unlimited.
    for (const [k, v] of resourceList(pod.spec?.overhead)) {
      const cur = limits.get(k);
      if (cur) limits.set(k, cur.add(v));
    }
  }
  return limits;
}
