// npm run bench -- boot [fake|containerd] [ROUNDS]
// How long `./k8ts up` takes to print `k8ts ready` (the mission's "boots in a
// second"), from the spawn of the launcher: first on a fresh data dir (the
// cluster CA, certificates and bootstrap objects are made), then again on the
// same data dir (a restart). Each round is a fresh data dir and one restart;
// every figure is the median of the rounds. `up` runs with its defaults but
// free ports. Phases, from the same spawn: `firstLineMs` (the launcher and
// node loading the bundle), `servingMs` (the apiserver serving), `nodeRegisteredMs`
// (this machine's kubelet registered), `controllersMs` (the controller-manager's
// caches synced), then `readyMs`; `cpuMs` is the CPU time (all threads) `up`
// had used when it was ready: what the start cost, waiting aside;
// `stopMs` is SIGINT to exit. One JSON line a
// runtime. The bundle is built before the first round, so no round counts a build.
// On containerd, `up` starts its own containerd and the CNI network first, as a
// user's `up` does; the bench takes the containerd test lock.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "../test/e2e/harness.ts";
import { lockContainerd } from "../test/support/containerd.ts";
import { freePort } from "../test/support/ports.ts";
import { cpuSeconds } from "./_apiserver.ts";
import { percentile } from "./_load.ts";

const runtime = process.argv[2] ?? "fake";
const ROUNDS = Number(process.argv[3] ?? process.env.BENCH_ROUNDS ?? 5);
if (runtime !== "fake" && runtime !== "containerd") {
  process.stderr.write("usage: npm run bench -- boot [fake|containerd] [ROUNDS]\n");
  process.exit(2);
}

/** Progress lines of `up` that mark a phase, and the phase's name. */
const PHASES: [RegExp, string][] = [
  [/./, "firstLineMs"],
  [/apiserver serving on/, "servingMs"],
  [/Successfully registered node/, "nodeRegisteredMs"],
  [/controller-manager: started /, "controllersMs"],
  [/^k8ts ready: /, "readyMs"],
];

interface Boot {
  phases: Record<string, number>;
  cpuMs: number;
  stopMs: number;
}

async function boot(dataDir: string): Promise<Boot> {
  const port = await freePort();
  const args = ["up", "--data-dir", dataDir, "--runtime", runtime, "--port", String(port)];
  // 0: a free port, so that a round never waits on a port a previous round held.
  for (const f of ["--dns-port", "--dashboard-port", "--scheduler-port", "--controller-manager-port"])
    args.push(f, "0");
  const started = performance.now();
  const child: ChildProcess = spawn(join(ROOT, "k8ts"), args, { stdio: ["ignore", "pipe", "pipe"] });
  const phases: Record<string, number> = {};
  let cpuMs = 0;
  let out = "";
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`k8ts up was not ready after 120 s:\n${out}`)), 120_000);
    let pending = "";
    const onData = (chunk: Buffer) => {
      const now = performance.now() - started;
      out += chunk;
      pending += chunk;
      const lines = pending.split("\n");
      pending = lines.pop()!;
      for (const line of lines) {
        for (const [re, name] of PHASES)
          if (phases[name] === undefined && re.test(line)) phases[name] = Math.round(now);
        if (phases.readyMs !== undefined) {
          cpuMs = Math.round(cpuSeconds(child.pid!) * 1000);
          clearTimeout(timer);
          resolve();
        }
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`k8ts up exited with ${code} before it was ready:\n${out}`));
    });
  });
  child.removeAllListeners("exit");
  const stopping = performance.now();
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGINT");
  const timeout = setTimeout(() => {
    child.kill("SIGKILL");
    process.stderr.write(`bench boot: k8ts up did not exit within 30 s of SIGINT:\n${out}\n`);
    process.exit(1);
  }, 30_000);
  await exited;
  clearTimeout(timeout);
  return { phases, cpuMs, stopMs: Math.round(performance.now() - stopping) };
}

// The launcher builds the bundle when the sources changed: do it now, untimed.
spawnSync(join(ROOT, "k8ts"), ["--help"], { stdio: "ignore" });

// A containerd node never runs beside a containerd test or benchmark (test/support/containerd.ts).
const release = runtime === "containerd" ? await lockContainerd() : () => {};
const fresh: Boot[] = [];
const restart: Boot[] = [];
for (let r = 0; r < ROUNDS; r++) {
  const dataDir = mkdtempSync(join(tmpdir(), "k8ts-bench-boot-"));
  try {
    fresh.push(await boot(dataDir));
    restart.push(await boot(dataDir));
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
  process.stderr.write(
    `bench boot: round ${r + 1}/${ROUNDS}: fresh ${fresh.at(-1)!.phases.readyMs} ms, restart ${restart.at(-1)!.phases.readyMs} ms\n`,
  );
}

release();
const median = (xs: number[]) => Math.round(percentile(xs, 0.5));
const summary = (boots: Boot[]) => ({
  ...Object.fromEntries(
    PHASES.map(([, name]) => [name, median(boots.map((b) => b.phases[name] ?? Number.NaN))]),
  ),
  cpuMs: median(boots.map((b) => b.cpuMs)),
  stopMs: median(boots.map((b) => b.stopMs)),
});
console.log(
  JSON.stringify({
    bench: "boot",
    runtime,
    rounds: ROUNDS,
    fresh: summary(fresh),
    restart: summary(restart),
  }),
);
process.exit(0);
