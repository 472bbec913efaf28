// Node registration (upstream's kubelet_node_status.go registerWithAPIServer,
// initialNode, tryRegisterWithAPIServer): build the Node this kubelet stands
// for, create it, and if it already exists (a restarted kubelet) adopt it,
// reconciling only what upstream reconciles: the default labels, the
// controller-managed attach/detach annotation and the resource maps. The
// existing spec stays; status is the status manager's business from then on.
import type { Node, Taint } from "kubernetes-types/core/v1.d.ts";
import { isAlreadyExists } from "../../client/api-error.ts";
import { sleep } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { Quantity } from "../../machinery/quantity.ts";
import type { KubeletContext } from "../types.ts";
import { isHugePageResourceName } from "./capacity.ts";
import { goArch, goOS } from "./machine-info.ts";
import { nodeStatusPatch } from "./node-status-patch.ts";
import { isExtendedResourceName, mutableStatus } from "./setters.ts";

export const LABEL_HOSTNAME = "kubernetes.io/hostname";
export const LABEL_OS_STABLE = "kubernetes.io/os";
export const LABEL_ARCH_STABLE = "kubernetes.io/arch";
export const LABEL_OS_BETA = "beta.kubernetes.io/os";
export const LABEL_ARCH_BETA = "beta.kubernetes.io/arch";
/** volutil.ControllerManagedAttachAnnotation. */
export const ANNOTATION_CONTROLLER_MANAGED_ATTACH = "volumes.kubernetes.io/controller-managed-attach-detach";
const TAINT_UNSCHEDULABLE = "node.kubernetes.io/unschedulable";

/** updateDefaultLabels' list: labels the kubelet owns on an existing Node. */
const DEFAULT_LABELS = [
  LABEL_HOSTNAME,
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "node.kubernetes.io/instance-type",
  "beta.kubernetes.io/instance-type",
  LABEL_OS_STABLE,
  LABEL_ARCH_STABLE,
  "node.kubernetes.io/windows-build",
  LABEL_OS_BETA,
  LABEL_ARCH_BETA,
];

const MAX_BACKOFF_MS = 7_000;

export interface RegistrationSpec {
  /** kubernetes.io/hostname and the Hostname address; default the node name. */
  hostname?: string;
  /** --node-labels; they win over the defaults, as upstream. */
  labels?: Record<string, string>;
  /** --register-with-taints. */
  taints?: Taint[];
  /** --pod-cidr: set as spec.podCIDR(s) until node IPAM exists (upstream leaves it to the IPAM controller). */
  podCIDR?: string;
  /** --register-schedulable; default true. false registers the node cordoned. */
  registerSchedulable?: boolean;
  /** --enable-controller-attach-detach; default true. */
  enableControllerAttachDetach?: boolean;
  /** GOOS/GOARCH for the labels; default this host's. */
  operatingSystem?: string;
  architecture?: string;
  /** Fills in the status (Kubelet.setNodeStatus): NodeStatusManager.setNodeStatus. */
  setNodeStatus(node: Node): Promise<void> | void;
  /** Stops retrying. */
  signal?: AbortSignal;
}

/** initialNode: the Node as this kubelet would create it, status included. */
export async function initialNode(nodeName: string, spec: RegistrationSpec): Promise<Node> {
  const os = spec.operatingSystem ?? goOS();
  const arch = spec.architecture ?? goArch();
  const labels: Record<string, string> = {
    [LABEL_HOSTNAME]: spec.hostname ?? nodeName,
    [LABEL_OS_STABLE]: os,
    [LABEL_ARCH_STABLE]: arch,
    [LABEL_OS_BETA]: os,
    [LABEL_ARCH_BETA]: arch,
  };
  const node: Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: nodeName, labels },
    spec: {},
  };
  const schedulable = spec.registerSchedulable ?? true;
  if (!schedulable) node.spec!.unschedulable = true;
  const taints: Taint[] = (spec.taints ?? []).map((t) => ({ ...t }));
  // Tainted from the start, so no pod lands in the window before the controller would taint it.
  if (!schedulable && !taints.some((t) => t.key === TAINT_UNSCHEDULABLE && t.effect === "NoSchedule")) {
    taints.push({ key: TAINT_UNSCHEDULABLE, effect: "NoSchedule" });
  }
  if (taints.length > 0) node.spec!.taints = taints;
  if (spec.enableControllerAttachDetach ?? true) {
    node.metadata!.annotations = { [ANNOTATION_CONTROLLER_MANAGED_ATTACH]: "true" };
  }
  for (const [k, v] of Object.entries(spec.labels ?? {})) labels[k] = v;
  if (spec.podCIDR) {
    node.spec!.podCIDR = spec.podCIDR;
    node.spec!.podCIDRs = [spec.podCIDR];
  }
  await spec.setNodeStatus(node);
  return node;
}

