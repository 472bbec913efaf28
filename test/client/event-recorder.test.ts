import assert from "node:assert/strict";
import { createServer, type Socket } from "node:net";
import { after, before, test } from "node:test";
import type { Event, Pod } from "kubernetes-types/core/v1.d.ts";
import { EventRecorder, MAX_QUEUED_EVENTS } from "../../src/client/event-recorder.ts";
import { FakeClock } from "../../src/client/fake-clock.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
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

test("repeats of one (object, reason, message) become one Event with a count", async () => {
  const clock = new FakeClock(Date.parse("2026-11-26T10:00:00Z"));
  const recorder = new EventRecorder({ client, component: "default-scheduler", clock });
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "web-0", namespace: "default", uid: "u-1", resourceVersion: "7" },
  };
  const msg = "0/1 nodes are available: 1 Insufficient cpu.";
  recorder.event(pod, "Warning", "FailedScheduling", msg);
  clock.step(5000);
  recorder.event(pod, "Warning", "FailedScheduling", msg);
  clock.step(5000);
  recorder.event(pod, "Warning", "FailedScheduling", msg);
  recorder.event(pod, "Normal", "Scheduled", "Successfully assigned default/web-0 to node-1");
  await recorder.flush();

  const list = await client.list<Event>(Resources.events, { namespace: "default" });
  const failed = list.items.filter((e) => e.reason === "FailedScheduling");
  assert.equal(failed.length, 1);
  const ev = failed[0]!;
  assert.equal(ev.count, 3);
  assert.equal(ev.type, "Warning");
  assert.equal(ev.message, msg);
  assert.equal(ev.firstTimestamp, "2026-11-26T10:00:00Z");
  assert.equal(ev.lastTimestamp, "2026-11-26T10:00:10Z");
  assert.deepEqual(ev.source, { component: "default-scheduler" });
  assert.equal(ev.involvedObject.kind, "Pod");
  assert.equal(ev.involvedObject.name, "web-0");
  assert.equal(ev.involvedObject.uid, "u-1");
  // upstream names it "<object>.<UnixNano in hex>"; the nanoseconds within the millisecond are a sequence.
  const nanos = BigInt(`0x${ev.metadata?.name?.split(".")[1]}`);
  assert.equal(nanos / 1_000_000n, BigInt(Date.parse("2026-11-26T10:00:00Z")));
  const scheduled = list.items.filter((e) => e.reason === "Scheduled");
  assert.equal(scheduled.length, 1);
  assert.equal(scheduled[0]!.count, 1);
});

test("cluster-scoped objects get their events in the default namespace; a deleted Event starts over", async () => {
  const clock = new FakeClock(Date.parse("2026-11-26T11:00:00Z"));
  const recorder = new EventRecorder({ client, component: "kubelet", host: "node-1", clock });
  const node = { apiVersion: "v1", kind: "Node", metadata: { name: "node-1", uid: "n-1" } };
  recorder.event(node, "Normal", "NodeReady", "Node node-1 status is now: NodeReady");
  await recorder.flush();
  let list = await client.list<Event>(Resources.events, {
    namespace: "default",
    fieldSelector: "reason=NodeReady",
  });
  assert.equal(list.items.length, 1);
  assert.deepEqual(list.items[0]!.source, { component: "kubelet", host: "node-1" });
  await client.delete(Resources.events, list.items[0]!.metadata!.name!, { namespace: "default" });
  clock.step(1000);
  recorder.event(node, "Normal", "NodeReady", "Node node-1 status is now: NodeReady");
  await recorder.flush();
  list = await client.list<Event>(Resources.events, {
    namespace: "default",
    fieldSelector: "reason=NodeReady",
  });
  assert.equal(list.items.length, 1);
  assert.equal(list.items[0]!.count, 1);
});

test("10 similar events within 600 s become one combined Event that later ones count on", async () => {
  const clock = new FakeClock(Date.parse("2026-11-26T12:00:00Z"));
  const recorder = new EventRecorder({ client, component: "default-scheduler", clock });
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "db-0", namespace: "default", uid: "u-2" },
  };
  const msg = (i: number) => `0/${i} nodes are available: ${i} Insufficient memory.`;
  for (let i = 1; i <= 11; i++) {
    recorder.event(pod, "Warning", "FailedScheduling", msg(i));
    clock.step(1000);
  }
  await recorder.flush();
  const list = await client.list<Event>(Resources.events, { namespace: "default" });
  const mine = list.items.filter((e) => e.involvedObject.name === "db-0");
  assert.equal(mine.length, 10);
  const combined = mine.filter((e) => e.message?.startsWith("(combined from similar events): "));
  assert.equal(combined.length, 1);
  assert.equal(combined[0]!.message, `(combined from similar events): ${msg(11)}`);
  assert.equal(combined[0]!.count, 2);
  assert.equal(combined[0]!.firstTimestamp, "2026-11-26T12:00:09Z");
  assert.equal(combined[0]!.lastTimestamp, "2026-11-26T12:00:10Z");
});

test("past MAX_QUEUED_EVENTS waiting, an event is dropped and reported", async (t) => {
  // An apiserver that accepts connections and never answers: the first write hangs.
  const sockets: Socket[] = [];
  const server = createServer((s) => sockets.push(s));
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const client = new RestClient(
    { server: `https://127.0.0.1:${port}`, insecureSkipTlsVerify: true, namespace: "default" },
    { maxRetries: 0, requestTimeoutMs: 20_000 },
  );
  t.after(() => {
    client.close();
    for (const s of sockets) s.destroy();
    server.close();
  });
  const errors: string[] = [];
  const recorder = new EventRecorder({
    client,
    component: "test",
    onError: (e) => errors.push((e as Error).message),
  });
  const pod = (i: number) => ({ kind: "Pod", apiVersion: "v1", namespace: "default", name: `p-${i}` });
  for (let i = 0; i < MAX_QUEUED_EVENTS; i++) recorder.event(pod(i), "Normal", "Started", "Started");
  assert.deepEqual(errors, [], "the first MAX_QUEUED_EVENTS wait");
  recorder.event(pod(MAX_QUEUED_EVENTS), "Warning", "Failed", "Failed");
  assert.deepEqual(errors, [
    `too many queued events, dropped event: Pod default/p-${MAX_QUEUED_EVENTS} Warning Failed`,
  ]);
  // Once the writes give up (the server gone: connections refused), the queue drains and takes events again.
  server.close();
  for (const s of sockets) s.destroy();
  await recorder.flush();
  assert.equal(errors.length, 1 + MAX_QUEUED_EVENTS, "each queued event reported as not written");
  errors.length = 0;
  recorder.event(pod(0), "Normal", "Started", "Started");
  assert.ok(!errors.some((e: string) => e.startsWith("too many queued events")));
});
