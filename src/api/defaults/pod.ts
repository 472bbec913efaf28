// Pod defaults: SetDefaults_Pod, then the PodSpec chain every template also gets.
// Some defaults are deliberately Pod-only upstream (they would change every
// Deployment's template hash otherwise): requests from limits, enableServiceLinks,
// and host ports under hostNetwork.

import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { clone, defaultPointer, isObject, type JsonObject, objectAt, objectsAt, structAt } from "./json.ts";
import { defaultPodSpec } from "./pod-spec.ts";

export function defaultPod(pod: Pod | JsonObject): void {
  const spec = structAt(pod as JsonObject, "spec");
  if (!spec) return;
  for (const key of ["containers", "initContainers"]) {
    for (const c of objectsAt(spec, key)) defaultRequestsFromLimits(c);
  }
  defaultPointer(spec, "enableServiceLinks", true);
  if (spec.hostNetwork === true) {
    for (const key of ["containers", "initContainers"]) {
      for (const c of objectsAt(spec, key)) defaultHostNetworkPorts(c);
    }
  }
  defaultPodSpec(spec);
}

/** A container that states limits but not requests requests what it limits, per resource. */
function defaultRequestsFromLimits(container: JsonObject): void {
  const resources = objectAt(container, "resources");
  const limits = resources ? objectAt(resources, "limits") : undefined;
  if (!resources || !limits || Object.keys(limits).length === 0) return;
  let requests = resources.requests;
  if (requests === undefined || requests === null) {
    requests = {};
    resources.requests = requests;
  }
  if (!isObject(requests)) return;
  for (const [name, quantity] of Object.entries(limits)) {
    if (!(name in requests)) requests[name] = clone(quantity);
  }
}

/** With host networking a container port is a host port. */
function defaultHostNetworkPorts(container: JsonObject): void {
  for (const port of objectsAt(container, "ports")) {
    const unset = port.hostPort === undefined || port.hostPort === null || port.hostPort === 0;
    // A zero port is omitted from JSON, so only a real containerPort shows up.
    if (unset && typeof port.containerPort === "number" && port.containerPort !== 0) {
      port.hostPort = port.containerPort;
    }
  }
}
