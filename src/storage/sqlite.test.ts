import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runConformance } from "./conformance.ts";
import { SqliteStore } from "./sqlite.ts";

const dir = mkdtempSync(join(tmpdir(), "k8ts-sqlite-"));
let n = 0;

runConformance("sqlite", {
  async open(opts) {
    return new SqliteStore({ path: join(dir, `store-${++n}.db`), watchBuffer: opts?.watchBuffer });
  },
  async teardown() {
    rmSync(dir, { recursive: true, force: true });
  },
});
