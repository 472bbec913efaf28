// The ReplicaSet controller against a real apiserver, scheduler and hollow
// kubelets: the end state of pods, owner references, status, conditions and
// events after scaling, adoption, release, deletion and a quota.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Event, Pod } from "kubernetes-types/core/v1.d.ts";
import { startApiServer } from "../../src/apiserver/index.ts";
import { Resources } from "../../src/client/resources.ts";
import {
  type KubeObject,
  type ResourceRef,
  RestClient,
  type WatchEvent,
  type WatchOptions,
} from "../../src/client/rest-client.ts";
import { startControllers } from "../../src/controllers/manager.ts";
import { replicaSetControllerDescriptor } from "../../src/controllers/replicaset/index.ts";
import { getControllerOf } from "../../src/controllers/util/owner.ts";
import { ensureDefaultServiceAccount } from "../support/service-account.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ nodes: 2, controllers: [replicaSetControllerDescriptor] });
});
after(() => c.stop());

const WAIT = 25_000;

/**
 * A watch that delivers every event delayMs late, in order: the informers'
 * caches lag behind what the controller itself has just written.
 */
class SlowWatchClient extends RestClient {
  constructor(
    config: ConstructorParameters<typeof RestClient>[0],
    private readonly delayMs: number,
  ) {
    super(config);
  }

  override watch<T = KubeObject>(res: ResourceRef, opts: WatchOptions = {}): AsyncIterable<WatchEvent<T>> {
    const inner = super.watch<T>(res, opts);
    const delayMs = this.delayMs;
    return {
      async *[Symbol.asyncIterator]() {
        type Item = { at: number; ev?: WatchEvent<T>; end?: true; error?: unknown };
        const buffered: Item[] = [];
        let wake: (() => void) | undefined;
        const push = (item: Item) => {
          buffered.push(item);
          wake?.();
        };
        // Keep reading the stream while earlier events wait out their delay.
        void (async () => {
          try {
            for await (const ev of inner) push({ at: Date.now(), ev });
            push({ at: Date.now(), end: true });
          } catch (error) {
            push({ at: Date.now(), error: error ?? new Error("watch failed") });
          }
        })();
        for (;;) {
          while (buffered.length === 0) await new Promise<void>((r) => (wake = r));
          const next = buffered.shift()!;
          const wait = next.at + delayMs - Date.now();
          if (wait > 0) await new Promise((r) => setTimeout(r, wait));
          if (next.error !== undefined) throw next.error;
          if (next.end) return;
          yield next.ev!;
        }
      },
    };
  }
}

interface BareCluster {
  /** An admin client whose watches are not delayed. */
  client: RestClient;
  stop(): Promise<void>;
}

/**
 * The real apiserver (startApiServer: every default admission plugin, ResourceQuota
 * among them; the shared test apiserver runs NamespaceLifecycle only) and the
 * ReplicaSet controller, with no scheduler or kubelets: pods stay Pending.
 */
async function startBareCluster(o: { watchDelayMs?: number } = {}): Promise<BareCluster> {
  const dataDir = mkdtempSync(join(tmpdir(), "k8ts-rs-test-"));
  const api = await startApiServer({ dataDir, store: "sqlite::memory:", port: 0, bindAddress: "127.0.0.1" });
  const cred = await api.pki.ca.issueClient("admin", ["system:masters"]);
  const config = {
    server: api.url,
    ca: api.pki.caCert,
    cert: cred.cert,
    key: cred.key,
    namespace: "default",
  };
  const client = new RestClient(config);
  await ensureDefaultServiceAccount(client);
  const controllerClient = o.watchDelayMs ? new SlowWatchClient(config, o.watchDelayMs) : client;
  const abort = new AbortController();
  const started = await startControllers({
    client: controllerClient,
    descriptors: [replicaSetControllerDescriptor],
    signal: abort.signal,
    log: () => {},
  });
  return {
    client,
    async stop() {
      abort.abort();
      await started.done;
      if (controllerClient !== client) controllerClient.close();
      client.close();
      await api.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

const IMAGE = "k8ts.local/busybox:latest";

function replicaSet(
  name: string,
  replicas: number,
  opts: { minReadySeconds?: number } = {},
): ReplicaSet & { metadata: object } {
  return {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name, namespace: "default" },
    spec: {
      replicas,
      ...(opts.minReadySeconds ? { minReadySeconds: opts.minReadySeconds } : {}),
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name, tier: "web" } },
        spec: { containers: [{ name: "c", image: IMAGE }], terminationGracePeriodSeconds: 0 },
      },
    },
  };
}

