// A kubelet restart over the same runtime, against an in-process apiserver: the
// new kubelet adopts its Node and the pods the runtime still runs, and leaves
// healthy containers alone (upstream's computePodActions finds nothing to do, so
// the container keeps its id and restartCount 0); a pod deleted from the API
// while no kubelet was running is killed and its sandbox removed by the next
// kubelet's housekeeping (upstream's HandlePodCleanups plus the container GC).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Event, Pod } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { realClock } from "../../src/client/clock.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { FakeRuntime, type Kubelet, startKubelet } from "../../src/kubelet/index.ts";
import { LABELS } from "../../src/kubelet/runtime/interface.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";
import { until } from "../support/until.ts";

const NODE = "restart-node";
const POD_CIDR = "10.244.9.0/24";

let api: TestApiServer;
let admin: RestClient;
let kubeletClient: RestClient;

before(async () => {
  api = await startTestApiServer();
  admin = new RestClient(api.admin);
  // The kubelet's own identity, as `k8ts up` gives it (Node authorizer + NodeRestriction apply).
  kubeletClient = new RestClient(await api.clientConfig(`system:node:${NODE}`, ["system:nodes"]));
});
after(async () => {
  kubeletClient.close();
  admin.close();
  await api.stop();
});

const getPod = (name: string) => admin.get<Pod>(Resources.pods, name, { namespace: "default" });

function boundPod(name: string): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: { nodeName: NODE, containers: [{ name: "main", image: "k8ts.local/busybox:latest" }] },
  };
}

/** Waits until the pod's only container is running and reported so, and returns the pod. */
function running(name: string): Promise<Pod> {
  return until(
    async () => {
      const pod = await getPod(name);
      const cs = pod.status?.containerStatuses?.[0];
      return pod.status?.phase === "Running" && cs?.state?.running && cs.ready ? pod : undefined;
    },
    `${name} to be Running`,
    15_000,
    50,
  );
}

function startNodeKubelet(runtime: FakeRuntime): Promise<{ kubelet: Kubelet }> {
  return startKubelet({
    client: kubeletClient,
    nodeName: NODE,
    runtime: "fake",
    hollow: true,
    podCIDR: POD_CIDR,
    nodeIP: "10.255.9.1",
    fakeRuntime: runtime,
  });
}

/** The kubelet's events about one pod, by reason, with their counts. */
async function eventCounts(podName: string): Promise<Record<string, number>> {
  const list = await admin.list<Event>(Resources.events, {
    namespace: "default",
    fieldSelector: `involvedObject.name=${podName}`,
  });
  const out: Record<string, number> = {};
  for (const e of list.items) {
    if (e.source?.component !== "kubelet") continue;
    out[e.reason ?? ""] = (out[e.reason ?? ""] ?? 0) + (e.count ?? 1);
  }
  return out;
}

describe("a kubelet restart over the same FakeRuntime", () => {
  // The runtime outlives the kubelet, as containerd outlives a kubelet restart.
  const runtime = new FakeRuntime({ clock: realClock, podCIDR: () => POD_CIDR });
  let kubelet: Kubelet | undefined;
  let keepBefore: Pod;
  let doomedUid: string;

  before(async () => {
    kubelet = (await startNodeKubelet(runtime)).kubelet;
    await admin.create(Resources.pods, boundPod("keep") as Pod & { metadata: object });
    const doomed = await admin.create<Pod>(Resources.pods, boundPod("doomed") as Pod & { metadata: object });
    doomedUid = doomed.metadata!.uid!;
    keepBefore = await running("keep");
    await running("doomed");
    await kubelet.stop();
    kubelet = undefined;

    // Deleted for good while no kubelet runs: nobody is left to kill its containers.
    await admin.delete(Resources.pods, "doomed", { namespace: "default", gracePeriodSeconds: 0 });
    await assert.rejects(getPod("doomed"), isNotFound);
    const [orphan] = await runtime.listContainers({ labelSelector: { [LABELS.podUid]: doomedUid } });
    assert.equal(orphan.state, "CONTAINER_RUNNING");

    kubelet = (await startNodeKubelet(runtime)).kubelet;
  });
  after(async () => {
    await kubelet?.stop();
    runtime.close();
  });

  it("kills the containers of a pod deleted from the API while it was down", async () => {
    // Upstream's HandlePodCleanups: runtime pods that no source wants are killed.
    await until(
      async () => {
        const cs = await runtime.listContainers({ labelSelector: { [LABELS.podUid]: doomedUid } });
        return cs.every((c) => c.state === "CONTAINER_EXITED") ? true : undefined;
      },
      "the deleted pod's container to be stopped",
      15_000,
      50,
    );
    const sandboxes = await runtime.listPodSandbox({ labelSelector: { [LABELS.podUid]: doomedUid } });
    assert.ok(
      sandboxes.every((s) => s.state === "SANDBOX_NOTREADY"),
      JSON.stringify(sandboxes),
    );
  });

  it("does not restart a healthy container: same id, restartCount 0, status unchanged", async () => {
    // Give the new kubelet a housekeeping period beyond the kill above to have synced "keep".
    await new Promise((r) => setTimeout(r, 2_500));
    const keepStatus = keepBefore.status!.containerStatuses![0];
    assert.equal(keepStatus.restartCount, 0);
    assert.match(keepStatus.containerID ?? "", /^fake:\/\/[0-9a-f]{64}$/);
    const keepUid = keepBefore.metadata!.uid!;
    const containers = await runtime.listContainers({ labelSelector: { [LABELS.podUid]: keepUid } });
    assert.deepEqual(
      containers.map((c) => [`fake://${c.id}`, c.state, c.metadata.attempt]),
      [[keepStatus.containerID, "CONTAINER_RUNNING", 0]],
    );
    const sandboxes = await runtime.listPodSandbox({ labelSelector: { [LABELS.podUid]: keepUid } });
    assert.deepEqual(
      sandboxes.map((s) => [s.state, s.metadata.attempt]),
      [["SANDBOX_READY", 0]],
    );
    const after = await getPod("keep");
    const cs = after.status!.containerStatuses![0];
    assert.equal(cs.containerID, keepStatus.containerID);
    assert.equal(cs.restartCount, 0);
    assert.deepEqual(cs.state, keepStatus.state);
    assert.equal(after.status!.podIP, keepBefore.status!.podIP);
    assert.equal(after.status!.startTime, keepBefore.status!.startTime);
    // The regenerated status equals the stored one (transition times included).
    assert.deepEqual(after.status, keepBefore.status);
  });

  it("removes the sandbox and containers of the pod deleted while it was down", {}, async () => {
    // Upstream removes them in its container GC (evictSandboxes for deleted pods); k8ts in housekeeping.
    await until(
      async () => {
        const sandboxes = await runtime.listPodSandbox({ labelSelector: { [LABELS.podUid]: doomedUid } });
        return sandboxes.length === 0 ? true : undefined;
      },
      "the deleted pod's sandbox to be removed",
      8_000,
      50,
    );
    assert.deepEqual(await runtime.listContainers({ labelSelector: { [LABELS.podUid]: doomedUid } }), []);
  });

  it("started the healthy container exactly once (events)", async () => {
    await kubelet?.stop();
    kubelet = undefined;
    const events = await eventCounts("keep");
    assert.equal(events.Created, 1, JSON.stringify(events));
    assert.equal(events.Started, 1, JSON.stringify(events));
    assert.equal(events.Killing, undefined, JSON.stringify(events));
  });
});
