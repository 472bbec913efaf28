// NodeRestriction (plugin/pkg/admission/noderestriction): a kubelet
// (system:node:<name> in system:nodes) may change only its own Node (not its
// taints, nor labels outside the kubelet's set), create only mirror pods bound
// to itself, update status and evict or delete only pods bound to itself, and
// touch only its own Lease, CSINode and ResourceSlices. A mutating plugin, as
// upstream's. Requests from anyone else pass untouched.
import { isDeepStrictEqual } from "node:util";
import type { Obj } from "../../../api/registry.ts";
import { isNotFound } from "../../../machinery/status.ts";
import { NODES_GROUP, type UserInfo } from "../../authentication/user.ts";
import type { Registry } from "../../registry/index.ts";
import type { AdmissionAttributes, MutatingPlugin, Operation } from "../admission.ts";
import { admissionForbidden, errorMessage } from "./errors.ts";
import { isMirrorPod, MIRROR_POD_ANNOTATION, podConfigMapNames, podSecretNames } from "./pod-references.ts";

const NODE_USER_PREFIX = "system:node:";
const NODE_LEASE_NAMESPACE = "kube-node-lease";
const LABEL_NAMESPACE_NODE_RESTRICTION = "node-restriction.kubernetes.io";

/** Labels a kubelet may set on its Node (k8s.io/kubelet/pkg/apis IsKubeletLabel). */
const KUBELET_LABELS = new Set([
  "kubernetes.io/hostname",
  "topology.kubernetes.io/zone",
  "topology.kubernetes.io/region",
  "failure-domain.beta.kubernetes.io/zone",
  "failure-domain.beta.kubernetes.io/region",
  "beta.kubernetes.io/instance-type",
  "node.kubernetes.io/instance-type",
  "kubernetes.io/os",
  "kubernetes.io/arch",
  "beta.kubernetes.io/os",
  "beta.kubernetes.io/arch",
]);
const KUBELET_LABEL_NAMESPACES = ["kubelet.kubernetes.io", "node.kubernetes.io"];

/** NodeIdentity: the node name of a kubelet's user, or undefined for anyone else. */
export function nodeIdentity(user: UserInfo): string | undefined {
  if (!user.name.startsWith(NODE_USER_PREFIX)) return undefined;
  if (!user.groups.includes(NODES_GROUP)) return undefined;
  return user.name.slice(NODE_USER_PREFIX.length);
}

function labelNamespace(key: string): string {
  const i = key.indexOf("/");
  return i === -1 ? "" : key.slice(0, i);
}

function inNamespace(ns: string, domain: string): boolean {
  return ns === domain || ns.endsWith(`.${domain}`);
}

export function isKubeletLabel(key: string): boolean {
  if (KUBELET_LABELS.has(key)) return true;
  const ns = labelNamespace(key);
  return KUBELET_LABEL_NAMESPACES.some((allowed) => inNamespace(ns, allowed));
}

function isKubernetesLabel(key: string): boolean {
  const ns = labelNamespace(key);
  return inNamespace(ns, "kubernetes.io") || inNamespace(ns, "k8s.io");
}

function modifiedLabels(a: Record<string, string>, b: Record<string, string>): Set<string> {
  const out = new Set<string>();
  for (const [k, v] of Object.entries(a)) if (b[k] !== v) out.add(k);
  for (const [k, v] of Object.entries(b)) if (a[k] !== v) out.add(k);
  return out;
}

/** Labels a node may not add, remove or change: node-restriction ones, and kubernetes.io/k8s.io ones it does not own. */
export function forbiddenLabels(modified: Iterable<string>): string[] {
  const out = new Set<string>();
  for (const label of modified) {
    if (inNamespace(labelNamespace(label), LABEL_NAMESPACE_NODE_RESTRICTION)) out.add(label);
    if (isKubernetesLabel(label) && !isKubeletLabel(label)) out.add(label);
  }
  return [...out].sort();
}

function labelsOf(obj: Obj | undefined): Record<string, string> {
  const l = obj?.metadata?.labels;
  return l && typeof l === "object" ? l : {};
}

/** apiequality.Semantic.DeepEqual treats a missing list like an empty one. */
function semanticList(v: unknown): unknown {
  return Array.isArray(v) && v.length === 0 ? undefined : (v ?? undefined);
}

export class NodeRestriction implements MutatingPlugin {
  readonly name = "NodeRestriction";

