// `npm run bench -- NAME`: runs bench/NAME.ts after the same set-up as the tests.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { bundle } from "./build.mjs";
import { ensureNodeModules, ensureSystemPackages, nodeFlags, root, systemPackages } from "./setup.mjs";

const [name, ...rest] = process.argv.slice(2);
const available = readdirSync(join(root, "bench"))
  .filter((f) => f.endsWith(".ts") && !f.includes(".test.") && !f.startsWith("_"))
  .map((f) => f.slice(0, -3));
if (!name || !existsSync(join(root, "bench", `${name}.ts`))) {
  process.stderr.write(`usage: npm run bench -- NAME   (one of: ${available.join(", ")})\n`);
  process.exit(2);
}
ensureNodeModules();
ensureSystemPackages(systemPackages.bench);
// Benches whose process runs k8ts' components (the scheduler, the controllers,
// hollow kubelets) run them from an esbuild bundle, as ./k8ts does, not through
// tsx, which compiles with keepNames (about 6 % more CPU in session 11, within
// noise in session 13: docs/benchmarks.md, controllers). The rest run from the sources.
const bundled = {
  controllers: ["controllers", "_hollow-nodes"],
  hollow: ["hollow"],
};
let script = ["--import", "tsx", join("bench", `${name}.ts`)];
if (bundled[name]) {
  // "build-" as ./k8ts' bundles: a directory left behind goes with them after a day.
  const outdir = join(root, "dist", `build-bench-${name}-${process.pid}`);
  await bundle(Object.fromEntries(bundled[name].map((b) => [b, join(root, "bench", `${b}.ts`)])), outdir);
  script = [join(outdir, `${name}.mjs`)];
  process.on("exit", () => rmSync(outdir, { recursive: true, force: true }));
}
// The bench process runs k8ts' components itself, with k8ts' V8 flags. Ctrl-C
// stops the bench (its process group); this process then cleans up after it.
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => {});
const r = spawnSync(process.execPath, [...nodeFlags(), ...script, ...rest], { cwd: root, stdio: "inherit" });
process.exit(r.status ?? 1);
