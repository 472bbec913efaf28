// k8ts's own containerd (DESIGN.md "Containers"): its root, state, socket and
// CNI config live under the data dir, so it never touches a system containerd.
// The configuration is the one verified in CONTAINERD.md, including
// restrict_oom_score_adj (negative oom_score_adj is refused on these machines).
// It runs detached, with a pid file, so that it outlives the kubelet that
// started it; a kubelet started again finds it and reuses it.
import { type ChildProcess, spawn } from "node:child_process";
import {
  accessSync,
  closeSync,
  constants,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { delimiter, join } from "node:path";
import { BUSYBOX_PATH } from "../images/build.ts";
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
  // kube-proxy deletes stale UDP flows with it (src/proxy/conntrack).
  "conntrack",
] as const;
export type ContainerdPackage = (typeof CONTAINERD_PACKAGES)[number];

/** What shows a package is there: by file rather than dpkg, so that another containerd build (Docker's containerd.io) counts. */
const PACKAGE_PROBES: Record<ContainerdPackage, { executable: string } | { file: string }> = {
  containerd: { executable: "containerd" },
  runc: { executable: "runc" },
  "containernetworking-plugins": { file: join(CNI_BIN_DIR, "bridge") },
  "busybox-static": { file: BUSYBOX_PATH },
  iptables: { executable: "iptables" },
  conntrack: { executable: "conntrack" },
};

/** The packages of CONTAINERD_PACKAGES whose executable or file is missing. */
export function missingContainerdPackages(
  path = process.env.PATH ?? "",
  exists: (file: string) => boolean = existsSync,
): ContainerdPackage[] {
  return CONTAINERD_PACKAGES.filter((pkg) => {
    const probe = PACKAGE_PROBES[pkg];
    return "executable" in probe ? !findExecutable(probe.executable, path) : !exists(probe.file);
  });
}
// sun_path is 108 bytes with its NUL.
const MAX_SOCKET_PATH = 107;

export interface ContainerdPaths {
  dir: string;
  config: string;
  root: string;
  state: string;
  socket: string;
  log: string;
  /** The running containerd's pid, so that a restarted kubelet finds it again. */
  pidFile: string;
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
    pidFile: join(dir, "containerd.pid"),
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
  /** True when a containerd already served this data dir (a kubelet restart) and was adopted. */
  reused: boolean;
  /** SIGTERM, then SIGKILL after the grace period; resolves once containerd has exited. */
  stop(): Promise<void>;
  /** Lets containerd run on without this process, as a node's containerd service outlives its kubelet. */
  detach(): void;
}

/** Whether pid is a live process (a zombie, exited but not yet reaped, counts as gone). */
function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The state follows the command name, which is in parentheses and may hold spaces.
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Whether pid is `containerd --config <config>`. */
function isContainerdWithConfig(pid: number, config: string): boolean {
  try {
    const argv = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    return /(^|\/)containerd$/.test(argv[0] ?? "") && argv[1] === "--config" && argv[2] === config;
  } catch {
    return false;
  }
}

/** The containerd serving this data dir's config: from the pid file, else found in /proc (an older k8ts left no pid file). */
export function findContainerd(dataDir: string): number | undefined {
  const p = containerdPaths(dataDir);
  let pid = 0;
  try {
    pid = Number(readFileSync(p.pidFile, "utf8").trim());
  } catch {
    // none written
  }
  if (pid > 0 && processAlive(pid) && isContainerdWithConfig(pid, p.config)) return pid;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const candidate = Number(entry);
    if (isContainerdWithConfig(candidate, p.config) && processAlive(candidate)) return candidate;
  }
  return undefined;
}

async function waitGone(pid: number, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (processAlive(pid)) {
    if (Date.now() > end) return false;
    await new Promise((r) => setTimeout(r, 50));
  }
  return true;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}

/** SIGTERM, then SIGKILL after the grace period. Running containers survive: their shims are their own processes. */
async function stopPid(
  pid: number,
  gracePeriodMs: number,
  log: StartContainerdOptions["log"],
): Promise<void> {
  signal(pid, "SIGTERM");
  if (!(await waitGone(pid, gracePeriodMs))) {
    log?.("containerd did not stop in time, killing it", { pid });
    signal(pid, "SIGKILL");
    await waitGone(pid, 10_000);
  }
  log?.("containerd stopped", { pid });
}

/** Whether the CRI socket answers Version within ms. */
async function answers(socket: string, ms: number): Promise<boolean> {
  if (!existsSync(socket)) return false;
  const cri = new CriRuntime({ socket, requestTimeoutMs: ms });
  try {
    await cri.version();
    return true;
  } catch {
    return false;
  } finally {
    cri.close();
  }
}

/**
 * The data dir's containerd: the one already running from the same config
 * (a restarted kubelet adopts it with its pods), else a new one, started in
 * its own session so that neither a terminal's Ctrl-C nor the kubelet's end
 * takes it down. Waits until its CRI socket answers Version.
 */
export async function startContainerd(opts: StartContainerdOptions): Promise<RunningContainerd> {
  const log = opts.log ?? (() => {});
  checkContainerdInstalled();
  const p = containerdPaths(opts.dataDir);
  if (Buffer.byteLength(p.socket) > MAX_SOCKET_PATH) {
    throw new Error(
      `containerd socket path ${p.socket} is longer than a unix socket allows (${MAX_SOCKET_PATH} bytes); use a shorter data dir`,
    );
  }
  const gracePeriodMs = opts.stopGracePeriodMs ?? 10_000;
  const running = findContainerd(opts.dataDir);
  if (running !== undefined) {
    let sameConfig = false;
    try {
      sameConfig = readFileSync(p.config, "utf8") === containerdConfig(opts.dataDir);
    } catch {
      // no config: not ours to keep
    }
    if (sameConfig && (await answers(p.socket, 2_000))) {
      writeFileSync(p.pidFile, `${running}\n`);
      log("containerd already running, reusing it", { pid: running, config: p.config });
      return {
        socket: p.socket,
        pid: running,
        reused: true,
        stop: async () => {
          await stopPid(running, gracePeriodMs, log);
          rmSync(p.pidFile, { force: true });
        },
        detach: () => {},
      };
    }
    // Restarting containerd leaves the containers running; the new one finds them again.
    log(
      sameConfig ? "containerd does not answer, restarting it" : "containerd's config changed, restarting it",
      {
        pid: running,
      },
    );
    await stopPid(running, gracePeriodMs, log);
  }
  writeContainerdConfig(opts.dataDir);
  const logFd = openSync(p.log, "a");
  let child: ChildProcess;
  try {
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
  writeFileSync(p.pidFile, `${pid}\n`);
  log("containerd started", { pid, config: p.config, log: p.log });

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) {
      rmSync(p.pidFile, { force: true });
      return;
    }
    await stopPid(pid, gracePeriodMs, log);
    rmSync(p.pidFile, { force: true });
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
  return { socket: p.socket, pid, reused: false, stop, detach: () => child.unref() };
}
