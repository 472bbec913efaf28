// The kinds the ReplicaSet logic runs for. upstream treats a
// ReplicationController as an older API version of ReplicaSet
// (pkg/controller/replication/conversion.go): it is converted on the way in
// and its status converted back on the way out, and the same code syncs both.
import type { ReplicaSet, ReplicaSetStatus } from "kubernetes-types/apps/v1.d.ts";
import type { ReplicationController } from "kubernetes-types/core/v1.d.ts";
import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { KubeObject, ResourceRef } from "../../client/rest-client.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import type { GroupVersionKind } from "../util/owner.ts";

export interface ReplicaSetKind<T extends KubeObject = KubeObject> {
  resource: ResourceRef;
  gvk: GroupVersionKind;
  /** The queue's name (upstream's "replicaset" / "replicationmanager"). */
  queueName: string;
  /**
   * Whether other ReplicaSets of the same owner count for the "doubled up"
   * rank. upstream's controllerUID index only accepts *apps.ReplicaSet, so an
   * RC never finds relatives.
   */
  rankByRelatedPods: boolean;
  /** The object as an apps/v1 ReplicaSet (upstream's conversion). */
  toReplicaSet(obj: T): ReplicaSet & { metadata: object };
  /** The object (with kind set, for events and owner references). */
  withKind(obj: T): T;
  /** A copy of obj carrying status, for the status subresource. */
  withStatus(obj: T, status: ReplicaSetStatus): T;
  /**
   * The label selector orphans are matched against by getPodReplicaSets; a
   * nil or empty one (or an invalid one) matches nothing there.
   */
  selectorOf(obj: T): LabelSelector | null | undefined;
}

export const replicaSetKind: ReplicaSetKind<ReplicaSet> = {
  resource: Resources.replicasets,
  gvk: { apiVersion: "apps/v1", kind: "ReplicaSet" },
  queueName: "replicaset",
  rankByRelatedPods: true,
  toReplicaSet: (rs) => ({ ...rs, apiVersion: "apps/v1", kind: "ReplicaSet", metadata: rs.metadata ?? {} }),
  withKind: (rs) => ({ ...rs, apiVersion: "apps/v1", kind: "ReplicaSet" }),
  withStatus: (rs, status) => ({ ...rs, apiVersion: "apps/v1", kind: "ReplicaSet", status }),
  selectorOf: (rs) => rs.spec?.selector,
};

/** upstream's Convert_Map_string_To_string_To_v1_LabelSelector: a nil map is a nil selector. */
export function rcSelectorToLabelSelector(
  selector: Record<string, string> | undefined | null,
): LabelSelector | undefined {
  if (selector === undefined || selector === null) return undefined;
  return { matchLabels: { ...selector } };
}

export const replicationControllerKind: ReplicaSetKind<ReplicationController> = {
  resource: Resources.replicationcontrollers,
  gvk: { apiVersion: "v1", kind: "ReplicationController" },
  queueName: "replicationmanager",
  rankByRelatedPods: false,
  toReplicaSet(rc) {
    const spec = rc.spec ?? {};
    // The view only feeds the shared logic; events and owner references use withKind(rc).
    return {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: rc.metadata ?? {},
      spec: {
        replicas: spec.replicas,
        minReadySeconds: spec.minReadySeconds,
        selector: rcSelectorToLabelSelector(spec.selector) as LabelSelector,
        template: spec.template ?? undefined,
      },
      status: rc.status ? (deepCopyJson(rc.status) as ReplicaSetStatus) : undefined,
    };
  },
  withKind: (rc) => ({ ...rc, apiVersion: "v1", kind: "ReplicationController" }),
  withStatus: (rc, status) => ({ ...rc, apiVersion: "v1", kind: "ReplicationController", status }),
  selectorOf: (rc) => rcSelectorToLabelSelector(rc.spec?.selector),
};
