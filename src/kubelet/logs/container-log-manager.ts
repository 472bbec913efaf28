// The container log manager: rotates the CRI log files of running containers
// (upstream's pkg/kubelet/logs/container_log_manager.go). Every monitoring
// period (10 s) each running container's log is checked; one past MaxSize
// (10 MiB) is renamed to <log>.<YYYYMMDD-hhmmss> and the runtime reopens the
// log (CRI ReopenContainerLog), so the container goes on writing a new file.
// Older rotated files are gzipped, except the newest one (a reader such as
// `kubectl logs -f` may still hold it), and at most MaxFiles (5) files are kept:
// the live log, the newest rotated one and MaxFiles-2 compressed ones.
//
// Upstream feeds a rate-limited work queue drained by containerLogMaxWorkers
// (default 1) goroutines; here one pass handles the containers in turn, which
// is what one worker does.
import { createReadStream, createWriteStream } from "node:fs";
import { readdir, rename, rm, stat } from "node:fs/promises";
import { basename, dirname, join } from "node:path";
import { pipeline } from "node:stream/promises";
import { createGzip } from "node:zlib";
import { type Clock, realClock } from "../../client/clock.ts";
import type { RuntimeService } from "../runtime/interface.ts";

/** Format of the rotated log's suffix (Go's "20060102-150405"). */
export const TIMESTAMP_FORMAT = "20060102-150405";
const COMPRESS_SUFFIX = ".gz";
const TMP_SUFFIX = ".tmp";

/** containerLogMaxSize's default, "10Mi". */
export const DEFAULT_MAX_SIZE = 10 * 1024 * 1024;
/** containerLogMaxFiles's default. */
export const DEFAULT_MAX_FILES = 5;
/** containerLogMonitorInterval's default. */
export const DEFAULT_MONITOR_INTERVAL_MS = 10_000;

/** LogRotatePolicy: applies to every container the kubelet runs. */
export interface LogRotatePolicy {
  /** Bytes a log may reach before it is rotated; negative turns rotation off. */
  maxSize: number;
  /** How many log files a container may have, the live one included. */
  maxFiles: number;
}

/** What the manager asks of the runtime. */
export type LogRuntime = Pick<RuntimeService, "listContainers" | "containerStatus" | "reopenContainerLog">;

export interface ContainerLogManagerOptions {
  runtime: LogRuntime;
  maxSize?: number;
  maxFiles?: number;
  monitorIntervalMs?: number;
  clock?: Clock;
  log?(msg: string, fields?: Record<string, unknown>): void;
}

