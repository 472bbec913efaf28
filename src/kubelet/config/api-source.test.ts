import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type { ListerWatcher } from "../../client/reflector.ts";
import type { RestClient, WatchEvent } from "../../client/rest-client.ts";
import type { PodUpdate } from "../types.ts";
import { ApiPodSource, nodePodsFieldSelector } from "./api-source.ts";

const pod = (name: string, rv: string): Pod => ({
  metadata: { name, namespace: "default", uid: `uid-${name}`, resourceVersion: rv },
  spec: { nodeName: "node-a", containers: [{ name: "c", image: "x" }] },
});

/** A list+watch whose watch streams what the test pushes; push(null) ends a stream. */
function fakeLW(lists: Pod[][]) {
  let pushOne: ((e: WatchEvent<Pod> | null) => void) | undefined;
  const queue: Array<WatchEvent<Pod> | null> = [];
  let listCalls = 0;
  const lw: ListerWatcher<Pod> = {
    list: async () => {
      const items = lists[Math.min(listCalls, lists.length - 1)];
      listCalls++;
      return { metadata: { resourceVersion: String(10 * listCalls) }, items };
    },
    watch: (opts) => ({
      async *[Symbol.asyncIterator]() {
        for (;;) {
          const next =
            queue.shift() ??
            (await new Promise<WatchEvent<Pod> | null>((resolve) => {
              pushOne = resolve;
              opts.signal?.addEventListener("abort", () => resolve(null), { once: true });
            }));
          if (next === null) return;
          yield next;
        }
      },
    }),
  };
  const push = (e: WatchEvent<Pod> | null) => {
    const waiting = pushOne;
    pushOne = undefined;
    if (waiting) waiting(e);
    else queue.push(e);
  };
  return { lw, push, listCalls: () => listCalls };
}

const tick = () => new Promise((r) => setImmediate(r));

test("the first list is a SET; watch events are ADD, UPDATE and DELETE", async () => {
  const { lw, push } = fakeLW([[pod("a", "1")]]);
  const got: PodUpdate[] = [];
  const source = new ApiPodSource({
    client: undefined as unknown as RestClient,
    nodeName: "node-a",
    clock: new FakeClock(),
    listerWatcher: lw,
    onUpdate: (u) => got.push(u),
  });
  assert.equal(source.hasSynced(), false);
  source.start();
  for (let i = 0; i < 5; i++) await tick();
  assert.equal(source.hasSynced(), true);
  assert.deepEqual(got, [{ op: "SET", source: "api", pods: [pod("a", "1")] }]);
  push({ type: "ADDED", object: pod("b", "11") });
  push({ type: "BOOKMARK", object: { metadata: { resourceVersion: "12" } } });
  push({ type: "MODIFIED", object: pod("b", "13") });
  push({ type: "DELETED", object: pod("a", "14") });
  for (let i = 0; i < 10; i++) await tick();
  assert.deepEqual(got.slice(1), [
    { op: "ADD", source: "api", pod: pod("b", "11") },
    { op: "UPDATE", source: "api", pod: pod("b", "13") },
    { op: "DELETE", source: "api", pod: pod("a", "14") },
  ]);
  await source.stop();
});

test("after 410 Expired the source lists again and sends a new SET", async () => {
  const { lw, push, listCalls } = fakeLW([[pod("a", "1")], [pod("b", "20")]]);
  const got: PodUpdate[] = [];
  const source = new ApiPodSource({
    client: undefined as unknown as RestClient,
    nodeName: "node-a",
    clock: new FakeClock(),
    listerWatcher: lw,
    onUpdate: (u) => got.push(u),
  });
  source.start();
  for (let i = 0; i < 5; i++) await tick();
  push({
    type: "ERROR",
    object: {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      code: 410,
      reason: "Expired",
    },
  });
  for (let i = 0; i < 10; i++) await tick();
  assert.equal(listCalls(), 2);
  assert.deepEqual(
    got.map((u) => (u.op === "SET" ? `SET ${u.pods.map((p) => p.metadata?.name)}` : u.op)),
    ["SET a", "SET b"],
  );
  await source.stop();
});

test("the field selector names the node", () => {
  assert.equal(nodePodsFieldSelector("node-a"), "spec.nodeName=node-a");
});
