// The Node authorizer (plugin/pkg/auth/authorizer/node), with a simplified
// graph: a kubelet (user system:node:<name> in group system:nodes) may read the
// secrets, configmaps, persistent volume claims and volumes, and create tokens
// for the service accounts, that pods bound to its node use; may touch only
// its own lease, CSINode and volume attachments; and otherwise has the static
// system:node rules. Anything else gets no opinion.
//
// The graph is the pods of the store, mirrored in memory with what each one
// references; PVC → PV and VolumeAttachment edges are read from the store
// when asked. Left out: PV → secret edges, ResourceClaims and
// ResourceSlices beyond the static rules, and (as with upstream's
// AuthorizeNodeWithSelectors gate off, since Attributes carry no field
// selector) the per-node limits on reading pods and nodes.
import type { Obj } from "../../api/registry.ts";
import { goQuote } from "../../machinery/field-errors.ts";
import { NODES_GROUP, type UserInfo } from "../authentication/user.ts";
import type { Registry } from "../registry/index.ts";
import type { Attributes, AuthorizationResult, Authorizer } from "./authorizer.ts";
import { nodeRules } from "./rbac/bootstrap-policy.ts";
import { rulesAllow } from "./rbac/rule.ts";
import type { RuleResolver, SubjectRules } from "./rule-resolver.ts";
import { StoreMirror } from "./store-mirror.ts";

export const NODE_USER_PREFIX = "system:node:";
export const NODE_LEASE_NAMESPACE = "kube-node-lease";
const MIRROR_POD_ANNOTATION = "kubernetes.io/config.mirror";

/** NodeIdentity: the node name of a kubelet's user, or undefined for other users. */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.name.startsWith(NODE_USER_PREFIX)) return undefined;
  if (!user.groups.includes(NODES_GROUP)) return undefined;
  return user.name.slice(NODE_USER_PREFIX.length);
}

/** What one bound pod gives its node access to. */
export interface PodRefs {
  nodeName: string;
  secrets: Set<string>;
  configMaps: Set<string>;
  pvcs: Set<string>;
  serviceAccounts: Set<string>;
}

// biome-ignore lint/suspicious/noExplicitAny: pod specs arrive as untyped JSON.
type Any = any;

/** The edges upstream's graph adds for a pod (podutil.VisitPodSecretNames, VisitPodConfigmapNames, claims). */
export function podRefs(pod: Obj): PodRefs | undefined {
  const nodeName: string | undefined = pod.spec?.nodeName;
  if (!nodeName) return undefined;
  const refs: PodRefs = {
    nodeName,
    secrets: new Set(),
    configMaps: new Set(),
    pvcs: new Set(),
    serviceAccounts: new Set(),
  };
  // A node must never gain rights through a pod it created itself.
  if (pod.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined) return refs;
  const spec = pod.spec;
  const sa = spec.serviceAccountName || spec.serviceAccount;
  if (sa) refs.serviceAccounts.add(sa);
  const secret = (n: unknown) => typeof n === "string" && n && refs.secrets.add(n);
  const configMap = (n: unknown) => typeof n === "string" && n && refs.configMaps.add(n);
  for (const s of spec.imagePullSecrets ?? []) secret(s?.name);
  for (const c of [
    ...(spec.initContainers ?? []),
    ...(spec.containers ?? []),
    ...(spec.ephemeralContainers ?? []),
  ] as Any[]) {
    for (const e of c?.envFrom ?? []) {
      secret(e?.secretRef?.name);
      configMap(e?.configMapRef?.name);
    }
    for (const e of c?.env ?? []) {
      secret(e?.valueFrom?.secretKeyRef?.name);
      configMap(e?.valueFrom?.configMapKeyRef?.name);
    }
  }
  for (const v of (spec.volumes ?? []) as Any[]) {
    if (!v) continue;
    secret(v.azureFile?.secretName);
    secret(v.secret?.secretName);
    for (const src of ["cephfs", "cinder", "flexVolume", "rbd", "scaleIO", "iscsi", "storageos"]) {
      secret(v[src]?.secretRef?.name);
    }
    secret(v.csi?.nodePublishSecretRef?.name);
    configMap(v.configMap?.name);
    for (const p of v.projected?.sources ?? []) {
      secret(p?.secret?.name);
      configMap(p?.configMap?.name);
    }
    if (v.persistentVolumeClaim?.claimName) refs.pvcs.add(v.persistentVolumeClaim.claimName);
    // An ephemeral volume's claim is named <pod>-<volume>.
    else if (v.ephemeral) refs.pvcs.add(`${pod.metadata?.name}-${v.name}`);
  }
  return refs;
}

type VertexType = "secret" | "configmap" | "pvc" | "pv" | "serviceAccount" | "volumeattachment";

const noOpinion = (reason = ""): AuthorizationResult => ({ decision: "NoOpinion", reason });
const allow = (): AuthorizationResult => ({ decision: "Allow", reason: "" });

const UNBOUND: Obj = {};
const NODE_NAME = Buffer.from('"nodeName":"');