  constructor(private readonly opts: { registry: Registry }) {}

  handles(op: Operation): boolean {
    return op === "CREATE" || op === "UPDATE" || op === "DELETE";
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    const nodeName = nodeIdentity(a.user);
    if (nodeName === undefined) return;
    if (nodeName.length === 0) {
      throw admissionForbidden(a, `could not determine node from user ${JSON.stringify(a.user.name)}`);
    }
    const gr = `${a.resource.group}/${a.resource.resource}`;
    switch (gr) {
      case "/pods":
        switch (a.subresource) {
          case "":
            return this.admitPod(nodeName, a);
          case "status":
            return this.admitPodStatus(nodeName, a);
          case "eviction":
            return this.admitPodEviction(nodeName, a);
          default:
            throw admissionForbidden(
              a,
              `unexpected pod subresource ${JSON.stringify(a.subresource)}, only 'status' and 'eviction' are allowed`,
            );
        }
      case "/nodes":
        return this.admitNode(nodeName, a);
      case "/persistentvolumeclaims":
        if (a.subresource === "status") return this.admitPVCStatus(nodeName, a);
        throw admissionForbidden(a, "may only update PVC status");
      case "/serviceaccounts":
        return this.admitServiceAccount(nodeName, a);
      case "coordination.k8s.io/leases":
        return this.admitLease(nodeName, a);
      case "storage.k8s.io/csinodes":
        return this.admitNamedAfterNode(nodeName, a, "CSINode");
      case "resource.k8s.io/resourceslices":
        return this.admitResourceSlice(nodeName, a);
      default:
        return;
    }
  }

  private async pod(a: AdmissionAttributes, namespace: string, name: string): Promise<Obj> {
    try {
      return await this.opts.registry.byResource("", "v1", "pods")!.get(namespace, name);
    } catch (e) {
      if (isNotFound(e)) throw e;
      throw admissionForbidden(a, errorMessage(e));
    }
  }

  private async admitPod(nodeName: string, a: AdmissionAttributes): Promise<void> {
    switch (a.operation) {
      case "CREATE":
        return this.admitPodCreate(nodeName, a);
      case "DELETE": {
        const existing = a.oldObject ?? (await this.pod(a, a.namespace, a.name));
        if (existing.spec?.nodeName !== nodeName) {
          throw admissionForbidden(
            a,
            `node ${JSON.stringify(nodeName)} can only delete pods with spec.nodeName set to itself`,
          );
        }
        return;
      }
      default:
        throw admissionForbidden(
          a,
          `unexpected operation ${JSON.stringify(a.operation)}, node ${JSON.stringify(nodeName)} can only create and delete mirror pods`,
        );
    }
  }

  private async admitPodCreate(nodeName: string, a: AdmissionAttributes): Promise<void> {
    const pod = a.object ?? {};
    const node = JSON.stringify(nodeName);
    if (!isMirrorPod(pod)) {
      throw admissionForbidden(
        a,
        `pod does not have ${JSON.stringify(MIRROR_POD_ANNOTATION)} annotation, node ${node} can only create mirror pods`,
      );
    }
    if ((pod.spec?.nodeName ?? "") !== nodeName) {
      throw admissionForbidden(a, `node ${node} can only create pods with spec.nodeName set to itself`);
    }
    const owners: Obj[] = Array.isArray(pod.metadata?.ownerReferences) ? pod.metadata.ownerReferences : [];
    if (owners.length > 1) {
      throw admissionForbidden(
        a,
        `node ${node} can only create pods with a single owner reference set to itself`,
      );
    }
    if (owners.length === 0) {
      throw admissionForbidden(a, `node ${node} can only create pods with an owner reference set to itself`);
    }
    const owner = owners[0];
    if (owner.apiVersion !== "v1" || owner.kind !== "Node" || owner.name !== nodeName) {
      throw admissionForbidden(a, `node ${node} can only create pods with an owner reference set to itself`);
    }
    if (owner.controller !== true) {
      throw admissionForbidden(
        a,
        `node ${node} can only create pods with a controller owner reference set to itself`,
      );
    }
    if (owner.blockOwnerDeletion === true) {
      throw admissionForbidden(a, `node ${node} must not set blockOwnerDeletion on an owner reference`);
    }
    let nodeObj: Obj;
    try {
      nodeObj = await this.opts.registry.byResource("", "v1", "nodes")!.get(undefined, nodeName);
    } catch (e) {
      if (isNotFound(e)) throw e;
      throw admissionForbidden(a, `error looking up node ${nodeName} to verify uid: ${errorMessage(e)}`);
    }
    if ((owner.uid ?? "") !== nodeObj.metadata?.uid) {
      throw admissionForbidden(
        a,
        `node ${nodeName} UID mismatch: expected ${owner.uid ?? ""} got ${nodeObj.metadata?.uid ?? ""}`,
      );
    }
    const spec = pod.spec ?? {};
    if (spec.serviceAccountName || spec.serviceAccount) {
      throw admissionForbidden(a, `node ${node} can not create pods that reference a service account`);
    }
    if (podSecretNames(pod).length > 0) {
      throw admissionForbidden(a, `node ${node} can not create pods that reference secrets`);
    }
    if (podConfigMapNames(pod).length > 0) {
      throw admissionForbidden(a, `node ${node} can not create pods that reference configmaps`);
    }
    const volumes: Obj[] = Array.isArray(spec.volumes) ? spec.volumes : [];
    for (const v of volumes) {
      for (const src of (v.projected?.sources ?? []) as Obj[]) {
        if (src.clusterTrustBundle) {
          throw admissionForbidden(a, `node ${node} can not create pods that reference clustertrustbundles`);
        }
      }
    }
    if (volumes.some((v) => v.persistentVolumeClaim)) {
      throw admissionForbidden(a, `node ${node} can not create pods that reference persistentvolumeclaims`);
    }
  }

