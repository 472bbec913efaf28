// `npm test`: set-up, type-check, lint, then every unit and end-to-end test.
import { spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { ensureNodeModules, ensureSystemPackages, root, systemPackages } from "./setup.mjs";

ensureNodeModules();
ensureSystemPackages(systemPackages.test);

function run(title, cmd, args, stdio = "inherit") {
  process.stderr.write(`\n== ${title}\n`);
  const r = spawnSync(cmd, args, { cwd: root, stdio });
  if (r.status !== 0) {
    process.stderr.write(`\n${title} failed (exit ${r.status ?? r.signal})\n`);
    process.exit(1);
  }
}

function testFiles(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...testFiles(p));
    else if (e.name.endsWith(".test.ts")) out.push(relative(root, p));
  }
  return out;
}

// Filters: `npm test -- storage` runs only test files whose path contains "storage".
const filters = process.argv.slice(2);
const files = [...testFiles(join(root, "src")), ...testFiles(join(root, "test"))]
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();

if (filters.length === 0) {
  run("type-check (tsc --noEmit)", join(root, "node_modules/.bin/tsc"), ["--noEmit", "-p", "."]);
  run("lint (biome check)", join(root, "node_modules/.bin/biome"), ["check", "."]);
}
// The bundle ./k8ts runs, built up front when stale (./k8ts decides, as for every run): otherwise the
// first end-to-end suites to start build it while they wait for `k8ts up` to be ready, on a machine
// busy with every other suite.
run("bundle (./k8ts)", join(root, "k8ts"), ["--help"], ["ignore", "ignore", "inherit"]);
// Most tests wait on I/O (fsync, etcd, child processes), so run more files than cores.
// A file still running after 40 minutes fails by name instead of holding the run until CI's limit
// (the containerd suites may wait up to 30 minutes for each other's lock); a file whose tests are
// done exits even if a handle is left open.
run(`tests (${files.length} files)`, process.execPath, [
  "--import",
  "tsx",
  "--import",
  "./scripts/blocking-stdout.mjs",
  "--test",
  "--test-concurrency=4",
  "--test-timeout=2400000",
  "--test-force-exit",
  "--test-reporter=spec",
  ...files,
]);