/** reconcileCMADAnnotationWithExistingNode. */
function reconcileCMADAnnotation(node: Node, existing: Node): boolean {
  const want = node.metadata?.annotations?.[ANNOTATION_CONTROLLER_MANAGED_ATTACH];
  const have = existing.metadata?.annotations?.[ANNOTATION_CONTROLLER_MANAGED_ATTACH];
  if ((want ?? "") === (have ?? "")) return false;
  existing.metadata ??= {};
  if (want === undefined) {
    delete existing.metadata.annotations?.[ANNOTATION_CONTROLLER_MANAGED_ATTACH];
  } else {
    existing.metadata.annotations ??= {};
    existing.metadata.annotations[ANNOTATION_CONTROLLER_MANAGED_ATTACH] = want;
  }
  return true;
}

/** updateDefaultLabels: the kubelet's own labels follow the kubelet; empty ones go. */
export function updateDefaultLabels(initial: Node, existing: Node): boolean {
  existing.metadata ??= {};
  existing.metadata.labels ??= {};
  const labels = existing.metadata.labels;
  const want = initial.metadata?.labels ?? {};
  let needsUpdate = false;
  for (const label of DEFAULT_LABELS) {
    if (!Object.hasOwn(want, label)) continue;
    if ((labels[label] ?? "") !== want[label]) {
      labels[label] = want[label];
      needsUpdate = true;
    }
    if (labels[label] === "") delete labels[label];
  }
  return needsUpdate;
}

/** updateDefaultResources: an existing node without resource maps takes the initial ones. */
function updateDefaultResources(initial: Node, existing: Node): boolean {
  const s = mutableStatus(existing);
  let requiresUpdate = false;
  if (s.capacity === undefined) {
    if (initial.status?.capacity !== undefined) {
      s.capacity = { ...initial.status.capacity };
      requiresUpdate = true;
    } else s.capacity = {};
  }
  if (s.allocatable === undefined) {
    if (initial.status?.allocatable !== undefined) {
      s.allocatable = { ...initial.status.allocatable };
      requiresUpdate = true;
    } else s.allocatable = {};
  }
  return requiresUpdate;
}

/**
 * reconcileExtendedResource: extended resources are zeroed when the device
 * plugins' checkpoint is gone (shouldResetExtendedResources); k8ts has no
 * device plugins, so this only fills in missing resource maps.
 */
function reconcileExtendedResource(initial: Node, existing: Node, shouldReset: boolean): boolean {
  let requiresUpdate = updateDefaultResources(initial, existing);
  if (!shouldReset) return requiresUpdate;
  const s = existing.status!;
  for (const k of Object.keys(s.capacity ?? {})) {
    if (!isExtendedResourceName(k)) continue;
    s.capacity![k] = "0";
    s.allocatable![k] = "0";
    requiresUpdate = true;
  }
  return requiresUpdate;
}

function sameQuantity(a: string | undefined, b: string): boolean {
  try {
    return a !== undefined && Quantity.fromJSON(a).equals(Quantity.fromJSON(b));
  } catch {
    return a === b;
  }
}

/** reconcileHugePageResource: huge page sizes follow the machine. */
export function reconcileHugePageResource(initial: Node, existing: Node): boolean {
  let requiresUpdate = updateDefaultResources(initial, existing);
  const cap = existing.status!.capacity!;
  const alloc = existing.status!.allocatable!;
  const supported = new Set<string>();
  for (const [name, initialCapacity] of Object.entries(initial.status?.capacity ?? {})) {
    if (!isHugePageResourceName(name)) continue;
    supported.add(name);
    const initialAllocatable = initial.status?.allocatable?.[name] ?? "0";
    const isSupported = Object.hasOwn(cap, name);
    if (!isSupported || !sameQuantity(cap[name], initialCapacity)) {
      cap[name] = initialCapacity;
      requiresUpdate = true;
    }
    if (!isSupported || !sameQuantity(alloc[name], initialAllocatable)) {
      alloc[name] = initialAllocatable;
      requiresUpdate = true;
    }
  }
  for (const name of Object.keys(cap)) {
    if (!isHugePageResourceName(name) || supported.has(name)) continue;
    delete cap[name];
    delete alloc[name];
    requiresUpdate = true;
  }
  return requiresUpdate;
}

