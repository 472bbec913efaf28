// The PV controller's own cache of the last known version of each volume
// and claim (upstream's ctrl.volumes / ctrl.claims with storeObjectUpdate).
// Binding writes four objects in a row (PV, PV status, PVC, PVC status); the
// informers deliver them one by one, so a reconcile woken by the first would
// see the others stale and undo or repeat the binding. The controller puts
// its own writes here as well, and never acts on an older version.
import type { KubeObject } from "../../../client/rest-client.ts";

export function objectKey(obj: KubeObject): string {
  const ns = obj.metadata?.namespace;
  return ns ? `${ns}/${obj.metadata?.name ?? ""}` : (obj.metadata?.name ?? "");
}

function resourceVersion(obj: KubeObject, what: string, old = false): bigint {
  const rv = obj.metadata?.resourceVersion ?? "";
  if (!/^\d+$/.test(rv)) {
    throw new Error(
      `error parsing ${old ? "old " : ""}ResourceVersion "${rv}" of ${what} "${objectKey(obj)}": strconv.ParseInt: parsing "${rv}": invalid syntax`,
    );
  }
  return BigInt(rv);
}

export class ObjectCache<T extends KubeObject> {
  private readonly items = new Map<string, T>();

  /** "volume" or "claim", for error messages. */
  constructor(private readonly what: string) {}

  /**
   * storeObjectUpdate: keeps obj unless the cache already holds a newer
   * version; the same version passes (periodic resyncs must be processed).
   * Returns whether obj was stored.
   */
  update(obj: T): boolean {
    const key = objectKey(obj);
    const old = this.items.get(key);
    if (old) {
      const version = resourceVersion(obj, this.what);
      // Only an older version is thrown away.
      if (resourceVersion(old, this.what, true) > version) return false;
    }
    this.items.set(key, obj);
    return true;
  }

  get(key: string): T | undefined {
    return this.items.get(key);
  }

  delete(key: string): void {
    this.items.delete(key);
  }

  list(): T[] {
    return [...this.items.values()];
  }
}
