// upstream's pkg/controller/history: ControllerRevisions, the immutable
// snapshots of a DaemonSet's or StatefulSet's template that rollouts and
// `kubectl rollout undo` work from. A revision is named
// "<owner>-<hash of its data>"; when another revision already has that name
// with different data, the collision count goes up and the hash changes.
import type { ControllerRevision } from "kubernetes-types/apps/v1.d.ts";
import { isAlreadyExists } from "../../client/api-error.ts";
import { Resources } from "../../client/resources.ts";
import type { KubeObject, RestClient } from "../../client/rest-client.ts";
import { fnv32, safeEncodeString, stableStringify } from "./hash.ts";
import { type GroupVersionKind, newControllerRef } from "./owner.ts";

export const CONTROLLER_REVISION_HASH_LABEL = "controller.kubernetes.io/hash";

/** "<prefix>-<hash>", the prefix cut so the name stays within 253 characters. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > 223 ? prefix.slice(0, 223) : prefix}-${hash}`;
}

/**
 * upstream's HashControllerRevision: FNV-1 over the revision's raw data (its
 * JSON as the controller built it, keys in Go's order) and the collision
 * count as a decimal string, so names match what Kubernetes makes.
 */
export function hashControllerRevision(rev: ControllerRevision, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32(enc.encode(rev.data === undefined ? "" : JSON.stringify(rev.data)));
  if (collisionCount !== undefined && collisionCount !== null)
    h = fnv32(enc.encode(String(collisionCount)), h);
  return safeEncodeString(String(h));
}

/** A revision of parent with data, labelled with the template's labels and the hash. */
export function newControllerRevision(
  parent: KubeObject,
  parentKind: GroupVersionKind,
  templateLabels: Record<string, string> | undefined,
  data: unknown,
  revision: number,
  collisionCount?: number,
): ControllerRevision {
  const rev: ControllerRevision = {
    apiVersion: "apps/v1",
    kind: "ControllerRevision",
    metadata: {
      namespace: parent.metadata?.namespace,
      labels: { ...templateLabels },
      ownerReferences: [newControllerRef(parent, parentKind)],
    },
    data: data as ControllerRevision["data"],
    revision,
  };
  const hash = hashControllerRevision(rev, collisionCount);
  rev.metadata!.name = controllerRevisionName(parent.metadata?.name ?? "", hash);
  rev.metadata!.labels![CONTROLLER_REVISION_HASH_LABEL] = hash;
  return rev;
}

/** By revision number, then creation time, then name (upstream's SortControllerRevisions). */
export function sortControllerRevisions(revs: ControllerRevision[]): ControllerRevision[] {
  return revs.sort(
    (a, b) =>
      a.revision - b.revision ||
      (a.metadata?.creationTimestamp ?? "").localeCompare(b.metadata?.creationTimestamp ?? "") ||
      (a.metadata?.name ?? "").localeCompare(b.metadata?.name ?? ""),
  );
}

/** Same hash label and same data. */
export function equalRevision(a: ControllerRevision | undefined, b: ControllerRevision | undefined): boolean {
  if (!a || !b) return a === b;
  const ha = a.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  const hb = b.metadata?.labels?.[CONTROLLER_REVISION_HASH_LABEL];
  if (ha !== hb) return false;
  return stableStringify(a.data ?? null) === stableStringify(b.data ?? null);
}

export function findEqualRevisions(
  revs: ControllerRevision[],
  needle: ControllerRevision,
): ControllerRevision[] {
  return revs.filter((r) => equalRevision(r, needle));
}

/** One more than the highest revision, 1 when there is none. */
export function nextRevision(revs: ControllerRevision[]): number {
  return revs.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
}

/**
 * Creates revision (as made by newControllerRevision with collisionCount.value);
 * on a name taken by different data, raises collisionCount.value and tries the
 * next hash. An equal existing revision is returned as it is.
 */
export async function createControllerRevision(
  client: RestClient,
  parent: KubeObject,
  revision: ControllerRevision,
  collisionCount: { value: number },
): Promise<ControllerRevision> {
  for (;;) {
    const clone = structuredClone(revision);
    const hash = hashControllerRevision(clone, collisionCount.value);
    clone.metadata!.name = controllerRevisionName(parent.metadata?.name ?? "", hash);
    clone.metadata!.labels = { ...clone.metadata!.labels, [CONTROLLER_REVISION_HASH_LABEL]: hash };
    try {
      return await client.create(
        Resources.controllerrevisions,
        clone as ControllerRevision & { metadata: object },
        {
          namespace: parent.metadata?.namespace,
        },
      );
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
      const existing = await client.get<ControllerRevision>(
        Resources.controllerrevisions,
        clone.metadata!.name!,
        {
          namespace: parent.metadata?.namespace,
        },
      );
      if (equalRevision(existing, clone)) return existing;
      collisionCount.value++;
    }
  }
}

/** Sets the revision number of an existing revision (its data never changes). */
export function updateControllerRevision(
  client: RestClient,
  rev: ControllerRevision,
  revision: number,
): Promise<ControllerRevision> {
  if (rev.revision === revision) return Promise.resolve(rev);
  return client.patch<ControllerRevision>(
    Resources.controllerrevisions,
    rev.metadata?.name ?? "",
    { revision },
    { namespace: rev.metadata?.namespace, type: "merge" },
  );
}
