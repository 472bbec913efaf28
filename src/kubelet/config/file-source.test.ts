import assert from "node:assert/strict";
import { mkdirSync, mkdtempSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { until } from "../../../test/support/until.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type { PodUpdate } from "../types.ts";
import { FileSource } from "./file-source.ts";
import { PodConfig, type PodConfigUpdate } from "./pod-config.ts";

const manifest = (name: string, label = "v1") => `apiVersion: v1
kind: Pod
metadata:
  name: ${name}
  labels: {version: ${label}}
spec:
  containers:
  - name: c
    image: k8ts.local/busybox:latest
`;

function setup(opts: { watch?: boolean; dir?: string } = {}) {
  const root = mkdtempSync(join(tmpdir(), "k8ts-manifests-"));
  const dir = opts.dir ? join(root, opts.dir) : root;
  const clock = new FakeClock(Date.UTC(2025, 0, 1));
  const sets: Pod[][] = [];
  const logs: string[] = [];
  const source = new FileSource({
    path: dir,
    nodeName: "node-a",
    clock,
    watch: opts.watch,
    onUpdate: (u: PodUpdate) => {
      assert.equal(u.op, "SET");
      assert.equal(u.source, "file");
      if (u.op === "SET") sets.push(u.pods);
    },
    log: (msg, fields) => logs.push(`${msg} ${JSON.stringify(fields)}`),
  });
  const names = () => (sets.at(-1) ?? []).map((p) => p.metadata?.name).sort();
  const cleanup = async () => {
    await source.stop();
    rmSync(root, { recursive: true, force: true });
  };
  return { root, dir, clock, sets, logs, source, names, cleanup };
}

test("manifests are read at start, then added, changed and removed as the directory changes", async () => {
  const t = setup();
  try {
    writeFileSync(join(t.dir, "a.yaml"), manifest("a"));
    writeFileSync(join(t.dir, ".hidden.yaml"), manifest("hidden"));
    mkdirSync(join(t.dir, "sub"));
    writeFileSync(join(t.dir, "sub", "c.yaml"), manifest("c"));
    t.source.start();
    await t.source.idle();
    assert.deepEqual(t.names(), ["a-node-a"]);
    assert.ok(t.logs.some((l) => l.startsWith("Provided manifest path is a directory, not recursing")));
    const firstUID = t.sets.at(-1)![0].metadata?.uid;

    writeFileSync(
      join(t.dir, "b.json"),
      JSON.stringify({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name: "b" },
        spec: { containers: [{ name: "c", image: "x" }] },
      }),
    );
    await until(() => t.names().join() === "a-node-a,b-node-a", "b added", 5000, 10);

    writeFileSync(join(t.dir, "a.yaml"), manifest("a", "v2"));
    await until(
      () => t.sets.at(-1)!.some((p) => p.metadata?.labels?.version === "v2"),
      "a changed",
      5000,
      10,
    );
    const changed = t.sets.at(-1)!.find((p) => p.metadata?.name === "a-node-a")!;
    assert.notEqual(changed.metadata?.uid, firstUID, "a changed manifest is a new pod");
    assert.equal(changed.metadata?.annotations?.["kubernetes.io/config.hash"], changed.metadata?.uid);

    writeFileSync(join(t.dir, ".b.json.swp"), "garbage");
    unlinkSync(join(t.dir, "a.yaml"));
    await until(() => t.names().join() === "b-node-a", "a removed", 5000, 10);
    await t.source.idle();
    assert.deepEqual(t.names(), ["b-node-a"]);
  } finally {
    await t.cleanup();
  }
});

