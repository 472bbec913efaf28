// The kubelet's status manager against a real in-process apiserver: it writes a
// pod's status only when it changed, batches writes, deletes a finished pod the
// API is deleting, follows a static pod's status to its mirror pod and repairs a
// status someone else overwrote.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Pod, PodStatus } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { FakeClock } from "../../src/client/fake-clock.ts";
import { Resources } from "../../src/client/resources.ts";
import { type PatchOptions, RestClient } from "../../src/client/rest-client.ts";
import type { ContainerStatus, PodSandboxStatus } from "../../src/kubelet/runtime/interface.ts";
import { generateAPIPodStatus } from "../../src/kubelet/status/generate.ts";
import { PodStatusManager } from "../../src/kubelet/status/manager.ts";
import type { RuntimePodStatus } from "../../src/kubelet/types.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
let client: RestClient;

before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
});
after(async () => {
  client.close();
  await api.stop();
});

/** Counts the status patches and deletes a manager sends, and the most in flight at once. */
class CountingClient extends RestClient {
  patches: unknown[] = [];
  deletes: Array<{ name: string; gracePeriodSeconds?: number; uid?: string }> = [];
  inFlight = 0;
  maxInFlight = 0;
  override async patch<T>(
    res: Parameters<RestClient["patch"]>[0],
    name: string,
    patch: unknown,
    opts: PatchOptions,
  ) {
    this.patches.push(patch);
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      return await super.patch<T>(res, name, patch, opts);
    } finally {
      this.inFlight--;
    }
  }
  override delete<T>(
    res: Parameters<RestClient["delete"]>[0],
    name: string,
    opts: Parameters<RestClient["delete"]>[2],
  ) {
    this.deletes.push({ name, gracePeriodSeconds: opts?.gracePeriodSeconds, uid: opts?.preconditions?.uid });
    return super.delete<T>(res, name, opts);
  }
}

const T0 = Date.UTC(2024, 0, 1);
const probes = { ready: () => undefined, started: () => undefined };

function newManager(o: { concurrency?: number; getApiPod?: (uid: string) => Pod | undefined } = {}) {
  const clock = new FakeClock(T0);
  const counting = new CountingClient(api.admin);
  const mgr = new PodStatusManager({ client: counting, clock, syncPeriodMs: 10_000, ...o });
  mgr.start();
  /** Runs the sync loop until every write is done. */
  const settle = async () => {
    clock.step(0);
    await mgr.flush();
  };
  return { clock, client: counting, mgr, settle };
}

async function createPod(name: string, extra: Partial<Pod> = {}): Promise<Pod> {
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", ...extra.metadata },
    spec: {
      nodeName: "n1",
      containers: [{ name: "c", image: "busybox" }],
      restartPolicy: "Always",
      ...extra.spec,
    },
  };
  return client.create(Resources.pods, pod as Pod & { metadata: object });
}

const getPod = (name: string) => client.get<Pod>(Resources.pods, name, { namespace: "default" });

function runtimeStatus(pod: Pod, running: boolean, exited?: number): RuntimePodStatus {
  const sandbox: PodSandboxStatus = {
    id: "sb",
    metadata: { name: pod.metadata!.name!, uid: pod.metadata!.uid!, namespace: "default", attempt: 0 },
    state: "SANDBOX_READY",
    createdAt: T0 * 1e6,
    labels: {},
    annotations: {},
    network: { ip: "10.244.0.7", additionalIps: [] },
  };
  const containers: ContainerStatus[] = [];
  if (running || exited !== undefined) {
    containers.push({
      id: `${pod.metadata!.name}-c`,
      metadata: { name: "c", attempt: 0 },
      state: exited === undefined ? "CONTAINER_RUNNING" : "CONTAINER_EXITED",
      createdAt: (T0 + 1000) * 1e6,
      startedAt: (T0 + 2000) * 1e6,
      finishedAt: exited === undefined ? 0 : (T0 + 3000) * 1e6,
      exitCode: exited ?? 0,
      image: { image: "busybox" },
      imageRef: "sha256:1",
      reason: "",
      message: "",
      labels: { "io.kubernetes.container.name": "c" },
      annotations: {},
      logPath: "",
    });
  }
  return {
    uid: pod.metadata!.uid!,
    name: "p",
    namespace: "default",
    sandboxes: [sandbox],
    containers,
    ips: ["10.244.0.7"],
  };
}

function generate(
  pod: Pod,
  mgr: PodStatusManager,
  rt: RuntimePodStatus,
  now = T0 + 5000,
  podIsTerminal = false,
): PodStatus {
  return generateAPIPodStatus(pod, rt, {
    probes,
    oldStatus: mgr.getPodStatus(pod.metadata!.uid!),
    nodeIPs: ["192.168.1.1"],
    now,
    podIsTerminal,
    runtimeName: "fake",
  });
}

