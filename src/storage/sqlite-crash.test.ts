import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { SqliteStore } from "./sqlite.ts";

test("every acknowledged write survives SIGKILL, and the file passes SQLite's integrity check", async () => {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-crash-"));
  try {
    const path = join(dir, "store.db");
    const acked: string[] = [];
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ["--import", "tsx", "test/support/sqlite-writer.ts", path], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let buf = "";
      let ready = false;
      const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
      await new Promise<void>((resolve) => {
        child.stdout!.on("data", (d: Buffer) => {
          buf += d.toString();
          const lines = buf.split("\n");
          buf = lines.pop()!;
          for (const l of lines) {
            if (l === "ready") ready = true;
            else if (l) acked.push(l);
          }
          // Kill it mid-stream, once it has written a good number in this round.
          if (ready && acked.length >= (round + 1) * 2000) resolve();
        });
        child.on("exit", () => resolve());
      });
      child.kill("SIGKILL");
      await exited;
      assert.equal(child.signalCode, "SIGKILL", "the writer was killed, not finished");
    }
    const store = new SqliteStore({ path });
    try {
      assert.equal(store.integrityCheck(), "ok");
      const missing: string[] = [];
      for (const key of acked) if (!(await store.get(key)).kv) missing.push(key);
      assert.deepEqual(
        missing.slice(0, 5),
        [],
        `${missing.length} of ${acked.length} acknowledged writes were lost`,
      );
      // The store goes on: revisions continue above everything written before.
      const before = await store.currentRevision();
      const r = await store.create("/registry/crash/after", new Uint8Array([1]));
      assert.ok(r.revision > before);
    } finally {
      await store.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
