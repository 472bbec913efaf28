import assert from "node:assert/strict";
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, beforeEach, test } from "node:test";
import { gunzipSync } from "node:zlib";
import { FakeClock } from "../../client/fake-clock.ts";
import type { Container, ContainerState, ContainerStatus } from "../runtime/interface.ts";
import {
  ContainerLogManager,
  filterUnusedLogs,
  getAllLogs,
  type LogRuntime,
  rotationTimestamp,
} from "./container-log-manager.ts";

const root = mkdtempSync(join(tmpdir(), "k8ts-logs-"));
after(() => rmSync(root, { recursive: true, force: true }));

let dir: string;
let logPath: string;
let n = 0;
beforeEach(() => {
  dir = join(root, `default_web_uid-${++n}`, "app");
  logPath = join(dir, "0.log");
  mkdirSync(dir, { recursive: true });
});

// A CRI log line as containerd writes it: RFC3339Nano time, stream, P/F tag, text.
function criLine(i: number, text: string): string {
  return `2026-11-27T01:00:${String(i % 60).padStart(2, "0")}.000000000Z stdout F ${text}\n`;
}

/** Writes `count` lines of ~100 bytes to the live log, as the container would. */
function write(count: number, from = 0): void {
  let s = "";
  for (let i = from; i < from + count; i++) s += criLine(i, `line ${i} ${"x".repeat(60)}`);
  appendFileSync(logPath, s);
}

/** A runtime with one container; reopen creates the log file, as containerd does. */
function fakeRuntime(state: ContainerState = "CONTAINER_RUNNING") {
  const calls = { reopen: 0, failReopen: false };
  const rt: LogRuntime = {
    async listContainers() {
      return [{ id: "c1", state } as Container];
    },
    async containerStatus(id: string) {
      assert.equal(id, "c1");
      return { id, logPath } as ContainerStatus;
    },
    async reopenContainerLog(id: string) {
      assert.equal(id, "c1");
      calls.reopen++;
      if (calls.failReopen) throw new Error("container is not running");
      appendFileSync(logPath, "");
    },
  };
  return { rt, calls };
}

const files = () => readdirSync(dir).sort();

test("rotationTimestamp formats as Go's 20060102-150405 in local time", () => {
  const d = new Date(2026, 10, 27, 1, 2, 3);
  assert.equal(rotationTimestamp(d.getTime()), "20261127-010203");
});

test("a log under maxSize is left alone", async () => {
  write(5);
  const { rt, calls } = fakeRuntime();
  const m = new ContainerLogManager({ runtime: rt, maxSize: 10_000 });
  await m.rotateLogs();
  assert.deepEqual(files(), ["0.log"]);
  assert.equal(calls.reopen, 0);
});

test("a log at maxSize is renamed to <log>.<timestamp> and reopened, uncompressed", async () => {
  write(100);
  const before = readFileSync(logPath, "utf8");
  const clock = new FakeClock(new Date(2026, 10, 27, 1, 2, 3).getTime());
  const { rt, calls } = fakeRuntime();
  const m = new ContainerLogManager({ runtime: rt, maxSize: 1000, clock });
  await m.rotateLogs();
  assert.deepEqual(files(), ["0.log", "0.log.20261127-010203"]);
  assert.equal(calls.reopen, 1);
  assert.equal(readFileSync(logPath, "utf8"), "");
  assert.equal(readFileSync(`${logPath}.20261127-010203`, "utf8"), before);
});

test("older rotated files are gzipped, the newest stays plain, and at most maxFiles remain", async () => {
  const clock = new FakeClock(new Date(2026, 10, 27, 1, 0, 0).getTime());
  const { rt } = fakeRuntime();
  const m = new ContainerLogManager({ runtime: rt, maxSize: 1000, clock });
  const contents: string[] = [];
  for (let r = 0; r < 7; r++) {
    write(20, r * 20);
    contents.push(readFileSync(logPath, "utf8"));
    await m.rotateLogs();
    clock.step(1000);
  }
  // 5 files: the live log, the newest rotated one, 3 compressed (MaxFiles-2 kept before each rotation).
  assert.deepEqual(files(), [
    "0.log",
    "0.log.20261127-010003.gz",
    "0.log.20261127-010004.gz",
    "0.log.20261127-010005.gz",
    "0.log.20261127-010006",
  ]);
  assert.equal(readFileSync(`${logPath}.20261127-010006`, "utf8"), contents[6]);
  assert.equal(gunzipSync(readFileSync(`${logPath}.20261127-010005.gz`)).toString(), contents[5]);
  assert.equal(gunzipSync(readFileSync(`${logPath}.20261127-010003.gz`)).toString(), contents[3]);
  assert.deepEqual(await getAllLogs(logPath), [
    `${logPath}.20261127-010003.gz`,
    `${logPath}.20261127-010004.gz`,
    `${logPath}.20261127-010005.gz`,
    `${logPath}.20261127-010006`,
    logPath,
  ]);
});

