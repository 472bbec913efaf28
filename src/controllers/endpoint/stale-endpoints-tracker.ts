// upstream's staleEndpointsTracker (endpoints_tracker.go): the resourceVersion
// an Endpoints object had before this controller updated it. Seeing that
// version in the cache again means the cache lags the write, so the sync
// waits rather than act on old state (https://issues.k8s.io/127370).
import type { Endpoints } from "kubernetes-types/core/v1.d.ts";

const keyOf = (namespace: string | undefined, name: string | undefined) => `${namespace ?? ""}/${name ?? ""}`;

export class StaleEndpointsTracker {
  private readonly staleResourceVersions = new Map<string, string>();

  /** Stale: the version ep had is now out of date. */
  stale(ep: Endpoints): void {
    this.staleResourceVersions.set(
      keyOf(ep.metadata?.namespace, ep.metadata?.name),
      ep.metadata?.resourceVersion ?? "",
    );
  }

  isStale(ep: Endpoints): boolean {
    const rv = this.staleResourceVersions.get(keyOf(ep.metadata?.namespace, ep.metadata?.name));
    return rv !== undefined && rv === (ep.metadata?.resourceVersion ?? "");
  }

  delete(namespace: string, name: string): void {
    this.staleResourceVersions.delete(keyOf(namespace, name));
  }
}
