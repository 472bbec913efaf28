// upstream's podControllerFinders (disruption.go): the scale a pod's
// controller asks for. The workload kinds are read from the informer caches;
// any other controller is asked through its /scale subresource, after
// discovery has said which resource serves its kind.
import type { Deployment, ReplicaSet, StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { ReplicationController } from "kubernetes-types/core/v1.d.ts";
import type { APIResourceList, OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import { isNotFound } from "../../client/api-error.ts";
import type { IndexerView } from "../../client/indexer.ts";
import type { ResourceRef, RestClient } from "../../client/rest-client.ts";
import { getControllerOf } from "../util/owner.ts";

export interface ControllerAndScale {
  uid: string;
  scale: number;
}

export type PodControllerFinder = (
  ref: OwnerReference,
  namespace: string,
) => Promise<ControllerAndScale | undefined>;

/** schema.ParseGroupVersion. */
export function parseGroupVersion(apiVersion: string): { group: string; version: string } {
  if (apiVersion === "" || apiVersion === "/") return { group: "", version: "" };
  const parts = apiVersion.split("/");
  if (parts.length === 1) return { group: "", version: parts[0] };
  if (parts.length === 2) return { group: parts[0], version: parts[1] };
  throw new Error(`unexpected GroupVersion string: ${apiVersion}`);
}

/** verifyGroupKind: the reference is to that kind in one of those groups. */
function verifyGroupKind(ref: OwnerReference, kind: string, groups: string[]): boolean {
  const { group } = parseGroupVersion(ref.apiVersion);
  return ref.kind === kind && groups.includes(group);
}

/** A mapping of a kind to its resource, and whether the resource serves autoscaling's Scale. */
interface RESTMapping {
  resource: ResourceRef;
  implementsScale: boolean;
}

export interface FinderListers {
  replicationControllers: IndexerView<ReplicationController>;
  replicaSets: IndexerView<ReplicaSet>;
  deployments: IndexerView<Deployment>;
  statefulSets: IndexerView<StatefulSet>;
}

export class PodControllerFinders {
  /** Discovery of one group version, kept for this long before it is asked again. */
  private readonly discovered = new Map<string, { at: number; list: APIResourceList }>();

  constructor(
    private readonly listers: FinderListers,
    private readonly client: RestClient,
    private readonly now: () => number,
    private readonly discoveryTtlMs = 30_000,
  ) {}

  /** In upstream's order: the workload resources from caches first, /scale last. */
  finders(): PodControllerFinder[] {
    return [
      (r, ns) => this.getPodReplicationController(r, ns),
      (r, ns) => this.getPodDeployment(r, ns),
      (r, ns) => this.getPodReplicaSet(r, ns),
      (r, ns) => this.getPodStatefulSet(r, ns),
      (r, ns) => this.getScaleController(r, ns),
    ];
  }

  /** getPodReplicaSet: a ReplicaSet that no Deployment controls. */
  async getPodReplicaSet(ref: OwnerReference, namespace: string): Promise<ControllerAndScale | undefined> {
    if (!verifyGroupKind(ref, "ReplicaSet", ["apps", "extensions"])) return undefined;
    const rs = this.listers.replicaSets.get(`${namespace}/${ref.name}`);
    if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
    const owner = getControllerOf(rs);
    if (owner && owner.kind === "Deployment") return undefined;
    return { uid: rs.metadata.uid ?? "", scale: rs.spec?.replicas ?? 1 };
  }

  async getPodStatefulSet(ref: OwnerReference, namespace: string): Promise<ControllerAndScale | undefined> {
    if (!verifyGroupKind(ref, "StatefulSet", ["apps"])) return undefined;
    const ss = this.listers.statefulSets.get(`${namespace}/${ref.name}`);
    if (!ss || ss.metadata?.uid !== ref.uid) return undefined;
    return { uid: ss.metadata.uid ?? "", scale: ss.spec?.replicas ?? 1 };
  }

  /** getPodDeployment: the Deployment of the pod's ReplicaSet. */
  async getPodDeployment(ref: OwnerReference, namespace: string): Promise<ControllerAndScale | undefined> {
    if (!verifyGroupKind(ref, "ReplicaSet", ["apps", "extensions"])) return undefined;
    const rs = this.listers.replicaSets.get(`${namespace}/${ref.name}`);
    if (!rs || rs.metadata?.uid !== ref.uid) return undefined;
    const owner = getControllerOf(rs);
    if (!owner || !verifyGroupKind(owner, "Deployment", ["apps", "extensions"])) return undefined;
    const d = this.listers.deployments.get(`${rs.metadata?.namespace}/${owner.name}`);
    if (!d || d.metadata?.uid !== owner.uid) return undefined;
    return { uid: d.metadata.uid ?? "", scale: d.spec?.replicas ?? 1 };
  }

  async getPodReplicationController(
    ref: OwnerReference,
    namespace: string,
  ): Promise<ControllerAndScale | undefined> {
    if (!verifyGroupKind(ref, "ReplicationController", [""])) return undefined;
    const rc = this.listers.replicationControllers.get(`${namespace}/${ref.name}`);
    if (!rc || rc.metadata?.uid !== ref.uid) return undefined;
    return { uid: rc.metadata.uid ?? "", scale: rc.spec?.replicas ?? 1 };
  }

  /** getScaleController: any other controller, through its /scale subresource. */
  async getScaleController(ref: OwnerReference, namespace: string): Promise<ControllerAndScale | undefined> {
    const gv = parseGroupVersion(ref.apiVersion);
    const mapping = await this.restMapping(gv.group, gv.version, ref.kind);
    const gr = mapping.resource.group
      ? `${mapping.resource.resource}.${mapping.resource.group}`
      : mapping.resource.resource;
    let scale: { metadata?: { uid?: string }; spec?: { replicas?: number } };
    try {
      scale = await this.client.get(mapping.resource, ref.name, { namespace, subresource: "scale" });
    } catch (e) {
      if (!isNotFound(e)) throw e;
      // Either the object is gone or its resource has no /scale: only the second is an error.
      if (!mapping.implementsScale) throw new Error(`${gr} does not implement the scale subresource`);
      return undefined;
    }
    if (scale.metadata?.uid !== ref.uid) return undefined;
    return { uid: scale.metadata?.uid ?? "", scale: scale.spec?.replicas ?? 0 };
  }

  /** The RESTMapper's RESTMapping, from the group version's discovery document. */
  private async restMapping(group: string, version: string, kind: string): Promise<RESTMapping> {
    const gv = group ? `${group}/${version}` : version;
    let list = await this.discover(gv, false);
    let mapping = list && mappingIn(list, group, version, kind);
    if (!mapping) {
      // A kind served since the last look (a CRD just installed).
      list = await this.discover(gv, true);
      mapping = list && mappingIn(list, group, version, kind);
    }
    if (!mapping) throw new Error(`no matches for kind "${kind}" in version "${gv}"`);
    return mapping;
  }

  private async discover(gv: string, fresh: boolean): Promise<APIResourceList | undefined> {
    const cached = this.discovered.get(gv);
    if (!fresh && cached && this.now() - cached.at < this.discoveryTtlMs) return cached.list;
    const path = gv.includes("/") ? `/apis/${gv}` : `/api/${gv}`;
    try {
      const list = await this.client.json<APIResourceList>("GET", path, {}, undefined);
      this.discovered.set(gv, { at: this.now(), list });
      return list;
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
  }
}

function mappingIn(
  list: APIResourceList,
  group: string,
  version: string,
  kind: string,
): RESTMapping | undefined {
  const res = list.resources.find((r) => r.kind === kind && !r.name.includes("/"));
  if (!res) return undefined;
  const scale = list.resources.find((r) => r.name === `${res.name}/scale`);
  return {
    resource: { group, version, resource: res.name, namespaced: res.namespaced },
    implementsScale: !!scale && scale.kind === "Scale" && scale.group === "autoscaling",
  };
}