function createRS(rs: ReplicaSet & { metadata: object }): Promise<ReplicaSet & { metadata: object }> {
  return c.client.create(Resources.replicasets, rs);
}

function getRS(name: string): Promise<ReplicaSet> {
  return c.client.get<ReplicaSet>(Resources.replicasets, name, { namespace: "default" });
}

async function scale(name: string, replicas: number): Promise<void> {
  await c.client.patch(
    Resources.replicasets,
    name,
    { spec: { replicas } },
    { namespace: "default", type: "merge" },
  );
}

/** Active pods the ReplicaSet controls. */
async function ownedPods(rs: ReplicaSet): Promise<Pod[]> {
  return (await c.pods()).filter(
    (p) => getControllerOf(p)?.uid === rs.metadata?.uid && !p.metadata?.deletionTimestamp,
  );
}

async function events(name: string, reason: string): Promise<Event[]> {
  return (await c.list<Event>(Resources.events)).filter(
    (e) => e.involvedObject.name === name && e.involvedObject.kind === "ReplicaSet" && e.reason === reason,
  );
}

/** Waits for the status to settle at replicas pods, all ready and available, for the current generation. */
function waitForStatus(name: string, replicas: number): Promise<ReplicaSet> {
  return c.waitFor(
    `${name} status at ${replicas} available`,
    async () => {
      const rs = await getRS(name);
      const s = rs.status;
      return (
        s?.observedGeneration === rs.metadata?.generation &&
        (s?.replicas ?? 0) === replicas &&
        (s?.readyReplicas ?? 0) === replicas &&
        (s?.availableReplicas ?? 0) === replicas &&
        rs
      );
    },
    WAIT,
  );
}

test("scale up creates pods from the template with a controller reference, and the status counts them", async () => {
  const rs = await createRS(replicaSet("up", 3));
  const done = await waitForStatus("up", 3);
  const pods = await ownedPods(rs);
  assert.equal(pods.length, 3);
  for (const p of pods) {
    assert.match(p.metadata?.name ?? "", /^up-[a-z0-9]{5}$/);
    assert.deepEqual(p.metadata?.labels, { app: "up", tier: "web" });
    assert.deepEqual(getControllerOf(p), {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      name: "up",
      uid: rs.metadata.uid,
      controller: true,
      blockOwnerDeletion: true,
    });
  }
  assert.equal(done.status?.fullyLabeledReplicas, 3);
  assert.equal(done.status?.conditions, undefined);
  const created = await c.waitFor("3 SuccessfulCreate events", async () => {
    const evs = await events("up", "SuccessfulCreate");
    return evs.length === 3 && evs;
  });
  assert.deepEqual(
    created.map((e) => e.message).sort(),
    pods.map((p) => `Created pod: ${p.metadata?.name}`).sort(),
  );
  assert.equal(created[0].source?.component, "replicaset-controller");
  assert.equal(created[0].type, "Normal");
});

test("scale down deletes the unscheduled Pending pod before the Running ones, then the rest down to the count", async () => {
  const rs = await createRS(replicaSet("down", 2));
  await waitForStatus("down", 2);
  const running = (await ownedPods(rs)).map((p) => p.metadata?.name).sort();
  // An orphan that matches but can never be scheduled: adopted, it makes three, and it is the one to go.
  await c.client.create<Pod & { metadata: object }>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "down-stuck", namespace: "default", labels: { app: "down", tier: "web" } },
    spec: { nodeSelector: { "no-such-label": "anywhere" }, containers: [{ name: "c", image: IMAGE }] },
  });
  await c.waitFor(
    "the unscheduled pod deleted",
    async () =>
      (await events("down", "SuccessfulDelete")).some((e) => e.message === "Deleted pod: down-stuck"),
    WAIT,
  );
  await c.waitFor(
    "down-stuck gone",
    async () => !(await c.pods()).some((p) => p.metadata?.name === "down-stuck"),
    WAIT,
  );
  assert.deepEqual((await ownedPods(rs)).map((p) => p.metadata?.name).sort(), running);

  await scale("down", 1);
  await waitForStatus("down", 1);
  const left = await ownedPods(rs);
  assert.equal(left.length, 1);
  assert.ok(running.includes(left[0].metadata?.name));
});

