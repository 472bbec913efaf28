// The etcd backend: the Store interface over a real etcd v3 cluster (gRPC),
// as kube-apiserver's etcd3 storage does it: writes are single-key
// transactions that compare mod_revision, watches ask for prev_kv.
import { Etcd3, type IKeyValue, type IResponseOp, type IWatchResponse } from "etcd3";
import {
  DEFAULT_WATCH_BUFFER,
  type KeyValue,
  prefixEnd,
  type RangeOptions,
  type RangeResult,
  type Store,
  StoreError,
  validateKey,
  validateValue,
  type Watch,
  type WatchEvent,
  type WatchFilter,
  type WriteResult,
} from "./store.ts";
import { WatchQueue } from "./watch-queue.ts";

export interface EtcdStoreOptions {
  /** host:port of each member; a client fails over between them. */
  endpoints: string[];
  watchBuffer?: number;
}

const EMPTY = new Uint8Array(0);
/** The largest message etcd sends us: a full page of 1.5 MiB values would exceed gRPC's default 4 MiB. */
const MAX_RECEIVE_BYTES = 512 * 1024 * 1024;

function toKv(kv: IKeyValue): KeyValue {
  return {
    key: kv.key.toString(),
    value: kv.value?.length ? kv.value : EMPTY,
    createRevision: Number(kv.create_revision),
    modRevision: Number(kv.mod_revision),
    version: Number(kv.version),
  };
}

/** Turns etcd's errors into StoreErrors with the same codes as the SQLite backend. */
function storeError(e: unknown, what: string): StoreError {
  if (e instanceof StoreError) return e;
  const msg = (e as Error)?.message ?? String(e);
  if (/required revision has been compacted/.test(msg)) {
    return new StoreError("Compacted", `${what}: the revision has been compacted; relist (${msg})`);
  }
  if (/future revision/.test(msg)) return new StoreError("FutureRevision", `${what}: ${msg}`);
  if (/too large/i.test(msg)) return new StoreError("ValueTooLarge", `${what}: ${msg}`);
  return new StoreError("Unavailable", `${what}: etcd request failed: ${msg}`);
}

export class EtcdStore implements Store {
  readonly backend = "etcd";
  private readonly client: Etcd3;
  private readonly watchBuffer: number;
  private readonly watches = new Set<WatchQueue>();