  private admitPodStatus(nodeName: string, a: AdmissionAttributes): void {
    if (a.operation !== "UPDATE") {
      throw admissionForbidden(a, `unexpected operation ${JSON.stringify(a.operation)}`);
    }
    const node = JSON.stringify(nodeName);
    if (a.oldObject?.spec?.nodeName !== nodeName) {
      throw admissionForbidden(
        a,
        `node ${node} can only update pod status for pods with spec.nodeName set to itself`,
      );
    }
    if (!isDeepStrictEqual(labelsOf(a.oldObject), labelsOf(a.object))) {
      throw admissionForbidden(a, `node ${node} cannot update labels through pod status`);
    }
    if (
      !resourceClaimStatusesEqual(
        a.oldObject?.status?.resourceClaimStatuses,
        a.object?.status?.resourceClaimStatuses,
      )
    ) {
      throw admissionForbidden(a, `node ${node} cannot update resource claim statues`);
    }
  }

  private async admitPodEviction(nodeName: string, a: AdmissionAttributes): Promise<void> {
    if (a.operation !== "CREATE") throw admissionForbidden(a, `unexpected operation ${a.operation}`);
    // The pod named on the URL, rather than in the submitted Eviction.
    const podName = a.name || a.object?.metadata?.name;
    if (!podName) throw admissionForbidden(a, "could not determine pod from request data");
    const pod = await this.pod(a, a.namespace, podName);
    if (pod.spec?.nodeName !== nodeName) {
      throw admissionForbidden(a, `node ${nodeName} can only evict pods with spec.nodeName set to itself`);
    }
  }

  private admitPVCStatus(nodeName: string, a: AdmissionAttributes): void {
    if (a.operation !== "UPDATE") {
      throw admissionForbidden(a, `unexpected operation ${JSON.stringify(a.operation)}`);
    }
    // Only status.capacity and status.conditions may change.
    const strip = (pvc: Obj | undefined): Obj => {
      const c = structuredClone(pvc ?? {});
      c.metadata ??= {};
      delete c.metadata.resourceVersion;
      delete c.metadata.managedFields;
      c.status ??= {};
      delete c.status.capacity;
      delete c.status.conditions;
      // RecoverVolumeExpansionFailure (beta, on in 1.32) lets the node record expansion progress too.
      delete c.status.allocatedResourceStatuses;
      delete c.status.allocatedResources;
      return c;
    };
    if (!isDeepStrictEqual(strip(a.oldObject), strip(a.object))) {
      throw admissionForbidden(
        a,
        `node ${JSON.stringify(nodeName)} is not allowed to update fields other than status.quantity and status.conditions`,
      );
    }
  }