test("a matching orphan pod is adopted instead of creating a new one", async () => {
  await c.client.create<Pod & { metadata: object }>(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "orphan", namespace: "default", labels: { app: "adopt", tier: "web" } },
    spec: { containers: [{ name: "c", image: IMAGE }] },
  });
  const rs = await createRS(replicaSet("adopt", 1));
  await waitForStatus("adopt", 1);
  const pods = await ownedPods(rs);
  assert.deepEqual(
    pods.map((p) => p.metadata?.name),
    ["orphan"],
  );
  assert.equal(getControllerOf(pods[0])?.blockOwnerDeletion, true);
  assert.equal((await events("adopt", "SuccessfulCreate")).length, 0);
});

test("a pod whose labels stop matching is released and replaced", async () => {
  const rs = await createRS(replicaSet("release", 2));
  await waitForStatus("release", 2);
  const [victim] = await ownedPods(rs);
  const name = victim.metadata?.name ?? "";
  await c.client.patch(
    Resources.pods,
    name,
    { metadata: { labels: { app: "elsewhere" } } },
    { namespace: "default", type: "merge" },
  );
  await c.waitFor(
    "the relabelled pod released",
    async () => {
      const p = await c.client.get<Pod>(Resources.pods, name, { namespace: "default" });
      return !p.metadata?.ownerReferences?.some((r) => r.uid === rs.metadata.uid);
    },
    WAIT,
  );
  await waitForStatus("release", 2);
  const owned = await ownedPods(rs);
  assert.equal(owned.length, 2);
  assert.ok(!owned.some((p) => p.metadata?.name === name));
});

test("a deleted pod is replaced", async () => {
  const rs = await createRS(replicaSet("replace", 2));
  await waitForStatus("replace", 2);
  const [victim] = await ownedPods(rs);
  await c.client.delete(Resources.pods, victim.metadata?.name ?? "", { namespace: "default" });
  await c.waitFor(
    "a replacement",
    async () => {
      const owned = await ownedPods(rs);
      return owned.length === 2 && !owned.some((p) => p.metadata?.uid === victim.metadata?.uid);
    },
    WAIT,
  );
  await waitForStatus("replace", 2);
});

test("availableReplicas waits for minReadySeconds after Ready", async () => {
  await createRS(replicaSet("slow", 1, { minReadySeconds: 3 }));
  const readyNotAvailable = await c.waitFor(
    "ready but not yet available",
    async () => {
      const s = (await getRS("slow")).status;
      return s?.readyReplicas === 1 && (s.availableReplicas ?? 0) === 0 && s;
    },
    WAIT,
  );
  assert.equal(readyNotAvailable.replicas, 1);
  await waitForStatus("slow", 1);
});

test("a quota that refuses pods sets ReplicaFailure (FailedCreate) and a FailedCreate event; scaling within it clears it", async () => {
  const bare = await startBareCluster();
  const client = bare.client;
  try {
    const namespace = "default";
    const quota = await client.create<{ metadata: { name: string; namespace: string } }>(
      Resources.resourcequotas,
      {
        apiVersion: "v1",
        kind: "ResourceQuota",
        metadata: { name: "pods", namespace },
        spec: { hard: { pods: "2" } },
      } as { metadata: { name: string; namespace: string } },
    );
    // No quota controller runs here: give the quota the usage it would compute for an empty namespace.
    await client.update(
      Resources.resourcequotas,
      { ...quota, status: { hard: { pods: "2" }, used: { pods: "0" } } },
      { namespace, subresource: "status" },
    );
    const rs = await client.create(Resources.replicasets, replicaSet("quota", 4));
    const failed = await c.waitFor(
      "ReplicaFailure",
      async () => {
        const cur = await client.get<ReplicaSet>(Resources.replicasets, "quota", { namespace });
        const cond = cur.status?.conditions?.find((x) => x.type === "ReplicaFailure");
        return cond && (cur.status?.replicas ?? 0) === 2 && cur;
      },
      WAIT,
    );
    const cond = failed.status?.conditions?.find((x) => x.type === "ReplicaFailure");
    assert.equal(cond?.status, "True");
    assert.equal(cond?.reason, "FailedCreate");
    assert.match(
      cond?.message ?? "",
      /^pods "quota-[a-z0-9]{5}" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2$/,
    );
    const pods = (await client.list<Pod>(Resources.pods, { namespace })).items;
    assert.equal(pods.filter((p) => getControllerOf(p)?.uid === rs.metadata?.uid).length, 2);
    const warnings = await c.waitFor(
      "a FailedCreate event",
      async () => {
        const evs = (await client.list<Event>(Resources.events, { namespace })).items.filter(
          (e) => e.involvedObject.name === "quota" && e.reason === "FailedCreate",
        );
        return evs.length > 0 && evs;
      },
      WAIT,
    );
    assert.equal(warnings[0].type, "Warning");
    assert.match(
      warnings[0].message ?? "",
      /^Error creating: pods "quota-[a-z0-9]{5}" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=2, limited: pods=2$/,
    );

    await client.patch(
      Resources.replicasets,
      "quota",
      { spec: { replicas: 2 } },
      { namespace, type: "merge" },
    );
    const cleared = await c.waitFor(
      "ReplicaFailure cleared",
      async () => {
        const cur = await client.get<ReplicaSet>(Resources.replicasets, "quota", { namespace });
        return cur.status?.observedGeneration === cur.metadata?.generation && !cur.status?.conditions && cur;
      },
      WAIT,
    );
    assert.equal(cleared.status?.replicas, 2);
  } finally {
    await bare.stop();
  }
});

