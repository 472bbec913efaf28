import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import { PodConfig, type PodConfigUpdate } from "./pod-config.ts";

const T0 = Date.UTC(2025, 0, 2, 3, 4, 5, 120);

function pod(
  name: string,
  extra: { labels?: Record<string, string>; phase?: string; uid?: string } = {},
): Pod {
  return {
    metadata: {
      name,
      namespace: "default",
      uid: extra.uid ?? `uid-${name}`,
      resourceVersion: "1",
      labels: extra.labels,
    },
    spec: { nodeName: "node-a", containers: [{ name: "c", image: "busybox" }] },
    status: extra.phase ? { phase: extra.phase } : undefined,
  };
}

function setup() {
  const clock = new FakeClock(T0);
  const got: PodConfigUpdate[] = [];
  const events: string[] = [];
  const config = new PodConfig({
    clock,
    handler: (u) => got.push(u),
    event: (p, type, reason, message) => events.push(`${p.metadata?.name} ${type} ${reason}: ${message}`),
  });
  const api = config.channel("api");
  const file = config.channel("file");
  const ops = () => got.splice(0).map((u) => `${u.op} ${u.source} [${u.pods.map((p) => p.metadata?.name)}]`);
  return { clock, got, events, config, api, file, ops };
}

test("a first SET adds the pods with the source and first-seen annotations; all sources must be seen", () => {
  const { config, api, file, got, ops } = setup();
  assert.equal(config.seenAllSources(), false);
  api({ op: "SET", source: "api", pods: [pod("a"), pod("b")] });
  assert.equal(got[0].pods[0].metadata?.annotations?.["kubernetes.io/config.source"], "api");
  // time.RFC3339Nano drops trailing zeros of the fraction.
  assert.equal(
    got[0].pods[0].metadata?.annotations?.["kubernetes.io/config.seen"],
    "2025-01-02T03:04:05.12Z",
  );
  assert.deepEqual(ops(), ["ADD api [a,b]"]);
  assert.equal(config.seenAllSources(), false);
  // A source with nothing still announces itself once, so the kubelet knows it is ready.
  file({ op: "SET", source: "file", pods: [] });
  assert.deepEqual(ops(), ["ADD file []"]);
  assert.equal(config.seenAllSources(), true);
  file({ op: "SET", source: "file", pods: [] });
  assert.deepEqual(ops(), []);
});

test("the same set again (new resourceVersion only) changes nothing", () => {
  const { api, ops } = setup();
  api({ op: "SET", source: "api", pods: [pod("a")] });
  ops();
  const again = pod("a");
  again.metadata = { ...again.metadata, resourceVersion: "7", managedFields: [] };
  api({ op: "SET", source: "api", pods: [again] });
  api({ op: "UPDATE", source: "api", pod: again });
  assert.deepEqual(ops(), []);
});

test("a SET is diffed into REMOVE, ADD, UPDATE, DELETE, RECONCILE in that order", () => {
  const { api, clock, got, ops } = setup();
  api({ op: "SET", source: "api", pods: [pod("gone"), pod("relabel"), pod("deleting"), pod("status")] });
  const firstSeen = got[0].pods[1].metadata?.annotations?.["kubernetes.io/config.seen"];
  ops();
  clock.step(60_000);
  const deleting = pod("deleting");
  deleting.metadata = {
    ...deleting.metadata,
    deletionTimestamp: "2025-01-02T03:05:00Z",
    deletionGracePeriodSeconds: 30,
  };
  api({
    op: "SET",
    source: "api",
    pods: [pod("status", { phase: "Running" }), deleting, pod("relabel", { labels: { a: "b" } }), pod("new")],
  });
  assert.deepEqual(
    got.map((u) => u.op),
    ["REMOVE", "ADD", "UPDATE", "DELETE", "RECONCILE"],
  );
  const updated = got[2].pods[0];
  assert.deepEqual(updated.metadata?.labels, { a: "b" });
  // An update keeps the time the pod was first seen.
  assert.equal(updated.metadata?.annotations?.["kubernetes.io/config.seen"], firstSeen);
  assert.equal(got[3].pods[0].metadata?.deletionGracePeriodSeconds, 30);
  assert.equal(got[4].pods[0].status?.phase, "Running");
  assert.deepEqual(ops(), [
    "REMOVE api [gone]",
    "ADD api [new]",
    "UPDATE api [relabel]",
    "DELETE api [deleting]",
    "RECONCILE api [status]",
  ]);
});