/** Does the stored pod JSON name a node? (JSON.stringify output: no whitespace; "" means unbound.) */
function isBound(value: Uint8Array): boolean {
  const buf = Buffer.isBuffer(value) ? value : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
  const at = buf.indexOf(NODE_NAME);
  return at >= 0 && buf[at + NODE_NAME.length] !== 0x22;
}

export interface NodeAuthorizerOptions {
  registry: Registry;
  onError?: (e: unknown) => void;
}

export class NodeAuthorizer implements Authorizer, RuleResolver {
  readonly pods: StoreMirror<PodRefs>;
  private readonly rules = nodeRules();

  constructor(private readonly opts: NodeAuthorizerOptions) {
    const rs = opts.registry.byResource("", "v1", "pods")!;
    this.pods = new StoreMirror<PodRefs>({
      store: opts.registry.store,
      prefix: rs.prefix(),
      // Unbound pods give no edges: most pod writes under load are creates of unbound pods, so skip their
      // decode; a bound pod's is shared with the pod watches that see the same change.
      decode: (kv) => (isBound(kv.value) ? rs.decodeForWatch(kv) : UNBOUND),
      transform: (pod) => (pod === UNBOUND ? undefined : podRefs(pod)),
      onError: opts.onError,
    });
  }

  start(): Promise<void> {
    return this.pods.start();
  }

  stop(): Promise<void> {
    return this.pods.stop();
  }

  rulesFor(user: UserInfo, _namespace: string): SubjectRules {
    if (nodeIdentity(user) !== undefined) {
      // Nodes' rights depend on their pods: they cannot be listed.
      return {
        resourceRules: [],
        nonResourceRules: [],
        incomplete: true,
        errors: [new Error("node authorizer does not support user rule resolution")],
      };
    }
    return { resourceRules: [], nonResourceRules: [], incomplete: false, errors: [] };
  }

  async authorize(a: Attributes): Promise<AuthorizationResult> {
    const node = nodeIdentity(a.user);
    if (node === undefined) return noOpinion();
    if (!node) return noOpinion(`unknown node for user ${goQuote(a.user.name)}`);
    if (a.isResourceRequest) {
      const gr = `${a.apiGroup}/${a.resource}`;
      switch (gr) {
        case "/secrets":
          return this.authorizeReadNamespacedObject(node, "secret", a);
        case "/configmaps":
          return this.authorizeReadNamespacedObject(node, "configmap", a);
        case "/persistentvolumeclaims":
          if (a.subresource === "status") return this.authorizeStatusUpdate(node, "pvc", a);
          return this.authorizeGet(node, "pvc", a);
        case "/persistentvolumes":
          return this.authorizeGet(node, "pv", a);
        case "storage.k8s.io/volumeattachments":
          return this.authorizeGet(node, "volumeattachment", a);
        case "/serviceaccounts":
          return this.authorizeCreateToken(node, a);
        case "coordination.k8s.io/leases":
          return this.authorizeLease(node, a);
        case "storage.k8s.io/csinodes":
          return this.authorizeCSINode(node, a);
        // AuthorizeNodeWithSelectors (on by default in v1.32): a node reads only its own Node and its own pods.
        case "/nodes":
          return this.authorizeNode(node, a);
        case "/pods":
          if (!a.subresource && (a.verb === "get" || a.verb === "list" || a.verb === "watch")) {
            return this.authorizePodRead(node, a);
          }
          break;
      }
    }
    // Everything else is not subdivided: the static node rules.
    return rulesAllow(a, this.rules) ? allow() : noOpinion();
  }

  /** upstream's authorizeNode: writes are NodeRestriction's to limit; reads only of its own Node. */
  private authorizeNode(node: string, a: Attributes): AuthorizationResult {
    if (a.subresource === "") {
      switch (a.verb) {
        case "create":
        case "update":
        case "patch":
          return allow();
        case "get":
        case "list":
        case "watch":
          // By name, not through the graph, so a kubelet can look for its Node before creating it.
          if (a.name === node) return allow();
          if (a.name === "")
            return noOpinion(`node '${node}' cannot read all nodes, only its own Node object`);
          return noOpinion(`node '${node}' cannot read '${a.name}', only its own Node object`);
      }
    } else if (a.subresource === "status" && (a.verb === "update" || a.verb === "patch")) {
      return allow();
    }
    return rulesAllow(a, this.rules) ? allow() : noOpinion();
  }

  /** upstream's authorizePod: get a pod bound here; list and watch only with spec.nodeName=<node>. */
  private authorizePodRead(node: string, a: Attributes): AuthorizationResult {
    if (a.verb === "get") {
      if (!a.name) return noOpinion("No Object name found");
      const pod = this.pods.get(a.namespace, a.name);
      return pod?.nodeName === node
        ? allow()
        : noOpinion(`no relationship found between node '${node}' and this object`);
    }
    const selector = a.fieldSelector ?? "";
    for (const term of selector.split(",")) {
      const m = /^\s*spec\.nodeName\s*==?\s*(.*?)\s*$/.exec(term);
      if (m && m[1] === node) return allow();
    }
    return noOpinion(`can only list/watch pods with spec.nodeName field selector`);
  }