test("writes a pod's status with one patch per change, and none when nothing changed", async () => {
  const { client: c, clock, mgr, settle } = newManager();
  const pod = await createPod("writes");
  clock.step(5000);
  mgr.setPodStatus(pod, generate(pod, mgr, runtimeStatus(pod, false), clock.now()));
  await settle();
  let got = await getPod("writes");
  assert.equal(got.status?.phase, "Pending");
  assert.equal(got.status?.containerStatuses?.[0].state?.waiting?.reason, "ContainerCreating");
  assert.equal(c.patches.length, 1);
  const p0 = c.patches[0] as { metadata: { uid: string } };
  assert.equal(p0.metadata.uid, pod.metadata?.uid);

  // Same runtime state again: nothing to write.
  clock.step(1000);
  mgr.setPodStatus(got, generate(got, mgr, runtimeStatus(pod, false), clock.now()));
  await settle();
  assert.equal(c.patches.length, 1);

  clock.step(1000);
  mgr.setPodStatus(got, generate(got, mgr, runtimeStatus(pod, true), clock.now()));
  await settle();
  got = await getPod("writes");
  assert.equal(c.patches.length, 2);
  assert.equal(got.status?.phase, "Running");
  assert.equal(got.status?.podIP, "10.244.0.7");
  assert.equal(got.status?.hostIP, "192.168.1.1");
  assert.deepEqual(
    got.status?.conditions?.map((x) => [x.type, x.status]),
    [
      ["PodReadyToStartContainers", "True"],
      ["Initialized", "True"],
      ["Ready", "True"],
      ["ContainersReady", "True"],
      ["PodScheduled", "True"],
    ],
  );
  assert.equal(
    got.status?.conditions?.find((x) => x.type === "Ready")?.lastTransitionTime,
    "2024-01-01T00:00:07Z",
  );
  assert.equal(
    got.status?.conditions?.find((x) => x.type === "Initialized")?.lastTransitionTime,
    "2024-01-01T00:00:05Z",
  );
  assert.equal(got.status?.startTime, "2024-01-01T00:00:05Z");
  assert.equal(got.status?.containerStatuses?.[0].containerID, "fake://writes-c");
  assert.equal(got.status?.qosClass, "BestEffort");
  await mgr.stop();
});

test("batches: changes made together go out as one write per pod, a bounded number at once", async () => {
  const { client: c, mgr, settle } = newManager({ concurrency: 3 });
  const pods = await Promise.all(Array.from({ length: 12 }, (_, i) => createPod(`batch-${i}`)));
  for (const pod of pods) {
    // Three changes per pod before the loop runs: only the last is written.
    mgr.setPodStatus(pod, generate(pod, mgr, runtimeStatus(pod, false)));
    mgr.setPodStatus(pod, generate(pod, mgr, runtimeStatus(pod, true)));
    mgr.setPodStatus(pod, { ...generate(pod, mgr, runtimeStatus(pod, true)), message: "last" });
  }
  await settle();
  assert.equal(c.patches.length, 12);
  assert.ok(c.maxInFlight <= 3, `at most 3 writes at once, saw ${c.maxInFlight}`);
  for (const pod of pods) {
    const got = await getPod(pod.metadata!.name!);
    assert.equal(got.status?.phase, "Running");
    assert.equal(got.status?.message, "last");
  }
  await mgr.stop();
});

test("a finished pod the API is deleting is deleted with grace 0 and a UID precondition", async () => {
  const { client: c, mgr, settle } = newManager();
  const pod = await createPod("deleted");
  mgr.setPodStatus(pod, generate(pod, mgr, runtimeStatus(pod, true)));
  await settle();
  // kubectl delete: a bound pod gets a deletionTimestamp and waits for its kubelet.
  await client.delete(Resources.pods, "deleted", { namespace: "default" });
  const deleting = await getPod("deleted");
  assert.ok(deleting.metadata?.deletionTimestamp);
  // The kill is done: the last status, then TerminatePod.
  mgr.setPodStatus(deleting, generate(deleting, mgr, runtimeStatus(pod, false, 137), T0 + 8000, true));
  mgr.terminatePod(deleting);
  await settle();
  await assert.rejects(getPod("deleted"), (e) => isNotFound(e));
  assert.deepEqual(c.deletes, [{ name: "deleted", gracePeriodSeconds: 0, uid: pod.metadata?.uid }]);
  const last = c.patches.at(-1) as { status: PodStatus };
  assert.equal(last.status.phase, "Failed");
  assert.equal(mgr.getPodStatus(pod.metadata!.uid!), undefined);
  await mgr.stop();
});

