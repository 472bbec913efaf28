// Test helpers for the deployment controller's unit tests (upstream's
// newDeployment/rs helpers and fake clientset): a SyncContext whose client
// keeps the objects it is given, and records events.
import type { Clock } from "../../client/clock.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { Indexer, type IndexerView } from "../../client/indexer.ts";
import type { KubeObject, ResourceRef, RestClient } from "../../client/rest-client.ts";
import type { SyncContext } from "./sync.ts";
import type { DeploymentObj, ReplicaSetObj } from "./util.ts";

export const T0 = Date.parse("2024-05-01T10:00:00Z");

export interface RecordedEvent {
  type: string;
  reason: string;
  message: string;
}

export interface FakeSyncContext extends SyncContext {
  /** Objects as last written, by "resource/name" (and "resource/name/status"). */
  written: Map<string, KubeObject>;
  deleted: string[];
  events: RecordedEvent[];
  requeuedAfterMs: number[];
  rateLimited: number;
  setNow(ms: number): void;
}

export function fakeSyncContext(rss: ReplicaSetObj[] = []): FakeSyncContext {
  let now = T0;
  let rv = 100;
  const written = new Map<string, KubeObject>();
  const deleted: string[] = [];
  const events: RecordedEvent[] = [];
  const requeuedAfterMs: number[] = [];
  const rsIndexer = new Indexer<ReplicaSetObj>();
  for (const rs of rss) rsIndexer.upsert(rs);
  const stamp = <T extends KubeObject>(obj: T): T => {
    const copy = structuredClone(obj);
    copy.metadata = { ...copy.metadata, resourceVersion: String(++rv) };
    return copy;
  };
  const key = (res: ResourceRef, name: string | undefined, sub?: string) =>
    `${res.resource}/${name}${sub ? `/${sub}` : ""}`;
  const client = {
    async update<T extends KubeObject>(res: ResourceRef, obj: T, opts: { subresource?: string } = {}) {
      const out = stamp(obj);
      written.set(key(res, obj.metadata?.name, opts.subresource), out);
      return out;
    },
    async create<T extends KubeObject>(res: ResourceRef, obj: T) {
      const out = stamp(obj);
      out.metadata = {
        ...out.metadata,
        uid: `uid-${obj.metadata?.name}`,
        creationTimestamp: "2024-05-01T10:00:00Z",
      };
      written.set(key(res, obj.metadata?.name), out);
      return out;
    },
    async patch(res: ResourceRef, name: string, patch: unknown) {
      written.set(`${key(res, name)}/patch`, patch as KubeObject);
      return { metadata: { resourceVersion: String(++rv) } };
    },
    async delete(res: ResourceRef, name: string) {
      deleted.push(key(res, name));
      return {};
    },
  } as unknown as RestClient;
  const recorder = {
    event(_obj: unknown, type: string, reason: string, message: string) {
      events.push({ type, reason, message });
    },
  } as unknown as EventRecorder;
  const clock: Clock = { now: () => now, after: () => () => {} };
  const ctx: FakeSyncContext = {
    client,
    recorder,
    clock,
    rsLister: rsIndexer.view() as IndexerView<ReplicaSetObj>,
    enqueueAfter: (_d, ms) => requeuedAfterMs.push(ms),
    enqueueRateLimited: () => {
      ctx.rateLimited++;
    },
    log: () => {},
    written,
    deleted,
    events,
    requeuedAfterMs,
    rateLimited: 0,
    setNow: (ms) => {
      now = ms;
    },
  };
  return ctx;
}

/** upstream's newDeployment test helper: RollingUpdate with maxSurge 0 and maxUnavailable 0 unless given. */
export function newDeployment(
  name: string,
  replicas: number,
  opts: {
    maxSurge?: number | string;
    maxUnavailable?: number | string;
    revisionHistoryLimit?: number;
    progressDeadlineSeconds?: number;
  } = {},
): DeploymentObj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace: "default", uid: `uid-${name}`, generation: 1, annotations: {} },
    spec: {
      replicas,
      selector: { matchLabels: { foo: "bar" } },
      strategy: {
        type: "RollingUpdate",
        rollingUpdate: { maxSurge: opts.maxSurge ?? 0, maxUnavailable: opts.maxUnavailable ?? 0 },
      },
      template: {
        metadata: { labels: { foo: "bar" } },
        spec: { containers: [{ name: "foo", image: "foo/bar" }] },
      },
      revisionHistoryLimit: opts.revisionHistoryLimit,
      progressDeadlineSeconds: opts.progressDeadlineSeconds,
    },
    status: {},
  };
}

/** A replica set of d (or of no one) with a size, a creation time and optionally available pods. */
export function newRS(
  name: string,
  replicas: number,
  createdMs: number,
  opts: { owner?: DeploymentObj; available?: number; image?: string; revision?: string } = {},
): ReplicaSetObj {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: {
      name,
      namespace: "default",
      uid: `uid-${name}`,
      creationTimestamp: new Date(createdMs).toISOString().replace(".000Z", "Z"),
      generation: 1,
      annotations: opts.revision ? { "deployment.kubernetes.io/revision": opts.revision } : {},
      ...(opts.owner
        ? {
            ownerReferences: [
              {
                apiVersion: "apps/v1",
                kind: "Deployment",
                name: opts.owner.metadata?.name ?? "",
                uid: opts.owner.metadata?.uid ?? "",
                controller: true,
              },
            ],
          }
        : {}),
    },
    spec: {
      replicas,
      selector: { matchLabels: { foo: "bar" } },
      template: {
        metadata: { labels: { foo: "bar", "pod-template-hash": name } },
        spec: { containers: [{ name: "foo", image: opts.image ?? name }] },
      },
    },
    status: {
      replicas,
      availableReplicas: opts.available ?? replicas,
      readyReplicas: opts.available ?? replicas,
      observedGeneration: 1,
    },
  };
}
