// The e2e harness itself: a `k8ts up` that is not ready in time must not be
// left running (its pipes would keep the test file from ever exiting).
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { test } from "node:test";
import { startCluster } from "./harness.ts";

const children = () =>
  execFileSync("ps", ["-o", "pid=,args=", "--ppid", String(process.pid)], { encoding: "utf8" })
    .split("\n")
    .filter((l) => l.includes(" up ") && !l.includes("ps -o"));

test("a k8ts up that is not ready in time is killed, and the start fails with what it printed", async () => {
  await assert.rejects(startCluster({ readyTimeoutMs: 300 }), /k8ts up was not ready after 300 ms/);
  for (let i = 0; i < 50 && children().length > 0; i++) await new Promise((r) => setTimeout(r, 100));
  assert.deepEqual(children(), []);
});