  constructor(opts: EtcdStoreOptions) {
    if (opts.endpoints.length === 0) throw new StoreError("Unavailable", "no etcd endpoints given");
    this.client = new Etcd3({
      hosts: opts.endpoints.map((e) => (e.includes("://") ? e : `http://${e}`)),
      grpcOptions: { "grpc.max_receive_message_length": MAX_RECEIVE_BYTES },
    });
    this.watchBuffer = opts.watchBuffer ?? DEFAULT_WATCH_BUFFER;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<{ kv?: KeyValue; revision: number }> {
    validateKey(key);
    try {
      const res = await this.client.kv.range({ key: Buffer.from(key), revision: revisionArg(opts.revision) });
      // etcd's header carries the current revision even for a read in the past.
      return {
        kv: res.kvs[0] ? toKv(res.kvs[0]) : undefined,
        revision: opts.revision || Number(res.header.revision),
      };
    } catch (e) {
      throw storeError(e, `get ${key} at revision ${opts.revision}`);
    }
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    validateKey(prefix);
    const start = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix;
    try {
      const res = await this.client.kv.range({
        key: Buffer.from(start),
        range_end: Buffer.from(prefixEnd(prefix)),
        limit: opts.limit && opts.limit > 0 ? String(opts.limit) : undefined,
        revision: revisionArg(opts.revision),
      });
      return {
        kvs: res.kvs.map(toKv),
        revision: opts.revision || Number(res.header.revision),
        more: res.more,
        count: Number(res.count),
      };
    } catch (e) {
      throw storeError(e, `range ${prefix} at revision ${opts.revision}`);
    }
  }

  async count(prefix: string): Promise<{ count: number; revision: number }> {
    validateKey(prefix);
    try {
      const res = await this.client.kv.range({
        key: Buffer.from(prefix),
        range_end: Buffer.from(prefixEnd(prefix)),
        count_only: true,
      });
      return { count: Number(res.count), revision: Number(res.header.revision) };
    } catch (e) {
      throw storeError(e, `count ${prefix}`);
    }
  }

  async create(key: string, value: Uint8Array): Promise<WriteResult> {
    validateKey(key);
    validateValue(key, value);
    const k = Buffer.from(key);
    const res = await this.txn(key, {
      compare: [{ key: k, target: "Create", result: "Equal", create_revision: "0" }],
      success: [
        { request_put: { key: k, value: Buffer.from(value.buffer, value.byteOffset, value.byteLength) } },
      ],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) {
      throw new StoreError("KeyExists", `key ${key} already exists`, currentOf(res.responses));
    }
    return { revision: res.revision };
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    validateKey(key);
    validateValue(key, value);
    const k = Buffer.from(key);
    const res = await this.txn(key, {
      compare: [{ key: k, target: "Mod", result: "Equal", mod_revision: String(expectedModRevision) }],
      success: [
        { request_put: { key: k, value: Buffer.from(value.buffer, value.byteOffset, value.byteLength) } },
      ],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw conditionFailed(key, expectedModRevision, currentOf(res.responses));
    return { revision: res.revision };
  }

  async delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    validateKey(key);
    const k = Buffer.from(key);
    const res = await this.txn(key, {
      compare:
        expectedModRevision === undefined
          ? [{ key: k, target: "Create", result: "Greater", create_revision: "0" }]
          : [{ key: k, target: "Mod", result: "Equal", mod_revision: String(expectedModRevision) }],
      success: [{ request_delete_range: { key: k, prev_kv: true } }],
      failure: [{ request_range: { key: k } }],
    });
    if (!res.succeeded) throw conditionFailed(key, expectedModRevision ?? 0, currentOf(res.responses));
    const prev = res.responses[0]?.response_delete_range?.prev_kvs[0];
    return { revision: res.revision, prevKv: prev ? toKv(prev) : undefined };
  }

  private async txn(
    key: string,
    req: Parameters<Etcd3["kv"]["txn"]>[0],
  ): Promise<{ succeeded: boolean; revision: number; responses: IResponseOp[] }> {
    try {
      const res = await this.client.kv.txn(req);
      return { succeeded: res.succeeded, revision: Number(res.header.revision), responses: res.responses };
    } catch (e) {
      throw storeError(e, `write ${key}`);
    }
  }

  /** Each watch is an etcd watch of its own: a trigger (see Store.watch) is left to the filter. */
  watch(prefix: string, fromRevision: number, filter?: WatchFilter): Watch {
    let stream: WatchStream | undefined;
    const queue: WatchQueue = new WatchQueue(
      this.watchBuffer,
      () => {
        this.watches.delete(queue);
        if (stream) discard(stream);
      },
      filter,
    );
    try {
      validateKey(prefix);
    } catch (e) {
      queue.fail(e as Error);
      return queue;
    }
    this.watches.add(queue);
    // The next revision this watch needs; a reconnect resumes from it, so nothing is lost or repeated.
    let next = fromRevision + 1;
    let backoffMs = 100;

    const connect = async (): Promise<void> => {
      if (queue.closed) return;
      try {
        stream = (await this.client.watchClient.watch()) as WatchStream;
      } catch (e) {
        retry(e);
        return;
      }
      if (queue.closed) {
        discard(stream);
        return;
      }
      const s = stream;
      s.on("data", (res: IWatchResponse) => {
        if (res.canceled) {
          const compacted = Number(res.compact_revision);
          queue.fail(
            compacted > 0
              ? new StoreError(
                  "Compacted",
                  `cannot watch from revision ${next - 1}: compacted up to ${compacted}; relist`,
                  undefined,
                  compacted,
                )
              : new StoreError(
                  "Unavailable",
                  `etcd cancelled the watch: ${res.cancel_reason || "no reason given"}`,
                ),
          );
          return;
        }
        if (res.events.length === 0) return;
        backoffMs = 100;
        const events: WatchEvent[] = res.events.map((ev) =>
          ev.type === "Delete"
            ? {
                type: "delete",
                kv: {
                  key: ev.kv.key.toString(),
                  value: EMPTY,
                  createRevision: 0,
                  modRevision: Number(ev.kv.mod_revision),
                  version: 0,
                },
                prevKv: toKv(ev.prev_kv!),
              }
            : { type: "put", kv: toKv(ev.kv), prevKv: ev.prev_kv ? toKv(ev.prev_kv) : undefined },
        );
        next = events[events.length - 1].kv.modRevision + 1;
        queue.push(events);
      });
      s.on("error", (e: Error) => retry(e));
      s.on("end", () => retry(new Error("watch stream ended")));
      s.write({
        create_request: {
          key: Buffer.from(prefix),
          range_end: Buffer.from(prefixEnd(prefix)),
          start_revision: String(next),
          prev_kv: true,
        },
      });
    };
    // A broken stream (a member died, a network blip) is re-opened on any member, from `next`.
    const retry = (_e: unknown) => {
      if (queue.closed) return;
      if (stream) discard(stream);
      stream = undefined;
      setTimeout(connect, backoffMs).unref();
      backoffMs = Math.min(backoffMs * 2, 2000);
    };
    void connect();
    return queue;
  }

  async compact(revision: number): Promise<void> {
    try {
      await this.client.kv.compact({ revision: String(revision) });
    } catch (e) {
      throw storeError(e, `compact to ${revision}`);
    }
  }

  async currentRevision(): Promise<number> {
    try {
      const res = await this.client.kv.range({ key: Buffer.from("/registry/"), count_only: true });
      return Number(res.header.revision);
    } catch (e) {
      throw storeError(e, "read the current revision");
    }
  }

  async close(): Promise<void> {
    for (const q of this.watches) q.cancel();
    this.client.close();
  }
}

type WatchStream = Awaited<ReturnType<Etcd3["watchClient"]["watch"]>> & import("node:events").EventEmitter;

/** Closes a watch stream whose errors no longer matter (the grpc stream is also an EventEmitter). */
function discard(stream: WatchStream): void {
  stream.removeAllListeners();
  stream.on("error", () => {});
  (stream as unknown as { cancel?: () => void }).cancel?.();
  stream.end();
}

function revisionArg(revision: number | undefined): string | undefined {
  return revision ? String(revision) : undefined;
}

function currentOf(responses: IResponseOp[]): KeyValue | undefined {
  const kv = responses[0]?.response_range?.kvs[0];
  return kv ? toKv(kv) : undefined;
}

function conditionFailed(key: string, expected: number, current: KeyValue | undefined): StoreError {
  if (!current) return new StoreError("NotFound", `key ${key} not found`);
  return new StoreError(
    "Conflict",
    `key ${key} has mod revision ${current.modRevision}, not ${expected}`,
    current,
  );
}
