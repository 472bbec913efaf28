// dist/<build>/k8ts.mjs: runs the bundle beside it (k8ts.cjs) from V8's code
// cache. Compiling the 7 MB bundle was most of a k8ts process's start (node 20
// caches no ES modules, so the bundle is CommonJS and compiled here as node
// would compile it). The first process of a build, or one whose V8 flags differ
// from the cache's, compiles it afresh and writes the cache (k8ts.cjs.cache)
// once its start-up has run (or at its exit, if sooner), so that the functions
// start-up compiled are in it; later ones start from it. A cache that cannot be written (a read-only
// checkout) only costs the speed.
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Module, { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { constants, Script } from "node:vm";

const file = join(import.meta.dirname, "k8ts.cjs");
const cacheFile = `${file}.cache`;
let cachedData;
try {
  cachedData = readFileSync(cacheFile);
} catch {}
const script = new Script(Module.wrap(readFileSync(file, "utf8")), {
  filename: file,
  cachedData,
  importModuleDynamically: constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
});
// The bundle runs its main when it is the program (src/cli/main.ts, isMain).
process.argv[1] = file;
const module = new Module(file);
module.filename = file;
module.paths = Module._nodeModulePaths(dirname(file));
script
  .runInThisContext()
  .call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
if (cachedData === undefined || script.cachedDataRejected) {
  let written = false;
  const writeCache = () => {
    if (written) return;
    written = true;
    const tmp = `${cacheFile}.${process.pid}`;
    try {
      writeFileSync(tmp, script.createCachedData());
      renameSync(tmp, cacheFile);
    } catch {
      rmSync(tmp, { force: true });
    }
  };
  setTimeout(writeCache, 2000).unref();
  process.once("exit", writeCache);
}
