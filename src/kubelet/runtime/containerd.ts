// k8ts's own containerd (DESIGN.md "Containers"): its root, state, socket and
// CNI config live under the data dir, so it never touches a system containerd.
// The configuration is the one verified in CONTAINERD.md, including
// restrict_oom_score_adj (negative oom_score_adj is refused on these machines).
import { type ChildProcess, spawn } from "node:child_process";
import { accessSync, closeSync, constants, mkdirSync, openSync, readFileSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { cniConfDir } from "../network/cni-config.ts";
import { CriRuntime } from "./cri.ts";

export const PAUSE_IMAGE = "k8ts.local/pause:3.10";
export const CNI_BIN_DIR = "/usr/lib/cni";
/** The Debian packages the containerd runtime needs. */
export const CONTAINERD_PACKAGES = [
  "containerd",
  "runc",
  "containernetworking-plugins",
  "busybox-static",
  "iptables",
];
// sun_path is 108 bytes with its NUL.
const MAX_SOCKET_PATH = 107;

export interface ContainerdPaths {
  dir: string;
  config: string;
  root: string;
  state: string;
  socket: string;
  log: string;
  /** Per-registry hosts.toml files (containerd's config_path): mirrors, plain-HTTP registries, CAs. */
  certsDir: string;
}

export function containerdPaths(dataDir: string): ContainerdPaths {
  const dir = join(dataDir, "containerd");
  return {
    dir,
    config: join(dir, "config.toml"),
    root: join(dir, "root"),
    state: join(dir, "state"),
    socket: join(dir, "containerd.sock"),
    log: join(dir, "containerd.log"),
    certsDir: join(dir, "certs.d"),
  };
}

const toml = (s: string) => JSON.stringify(s); // TOML basic strings escape as JSON does for paths

/** containerd's config.toml for a data dir. */
export function containerdConfig(dataDir: string): string {
  const p = containerdPaths(dataDir);
  return `version = 2
root = ${toml(p.root)}
state = ${toml(p.state)}
[grpc]
  address = ${toml(p.socket)}
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = ${toml(PAUSE_IMAGE)}
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = ${toml(p.certsDir)}
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = ${toml(CNI_BIN_DIR)}
    conf_dir = ${toml(cniConfDir(dataDir))}
`;
}

/** Writes <dataDir>/containerd/config.toml (and the dirs containerd expects); returns the paths. */
export function writeContainerdConfig(dataDir: string): ContainerdPaths {
  const p = containerdPaths(dataDir);
  mkdirSync(p.dir, { recursive: true });
  mkdirSync(p.certsDir, { recursive: true });
  // containerd's CNI conf watcher needs the dir to exist when it starts.
  mkdirSync(cniConfDir(dataDir), { recursive: true });
  writeFileSync(p.config, containerdConfig(dataDir));
  return p;
}

/** The absolute path of `name` on PATH, or undefined. */
export function findExecutable(name: string, path = process.env.PATH ?? ""): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** Throws a clear error when containerd or runc is missing. */
export function checkContainerdInstalled(path = process.env.PATH ?? ""): void {
  const missing = ["containerd", "runc"].filter((b) => !findExecutable(b, path));
  if (missing.length > 0) {
    throw new Error(
      `${missing.join(" and ")} not found on PATH: the containerd runtime needs the Debian packages ` +
        `${CONTAINERD_PACKAGES.join(" ")} (apt-get install ${CONTAINERD_PACKAGES.join(" ")}), ` +
        "or run the kubelet with --runtime fake",
    );
  }
}

function logTail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no log)";
  }
}

export interface StartContainerdOptions {
  dataDir: string;
  log?: (msg: string, fields?: Record<string, unknown>) => void;
  /** How long to wait for the CRI socket to answer; default 30 s. */
  readyTimeoutMs?: number;
  /** Between SIGTERM and SIGKILL in stop(); default 10 s. */
  stopGracePeriodMs?: number;
}

export interface RunningContainerd {
  /** The CRI socket's path. */
  socket: string;
  pid: number;
  /** SIGTERM, then SIGKILL after the grace period; resolves once containerd has exited. */
  stop(): Promise<void>;
}

function waitExit(child: ChildProcess, ms: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const t = setTimeout(() => {
      child.off("exit", onExit);
      resolve(false);
    }, ms);
    const onExit = () => {
      clearTimeout(t);
      resolve(true);
    };
    child.once("exit", onExit);
  });
}

/** Writes the config, spawns containerd and waits until its CRI socket answers Version. */
export async function startContainerd(opts: StartContainerdOptions): Promise<RunningContainerd> {
  const log = opts.log ?? (() => {});
  checkContainerdInstalled();
  const p = containerdPaths(opts.dataDir);
  if (Buffer.byteLength(p.socket) > MAX_SOCKET_PATH) {
    throw new Error(
      `containerd socket path ${p.socket} is longer than a unix socket allows (${MAX_SOCKET_PATH} bytes); use a shorter data dir`,
    );
  }
  writeContainerdConfig(opts.dataDir);
  const logFd = openSync(p.log, "a");
  let child: ChildProcess;
  try {
    // Its own session (detached), so a terminal's Ctrl-C reaches only k8ts, which stops it in order.
    child = spawn("containerd", ["--config", p.config], {
      detached: true,
      stdio: ["ignore", logFd, logFd],
    });
  } finally {
    closeSync(logFd);
  }
  const pid = child.pid;
  if (pid === undefined) {
    const err = await new Promise<Error>((resolve) => child.once("error", resolve));
    throw new Error(`cannot start containerd: ${err.message}`);
  }
  log("containerd started", { pid, config: p.config, log: p.log });

  const gracePeriodMs = opts.stopGracePeriodMs ?? 10_000;
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill("SIGTERM");
    if (!(await waitExit(child, gracePeriodMs))) {
      log("containerd did not stop in time, killing it", { pid });
      child.kill("SIGKILL");
      await waitExit(child, 10_000);
    }
    log("containerd stopped", { pid });
  };

  const timeoutMs = opts.readyTimeoutMs ?? 30_000;
  const deadline = Date.now() + timeoutMs;
  let cri: CriRuntime | undefined;
  try {
    cri = new CriRuntime({ socket: p.socket, requestTimeoutMs: 1000 });
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(
          `containerd exited (${child.exitCode ?? child.signalCode}) before its CRI socket answered; last lines of ${p.log}:\n${logTail(p.log)}`,
        );
      }
      try {
        const v = await cri.version();
        log("containerd ready", {
          pid,
          runtimeVersion: v.runtimeVersion,
          runtimeApiVersion: v.runtimeApiVersion,
        });
        break;
      } catch (e) {
        if (Date.now() > deadline) {
          await stop();
          throw new Error(
            `containerd's CRI socket ${p.socket} did not answer within ${timeoutMs / 1000}s (${(e as Error).message}); last lines of ${p.log}:\n${logTail(p.log)}`,
          );
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (e) {
    // Whatever failed (even loading the CRI definition), containerd must not outlive the attempt.
    await stop();
    throw e;
  } finally {
    cri?.close();
  }
  return { socket: p.socket, pid, stop };
}
