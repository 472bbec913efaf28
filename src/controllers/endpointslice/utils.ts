// k8s.io/endpointslice utils.go: building the desired EndpointSlices — an
// endpoint per pod and address type, the ports resolved from the pod, a new
// slice's name, labels and owner — and the small decisions the reconciler
// makes about existing slices.
import type { Node, Pod, Service } from "kubernetes-types/core/v1.d.ts";
import type { Endpoint, EndpointPort, EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { newControllerRef } from "../util/owner.ts";
import { isPodReady } from "../util/pods.ts";
import { findPort, formatRFC3339Nano, shouldSetHostname } from "./controller-utils.ts";
import {
  ANNOTATION_TOPOLOGY_MODE,
  DEPRECATED_ANNOTATION_TOPOLOGY_AWARE_HINTS,
  IS_HEADLESS_SERVICE,
  LABEL_MANAGED_BY,
  LABEL_SERVICE_NAME,
  LABEL_TOPOLOGY_ZONE,
} from "./labels.ts";
import { ENDPOINTS_LAST_CHANGE_TRIGGER_TIME } from "./trigger-time-tracker.ts";

export type AddressType = "IPv4" | "IPv6" | "FQDN";

/** The attributes slices are grouped by (upstream's endpointMeta). */
export interface EndpointMeta {
  ports: EndpointPort[];
  addressType: AddressType;
}

export function isIPv6(ip: string): boolean {
  return ip.includes(":");
}

/** isServiceIPSet: a cluster IP that is neither empty nor "None". */
export function isServiceIPSet(svc: Service): boolean {
  const ip = svc.spec?.clusterIP ?? "";
  return ip !== "None" && ip !== "";
}

/** getEndpointAddresses: the pod's IPs of the address type. */
export function getEndpointAddresses(pod: Pod, addressType: AddressType): string[] {
  const out: string[] = [];
  for (const { ip } of pod.status?.podIPs ?? []) {
    if (!ip) continue;
    if (isIPv6(ip) ? addressType === "IPv6" : addressType === "IPv4") out.push(ip);
  }
  return out;
}

/**
 * podToEndpoint: serving follows readiness; ready never does for a
 * terminating pod unless the Service publishes not-ready addresses.
 */
export function podToEndpoint(
  pod: Pod,
  node: Node | undefined,
  svc: Service,
  addressType: AddressType,
): Endpoint {
  const serving = isPodReady(pod);
  const terminating = !!pod.metadata?.deletionTimestamp;
  const ready = !!svc.spec?.publishNotReadyAddresses || (serving && !terminating);
  const ep: Endpoint = {
    addresses: getEndpointAddresses(pod, addressType),
    conditions: { ready, serving, terminating },
    targetRef: {
      kind: "Pod",
      namespace: pod.metadata?.namespace,
      name: pod.metadata?.name,
      uid: pod.metadata?.uid,
    },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata?.labels?.[LABEL_TOPOLOGY_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec?.hostname;
  return ep;
}

/** getEndpointPorts: the Service's ports this pod can serve (none for a headless Service without ports). */
export function getEndpointPorts(svc: Service, pod: Pod, log?: (msg: string) => void): EndpointPort[] {
  const out: EndpointPort[] = [];
  const ports = svc.spec?.ports ?? [];
  if (ports.length === 0 && svc.spec?.clusterIP === "None") return out;
  for (const sp of ports) {
    let port: number;
    try {
      port = findPort(pod, sp);
    } catch (e) {
      log?.(
        `Failed to find port for service ${svc.metadata?.namespace}/${svc.metadata?.name}: ${(e as Error).message}`,
      );
      continue;
    }
    const ep: EndpointPort = { name: sp.name ?? "", port, protocol: sp.protocol ?? "TCP" };
    if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
    out.push(ep);
  }
  return out;
}

const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * getEndpointSlicePrefix: "<service>-" when that is a valid generateName
 * prefix (NameIsDNSSubdomain with prefix: the trailing dash is allowed),
 * else the name alone.
 */
export function getEndpointSlicePrefix(serviceName: string): string {
  const prefix = `${serviceName}-`;
  // With prefix=true upstream masks the trailing dash as "a" and validates a DNS subdomain (≤ 253).
  const candidate = `${serviceName}a`;
  return candidate.length <= 253 && DNS1123_SUBDOMAIN.test(candidate) ? prefix : serviceName;
}

/** ownedBy: the slice has an owner reference to this Service (by uid). */
export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata?.ownerReferences ?? []).some(
    (o) => o.uid === svc.metadata?.uid && o.kind === "Service" && o.apiVersion === "v1",
  );
}

/**
 * setEndpointSliceLabels: the Service's labels (less the reserved ones) plus
 * service-name, managed-by and the headless marker; and whether the slice's
 * own non-reserved labels differ from the Service's.
 */
export function setEndpointSliceLabels(
  slice: EndpointSlice,
  svc: Service,
  controllerName: string,
  log?: (msg: string) => void,
): { labels: Record<string, string>; updated: boolean } {
  const epLabels: Record<string, string> = {};
  const svcLabels: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice.metadata?.labels ?? {})) {
    if (!isReservedLabelKey(k)) epLabels[k] = v;
  }
  for (const [k, v] of Object.entries(svc.metadata?.labels ?? {})) {
    if (isReservedLabelKey(k)) {
      log?.(
        `Service using reserved endpoint slices label: ${svc.metadata?.namespace}/${svc.metadata?.name} skipping ${k}=${v}`,
      );
      continue;
    }
    svcLabels[k] = v;
  }
  const updated = !sameStringMap(epLabels, svcLabels);
  if (!isServiceIPSet(svc)) svcLabels[IS_HEADLESS_SERVICE] = "";
  else delete svcLabels[IS_HEADLESS_SERVICE];
  svcLabels[LABEL_SERVICE_NAME] = svc.metadata?.name ?? "";
  svcLabels[LABEL_MANAGED_BY] = controllerName;
  return { labels: svcLabels, updated };
}

