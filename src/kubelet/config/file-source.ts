// Static pods from a manifest path (upstream's pkg/kubelet/config/file.go and
// file_linux.go, v1.32). The path is a directory of manifests (one Pod each;
// names starting with "." are ignored, subdirectories are not entered) or a
// single manifest file. It is listed at start and then every period (upstream's
// fileCheckFrequency, 20 s) on one timer, and a file is re-read as soon as
// fs.watch reports it changed. Every pass ends in a SET of all the pods, as
// upstream's UndeltaStore sends; PodConfig turns that into what changed. A
// changed file gives a pod with a new uid, so the kubelet replaces the pod.
import { type FSWatcher, watch } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { basename, join } from "node:path";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { type Clock, realClock } from "../../client/clock.ts";
import type { PodUpdate } from "../types.ts";
import { decodeStaticPod, maxConfigLength } from "./static-pod.ts";

/** Upstream's default --file-check-frequency. */
export const FILE_CHECK_FREQUENCY_MS = 20_000;

export interface FileSourceOptions {
  /** The manifest directory (or one manifest file). */
  path: string;
  nodeName: string;
  onUpdate(update: PodUpdate): void;
  clock?: Clock;
  /** The rescan period; default 20 s. */
  periodMs?: number;
  /** Watch the path for changes between rescans (default true). */
  watch?: boolean;
  log?(msg: string, fields?: Record<string, unknown>): void;
}

export class FileSource {
  private readonly path: string;
  private readonly clock: Clock;
  private readonly periodMs: number;
  /** The current pods by namespace/name (upstream's UndeltaStore). */
  private readonly store = new Map<string, Pod>();
  /** Which pod each file gave (upstream's fileKeyMapping). */
  private readonly fileKeys = new Map<string, string>();
  private watcher?: FSWatcher;
  private cancelTimer?: () => void;
  private pendingList = false;
  private readonly pendingFiles = new Set<string>();
  private running?: Promise<void>;
  private stopped = true;
  /** The path was a single manifest at the last list. */
  private pathIsFile = false;

  constructor(private readonly opts: FileSourceOptions) {
    // A watch on "dir/" would report paths we do not expect.
    this.path = opts.path.length > 1 ? opts.path.replace(/\/+$/, "") : opts.path;
    this.clock = opts.clock ?? realClock;
    this.periodMs = opts.periodMs ?? FILE_CHECK_FREQUENCY_MS;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    // Read the path at once to speed up startup.
    this.requestList();
    this.startWatch();
    this.cancelTimer = this.clock.after(this.periodMs, () => this.tick());
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    this.pendingFiles.clear();
    this.pendingList = false;
    await this.idle();
  }

  /** Resolves once the work asked for so far (lists, file events) is done. */
  async idle(): Promise<void> {
    while (this.running) await this.running;
  }

  /** Asks for a full list of the path now (also what every period does). */
  requestList(): void {
    this.pendingList = true;
    this.kick();
  }

  private tick(): void {
    if (this.stopped) return;
    this.requestList();
    // A watch that failed (path missing, or removed) is retried on the same timer.
    if (!this.watcher) this.startWatch();
    this.cancelTimer = this.clock.after(this.periodMs, () => this.tick());
  }

  private startWatch(): void {
    if (this.opts.watch === false || this.stopped) return;
    try {
      const w = watch(this.path, { persistent: false }, (_event, filename) => {
        if (filename === null) this.requestList();
        else this.fileChanged(filename.toString());
      });
      w.on("error", (err) => {
        this.opts.log?.("Unable to watch config path", { path: this.path, err: String(err) });
        w.close();
        if (this.watcher === w) this.watcher = undefined;
      });
      this.watcher = w;
    } catch (err) {
      this.opts.log?.("Unable to watch config path", { path: this.path, err: String(err) });
    }
  }

  private fileChanged(filename: string): void {
    // A watch on a single manifest reports its own name; just re-read it.
    if (this.pathIsFile) {
      this.requestList();
      return;
    }
    if (basename(filename).startsWith(".")) return;
    this.pendingFiles.add(join(this.path, filename));
    this.kick();
  }