  private admitNode(nodeName: string, a: AdmissionAttributes): void {
    const node = JSON.stringify(nodeName);
    if (a.name !== nodeName) {
      throw admissionForbidden(a, `node ${node} is not allowed to modify node ${JSON.stringify(a.name)}`);
    }
    if (a.operation === "CREATE") {
      const obj = a.object ?? {};
      // Node.spec scopes what a node may read: setting configSource would widen it.
      if (obj.spec?.configSource != null) {
        throw admissionForbidden(a, `node ${node} is not allowed to create pods with a non-nil configSource`);
      }
      const forbidden = forbiddenLabels(modifiedLabels(labelsOf(obj), {}));
      if (forbidden.length > 0) {
        throw admissionForbidden(
          a,
          `node ${node} is not allowed to set the following labels: ${forbidden.join(", ")}`,
        );
      }
    }
    if (a.operation === "UPDATE") {
      const obj = a.object ?? {};
      const old = a.oldObject ?? {};
      if (
        obj.spec?.configSource != null &&
        !isDeepStrictEqual(obj.spec.configSource, old.spec?.configSource)
      ) {
        throw admissionForbidden(
          a,
          `node ${node} is not allowed to update configSource to a new non-nil configSource`,
        );
      }
      // A node changing its taints could steer workloads it should not get to itself.
      if (!isDeepStrictEqual(semanticList(obj.spec?.taints), semanticList(old.spec?.taints))) {
        throw admissionForbidden(a, `node ${node} is not allowed to modify taints`);
      }
      const forbidden = forbiddenLabels(modifiedLabels(labelsOf(obj), labelsOf(old)));
      if (forbidden.length > 0) {
        throw admissionForbidden(a, `is not allowed to modify labels: ${forbidden.join(", ")}`);
      }
    }
  }

  private async admitServiceAccount(nodeName: string, a: AdmissionAttributes): Promise<void> {
    if (a.operation !== "CREATE" || a.subresource !== "token") return;
    // Tokens a node asks for must be bound to a pod scheduled on it.
    const ref = a.object?.spec?.boundObjectRef;
    if (ref?.apiVersion !== "v1" || ref.kind !== "Pod" || !ref.name) {
      throw admissionForbidden(a, "node requested token not bound to a pod");
    }
    if (!ref.uid) throw admissionForbidden(a, "node requested token with a pod binding without a uid");
    const pod = await this.pod(a, a.namespace, ref.name);
    if (ref.uid !== pod.metadata?.uid) {
      throw admissionForbidden(
        a,
        `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
      );
    }
    if (pod.spec?.nodeName !== nodeName) {
      throw admissionForbidden(a, "node requested token bound to a pod scheduled on a different node");
    }
  }

  private admitLease(nodeName: string, a: AdmissionAttributes): void {
    if (a.namespace !== NODE_LEASE_NAMESPACE) {
      throw admissionForbidden(
        a,
        `can only access leases in the ${JSON.stringify(NODE_LEASE_NAMESPACE)} system namespace`,
      );
    }
    const name = a.operation === "CREATE" ? a.object?.metadata?.name : a.name;
    if (name !== nodeName) {
      throw admissionForbidden(a, "can only access node lease with the same name as the requesting node");
    }
  }

  private admitNamedAfterNode(nodeName: string, a: AdmissionAttributes, kind: string): void {
    const name = a.operation === "CREATE" ? a.object?.metadata?.name : a.name;
    if (name !== nodeName) {
      throw admissionForbidden(a, `can only access ${kind} with the same name as the requesting node`);
    }
  }

  private admitResourceSlice(nodeName: string, a: AdmissionAttributes): void {
    if (a.operation === "CREATE" && a.object?.spec?.nodeName !== nodeName) {
      throw admissionForbidden(
        a,
        "can only create ResourceSlice with the same NodeName as the requesting node",
      );
    }
    if (a.operation === "DELETE" && a.oldObject?.spec?.nodeName !== nodeName) {
      throw admissionForbidden(
        a,
        "can only delete ResourceSlice with the same NodeName as the requesting node",
      );
    }
  }
}

function resourceClaimStatusesEqual(a: unknown, b: unknown): boolean {
  const x: Obj[] = Array.isArray(a) ? a : [];
  const y: Obj[] = Array.isArray(b) ? b : [];
  if (x.length !== y.length) return false;
  for (let i = 0; i < x.length; i++) {
    if (x[i].name !== y[i].name) return false;
    if ((x[i].resourceClaimName ?? null) !== (y[i].resourceClaimName ?? null)) return false;
  }
  return true;
}
