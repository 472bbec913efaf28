// The import boundaries of DESIGN.md, checked on every test run.
import assert from "node:assert/strict";
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { test } from "node:test";

const src = resolve(import.meta.dirname, "..", "src");

/** What each top-level folder of src/ may import, besides itself. */
const allowed: Record<string, string[]> = {
  api: ["machinery"],
  machinery: ["api"],
  storage: ["api", "machinery"],
  apiserver: ["api", "machinery", "storage"],
  client: ["api", "machinery"],
  scheduler: ["api", "machinery", "client"],
  controllers: ["api", "machinery", "client"],
  kubelet: ["api", "machinery", "client"],
  proxy: ["api", "machinery", "client"],
  dns: ["api", "machinery", "client"],
  dashboard: ["api", "machinery", "client"],
  // An add-on like dns: metrics.k8s.io behind the aggregation layer.
  "metrics-server": ["api", "machinery", "client"],
  // The command line is the composition root: it starts every component, but never opens the store itself.
  cli: [
    "api",
    "machinery",
    "client",
    "apiserver",
    "scheduler",
    "controllers",
    "kubelet",
    "proxy",
    "dns",
    "dashboard",
    "metrics-server",
  ],
};

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return files(p);
    return e.name.endsWith(".ts") ? [p] : [];
  });
}

function topFolder(path: string): string | undefined {
  const rel = relative(src, path);
  if (rel.startsWith("..")) return undefined;
  return rel.split("/")[0];
}

const importRe =
  /(?:^|\s)(?:import|export)\s[^;]*?from\s+["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/gm;

test("every folder of src/ imports only what DESIGN.md allows", () => {
  const violations: string[] = [];
  const all = files(src);
  assert.ok(all.length > 0);
  for (const file of all) {
    const from = topFolder(file)!;
    const rules = allowed[from];
    if (!rules) {
      violations.push(`${relative(src, file)}: src/${from} is not a folder of DESIGN.md's layout`);
      continue;
    }
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(importRe)) {
      const spec = m[1] ?? m[2];
      if (!spec.startsWith(".")) continue;
      const target = topFolder(resolve(dirname(file), spec));
      if (target === undefined) {
        // Tests may use shared test support; production code may not reach outside src/.
        if (!file.endsWith(".test.ts") && !/conformance\.ts$/.test(file)) {
          violations.push(`${relative(src, file)} imports ${spec}, outside src/`);
        }
        continue;
      }
      if (target !== from && !rules.includes(target)) {
        violations.push(`${relative(src, file)} (src/${from}) imports ${spec} (src/${target})`);
      }
    }
  }
  assert.deepEqual(violations, []);
});

test("the boundary check catches a forbidden import", () => {
  const line = 'import { SqliteStore } from "../storage/sqlite.ts";';
  const m = [...line.matchAll(importRe)];
  assert.equal(m.length, 1);
  assert.equal(topFolder(resolve(join(src, "scheduler"), m[0][1])), "storage");
  assert.ok(!allowed.scheduler.includes("storage"));
});
