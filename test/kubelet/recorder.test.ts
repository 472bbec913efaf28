// Where a kubelet's events go: to the API through its EventRecorder by default,
// or only to the recorder it is given (kubemark's hollow kubelet runs with
// client-go's FakeRecorder, and so do the controllers bench's hollow nodes).
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Event, Pod } from "kubernetes-types/core/v1.d.ts";
import { FakeRecorder } from "../../src/client/event-recorder.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { startKubelet } from "../../src/kubelet/index.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";
import { until } from "../support/until.ts";

let api: TestApiServer;
let admin: RestClient;

before(async () => {
  api = await startTestApiServer();
  admin = new RestClient(api.admin);
});
after(async () => {
  admin.close();
  await api.stop();
});

/** Runs a pod on a hollow kubelet of its own; returns the kubelet's events about it in the API. */
async function runPod(node: string, n: number, recorder?: FakeRecorder): Promise<string[]> {
  const client = new RestClient(await api.clientConfig(`system:node:${node}`, ["system:nodes"]));
  const { kubelet } = await startKubelet({
    client,
    nodeName: node,
    runtime: "fake",
    hollow: true,
    podCIDR: `10.244.${n}.0/24`,
    nodeIP: `10.255.${n}.1`,
    recorder,
  });
  try {
    const name = `${node}-pod`;
    await admin.create<Pod>(Resources.pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default" },
      spec: { nodeName: node, containers: [{ name: "app", image: "k8ts.local/pause:3.10" }] },
    });
    await until(
      async () => {
        const pod = await admin.get<Pod>(Resources.pods, name, { namespace: "default" });
        return pod.status?.phase === "Running" ? pod : undefined;
      },
      `${name} Running`,
      15_000,
      50,
    );
    await kubelet.stop();
    const events = await admin.list<Event>(Resources.events, {
      namespace: "default",
      fieldSelector: `involvedObject.name=${name},source=kubelet`,
    });
    return events.items.map((e) => e.reason ?? "").sort();
  } finally {
    await kubelet.stop();
    client.close();
  }
}

test("a kubelet sends its pods' events to the API", async () => {
  assert.deepEqual(await runPod("recorder-api", 31), ["Created", "Pulled", "Pulling", "Started"]);
});

test("a kubelet given a FakeRecorder records there and sends no events", async () => {
  const recorder = new FakeRecorder([]);
  assert.deepEqual(await runPod("recorder-fake", 32, recorder), []);
  const pods = recorder.events?.filter((e) => !e.includes("status is now")) ?? [];
  // "<type> <reason> <message>", in the order they were recorded (the pull's message has its duration).
  assert.deepEqual(
    pods.map((e) => e.split(" ").slice(0, 2).join(" ")),
    ["Normal Pulling", "Normal Pulled", "Normal Created", "Normal Started"],
  );
  assert.equal(pods[3], "Normal Started Started container app");
  assert.ok(
    recorder.events?.includes(
      "Normal NodeHasSufficientMemory Node recorder-fake status is now: NodeHasSufficientMemory",
    ),
  );
  const nodeEvents = await admin.list<Event>(Resources.events, {
    namespace: "default",
    fieldSelector: "involvedObject.name=recorder-fake",
  });
  assert.deepEqual(nodeEvents.items, [], "nor about its node");
});
