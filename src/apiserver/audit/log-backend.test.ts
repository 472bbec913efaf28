import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { LogBackend } from "./log-backend.ts";

describe("LogBackend", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-audit-log-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("appends one line per event, in order, to a file only its owner can read", async () => {
    const path = join(dir, "audit.log");
    const b = new LogBackend({ path, batchSize: 3 });
    for (let i = 0; i < 10; i++) b.process(JSON.stringify({ i }));
    await b.close();
    const again = new LogBackend({ path });
    again.process('{"i":10}');
    await again.close();
    const lines = readFileSync(path, "utf8").trimEnd().split("\n");
    assert.deepEqual(
      lines.map((l) => JSON.parse(l).i),
      [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    assert.equal(statSync(path).mode & 0o777, 0o600);
    assert.equal(b.events, 10);
    assert.equal(b.errors, 0);
  });

  it("drops and counts events beyond its buffer instead of holding requests", async () => {
    const path = join(dir, "bounded.log");
    const b = new LogBackend({ path, bufferSize: 5, batchSize: 1 });
    // The first event is taken by the writer at once; the buffer then holds five more.
    for (let i = 0; i < 20; i++) b.process(`{"i":${i}}`);
    await b.close();
    const written = readFileSync(path, "utf8").trimEnd().split("\n").length;
    assert.equal(written, b.events);
    assert.equal(b.events + b.errors, 20);
    assert.ok(b.errors > 0 && b.events <= 6, `events ${b.events}, dropped ${b.errors}`);
  });

  it("fails at start on a path it cannot write, as upstream's ensureLogFile", () => {
    assert.throws(
      () => new LogBackend({ path: join(dir, "no", "such", "dir", "audit.log") }),
      /^Error: ensureLogFile: ENOENT/,
    );
  });
});