test("without a watch, the directory is listed again every 20 s on one timer", async () => {
  const t = setup({ watch: false });
  try {
    t.source.start();
    await t.source.idle();
    assert.deepEqual(t.sets, [[]], "an empty directory still sends a SET");
    assert.equal(t.clock.pending, 1);
    writeFileSync(join(t.dir, "a.yaml"), manifest("a"));
    t.clock.step(19_999);
    await t.source.idle();
    assert.equal(t.sets.length, 1);
    t.clock.step(1);
    await t.source.idle();
    assert.deepEqual(t.names(), ["a-node-a"]);
    // Every pass sends the whole set, changed or not.
    t.clock.step(20_000);
    await t.source.idle();
    assert.equal(t.sets.length, 3);
    assert.deepEqual(t.sets[2], t.sets[1]);
    assert.equal(t.clock.pending, 1);
    await t.source.stop();
    assert.equal(t.clock.pending, 0);
  } finally {
    await t.cleanup();
  }
});

test("a missing directory gives an empty SET and is picked up once it exists", async () => {
  const t = setup({ dir: "manifests" });
  try {
    t.source.start();
    await t.source.idle();
    assert.deepEqual(t.sets, [[]]);
    assert.ok(t.logs.some((l) => l.includes("path does not exist, ignoring")));
    mkdirSync(t.dir);
    writeFileSync(join(t.dir, "a.yaml"), manifest("a"));
    t.clock.step(20_000);
    await t.source.idle();
    assert.deepEqual(t.names(), ["a-node-a"]);
    // The watch started with the tick: changes now arrive without waiting for the next one.
    writeFileSync(join(t.dir, "b.yaml"), manifest("b"));
    await until(() => t.names().length === 2, "b added through the watch", 5000, 10);
  } finally {
    await t.cleanup();
  }
});

test("an invalid manifest is logged and left out", async () => {
  const t = setup({ watch: false });
  try {
    writeFileSync(join(t.dir, "a.yaml"), manifest("a"));
    writeFileSync(
      join(t.dir, "bad.yaml"),
      "apiVersion: v1\nkind: Pod\nmetadata: {name: bad}\nspec: {containers: []}\n",
    );
    t.source.start();
    await t.source.idle();
    assert.deepEqual(t.names(), ["a-node-a"]);
    assert.ok(
      t.logs.some(
        (l) =>
          l.includes("Could not process manifest file") &&
          l.includes("invalid pod: [spec.containers: Required value]"),
      ),
      t.logs.join("\n"),
    );
  } finally {
    await t.cleanup();
  }
});

test("through PodConfig: a changed manifest replaces the pod, a removed one removes it", async () => {
  const t = setup({ watch: false });
  const got: PodConfigUpdate[] = [];
  const config = new PodConfig({ clock: t.clock, handler: (u) => got.push(u) });
  const send = config.channel("file");
  const source = new FileSource({
    path: t.dir,
    nodeName: "node-a",
    clock: t.clock,
    watch: false,
    onUpdate: send,
  });
  const ops = () =>
    got
      .splice(0)
      .map((u) => `${u.op} ${u.pods.map((p) => `${p.metadata?.name}@${p.metadata?.uid?.slice(0, 6)}`)}`);
  try {
    writeFileSync(join(t.dir, "a.yaml"), manifest("a"));
    source.start();
    await source.idle();
    const [added] = ops();
    assert.match(added, /^ADD a-node-a@/);
    assert.equal(config.seenAllSources(), true);
    const pod = config.getPods("file")[0];
    assert.equal(pod.metadata?.annotations?.["kubernetes.io/config.source"], "file");
    assert.equal(pod.metadata?.annotations?.["kubernetes.io/config.seen"], "2025-01-01T00:00:00Z");

    t.clock.step(20_000);
    await source.idle();
    assert.deepEqual(ops(), [], "an unchanged directory changes nothing");

    writeFileSync(join(t.dir, "a.yaml"), manifest("a", "v2"));
    t.clock.step(20_000);
    await source.idle();
    const [removed, readded] = ops();
    assert.equal(removed, added.replace("ADD", "REMOVE"));
    assert.match(readded, /^ADD a-node-a@/);
    assert.notEqual(readded, added);

    unlinkSync(join(t.dir, "a.yaml"));
    t.clock.step(20_000);
    await source.idle();
    assert.deepEqual(ops(), [readded.replace("ADD", "REMOVE")]);
  } finally {
    await source.stop();
    await t.cleanup();
  }
});
