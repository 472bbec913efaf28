// `npm run bench -- NAME`: runs bench/NAME.ts after the same set-up as the tests.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
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
// The bench process runs k8ts' components itself (the scheduler and controllers in `controllers`), with k8ts' V8 flags.
const r = spawnSync(
  process.execPath,
  [...nodeFlags(), "--import", "tsx", join("bench", `${name}.ts`), ...rest],
  {
    cwd: root,
    stdio: "inherit",
  },
);
process.exit(r.status ?? 1);