test("incremental changes: ADD, UPDATE of a known pod, DELETE is a REMOVE", () => {
  const { api, ops } = setup();
  api({ op: "SET", source: "api", pods: [] });
  ops();
  api({ op: "ADD", source: "api", pod: pod("a") });
  api({ op: "ADD", source: "api", pod: pod("a") });
  api({ op: "UPDATE", source: "api", pod: pod("a", { labels: { x: "y" } }) });
  api({ op: "UPDATE", source: "api", pod: pod("a", { labels: { x: "y" }, phase: "Running" }) });
  api({ op: "DELETE", source: "api", pod: pod("a") });
  api({ op: "DELETE", source: "api", pod: pod("a") });
  assert.deepEqual(ops(), ["ADD api [a]", "UPDATE api [a]", "RECONCILE api [a]", "REMOVE api [a]"]);
});

test("annotations: a source change is an update, the kubelet's own annotations are not", () => {
  const { api, ops } = setup();
  api({ op: "SET", source: "api", pods: [pod("a")] });
  ops();
  const own = pod("a");
  own.metadata = { ...own.metadata, annotations: { "kubernetes.io/config.seen": "other" } };
  api({ op: "UPDATE", source: "api", pod: own });
  assert.deepEqual(ops(), []);
  const changed = pod("a");
  changed.metadata = { ...changed.metadata, annotations: { team: "x" } };
  api({ op: "UPDATE", source: "api", pod: changed });
  assert.deepEqual(ops(), ["UPDATE api [a]"]);
});

test("sources are kept apart", () => {
  const { api, file, config, ops } = setup();
  api({ op: "SET", source: "api", pods: [pod("a")] });
  file({ op: "SET", source: "file", pods: [pod("s", { uid: "hash-s" })] });
  file({ op: "SET", source: "file", pods: [] });
  assert.deepEqual(ops(), ["ADD api [a]", "ADD file [s]", "REMOVE file [s]"]);
  assert.deepEqual(
    config.getPods().map((p) => p.metadata?.name),
    ["a"],
  );
});

test("a full name given twice in one set: the second is dropped with upstream's event", () => {
  const { api, events, ops } = setup();
  api({ op: "SET", source: "api", pods: [pod("a"), pod("a", { uid: "other" })] });
  assert.deepEqual(ops(), ["ADD api [a]"]);
  assert.deepEqual(events, [
    'a Warning FailedValidation: Error validating pod a_default(other) from api due to duplicate pod name "a", ignoring',
  ]);
});

test("the pods a source sends are not changed", () => {
  const { api, got } = setup();
  const p = pod("a");
  const before = structuredClone(p);
  api({ op: "SET", source: "api", pods: [p] });
  assert.deepEqual(p, before);
  assert.notEqual(got[0].pods[0], p);
});

test("a handler that makes a source send again sees updates in order", () => {
  const clock = new FakeClock(T0);
  const seen: string[] = [];
  let api: ((u: Parameters<ReturnType<PodConfig["channel"]>>[0]) => void) | undefined;
  const config = new PodConfig({
    clock,
    handler: (u) => {
      seen.push(`${u.op} ${u.pods.map((p) => p.metadata?.name)}`);
      if (u.op === "ADD" && u.pods[0]?.metadata?.name === "a")
        api?.({ op: "ADD", source: "api", pod: pod("b") });
    },
  });
  api = config.channel("api");
  api({ op: "SET", source: "api", pods: [pod("a")] });
  assert.deepEqual(seen, ["ADD a", "ADD b"]);
});