test("a completed pod stays in the API; once the API shows it deleting, the sweep deletes it", async () => {
  let apiCopy: Pod | undefined;
  const { client: c, clock, mgr, settle } = newManager({ getApiPod: () => apiCopy });
  const pod = await createPod("completed", {
    spec: { restartPolicy: "Never", containers: [{ name: "c", image: "b" }] },
  });
  mgr.setPodStatus(pod, generate(pod, mgr, runtimeStatus(pod, false, 0), T0, true));
  mgr.terminatePod(pod);
  await settle();
  const got = await getPod("completed");
  assert.equal(got.status?.phase, "Succeeded");
  assert.equal(got.status?.containerStatuses?.[0].state?.terminated?.reason, "Completed");
  assert.equal(c.deletes.length, 0);

  // The informer sees a deletion that raced with the final status write.
  apiCopy = {
    ...got,
    metadata: { ...got.metadata, resourceVersion: "999999999", deletionTimestamp: "2024-01-01T00:01:00Z" },
  };
  clock.step(10_000);
  await settle();
  await assert.rejects(getPod("completed"), (e) => isNotFound(e));
  assert.deepEqual(c.deletes, [{ name: "completed", gracePeriodSeconds: 0, uid: pod.metadata?.uid }]);
  await mgr.stop();
});

test("a pod recreated under the same name is not written to", async () => {
  let apiCopy: Pod | undefined;
  const { client: c, mgr, settle } = newManager({ getApiPod: () => apiCopy });
  const old = await createPod("recreated");
  await client.delete(Resources.pods, "recreated", { namespace: "default", gracePeriodSeconds: 0 });
  const fresh = await createPod("recreated");
  apiCopy = fresh;
  mgr.setPodStatus(old, generate(old, mgr, runtimeStatus(old, true)));
  await settle();
  const got = await getPod("recreated");
  assert.equal(got.metadata?.uid, fresh.metadata?.uid);
  assert.equal(got.status?.phase, "Pending");
  assert.equal(got.status?.containerStatuses, undefined);
  assert.equal(mgr.getPodStatus(old.metadata!.uid!), undefined);
  assert.equal(c.patches.length, 0);
  await mgr.stop();
});

test("a static pod's status goes to its mirror pod", async () => {
  const { mgr, settle } = newManager();
  const staticPod: Pod = {
    metadata: {
      name: "etcd-n1",
      namespace: "default",
      uid: "0123456789abcdef",
      annotations: { "kubernetes.io/config.source": "file", "kubernetes.io/config.hash": "0123456789abcdef" },
    },
    spec: { nodeName: "n1", containers: [{ name: "c", image: "busybox" }], restartPolicy: "Always" },
  };
  const mirror = await createPod("etcd-n1", {
    metadata: {
      annotations: {
        "kubernetes.io/config.mirror": "0123456789abcdef",
        "kubernetes.io/config.source": "file",
        "kubernetes.io/config.hash": "0123456789abcdef",
      },
    },
  });
  assert.notEqual(mirror.metadata?.uid, staticPod.metadata?.uid);
  mgr.setPodStatus(staticPod, generate(staticPod, mgr, runtimeStatus(staticPod, true)));
  await settle();
  const got = await getPod("etcd-n1");
  assert.equal(got.status?.phase, "Running");
  assert.equal(got.status?.containerStatuses?.[0].ready, true);
  await mgr.stop();
});

test("the sweep writes again a status someone else overwrote", async () => {
  let apiCopy: Pod | undefined;
  const { client: c, clock, mgr, settle } = newManager({ getApiPod: () => apiCopy });
  const pod = await createPod("reconciled");
  mgr.setPodStatus(pod, generate(pod, mgr, runtimeStatus(pod, true)));
  await settle();
  assert.equal(c.patches.length, 1);
  apiCopy = await client.patch<Pod>(
    Resources.pods,
    "reconciled",
    { status: { phase: "Pending" } },
    { type: "merge", subresource: "status", namespace: "default" },
  );
  clock.step(10_000);
  await settle();
  assert.equal(c.patches.length, 2);
  assert.equal((await getPod("reconciled")).status?.phase, "Running");
  // In line again: the next sweep sends nothing.
  apiCopy = await getPod("reconciled");
  clock.step(10_000);
  await settle();
  assert.equal(c.patches.length, 2);
  await mgr.stop();
});

test("conditions the kubelet does not own survive its writes", async () => {
  const { mgr, settle } = newManager();
  const pod = await createPod("gates", {
    spec: { readinessGates: [{ conditionType: "example.com/lb" }], containers: [{ name: "c", image: "b" }] },
  });
  mgr.setPodStatus(pod, generate(pod, mgr, runtimeStatus(pod, true)));
  await settle();
  let got = await getPod("gates");
  assert.equal(got.status?.conditions?.find((x) => x.type === "Ready")?.reason, "ReadinessGatesNotReady");
  assert.equal(
    got.status?.conditions?.find((x) => x.type === "Ready")?.message,
    'corresponding condition of pod readiness gate "example.com/lb" does not exist.',
  );
  got = await client.patch<Pod>(
    Resources.pods,
    "gates",
    { status: { conditions: [{ type: "example.com/lb", status: "True" }] } },
    { type: "strategic", subresource: "status", namespace: "default" },
  );
  mgr.setPodStatus(got, generate(got, mgr, runtimeStatus(pod, true), T0 + 9000));
  await settle();
  got = await getPod("gates");
  assert.equal(got.status?.conditions?.find((x) => x.type === "Ready")?.status, "True");
  assert.equal(got.status?.conditions?.find((x) => x.type === "example.com/lb")?.status, "True");
  await mgr.stop();
});