/** The rotated name's suffix for a time (ms since the epoch), in local time as Go's time.Now().Format. */
export function rotationTimestamp(ms: number): string {
  const d = new Date(ms);
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${p(d.getFullYear(), 4)}${p(d.getMonth() + 1)}${p(d.getDate())}-${p(d.getHours())}${p(d.getMinutes())}${p(d.getSeconds())}`;
}

/** isInUse: temporary files are not; compressed ones are; a file with a compressed twin is not. */
function isInUse(l: string, logs: string[]): boolean {
  if (l.endsWith(TMP_SUFFIX)) return false;
  if (l.endsWith(COMPRESS_SUFFIX)) return true;
  return !logs.includes(l + COMPRESS_SUFFIX);
}

/** Splits rotated files into those in use and those a failed rotation left behind. */
export function filterUnusedLogs(logs: string[]): { inuse: string[]; unused: string[] } {
  const inuse: string[] = [];
  const unused: string[] = [];
  for (const l of logs) (isInUse(l, logs) ? inuse : unused).push(l);
  return { inuse, unused };
}

/** The files matching `<log>.*` (filepath.Glob of upstream). */
async function globRotated(log: string): Promise<string[]> {
  const dir = dirname(log);
  const prefix = `${basename(log)}.`;
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw e;
  }
  return names.filter((n) => n.startsWith(prefix)).map((n) => join(dir, n));
}

// Go's sort.Strings: byte order, not locale order.
function sortStrings(a: string[]): string[] {
  return a.sort((x, y) => (x < y ? -1 : x > y ? 1 : 0));
}

/** GetAllLogs: a container log's files in use, oldest first, ending with the live log. */
export async function getAllLogs(log: string): Promise<string[]> {
  const { inuse } = filterUnusedLogs(await globRotated(log));
  return [...sortStrings(inuse), log];
}

export class ContainerLogManager {
  readonly policy: LogRotatePolicy;
  private readonly runtime: LogRuntime;
  private readonly clock: Clock;
  private readonly intervalMs: number;
  private readonly log: (msg: string, fields?: Record<string, unknown>) => void;
  private cancelTimer?: () => void;
  private running?: Promise<void>;
  private stopped = false;

  constructor(opts: ContainerLogManagerOptions) {
    const maxFiles = opts.maxFiles ?? DEFAULT_MAX_FILES;
    if (maxFiles <= 1) throw new Error(`invalid MaxFiles ${maxFiles}, must be > 1`);
    this.policy = { maxSize: opts.maxSize ?? DEFAULT_MAX_SIZE, maxFiles };
    if (!opts.runtime.reopenContainerLog) throw new Error("the runtime cannot reopen container logs");
    this.runtime = opts.runtime;
    this.clock = opts.clock ?? realClock;
    this.intervalMs = opts.monitorIntervalMs ?? DEFAULT_MONITOR_INTERVAL_MS;
    this.log = opts.log ?? (() => {});
  }

  /** Starts the periodic rotation (wait.Forever: the first pass at once). No-op when rotation is off. */
  start(): void {
    if (this.policy.maxSize < 0 || this.cancelTimer) return;
    this.stopped = false;
    const tick = () => {
      this.running = this.rotateLogs()
        .catch((e) => this.log("Failed to rotate container logs", { err: (e as Error).message }))
        .finally(() => {
          this.running = undefined;
          if (!this.stopped) this.cancelTimer = this.clock.after(this.intervalMs, tick);
        });
    };
    this.cancelTimer = this.clock.after(0, tick);
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.running;
  }

  /** One pass: every running container's log is checked (non-running ones write nothing more). */
  async rotateLogs(): Promise<void> {
    const containers = await this.runtime.listContainers();
    for (const c of containers) {
      if (c.state !== "CONTAINER_RUNNING") continue;
      if (this.stopped) return;
      try {
        await this.processContainer(c.id);
      } catch (e) {
        this.log("Failed to rotate log for container", { containerID: c.id, err: (e as Error).message });
      }
    }
  }

  /** processContainer: reopens a missing log, rotates one at or past maxSize. */
  async processContainer(id: string): Promise<void> {
    const status = await this.runtime.containerStatus(id);
    const path = status.logPath;
    if (!path) return;
    let size: number;
    try {
      size = (await stat(path)).size;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
      // Someone removed the live log: have the runtime create it again.
      await this.reopen(id);
      size = (await stat(path)).size;
    }
    if (size < this.policy.maxSize) return;
    await this.rotateLog(id, path);
  }

  private async rotateLog(id: string, log: string): Promise<void> {
    let logs = await this.cleanupUnusedLogs(await globRotated(log));
    logs = await this.removeExcessLogs(logs);
    for (const l of logs) {
      if (!l.endsWith(COMPRESS_SUFFIX)) await compressLog(l);
    }
    await this.rotateLatestLog(id, log);
  }

  /** Removes temporary or already-compressed files a failed rotation left. */
  private async cleanupUnusedLogs(logs: string[]): Promise<string[]> {
    const { inuse, unused } = filterUnusedLogs(logs);
    for (const l of unused) await rm(l, { force: true });
    return inuse;
  }

  /**
   * Keeps MaxFiles-2 rotated files: the live log and the one about to be
   * rotated make up the rest. Oldest first, so a reader of newer files is not broken.
   */
  private async removeExcessLogs(logs: string[]): Promise<string[]> {
    sortStrings(logs);
    const maxRotated = Math.max(this.policy.maxFiles - 2, 0);
    const excess = Math.max(logs.length - maxRotated, 0);
    for (const l of logs.slice(0, excess)) await rm(l);
    return logs.slice(excess);
  }

  /** Renames the live log uncompressed (the container may still be writing it) and reopens. */
  private async rotateLatestLog(id: string, log: string): Promise<void> {
    const rotated = `${log}.${rotationTimestamp(this.clock.now())}`;
    await rename(log, rotated);
    try {
      await this.reopen(id);
    } catch (e) {
      // Put it back so that the next pass can try again.
      await rename(rotated, log).catch((re) =>
        this.log("Failed to rename rotated log", {
          rotatedLog: rotated,
          newLog: log,
          err: (re as Error).message,
        }),
      );
      throw new Error(`failed to reopen container log "${id}": ${(e as Error).message}`);
    }
  }

  private reopen(id: string): Promise<void> {
    return this.runtime.reopenContainerLog!(id);
  }

  /** Clean: removes every log file of a container, rotated ones included. */
  async clean(containerId: string): Promise<void> {
    const { logPath } = await this.runtime.containerStatus(containerId);
    if (!logPath) return;
    const dir = dirname(logPath);
    const base = basename(logPath);
    let names: string[] = [];
    try {
      names = await readdir(dir);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== "ENOENT") throw e;
    }
    for (const n of names) if (n.startsWith(base)) await rm(join(dir, n), { force: true });
  }
}

/** compressLog: <log> → <log>.gz, written to <log>.tmp first so a crash leaves no half archive. */
async function compressLog(log: string): Promise<void> {
  const { mode } = await stat(log);
  const tmp = log + TMP_SUFFIX;
  try {
    await pipeline(createReadStream(log), createGzip(), createWriteStream(tmp, { mode }));
    await rename(tmp, log + COMPRESS_SUFFIX);
  } finally {
    await rm(tmp, { force: true });
  }
  await rm(log);
}
