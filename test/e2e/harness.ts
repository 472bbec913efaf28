// End-to-end harness: runs `k8ts up` as a child process on its own data dir and
// port, and the installed kubectl against it with a fresh HOME.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { freePort } from "../support/ports.ts";

export const ROOT = resolve(import.meta.dirname, "..", "..");

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface Cluster {
  dataDir: string;
  kubeconfig: string;
  port: number;
  /** The `k8ts up` process (the launcher execs node, so this is node's). */
  pid: number;
  url: string;
  /** Runs the installed kubectl with this cluster's kubeconfig and a HOME of its own. */
  kubectl(
    args: string[],
    opts?: { input?: string; env?: Record<string, string>; home?: string; timeoutMs?: number },
  ): Promise<RunResult>;
  /** A fresh HOME, so kubectl's discovery cache starts empty. */
  newHome(): string;
  /** SIGTERM, then SIGKILL after 10 s; says how it ended. */
  stop(): Promise<{ code: number | null; signal: NodeJS.Signals | null; ms: number }>;
  /** What `k8ts up` printed so far. */
  output(): string;
}

export function run(
  cmd: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string>; timeoutMs?: number; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, {
      env: { ...process.env, ...opts.env },
      cwd: opts.cwd,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), opts.timeoutMs ?? 60_000);
    child.on("error", reject);
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? (signal ? 128 : 1), stdout, stderr });
    });
    // A command that reads no input may exit before its stdin is closed (EPIPE): its exit code tells.
    child.stdin.on("error", () => {});
    child.stdin.end(opts.input ?? "");
  });
}

/** Starts `k8ts up` with the given extra flags and waits for its ready line. */
export async function startCluster(
  opts: { args?: string[]; readyTimeoutMs?: number } = {},
): Promise<Cluster> {
  // A free port can be taken by another process before k8ts up binds it: then pick another.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startClusterOnce(opts);
    } catch (e) {
      if (attempt >= 3 || !/is already in use/.test((e as Error).message)) throw e;
    }
  }
}

async function startClusterOnce(opts: { args?: string[]; readyTimeoutMs?: number }): Promise<Cluster> {
  const dataDir = mkdtempSync(join(tmpdir(), "k8ts-e2e-"));
  const port = await freePort();
  const homes: string[] = [];
  // The real entry point, as a user runs it (it rebuilds the bundle when the sources changed).
  const child: ChildProcess = spawn(
    join(ROOT, "k8ts"),
    [
      "up",
      "--data-dir",
      dataDir,
      "--port",
      String(port),
      "--scheduler-port",
      "0",
      "--controller-manager-port",
      "0",
      // Hollow by default: only the containerd suites (test/support/containerd.ts) run real containers,
      // one at a time; the others run side by side, so their DNS takes any free port.
      ...(opts.args?.includes("--runtime") ? [] : ["--runtime", "fake"]),
      ...(opts.args?.includes("containerd") ? [] : ["--dns-port", "0"]),
      // Clusters run side by side: each dashboard takes a free port (the output names it).
      ...(opts.args?.includes("--dashboard-port") ? [] : ["--dashboard-port", "0"]),
      ...(opts.args ?? []),
    ],
    { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  child.stdout!.on("data", (d) => {
    out += d;
  });
  child.stderr!.on("data", (d) => {
    out += d;
  });
  const kubeconfig = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => {
      // Left running, it would hold this test file open (its pipes) with no stop() to end it.
      child.kill("SIGKILL");
      reject(new Error(`k8ts up was not ready after ${opts.readyTimeoutMs ?? 60_000} ms:\n${out}`));
    }, opts.readyTimeoutMs ?? 60_000);
    const onData = () => {
      const m = /k8ts ready: kubeconfig=(\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolvePromise(m[1]);
      }
    };
    child.stdout!.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`k8ts up exited with ${code}:\n${out}`));
    });
  });
  const newHome = () => {
    const h = mkdtempSync(join(tmpdir(), "k8ts-home-"));
    homes.push(h);
    return h;
  };
  const defaultHome = newHome();
  return {
    dataDir,
    kubeconfig,
    port,
    pid: child.pid!,
    url: `https://127.0.0.1:${port}`,
    newHome,
    output: () => out,
    kubectl: (args, o = {}) =>
      run("kubectl", args, {
        input: o.input,
        timeoutMs: o.timeoutMs,
        env: { KUBECONFIG: kubeconfig, HOME: o.home ?? defaultHome, ...o.env },
      }),
    stop: async () => {
      const t0 = performance.now();
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once("exit", r));
        child.kill("SIGTERM");
        const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(killer);
      }
      for (const h of homes) rmSync(h, { recursive: true, force: true });
      rmSync(dataDir, { recursive: true, force: true });
      return { code: child.exitCode, signal: child.signalCode, ms: performance.now() - t0 };
    },
  };
}
