// client-go's tools/cache/reflector.go: keeps a store in sync with the
// server by listing, then watching from the list's resourceVersion. A watch
// the server ends is resumed from the last resourceVersion seen (bookmarks
// keep it fresh); 410 Expired means that version is compacted, so it relists;
// other errors back off. Its loop state is an explicit union.
import { ApiError, isResourceExpired } from "./api-error.ts";
import { type Clock, realClock, sleep } from "./clock.ts";
import type {
  KubeObject,
  ListOptions,
  ObjectList,
  ResourceRef,
  RestClient,
  WatchEvent,
  WatchOptions,
} from "./rest-client.ts";

export interface ListerWatcher<T> {
  list(opts: ListOptions): Promise<ObjectList<T>>;
  watch(opts: WatchOptions): AsyncIterable<WatchEvent<T>>;
}

/** A ListerWatcher for one resource, optionally one namespace and selectors. */
export function listerWatcher<T>(
  client: RestClient,
  res: ResourceRef,
  scope: { namespace?: string; labelSelector?: string; fieldSelector?: string } = {},
): ListerWatcher<T> {
  return {
    list: (opts) => client.list<T>(res, { ...scope, ...opts }),
    watch: (opts) => client.watch<T>(res, { ...scope, ...opts }),
  };
}

/** Where the reflector writes; the shared informer implements it. */
export interface ReflectorStore<T> {
  /** The full result of a (re)list, to swap in at once. */
  replace(items: T[], resourceVersion: string): void;
  add(obj: T): void;
  update(obj: T): void;
  delete(obj: T): void;
  /** Every resync period: handlers see every object again. */
  resync?(): void;
}

export type ReflectorState =
  | { phase: "listing" }
  | { phase: "watching"; resourceVersion: string }
  | { phase: "backoff"; until: number; error: Error; resume: string | undefined }
  | { phase: "stopped" };

export interface ReflectorOptions<T> {
  name?: string;
  listerWatcher: ListerWatcher<T>;
  store: ReflectorStore<T>;
  clock?: Clock;
  random?: () => number;
  /** Server-side end of each watch; upstream picks 5–10 minutes at random. */
  watchTimeoutSeconds?: number;
  /** 0 disables resync. */
  resyncPeriodMs?: number;
  /** Page size of lists (0: one page). */
  pageSize?: number;
  /** Backoff after errors: upstream's 800 ms doubling to 30 s, with jitter. */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  onStateChange?(state: ReflectorState): void;
}

const MIN_WATCH_TIMEOUT_S = 300;

export class Reflector<T extends KubeObject> {
  private current: ReflectorState = { phase: "stopped" };
  private lastSyncRv = "";
  private readonly clock: Clock;
  private readonly random: () => number;

  constructor(private readonly opts: ReflectorOptions<T>) {
    this.clock = opts.clock ?? realClock;
    this.random = opts.random ?? Math.random;
  }

  get state(): ReflectorState {
    return this.current;
  }

  /** The resourceVersion the store reflects. */
  lastSyncResourceVersion(): string {
    return this.lastSyncRv;
  }

  private setState(s: ReflectorState): void {
    this.current = s;
    this.opts.onStateChange?.(s);
  }

  /** Runs until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    const stopResync = this.startResync(signal);
    let resume: string | undefined;
    let failures = 0;
    try {
      while (!signal.aborted) {
        try {
          if (resume === undefined) {
            this.setState({ phase: "listing" });
            resume = await this.list(signal);
            failures = 0;
          }
          this.setState({ phase: "watching", resourceVersion: resume });
          const started = this.clock.now();
          const { rv, events } = await this.watch(resume, signal, (rv) => {
            resume = rv;
          });
          resume = rv;
          if (events > 0) failures = 0;
          // A watch closed at once with nothing in it is treated as an error, so we do not spin.
          if (events === 0 && this.clock.now() - started < 1000 && !signal.aborted)
            throw new Error("very short watch");
        } catch (e) {
          if (signal.aborted) break;
          if (isResourceExpired(e)) {
            // The version we hold is compacted: only a fresh list can bring us back.
            resume = undefined;
            continue;
          }
          const initial = this.opts.initialBackoffMs ?? 800;
          const delay =
            Math.min(this.opts.maxBackoffMs ?? 30_000, initial * 2 ** failures) * (1 + this.random());
          failures++;
          this.setState({
            phase: "backoff",
            until: this.clock.now() + delay,
            error: e instanceof Error ? e : new Error(String(e)),
            resume,
          });
          await sleep(this.clock, delay, signal);
        }
      }
    } finally {
      stopResync();
      this.setState({ phase: "stopped" });
    }
  }

  private async list(signal: AbortSignal): Promise<string> {
    const items: T[] = [];
    let cont: string | undefined;
    let rv = "";
    do {
      const page = await this.opts.listerWatcher.list({
        limit: this.opts.pageSize ?? 500,
        continue: cont,
        signal,
      });
      items.push(...page.items);
      if (!cont) rv = page.metadata.resourceVersion ?? "";
      cont = page.metadata.continue || undefined;
    } while (cont);
    this.opts.store.replace(items, rv);
    this.lastSyncRv = rv;
    return rv;
  }

  private async watch(
    from: string,
    signal: AbortSignal,
    progress: (rv: string) => void,
  ): Promise<{ rv: string; events: number }> {
    let rv = from;
    let events = 0;
    const timeoutSeconds =
      this.opts.watchTimeoutSeconds ?? Math.floor(MIN_WATCH_TIMEOUT_S * (1 + this.random()));
    const stream = this.opts.listerWatcher.watch({
      resourceVersion: from,
      timeoutSeconds,
      allowWatchBookmarks: true,
      signal,
    });
    for await (const ev of stream) {
      events++;
      switch (ev.type) {
        case "ADDED":
          this.opts.store.add(ev.object);
          break;
        case "MODIFIED":
          this.opts.store.update(ev.object);
          break;
        case "DELETED":
          this.opts.store.delete(ev.object);
          break;
        case "BOOKMARK":
          break;
        case "ERROR":
          throw new ApiError(ev.object);
        default: {
          const never: never = ev;
          throw new Error(`unknown watch event ${(never as { type: string }).type}`);
        }
      }
      rv = ev.object.metadata?.resourceVersion ?? rv;
      this.lastSyncRv = rv;
      // So an error mid-stream resumes from here, not from where the watch began.
      progress(rv);
    }
    return { rv, events };
  }

  private startResync(signal: AbortSignal): () => void {
    const period = this.opts.resyncPeriodMs ?? 0;
    if (period <= 0 || !this.opts.store.resync) return () => {};
    let cancel = () => {};
    const tick = () => {
      if (signal.aborted) return;
      if (this.current.phase === "watching") this.opts.store.resync?.();
      cancel = this.clock.after(period, tick);
    };
    cancel = this.clock.after(period, tick);
    return () => cancel();
  }
}
