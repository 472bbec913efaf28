// What the garbage collector learns from discovery: client-go's
// ServerPreferredResources (aggregated discovery, else legacy /api, /apis and each group version), the
// deletable subset the GC watches (upstream's GetDeletableResources), and a
// REST mapper from an owner reference's apiVersion and kind to its resource.
import type { APIGroupList, APIResourceList, APIVersions } from "kubernetes-types/meta/v1.d.ts";
import type { ResourceRef, RestClient } from "../../client/rest-client.ts";

/** One resource as discovery lists it. */
export interface DiscoveredResource {
  ref: ResourceRef;
  kind: string;
  verbs: string[];
}

export interface DiscoveryResult {
  /** Per group and resource, the preferred version's entry (client-go's ServerPreferredResources). */
  preferred: DiscoveredResource[];
  /** Every served version of every resource: what the REST mapper maps. */
  all: DiscoveredResource[];
  /** Group versions ("v1", "apps/v1") whose resource list could not be fetched. */
  failedGroupVersions: string[];
}

export type Discover = (signal?: AbortSignal) => Promise<DiscoveryResult>;

/** "group/version/resource", the key of a resource in the GC's monitor set. */
export function resourceKey(r: ResourceRef): string {
  return `${r.group}/${r.version}/${r.resource}`;
}

export function groupVersionOf(r: { group: string; version: string }): string {
  return r.group === "" ? r.version : `${r.group}/${r.version}`;
}

/** What client-go's discovery client asks for: aggregated discovery, else the legacy documents. */
const AGGREGATED_ACCEPT =
  "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json";

/** apidiscovery.k8s.io/v2's APIGroupDiscoveryList, as far as discovery reads it. */
interface APIGroupDiscoveryList {
  kind: "APIGroupDiscoveryList";
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version: string;
      freshness?: "Current" | "Stale";
      resources?: Array<{
        resource: string;
        responseKind?: { kind?: string };
        scope: "Namespaced" | "Cluster";
        verbs?: string[];
      }>;
    }>;
  }>;
}

/** A resource as either form of discovery lists it (a legacy APIResource has these fields). */
interface ListedResource {
  name: string;
  namespaced: boolean;
  kind: string;
  verbs: string[];
}

/** One group's versions, preferred first. */
interface GroupVersions {
  name: string;
  versions: string[];
  preferred: string;
}

/**
 * Discovery over the client's plain GET (the RestClient has no discovery helper), as client-go's
 * discovery client does it: two requests for aggregated discovery (/api and /apis, every group
 * version's resources inside), falling back to the legacy documents and one request a group
 * version for a server that answers without it. A group version aggregated discovery marks
 * Stale (an extension apiserver that did not answer) counts as failed, as client-go counts it.
 */
export function discoveryFor(client: RestClient): Discover {
  return async (signal) => {
    // Not each request on the signal: twenty listeners on one shared signal is what Node warns about.
    const get = <T>(path: string, accept?: string) => {
      signal?.throwIfAborted();
      return client.json<T>("GET", path, {}, undefined, {}, accept ? { Accept: accept } : {});
    };
    const groups: GroupVersions[] = [];
    const lists = new Map<string, ListedResource[]>();
    const failed: string[] = [];
    const [core, named] = await Promise.allSettled([
      get<APIVersions | APIGroupDiscoveryList>("/api", AGGREGATED_ACCEPT),
      get<APIGroupList | APIGroupDiscoveryList>("/apis", AGGREGATED_ACCEPT),
    ]);
    if (core.status === "rejected" && named.status === "rejected") throw named.reason;
    if (core.status === "rejected") failed.push("v1");
    const legacy: GroupVersions[] = [];
    for (const doc of [core, named]) {
      if (doc.status === "rejected") continue;
      const d = doc.value;
      if (d.kind === "APIGroupDiscoveryList") {
        for (const g of (d as APIGroupDiscoveryList).items ?? []) {
          const name = g.metadata?.name ?? "";
          const versions = (g.versions ?? []).map((v) => v.version);
          groups.push({ name, versions, preferred: versions[0] ?? "" });
          for (const v of g.versions ?? []) {
            const gv = groupVersionOf({ group: name, version: v.version });
            if (v.freshness === "Stale") {
              failed.push(gv);
              continue;
            }
            lists.set(
              gv,
              (v.resources ?? []).map((r) => ({
                name: r.resource,
                namespaced: r.scope === "Namespaced",
                kind: r.responseKind?.kind ?? "",
                verbs: r.verbs ?? [],
              })),
            );
          }
        }
      } else if (doc === core) {
        const versions = (d as APIVersions).versions ?? [];
        legacy.push({ name: "", versions, preferred: versions[0] ?? "" });
      } else {
        for (const g of (d as APIGroupList).groups ?? []) {
          legacy.push({
            name: g.name,
            versions: g.versions.map((v) => v.version),
            preferred: g.preferredVersion?.version ?? g.versions[0]?.version ?? "",
          });
        }
      }
    }
    groups.push(...legacy);
    await Promise.all(
      legacy.flatMap((g) =>
        g.versions.map(async (v) => {
          const gv = groupVersionOf({ group: g.name, version: v });
          try {
            const list = await get<APIResourceList>(g.name === "" ? `/api/${v}` : `/apis/${gv}`);
            lists.set(gv, list.resources ?? []);
          } catch {
            failed.push(gv);
          }
        }),
      ),
    );
    const all: DiscoveredResource[] = [];
    const preferred = new Map<string, DiscoveredResource>();
    for (const g of groups) {
      for (const v of g.versions) {
        for (const r of lists.get(groupVersionOf({ group: g.name, version: v })) ?? []) {
          if (r.name.includes("/")) continue; // subresources
          const entry: DiscoveredResource = {
            ref: { group: g.name, version: v, resource: r.name, namespaced: r.namespaced },
            kind: r.kind,
            verbs: r.verbs ?? [],
          };
          all.push(entry);
          const gr = `${g.name}/${r.name}`;
          // A resource found in an earlier version is replaced only by the preferred version's.
          if (preferred.has(gr) && v !== g.preferred) continue;
          preferred.set(gr, entry);
        }
      }
    }
    return { preferred: [...preferred.values()], all, failedGroupVersions: failed };
  };
}

/** The preferred resources that support delete, list and watch (upstream's GetDeletableResources). */
export function deletableResources(d: DiscoveryResult): DiscoveredResource[] {
  return d.preferred.filter((r) => ["delete", "list", "watch"].every((v) => r.verbs.includes(v)));
}

/** Maps apiVersion and kind to a served resource (upstream's RESTMapper.RESTMapping). */
export class RestMapper {
  private readonly byKind = new Map<string, ResourceRef>();

  constructor(resources: DiscoveredResource[] = []) {
    for (const r of resources) {
      const k = `${groupVersionOf(r.ref)}/${r.kind}`;
      if (!this.byKind.has(k)) this.byKind.set(k, r.ref);
    }
  }

  /** The resource of apiVersion and kind in exactly that version, if served. */
  mapping(apiVersion: string, kind: string): ResourceRef | undefined {
    return this.byKind.get(`${apiVersion}/${kind}`);
  }
}
