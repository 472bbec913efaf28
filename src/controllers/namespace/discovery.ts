// client-go's ServerPreferredNamespacedResources for the namespace deleter:
// the garbage collector's discovery, kept to namespaced resources, with
// client-go's ErrGroupDiscoveryFailed when some group versions did not answer
// (the deleter still empties what it could discover).
import type { RestClient } from "../../client/rest-client.ts";
import { type DiscoveredResource, discoveryFor } from "../garbagecollector/discovery.ts";

/** client-go's ErrGroupDiscoveryFailed: some group versions could not be listed. */
export class GroupDiscoveryFailedError extends Error {
  constructor(readonly groups: Map<string, Error>) {
    const parts = [...groups].map(([gv, e]) => `${gv}: ${e.message}`);
    parts.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    super(`unable to retrieve the complete list of server APIs: ${parts.join(", ")}`);
    this.name = "GroupDiscoveryFailedError";
  }
}

export interface NamespacedResources {
  /** The preferred version of every namespaced resource discovery could list. */
  resources: DiscoveredResource[];
  /** Set when discovery was incomplete (GroupDiscoveryFailedError) or failed outright. */
  error?: Error;
}

export type DiscoverNamespacedResources = (signal?: AbortSignal) => Promise<NamespacedResources>;

/** The group version a discovery path serves: /api/v1 → v1, /apis/apps/v1 → apps/v1. */
function groupVersionOfPath(path: string): string {
  if (path === "/api") return "v1";
  if (path.startsWith("/api/")) return path.slice("/api/".length);
  return path.slice("/apis/".length);
}

export function serverPreferredNamespacedResources(client: RestClient): DiscoverNamespacedResources {
  return async (signal) => {
    // The GC's helper swallows each group version's error: record them on the way through.
    const errors = new Map<string, Error>();
    const recording = Object.create(client) as RestClient;
    recording.json = async <T>(...args: Parameters<RestClient["json"]>): Promise<T> => {
      try {
        return await client.json<T>(...args);
      } catch (e) {
        errors.set(args[1], e as Error);
        throw e;
      }
    };
    let result: Awaited<ReturnType<ReturnType<typeof discoveryFor>>>;
    try {
      result = await discoveryFor(recording)(signal);
    } catch (e) {
      return { resources: [], error: e as Error };
    }
    const resources = result.preferred.filter((r) => r.ref.namespaced);
    if (result.failedGroupVersions.length === 0) return { resources };
    const groups = new Map<string, Error>();
    for (const gv of result.failedGroupVersions) groups.set(gv, new Error("the server could not answer"));
    for (const [path, e] of errors) {
      const gv = groupVersionOfPath(path);
      if (groups.has(gv)) groups.set(gv, e);
    }
    return { resources, error: new GroupDiscoveryFailedError(groups) };
  };
}
