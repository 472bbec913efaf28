// Starts real etcd members (Debian's etcd-server) on loopback, each with its
// own temporary data dir, for tests and benchmarks.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./ports.ts";

export interface EtcdMember {
  name: string;
  clientUrl: string;
  /** host:port, as EtcdStore takes it. */
  endpoint: string;
  process: ChildProcess;
  kill(signal?: NodeJS.Signals): Promise<void>;
}

export interface EtcdCluster {
  members: EtcdMember[];
  endpoints: string[];
  stop(): Promise<void>;
}

const ETCD_BIN = process.env.ETCD_BIN ?? "etcd";

async function waitHealthy(
  url: string,
  proc: ChildProcess,
  log: () => string,
  timeoutMs = 30_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`etcd exited with code ${proc.exitCode}:\n${log()}`);
    try {
      const res = await fetch(`${url}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { health?: string };
      if (body.health === "true") return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`etcd at ${url} was not healthy after ${timeoutMs} ms:\n${log()}`);
}

/**
 * Starts an etcd cluster of `size` members (1 by default) and waits until it is healthy.
 * A port picked free can be taken by a parallel test before etcd binds it; then the
 * whole cluster starts again on new ports.
 */
export async function startEtcd(size = 1): Promise<EtcdCluster> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startEtcdOnce(size);
    } catch (e) {
      if (attempt >= 5 || !String((e as Error).message).includes("address already in use")) throw e;
    }
  }
}

async function startEtcdOnce(size: number): Promise<EtcdCluster> {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-etcd-"));
  const specs = [];
  for (let i = 0; i < size; i++) {
    specs.push({ name: `m${i}`, client: await freePort(), peer: await freePort() });
  }
  const token = `k8ts-${process.pid}-${specs[0].client}`;
  const initialCluster = specs.map((s) => `${s.name}=http://127.0.0.1:${s.peer}`).join(",");
  const members: EtcdMember[] = specs.map((s) => {
    const clientUrl = `http://127.0.0.1:${s.client}`;
    const proc = spawn(
      ETCD_BIN,
      [
        `--name=${s.name}`,
        `--data-dir=${join(dir, s.name)}`,
        `--listen-client-urls=${clientUrl}`,
        `--advertise-client-urls=${clientUrl}`,
        `--listen-peer-urls=http://127.0.0.1:${s.peer}`,
        `--initial-advertise-peer-urls=http://127.0.0.1:${s.peer}`,
        `--initial-cluster=${initialCluster}`,
        `--initial-cluster-token=${token}`,
        "--initial-cluster-state=new",
        // Room for a 1.5 MiB value plus its key and framing.
        "--max-request-bytes=2097152",
        "--quota-backend-bytes=8589934592",
        "--logger=zap",
        "--log-level=error",
      ],
      { stdio: ["ignore", "ignore", "pipe"] },
    );
    let stderr = "";
    proc.stderr!.on("data", (d) => {
      stderr = (stderr + d).slice(-4000);
    });
    (proc as ChildProcess & { log: () => string }).log = () => stderr;
    return {
      name: s.name,
      clientUrl,
      endpoint: `127.0.0.1:${s.client}`,
      process: proc,
      kill: (signal: NodeJS.Signals = "SIGKILL") =>
        new Promise<void>((resolve) => {
          if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
          proc.once("exit", () => resolve());
          proc.kill(signal);
        }),
    };
  });
  const stop = async () => {
    await Promise.all(members.map((m) => m.kill("SIGKILL")));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await Promise.all(
      members.map((m) =>
        waitHealthy(m.clientUrl, m.process, (m.process as ChildProcess & { log: () => string }).log),
      ),
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { members, endpoints: members.map((m) => m.endpoint), stop };
}