  private kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.drain().finally(() => {
      this.running = undefined;
      if (this.pendingList || this.pendingFiles.size > 0) this.kick();
    });
  }

  // One pass at a time, like upstream's single loop over ticks and watch events.
  private async drain(): Promise<void> {
    while (!this.stopped && (this.pendingList || this.pendingFiles.size > 0)) {
      try {
        if (this.pendingList) {
          this.pendingList = false;
          this.pendingFiles.clear();
          await this.listConfig();
        } else {
          const files = [...this.pendingFiles];
          this.pendingFiles.clear();
          for (const f of files) await this.consumeFileEvent(f);
          this.send();
        }
      } catch (err) {
        this.opts.log?.("Unable to read config path", { path: this.path, err: errorMessage(err) });
      }
    }
  }

  /** listConfig: the whole path, replacing what we had. */
  private async listConfig(): Promise<void> {
    let isDir: boolean;
    try {
      const st = await stat(this.path);
      if (!st.isDirectory() && !st.isFile()) throw new Error("path is not a directory or file");
      isDir = st.isDirectory();
      this.pathIsFile = !isDir;
    } catch (err) {
      if (!isNotExist(err)) throw err;
      // An empty SET still marks the source as seen.
      this.replaceStore([]);
      this.opts.log?.("Unable to read config path", {
        path: this.path,
        err: "path does not exist, ignoring",
      });
      return;
    }
    if (this.stopped) return;
    const pods = isDir ? await this.extractFromDir() : [await this.extractFromFile(this.path)];
    if (this.stopped) return;
    this.replaceStore(pods);
  }

  /** As many manifests as can be read; a bad file is logged and left out. */
  private async extractFromDir(): Promise<Array<{ file: string; pod: Pod }>> {
    const names = (await readdir(this.path)).filter((n) => !n.startsWith(".")).sort();
    const pods: Array<{ file: string; pod: Pod }> = [];
    for (const name of names) {
      const file = join(this.path, name);
      try {
        const st = await stat(file);
        if (st.isDirectory()) {
          this.opts.log?.("Provided manifest path is a directory, not recursing into manifest path", {
            path: file,
          });
        } else if (st.isFile()) {
          pods.push(await this.extractFromFile(file));
        } else {
          this.opts.log?.("Manifest path is not a directory or file", { path: file });
        }
      } catch (err) {
        if (!isNotExist(err)) {
          this.opts.log?.("Could not process manifest file", { path: file, err: errorMessage(err) });
        }
      }
    }
    return pods;
  }

  private async extractFromFile(file: string): Promise<{ file: string; pod: Pod }> {
    const st = await stat(file);
    if (st.size > maxConfigLength) throw new Error("the read limit is reached");
    const data = await readFile(file, "utf8");
    return { file, pod: decodeStaticPod(data, { source: file, nodeName: this.opts.nodeName }) };
  }

  /** consumeWatchEvent: a file added or changed is re-read; one gone takes its pod with it. */
  private async consumeFileEvent(file: string): Promise<void> {
    let exists = true;
    try {
      const st = await stat(file);
      if (!st.isFile()) return;
    } catch (err) {
      if (!isNotExist(err)) throw err;
      exists = false;
    }
    if (!exists) {
      this.forgetFile(file);
      return;
    }
    try {
      const { pod } = await this.extractFromFile(file);
      this.forgetFile(file);
      this.setPod(file, pod);
    } catch (err) {
      // Keep what the file gave before: it may be half written. The next list decides.
      if (isNotExist(err)) this.forgetFile(file);
      else this.opts.log?.(`can't process config file ${JSON.stringify(file)}`, { err: errorMessage(err) });
    }
  }

  private forgetFile(file: string): void {
    const key = this.fileKeys.get(file);
    if (key === undefined) return;
    this.fileKeys.delete(file);
    this.store.delete(key);
  }

  private setPod(file: string, pod: Pod): void {
    const key = `${pod.metadata?.namespace}/${pod.metadata?.name}`;
    this.store.set(key, pod);
    this.fileKeys.set(file, key);
  }

  private replaceStore(pods: Array<{ file: string; pod: Pod }>): void {
    this.store.clear();
    this.fileKeys.clear();
    for (const { file, pod } of pods) this.setPod(file, pod);
    this.send();
  }

  private send(): void {
    if (this.stopped) return;
    this.opts.onUpdate({ op: "SET", source: "file", pods: [...this.store.values()] });
  }
}

function isNotExist(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  return code === "ENOENT" || code === "ENOTDIR";
}

function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