export function isReservedLabelKey(label: string): boolean {
  return label === LABEL_SERVICE_NAME || label === LABEL_MANAGED_BY || label === IS_HEADLESS_SERVICE;
}

export function sameStringMap(
  a: Record<string, string> | undefined,
  b: Record<string, string> | undefined,
): boolean {
  const x = a ?? {};
  const y = b ?? {};
  const keys = Object.keys(x);
  return keys.length === Object.keys(y).length && keys.every((k) => Object.hasOwn(y, k) && x[k] === y[k]);
}

/** newEndpointSlice: an empty slice for the Service, named by generateName and owned by the Service. */
export function newEndpointSlice(svc: Service, meta: EndpointMeta, controllerName: string): EndpointSlice {
  const slice: EndpointSlice = {
    apiVersion: "discovery.k8s.io/v1",
    kind: "EndpointSlice",
    metadata: {
      labels: {},
      generateName: getEndpointSlicePrefix(svc.metadata?.name ?? ""),
      ownerReferences: [newControllerRef(svc, { apiVersion: "v1", kind: "Service" })],
      namespace: svc.metadata?.namespace,
    },
    ports: meta.ports,
    addressType: meta.addressType,
    endpoints: [],
  };
  slice.metadata!.labels = setEndpointSliceLabels(slice, svc, controllerName).labels;
  return slice;
}

/** getSliceToFill: the slice that ends up closest to full with numEndpoints more, if any fits. */
export function getSliceToFill(
  slices: EndpointSlice[],
  numEndpoints: number,
  maxEndpoints: number,
): EndpointSlice | undefined {
  let closestDiff = maxEndpoints;
  let closest: EndpointSlice | undefined;
  for (const slice of slices) {
    const diff = maxEndpoints - (numEndpoints + (slice.endpoints?.length ?? 0));
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = slice;
      if (closestDiff === 0) return closest;
    }
  }
  return closest;
}

/** addTriggerTimeAnnotation: sets the last-change-trigger-time annotation, or clears it for 0. */
export function addTriggerTimeAnnotation(slice: EndpointSlice, triggerTimeMs: number): void {
  slice.metadata ??= {};
  const annotations = { ...(slice.metadata.annotations ?? {}) };
  if (triggerTimeMs) annotations[ENDPOINTS_LAST_CHANGE_TRIGGER_TIME] = formatRFC3339Nano(triggerTimeMs);
  else delete annotations[ENDPOINTS_LAST_CHANGE_TRIGGER_TIME];
  slice.metadata.annotations = annotations;
}

/** ServiceControllerKey: the key of the Service a slice belongs to, from its service-name label. */
export function serviceControllerKey(slice: EndpointSlice): string {
  const name = slice.metadata?.labels?.[LABEL_SERVICE_NAME];
  if (!name) throw new Error(`EndpointSlice missing ${LABEL_SERVICE_NAME} label`);
  return `${slice.metadata?.namespace ?? ""}/${name}`;
}

/**
 * getAddressTypesForService: from spec.ipFamilies; without them (an old
 * apiserver), the cluster IP's family, or both for a headless Service.
 */
export function getAddressTypesForService(svc: Service): Set<AddressType> {
  const out = new Set<AddressType>();
  for (const family of svc.spec?.ipFamilies ?? []) {
    if (family === "IPv4") out.add("IPv4");
    if (family === "IPv6") out.add("IPv6");
  }
  if (out.size > 0) return out;
  const clusterIP = svc.spec?.clusterIP ?? "";
  if (clusterIP && clusterIP !== "None") {
    out.add(isIPv6(clusterIP) ? "IPv6" : "IPv4");
    return out;
  }
  out.add("IPv4");
  out.add("IPv6");
  return out;
}

/** unchangedSlices: the existing slices neither updated nor deleted. */
export function unchangedSlices(
  existing: EndpointSlice[],
  toUpdate: EndpointSlice[],
  toDelete: EndpointSlice[],
): EndpointSlice[] {
  const changed = new Set([...toUpdate, ...toDelete].map((s) => s.metadata?.name));
  return existing.filter((s) => !changed.has(s.metadata?.name));
}

/** hintsEnabled: the topology annotation (the deprecated one first) says Auto. */
export function hintsEnabled(annotations: Record<string, string> | undefined): boolean {
  const a = annotations ?? {};
  const val = Object.hasOwn(a, DEPRECATED_ANNOTATION_TOPOLOGY_AWARE_HINTS)
    ? a[DEPRECATED_ANNOTATION_TOPOLOGY_AWARE_HINTS]
    : a[ANNOTATION_TOPOLOGY_MODE];
  return val === "Auto" || val === "auto";
}