test("a slow watch never makes it over-create: scaling 1 → 6 never shows more than 6 pods, and creates exactly 6", async () => {
  const rs = await createRS(replicaSet("burst", 1));
  await waitForStatus("burst", 1);
  await scale("burst", 6);
  let most = 0;
  await c.waitFor(
    "6 available",
    async () => {
      const pods = (await c.pods()).filter((p) => getControllerOf(p)?.uid === rs.metadata.uid);
      most = Math.max(most, pods.length);
      const s = (await getRS("burst")).status;
      return (s?.availableReplicas ?? 0) === 6 && pods.length === 6;
    },
    WAIT,
  );
  // A few more samples after convergence: nothing extra turns up late.
  for (let i = 0; i < 10; i++) {
    await new Promise((r) => setTimeout(r, 50));
    most = Math.max(most, (await ownedPods(rs)).length);
  }
  assert.equal(most, 6);
  await c.waitFor(
    "6 SuccessfulCreate events",
    async () => (await events("burst", "SuccessfulCreate")).length === 6,
  );
  assert.equal((await events("burst", "SuccessfulDelete")).length, 0);
});

test("with a watch 400 ms late, creating 6 and then scaling to 2 never overshoots either way", async () => {
  const bare = await startBareCluster({ watchDelayMs: 400 });
  const client = bare.client;
  try {
    const rs = await client.create(Resources.replicasets, replicaSet("lag", 6));
    const owned = async () =>
      (await client.list<Pod>(Resources.pods, { namespace: "default" })).items.filter(
        (p) => getControllerOf(p)?.uid === rs.metadata?.uid && !p.metadata?.deletionTimestamp,
      );
    const sampleUntil = async (what: string, done: (n: number, rs: ReplicaSet) => boolean) => {
      let most = 0;
      let least = Number.POSITIVE_INFINITY;
      await c.waitFor(
        what,
        async () => {
          const n = (await owned()).length;
          most = Math.max(most, n);
          least = Math.min(least, n);
          return done(
            n,
            await client.get<ReplicaSet>(Resources.replicasets, "lag", { namespace: "default" }),
          );
        },
        WAIT,
      );
      // Several watch delays more: a second round of creates or deletes would show by now.
      for (let i = 0; i < 12; i++) {
        await new Promise((r) => setTimeout(r, 100));
        const n = (await owned()).length;
        most = Math.max(most, n);
        least = Math.min(least, n);
      }
      return { most, least };
    };
    const up = await sampleUntil("6 pods", (n, cur) => n === 6 && cur.status?.replicas === 6);
    assert.equal(up.most, 6);
    await client.patch(
      Resources.replicasets,
      "lag",
      { spec: { replicas: 2 } },
      { namespace: "default", type: "merge" },
    );
    const down = await sampleUntil("2 pods", (n, cur) => n === 2 && cur.status?.replicas === 2);
    assert.equal(down.least, 2);
    assert.equal((await owned()).length, 2);
    const evs = (await client.list<Event>(Resources.events, { namespace: "default" })).items.filter(
      (e) => e.involvedObject.name === "lag",
    );
    assert.equal(evs.filter((e) => e.reason === "SuccessfulCreate").length, 6);
    assert.equal(evs.filter((e) => e.reason === "SuccessfulDelete").length, 4);
  } finally {
    await bare.stop();
  }
});