/**
 * tryRegisterWithAPIServer: the registered Node, or undefined to try again.
 * An existing Node is adopted and patched (nodes/status, as upstream) where
 * the kubelet's labels, annotation or resources differ.
 */
export async function tryRegisterWithAPIServer(
  ctx: KubeletContext,
  node: Node,
  opts: { signal?: AbortSignal; podCIDR?: string } = {},
): Promise<Node | undefined> {
  try {
    return await ctx.client.create(Resources.nodes, node, { signal: opts.signal });
  } catch (e) {
    if (!isAlreadyExists(e)) {
      ctx.log("Unable to register node with API server", { node: ctx.nodeName, err: String(e) });
      return undefined;
    }
  }
  let existing: Node;
  try {
    existing = await ctx.client.get<Node>(Resources.nodes, ctx.nodeName, { signal: opts.signal });
  } catch (e) {
    ctx.log("Unable to register node with API server, error getting existing node", {
      node: ctx.nodeName,
      err: String(e),
    });
    return undefined;
  }
  const original = deepCopyJson(existing);
  ctx.log("Node was previously registered", { node: ctx.nodeName });
  let requiresUpdate = reconcileCMADAnnotation(node, existing);
  requiresUpdate = updateDefaultLabels(node, existing) || requiresUpdate;
  requiresUpdate = reconcileExtendedResource(node, existing, false) || requiresUpdate;
  requiresUpdate = reconcileHugePageResource(node, existing) || requiresUpdate;
  let result = existing;
  if (requiresUpdate) {
    try {
      result = await ctx.client.patch<Node>(
        Resources.nodes,
        ctx.nodeName,
        nodeStatusPatch(original, existing),
        {
          type: "strategic",
          subresource: "status",
          signal: opts.signal,
        },
      );
    } catch (e) {
      ctx.log("Unable to reconcile node with API server,error updating node", {
        node: ctx.nodeName,
        err: String(e),
      });
      return undefined;
    }
  }
  // k8ts's --pod-cidr stands in for node IPAM: give it to a node that has none yet.
  if (opts.podCIDR && !result.spec?.podCIDR) {
    try {
      result = await ctx.client.patch<Node>(
        Resources.nodes,
        ctx.nodeName,
        { spec: { podCIDR: opts.podCIDR, podCIDRs: [opts.podCIDR] } },
        { type: "strategic", signal: opts.signal },
      );
    } catch (e) {
      ctx.log("Unable to set the pod CIDR of the existing node", { node: ctx.nodeName, err: String(e) });
    }
  }
  return result;
}

/**
 * registerWithAPIServer: retries until the Node is registered, backing off from
 * 100 ms to 7 s between attempts. Resolves with the Node as the apiserver has
 * it; rejects only when spec.signal aborts.
 */
export async function registerNode(ctx: KubeletContext, spec: RegistrationSpec): Promise<Node> {
  let step = 100;
  for (;;) {
    if (spec.signal?.aborted) throw spec.signal.reason ?? new Error("registration aborted");
    let node: Node | undefined;
    try {
      node = await initialNode(ctx.nodeName, spec);
    } catch (e) {
      ctx.log("Unable to construct v1.Node object for kubelet", { err: String(e) });
    }
    if (node) {
      ctx.log("Attempting to register node", { node: ctx.nodeName });
      const registered = await tryRegisterWithAPIServer(ctx, node, {
        signal: spec.signal,
        podCIDR: spec.podCIDR,
      });
      if (registered) {
        ctx.log("Successfully registered node", { node: ctx.nodeName });
        return registered;
      }
    }
    await sleep(ctx.clock, step, spec.signal);
    step = Math.min(step * 2, MAX_BACKOFF_MS);
  }
}
