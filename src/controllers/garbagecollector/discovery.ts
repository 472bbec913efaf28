// What the garbage collector learns from discovery: client-go's
// ServerPreferredResources (legacy /api, /apis and each group version), the
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

/** Discovery over the client's plain GET (the RestClient has no discovery helper). */
export function discoveryFor(client: RestClient): Discover {
  return async (signal) => {
    // Not each request on the signal: twenty listeners on one shared signal is what Node warns about.
    const get = <T>(path: string) => {
      signal?.throwIfAborted();
      return client.json<T>("GET", path, {}, undefined);
    };
    // Each group's versions, preferred first, as ServerPreferredResources walks them.
    const groups: Array<{ name: string; versions: string[]; preferred: string }> = [];
    const failed: string[] = [];
    const [core, named] = await Promise.allSettled([get<APIVersions>("/api"), get<APIGroupList>("/apis")]);
    if (core.status === "fulfilled") {
      const versions = core.value.versions ?? [];
      groups.push({ name: "", versions, preferred: versions[0] ?? "" });
    } else failed.push("v1");
    if (named.status === "fulfilled") {
      for (const g of named.value.groups ?? []) {
        groups.push({
          name: g.name,
          versions: g.versions.map((v) => v.version),
          preferred: g.preferredVersion?.version ?? g.versions[0]?.version ?? "",
        });
      }
    } else if (core.status === "rejected") {
      throw named.reason;
    }
    const lists = new Map<string, APIResourceList>();
    await Promise.all(
      groups.flatMap((g) =>
        g.versions.map(async (v) => {
          const gv = groupVersionOf({ group: g.name, version: v });
          try {
            lists.set(gv, await get<APIResourceList>(g.name === "" ? `/api/${v}` : `/apis/${gv}`));
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
        const list = lists.get(groupVersionOf({ group: g.name, version: v }));
        for (const r of list?.resources ?? []) {
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