  private authorizeStatusUpdate(node: string, type: VertexType, a: Attributes) {
    if (a.verb !== "update" && a.verb !== "patch") return noOpinion("can only get/update/patch this type");
    if (a.subresource !== "status") return noOpinion("can only update status subresource");
    return this.authorizeRelated(node, type, a);
  }

  private authorizeGet(node: string, type: VertexType, a: Attributes) {
    if (a.verb !== "get") return noOpinion("can only get individual resources of this type");
    if (a.subresource) return noOpinion("cannot get subresource");
    return this.authorizeRelated(node, type, a);
  }

  private authorizeReadNamespacedObject(node: string, type: VertexType, a: Attributes) {
    if (a.verb !== "get" && a.verb !== "list" && a.verb !== "watch") {
      return noOpinion("can only read resources of this type");
    }
    if (a.subresource) return noOpinion("cannot read subresource");
    if (!a.namespace) return noOpinion("can only read namespaced object of this type");
    return this.authorizeRelated(node, type, a);
  }

  private async authorizeRelated(node: string, type: VertexType, a: Attributes) {
    if (!a.name) return noOpinion("No Object name found");
    if (await this.hasPathFrom(node, type, a.namespace, a.name)) return allow();
    return noOpinion(`no relationship found between node '${node}' and this object`);
  }

  private async authorizeCreateToken(node: string, a: Attributes) {
    if (a.verb !== "create" || !a.name) {
      return noOpinion("can only create tokens for individual service accounts");
    }
    if (a.subresource !== "token") return noOpinion("can only create token subresource of serviceaccount");
    if (await this.hasPathFrom(node, "serviceAccount", a.namespace, a.name)) return allow();
    return noOpinion(`no relationship found between node '${node}' and this object`);
  }

  private authorizeLease(node: string, a: Attributes) {
    if (!["get", "create", "update", "patch", "delete"].includes(a.verb)) {
      return noOpinion("can only get, create, update, patch, or delete a node lease");
    }
    if (a.namespace !== NODE_LEASE_NAMESPACE) {
      return noOpinion(`can only access leases in the ${goQuote(NODE_LEASE_NAMESPACE)} system namespace`);
    }
    // The name is unknown on create; the NodeRestriction admission plugin checks it there.
    if (a.verb !== "create" && a.name !== node) {
      return noOpinion("can only access node lease with the same name as the requesting node");
    }
    return allow();
  }

  private authorizeCSINode(node: string, a: Attributes) {
    if (!["get", "create", "update", "patch", "delete"].includes(a.verb)) {
      return noOpinion("can only get, create, update, patch, or delete a CSINode");
    }
    if (a.subresource) return noOpinion("cannot authorize CSINode subresources");
    if (a.verb !== "create" && a.name !== node) {
      return noOpinion("can only access CSINode with the same name as the requesting node");
    }
    return allow();
  }

  /** Pods bound to the node, in one namespace. */
  private podsOn(node: string, namespace: string): PodRefs[] {
    return this.pods.list(namespace).filter((p) => p.nodeName === node);
  }

  /** Whether the object reaches the node in the graph: node ← pod ← object (← pvc for a pv). */
  async hasPathFrom(node: string, type: VertexType, namespace: string, name: string): Promise<boolean> {
    switch (type) {
      case "secret":
        return this.podsOn(node, namespace).some((p) => p.secrets.has(name));
      case "configmap":
        return this.podsOn(node, namespace).some((p) => p.configMaps.has(name));
      case "pvc":
        return this.podsOn(node, namespace).some((p) => p.pvcs.has(name));
      case "serviceAccount":
        return this.podsOn(node, namespace).some((p) => p.serviceAccounts.has(name));
      case "pv":
        return this.pvReachable(node, name);
      case "volumeattachment":
        return this.volumeAttachmentReachable(node, name);
    }
  }

  /** node ← pod ← pvc ← pv: a claim used on the node and bound to the volume. */
  private async pvReachable(node: string, pvName: string): Promise<boolean> {
    const pvcs = this.opts.registry.byResource("", "v1", "persistentvolumeclaims");
    if (!pvcs) return false;
    for (const ns of this.pods.namespaces()) {
      const claims = new Set(this.podsOn(node, ns).flatMap((p) => [...p.pvcs]));
      for (const claim of claims) {
        const pvc = await pvcs.get(ns, claim).catch(() => undefined);
        if (pvc?.spec?.volumeName === pvName) return true;
      }
    }
    return false;
  }

  /** A VolumeAttachment is the node's when its spec.nodeName says so. */
  private async volumeAttachmentReachable(node: string, name: string): Promise<boolean> {
    const vas = this.opts.registry.byResource("storage.k8s.io", "v1", "volumeattachments");
    if (!vas) return false;
    const va = await vas.get(undefined, name).catch(() => undefined);
    return va?.spec?.nodeName === node;
  }
}