test("leftovers of a failed rotation (.tmp, a plain file beside its .gz) are removed", async () => {
  write(20);
  writeFileSync(`${logPath}.20261127-000000`, criLine(0, "old"));
  writeFileSync(`${logPath}.20261127-000000.gz`, Buffer.alloc(0));
  writeFileSync(`${logPath}.20261127-000001.tmp`, "half");
  const clock = new FakeClock(new Date(2026, 10, 27, 1, 0, 0).getTime());
  const { rt } = fakeRuntime();
  await new ContainerLogManager({ runtime: rt, maxSize: 1000, clock }).rotateLogs();
  assert.deepEqual(files(), ["0.log", "0.log.20261127-000000.gz", "0.log.20261127-010000"]);
});

test("filterUnusedLogs follows upstream's isInUse", () => {
  assert.deepEqual(filterUnusedLogs(["a.1", "a.1.gz", "a.2", "a.3.tmp"]), {
    inuse: ["a.1.gz", "a.2"],
    unused: ["a.1", "a.3.tmp"],
  });
});

test("when the runtime cannot reopen, the rotated log is renamed back", async () => {
  write(20);
  const { rt, calls } = fakeRuntime();
  calls.failReopen = true;
  const logs: string[] = [];
  const m = new ContainerLogManager({ runtime: rt, maxSize: 1000, log: (msg) => logs.push(msg) });
  await m.rotateLogs();
  assert.deepEqual(files(), ["0.log"]);
  assert.deepEqual(logs, ["Failed to rotate log for container"]);
});

test("exited containers are not rotated (their log is what --previous reads)", async () => {
  write(20);
  const { rt, calls } = fakeRuntime("CONTAINER_EXITED");
  await new ContainerLogManager({ runtime: rt, maxSize: 1000 }).rotateLogs();
  assert.deepEqual(files(), ["0.log"]);
  assert.equal(calls.reopen, 0);
});

test("a removed live log is reopened", async () => {
  const { rt, calls } = fakeRuntime();
  await new ContainerLogManager({ runtime: rt, maxSize: 1000 }).rotateLogs();
  assert.equal(calls.reopen, 1);
  assert.ok(existsSync(logPath));
});

test("start checks at once and then every monitor interval; stop ends it", async () => {
  const clock = new FakeClock(new Date(2026, 10, 27, 1, 0, 0).getTime());
  const { rt } = fakeRuntime();
  write(20);
  const m = new ContainerLogManager({ runtime: rt, maxSize: 1000, clock });
  m.start();
  clock.step(0);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(files().length, 2);
  write(20, 20);
  clock.step(9_999);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(files().length, 2);
  clock.step(1);
  await new Promise((r) => setTimeout(r, 50));
  assert.equal(files().length, 3);
  await m.stop();
  assert.equal(clock.pending, 0);
});

test("maxFiles must be > 1, as upstream's NewContainerLogManager", () => {
  const { rt } = fakeRuntime();
  assert.throws(() => new ContainerLogManager({ runtime: rt, maxFiles: 1 }), {
    message: "invalid MaxFiles 1, must be > 1",
  });
});

test("clean removes the live and rotated logs of a container", async () => {
  write(20);
  writeFileSync(`${logPath}.20261127-000000.gz`, "");
  writeFileSync(join(dir, "1.log"), "");
  const { rt } = fakeRuntime();
  await new ContainerLogManager({ runtime: rt }).clean("c1");
  assert.deepEqual(files(), ["1.log"]);
});
