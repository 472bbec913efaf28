// k8s.io/endpointslice/util EndpointSet: endpoints keyed by what identifies
// them — addresses, hostname and target pod — so that a change of node,
// zone or conditions is an in-place update rather than a remove and an add.
import type { Endpoint } from "kubernetes-types/discovery/v1.d.ts";

/** hashEndpoint (upstream hashes the same fields; the key only has to be canonical). */
export function endpointKey(ep: Endpoint): string {
  return JSON.stringify([
    [...(ep.addresses ?? [])].sort(),
    ep.hostname ?? "",
    ep.targetRef?.namespace ?? "",
    ep.targetRef?.name ?? "",
  ]);
}

export class EndpointSet {
  private readonly items = new Map<string, Endpoint>();

  insert(...eps: Endpoint[]): this {
    for (const ep of eps) this.items.set(endpointKey(ep), ep);
    return this;
  }

  delete(...eps: Endpoint[]): this {
    for (const ep of eps) this.items.delete(endpointKey(ep));
    return this;
  }

  has(ep: Endpoint): boolean {
    return this.items.has(endpointKey(ep));
  }

  /** The endpoint in the set with the same key, if any. */
  get(ep: Endpoint): Endpoint | undefined {
    return this.items.get(endpointKey(ep));
  }

  /** Takes one endpoint out (the oldest inserted; upstream takes any). */
  popAny(): Endpoint | undefined {
    for (const [key, ep] of this.items) {
      this.items.delete(key);
      return ep;
    }
    return undefined;
  }

  get size(): number {
    return this.items.size;
  }

  list(): Endpoint[] {
    return [...this.items.values()];
  }
}
