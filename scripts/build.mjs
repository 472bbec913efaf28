// Bundles the CLI with esbuild into dist/, so `./k8ts` starts with plain node:
// no TypeScript loader in the process (faster boot, less memory). Tests and
// development run the sources through tsx instead. Code splitting keeps
// dynamic imports lazy (the etcd client, the certificate library).
import {
  copyFileSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { root } from "./setup.mjs";

const dist = join(root, "dist");
export const entry = join(dist, "current", "k8ts.mjs");

export async function build() {
  // Several processes may build at once (parallel tests): each builds its own
  // directory, then swaps the `current` link to it in one rename.
  const name = `build-${Date.now()}-${process.pid}`;
  const outdir = join(dist, name);
  await bundle({ k8ts: join(root, "src/cli/main.ts") }, outdir, { program: true });
  copyFileSync(join(root, "scripts/bundle-loader.mjs"), join(outdir, "k8ts.mjs"));
  const link = join(dist, `current.${process.pid}`);
  rmSync(link, { force: true });
  symlinkSync(name, link);
  renameSync(link, join(dist, "current"));
  // Older builds are no longer linked. A process started from one may still load its lazy chunks, so only
  // builds older than a day go.
  for (const d of readdirSync(dist)) {
    const path = join(dist, d);
    if (d.startsWith("build-") && d !== name && Date.now() - statSync(path).mtimeMs > 24 * 3600 * 1000) {
      rmSync(path, { recursive: true, force: true });
    }
  }
  return entry;
}

/**
 * esbuild's bundle of `entryPoints` (name → source) into `outdir`, with the data
 * files the code finds next to itself; `scripts/setup.mjs` stays external, so
 * that it still finds the repository's root.
 *
 * `program`: k8ts itself, which starts often and should start fast. Its npm
 * packages go into the bundle too (node then reads one file where it resolved,
 * read and compiled some 400: undici, gRPC, protobufjs, yaml…; better-sqlite3
 * stays outside for its native addon), and the bundle is CommonJS (k8ts.cjs),
 * which scripts/bundle-loader.mjs compiles with V8's code cache: node 20 has
 * no cache for ES modules. Otherwise (benchmarks' bundles) an ES module per
 * entry point, its npm packages external.
 */
export async function bundle(entryPoints, outdir, { program = false } = {}) {
  const { build: esbuild } = await import(join(root, "node_modules/esbuild/lib/main.js"));
  mkdirSync(join(outdir, "openapi"), { recursive: true });
  const setup = join(root, "scripts/setup.mjs");
  const format = program
    ? {
        format: "cjs",
        outExtension: { ".js": ".cjs" },
        external: ["better-sqlite3"],
        // The sources find their data files beside themselves (import.meta.url).
        define: { "import.meta.url": "__k8tsModuleURL", "import.meta.dirname": "__dirname" },
        banner: { js: 'var __k8tsModuleURL = require("node:url").pathToFileURL(__filename).href;' },
      }
    : { format: "esm", splitting: true, outExtension: { ".js": ".mjs" }, packages: "external" };
  await esbuild({
    entryPoints,
    bundle: true,
    platform: "node",
    target: "node20",
    outdir,
    ...format,
    logLevel: "warning",
    legalComments: "none",
    plugins: [
      {
        name: "setup-external",
        setup: (b) =>
          b.onResolve({ filter: /scripts\/setup\.mjs$/ }, () => ({ path: setup, external: true })),
      },
    ],
  });
  // esbuild escapes non-ASCII in code but keeps comments as written; one arrow
  // in a comment makes V8 hold the whole file as a two-byte string (6 MB for
  // the 3 MB bundle, in every process). In a comment, a string, a template or a
  // regular expression, \uXXXX means what the character meant.
  for (const f of readdirSync(outdir)) {
    if (!f.endsWith(".mjs") && !f.endsWith(".cjs")) continue;
    const text = readFileSync(join(outdir, f), "utf8");
    const ascii = text.replace(/[^\x00-\x7f]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`);
    if (ascii !== text) writeFileSync(join(outdir, f), ascii);
  }
  // Data files the code finds next to itself (import.meta.url).
  copyFileSync(
    join(root, "src/api/openapi/swagger-v1.32.0.json.gz"),
    join(outdir, "openapi/swagger-v1.32.0.json.gz"),
  );
  mkdirSync(join(outdir, "cri"), { recursive: true });
  copyFileSync(join(root, "src/kubelet/runtime/cri/api.proto"), join(outdir, "cri/api.proto"));
  // The dashboard's UI, served as it is written.
  mkdirSync(join(outdir, "ui"), { recursive: true });
  for (const f of readdirSync(join(root, "src/dashboard/ui"))) {
    copyFileSync(join(root, "src/dashboard/ui", f), join(outdir, "ui", f));
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const started = performance.now();
  await build();
  process.stderr.write(
    `built ${entry} (${statSync(join(dirname(entry), "k8ts.cjs")).size} bytes) in ${Math.round(performance.now() - started)} ms\n`,
  );
}
