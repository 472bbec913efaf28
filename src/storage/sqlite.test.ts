import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import Database from "better-sqlite3";
import { runConformance } from "./conformance.ts";
import { SCHEMA_VERSION, SqliteStore } from "./sqlite.ts";
import { isStoreError, type WatchEvent } from "./store.ts";

const dir = mkdtempSync(join(tmpdir(), "k8ts-sqlite-"));
let n = 0;

runConformance("sqlite", {
  async open(opts) {
    return new SqliteStore({ path: join(dir, `store-${++n}.db`), watchBuffer: opts?.watchBuffer });
  },
});
process.on("exit", () => rmSync(dir, { recursive: true, force: true }));

describe("sqlite data file faults", () => {
  it("refuses a corrupt data file, naming it, and leaves it untouched", () => {
    const path = join(dir, "corrupt.db");
    const garbage = Buffer.alloc(8192, 0x5a);
    writeFileSync(path, garbage);
    assert.throws(
      () => new SqliteStore({ path }),
      (e) =>
        isStoreError(e, "Corrupt") && e.message.includes(path) && /will not re-initialise/.test(e.message),
    );
    assert.ok(readFileSync(path).equals(garbage), "the file was not re-initialised");
  });

  it("refuses a data file of a future schema version", () => {
    const path = join(dir, "future.db");
    const db = new Database(path);
    db.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    db.close();
    assert.throws(
      () => new SqliteStore({ path }),
      (e) =>
        isStoreError(e, "Corrupt") &&
        e.message.includes(path) &&
        /newer than this k8ts supports/.test(e.message),
    );
  });

  it("refuses a data file another store has open", async () => {
    const path = join(dir, "busy.db");
    const first = new SqliteStore({ path });
    try {
      assert.throws(
        () => new SqliteStore({ path }),
        (e) => isStoreError(e, "Unavailable") && e.message.includes(path),
      );
    } finally {
      await first.close();
    }
    // Once closed, it opens again with its data.
    const again = new SqliteStore({ path });
    await again.close();
  });

  it("keeps data and revisions across a restart", async () => {
    const path = join(dir, "restart.db");
    const a = new SqliteStore({ path });
    const r = await a.create("/registry/x/default/a", new TextEncoder().encode("1"));
    await a.compact(r.revision);
    await a.close();
    const b = new SqliteStore({ path });
    try {
      assert.equal(await b.currentRevision(), r.revision);
      assert.equal(new TextDecoder().decode((await b.get("/registry/x/default/a")).kv!.value), "1");
      await assert.rejects(b.compact(r.revision), (e) => isStoreError(e, "Compacted"));
    } finally {
      await b.close();
    }
  });
});

describe("sqlite watch triggers", () => {
  it("asks a triggered watch's filter only about events of its value", async () => {
    const store = new SqliteStore({ path: join(dir, "trigger.db") });
    try {
      const enc = new TextEncoder();
      const dec = new TextDecoder();
      const nodeOf = (kv: { value: Uint8Array }) =>
        kv.value.length === 0 ? undefined : dec.decode(kv.value);
      const asked: string[] = [];
      const filter = (e: { kv: { value: Uint8Array } }) => {
        asked.push(dec.decode(e.kv.value));
        return nodeOf(e.kv) === "a";
      };
      const from = await store.currentRevision();
      const w = store.watch("/registry/pods/", from, filter, { field: "node", value: "a", valueOf: nodeOf });
      for (const [i, v] of ["b", "a", "c", "b"].entries())
        await store.create(`/registry/pods/ns/p${i}`, enc.encode(v));
      const it = w[Symbol.asyncIterator]();
      const first = await it.next();
      assert.deepEqual(
        (first.value ?? []).map((e: WatchEvent) => dec.decode(e.kv.value)),
        ["a"],
      );
      assert.deepEqual(asked, ["a"]);
      w.cancel();
    } finally {
      await store.close();
    }
  });
});
