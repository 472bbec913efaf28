// The embedded store: etcd semantics over SQLite, kept as a log as k3s' kine
// does. Every write appends a row; the row id is the revision, and each row
// points at the previous row of its key. See README.md in this folder.
import Database from "better-sqlite3";
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
  type WatchTrigger,
  type WriteResult,
} from "./store.ts";
import { WatchQueue } from "./watch-queue.ts";
import { rootOf, triggeredDeliveries, WatcherIndex } from "./watcher-index.ts";

/** The schema this code reads and writes; PRAGMA user_version holds it. */
export const SCHEMA_VERSION = 1;

export interface SqliteStoreOptions {
  /** The database file, or ":memory:" for tests. */
  path: string;
  /** Undelivered events a watcher may hold before it is dropped (TooSlow). */
  watchBuffer?: number;
}

interface Row {
  id: number;
  name: string;
  deleted: number;
  create_revision: number;
  prev_revision: number;
  version: number;
  value: Buffer | null;
}

type WriteOp =
  | { kind: "create"; key: string; value: Uint8Array }
  | { kind: "update"; key: string; value: Uint8Array; expected: number }
  | { kind: "delete"; key: string; expected?: number };

interface QueuedWrite {
  op: WriteOp;
  resolve: (r: WriteResult) => void;
  reject: (e: Error) => void;
}

interface Watcher {
  prefix: string;
  trigger?: WatchTrigger;
  queue: WatchQueue;
  /** While history is replayed, live events wait here. */
  held?: WatchEvent[];
  /** The last revision delivered by the replay. */
  replayedTo: number;
}

interface HistoryRow extends Row {
  p_id: number | null;
  p_create_revision: number;
  p_version: number;
  p_value: Buffer | null;
}

const EMPTY = new Uint8Array(0);
const REPLAY_PAGE = 1000;

function toKv(r: Row): KeyValue {
  return {
    key: r.name,
    value: r.value ?? EMPTY,
    createRevision: r.create_revision,
    modRevision: r.id,
    version: r.version,
  };
}

function openDatabase(path: string): Database.Database {
  let db: Database.Database | undefined;
  try {
    db = new Database(path, { timeout: 100 });
    // Reading the header and schema detects a file that is not a database.
    const version = db.pragma("user_version", { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        "Corrupt",
        `data file ${path} has schema version ${version}, newer than this k8ts supports (${SCHEMA_VERSION}); run a newer k8ts, or move the file away to start an empty cluster`,
      );
    }
    db.pragma("journal_mode = WAL");
    // FULL makes every commit fsync the WAL: a write is acknowledged only when durable, as in etcd.
    db.pragma("synchronous = FULL");
    // One process owns the data file; a second apiserver on it fails at once instead of corrupting it.
    db.pragma("locking_mode = EXCLUSIVE");
    db.exec(`
      BEGIN IMMEDIATE;
      CREATE TABLE IF NOT EXISTS kine (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        name TEXT NOT NULL,
        deleted INTEGER NOT NULL,
        create_revision INTEGER NOT NULL,
        prev_revision INTEGER NOT NULL,
        version INTEGER NOT NULL,
        value BLOB
      );
      -- deleted is in the index so that counting never reads the table.
      CREATE INDEX IF NOT EXISTS kine_name_id ON kine (name, id, deleted);
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
      PRAGMA user_version = ${SCHEMA_VERSION};
      COMMIT;
    `);
    return db;
  } catch (e) {
    db?.close();
    if (e instanceof StoreError) throw e;
    const err = e as { code?: string; message?: string };
    if (err.code === "SQLITE_BUSY") {
      throw new StoreError(
        "Unavailable",
        `data file ${path} is in use by another process (another k8ts or apiserver on this data dir?); stop it, or use another --data-dir`,
      );
    }
    throw new StoreError(
      "Corrupt",
      `cannot open data file ${path}: ${err.message} (${err.code ?? "error"}); k8ts will not re-initialise it: restore a backup or move it away`,
    );
  }
}

export class SqliteStore implements Store {
  readonly backend = "sqlite";
  private readonly db: Database.Database;
  private readonly watchBuffer: number;
  private revision: number;
  private compactRevision: number;
  private queue: QueuedWrite[] = [];
  private flushScheduled = false;
  private watchers = new WatcherIndex<Watcher>();
  private closed = false;

  private readonly stmt: {
    latest: Database.Statement<[string], Row>;
    atRevision: Database.Statement<[string, number], Row>;
    insert: Database.Statement<[number, string, number, number, number, number, Uint8Array | null]>;
    range: Database.Statement<[string, string, number, number, number], Row>;
    count: Database.Statement<[string, string, number], { n: number }>;
    history: Database.Statement<[string, string, number, number, number], HistoryRow>;
    byId: Database.Statement<[number], Row>;
    setMeta: Database.Statement<[string, number]>;
  };

  constructor(opts: SqliteStoreOptions) {
    this.db = openDatabase(opts.path);
    this.watchBuffer = opts.watchBuffer ?? DEFAULT_WATCH_BUFFER;
    const cols = "id, name, deleted, create_revision, prev_revision, version, value";
    const db = this.db;
    this.stmt = {
      latest: db.prepare(`SELECT ${cols} FROM kine WHERE name = ? ORDER BY id DESC LIMIT 1`),
      atRevision: db.prepare(`SELECT ${cols} FROM kine WHERE name = ? AND id <= ? ORDER BY id DESC LIMIT 1`),
      insert: db.prepare(
        "INSERT INTO kine (id, name, deleted, create_revision, prev_revision, version, value) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      // The newest row of each key at or below the revision, skipping deleted keys. Walking the
      // (name, id) index in order and checking each row against its key's newest lets LIMIT stop early.
      range: db.prepare(`
        SELECT ${cols} FROM kine AS kv
        WHERE kv.name >= ? AND kv.name < ? AND kv.id <= ? AND kv.deleted = 0
          AND kv.id = (SELECT MAX(k2.id) FROM kine AS k2 WHERE k2.name = kv.name AND k2.id <= ?)
        ORDER BY kv.name LIMIT ?`),
      // SQLite takes the bare column `deleted` from the row that holds MAX(id).
      count: db.prepare(`
        SELECT COUNT(*) AS n FROM (
          SELECT MAX(id), deleted FROM kine WHERE name >= ? AND name < ? AND id <= ? GROUP BY name
        ) WHERE deleted = 0`),
      history: db.prepare(`
        SELECT kv.id, kv.name, kv.deleted, kv.create_revision, kv.prev_revision, kv.version, kv.value,
               p.id AS p_id, p.create_revision AS p_create_revision, p.version AS p_version, p.value AS p_value
        FROM kine AS kv LEFT JOIN kine AS p ON p.id = kv.prev_revision
        WHERE kv.name >= ? AND kv.name < ? AND kv.id > ? AND kv.id <= ? ORDER BY kv.id LIMIT ?`),
      byId: db.prepare(`SELECT ${cols} FROM kine WHERE id = ?`),
      setMeta: db.prepare(
        "INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ),
    };
    const seq = db.prepare("SELECT seq FROM sqlite_sequence WHERE name = 'kine'").get() as
      | { seq: number }
      | undefined;
    this.revision = seq?.seq ?? 0;
    const meta = db.prepare("SELECT value FROM meta WHERE key = 'compact_revision'").get() as
      | { value: number }
      | undefined;
    this.compactRevision = meta?.value ?? 0;
  }

  private checkOpen(): void {
    if (this.closed) throw new StoreError("Closed", "store is closed");
  }

  /** The revision to read at, checked against compaction and the present. */
  private readRevision(revision: number | undefined): number {
    this.checkOpen();
    if (!revision) return this.revision;
    if (revision < this.compactRevision) {
      throw new StoreError(
        "Compacted",
        `revision ${revision} has been compacted (oldest available: ${this.compactRevision})`,
        undefined,
        this.compactRevision,
      );
    }
    if (revision > this.revision) {
      throw new StoreError(
        "FutureRevision",
        `revision ${revision} is newer than the current revision ${this.revision}`,
      );
    }
    return revision;
  }

  async get(key: string, opts: { revision?: number } = {}): Promise<{ kv?: KeyValue; revision: number }> {
    validateKey(key);
    const rev = this.readRevision(opts.revision);
    const row = rev === this.revision ? this.stmt.latest.get(key) : this.stmt.atRevision.get(key, rev);
    return { kv: row && !row.deleted ? toKv(row) : undefined, revision: rev };
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    validateKey(prefix);
    const rev = this.readRevision(opts.revision);
    const start = opts.startKey && opts.startKey > prefix ? opts.startKey : prefix;
    const end = prefixEnd(prefix);
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = this.stmt.range.all(start, end, rev, rev, limit > 0 ? limit + 1 : -1);
    const more = limit > 0 && rows.length > limit;
    if (more) rows.length = limit;
    const count = !opts.withCount ? undefined : more ? this.stmt.count.get(start, end, rev)!.n : rows.length;
    return { kvs: rows.map(toKv), revision: rev, more, count };
  }

  async count(prefix: string): Promise<{ count: number; revision: number }> {
    validateKey(prefix);
    const rev = this.readRevision(undefined);
    return { count: this.stmt.count.get(prefix, prefixEnd(prefix), rev)!.n, revision: rev };
  }

  create(key: string, value: Uint8Array): Promise<WriteResult> {
    return this.enqueue(() => {
      validateKey(key);
      validateValue(key, value);
      return { kind: "create", key, value };
    });
  }

  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    return this.enqueue(() => {
      validateKey(key);
      validateValue(key, value);
      return { kind: "update", key, value, expected: expectedModRevision };
    });
  }

  delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    return this.enqueue(() => {
      validateKey(key);
      return { kind: "delete", key, expected: expectedModRevision };
    });
  }

  private enqueue(makeOp: () => WriteOp): Promise<WriteResult> {
    return new Promise((resolve, reject) => {
      try {
        this.checkOpen();
        this.queue.push({ op: makeOp(), resolve, reject });
      } catch (e) {
        reject(e);
        return;
      }
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  /**
   * Group commit: every write queued since the last flush goes into one
   * transaction with one fsync. Conditions are checked inside it, in queue
   * order, so later writes in a batch see earlier ones.
   */
  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    if (batch.length === 0) return;
    const outcomes: Array<{ ok: WriteResult; event: WatchEvent } | { err: StoreError }> = [];
    let next = this.revision + 1;
    try {
      this.db.transaction(() => {
        for (const w of batch) {
          const o = this.apply(w.op, next);
          if ("ok" in o) next++;
          outcomes.push(o);
        }
      })();
    } catch (e) {
      const err = new StoreError("Unavailable", `sqlite write failed: ${(e as Error).message}`);
      // The whole batch was rolled back, so the revision is unchanged.
      for (const w of batch) w.reject(err);
      return;
    }
    const events: WatchEvent[] = [];
    batch.forEach((w, i) => {
      const o = outcomes[i];
      if ("err" in o) {
        w.reject(o.err);
      } else {
        events.push(o.event);
        w.resolve(o.ok);
      }
    });
    if (events.length > 0) {
      this.revision = events[events.length - 1].kv.modRevision;
      this.dispatch(events);
    }
  }

  /** Applies one write as revision `rev`, or explains why its condition failed. */
  private apply(op: WriteOp, rev: number): { ok: WriteResult; event: WatchEvent } | { err: StoreError } {
    const latest = this.stmt.latest.get(op.key);
    const current = latest && !latest.deleted ? toKv(latest) : undefined;
    const insert = (deleted: number, createRevision: number, version: number, value: Uint8Array | null) =>
      this.stmt.insert.run(rev, op.key, deleted, createRevision, latest?.id ?? 0, version, value);
    switch (op.kind) {
      case "create": {
        if (current) return { err: new StoreError("KeyExists", `key ${op.key} already exists`, current) };
        insert(0, rev, 1, op.value);
        const kv: KeyValue = {
          key: op.key,
          value: op.value,
          createRevision: rev,
          modRevision: rev,
          version: 1,
        };
        return { ok: { revision: rev }, event: { type: "put", kv } };
      }
      case "update": {
        if (!current) return { err: new StoreError("NotFound", `key ${op.key} not found`) };
        if (current.modRevision !== op.expected) {
          return {
            err: new StoreError(
              "Conflict",
              `key ${op.key} has mod revision ${current.modRevision}, not ${op.expected}`,
              current,
            ),
          };
        }
        insert(0, current.createRevision, current.version + 1, op.value);
        const kv: KeyValue = {
          key: op.key,
          value: op.value,
          createRevision: current.createRevision,
          modRevision: rev,
          version: current.version + 1,
        };
        return { ok: { revision: rev }, event: { type: "put", kv, prevKv: current } };
      }
      case "delete": {
        if (!current) return { err: new StoreError("NotFound", `key ${op.key} not found`) };
        if (op.expected !== undefined && current.modRevision !== op.expected) {
          return {
            err: new StoreError(
              "Conflict",
              `key ${op.key} has mod revision ${current.modRevision}, not ${op.expected}`,
              current,
            ),
          };
        }
        insert(1, current.createRevision, 0, null);
        const kv: KeyValue = { key: op.key, value: EMPTY, createRevision: 0, modRevision: rev, version: 0 };
        return { ok: { revision: rev, prevKv: current }, event: { type: "delete", kv, prevKv: current } };
      }
    }
  }

  private dispatch(events: WatchEvent[]): void {
    const deliver = (w: Watcher, batch: WatchEvent[]) => {
      const mine = batch.every((e) => e.kv.key.startsWith(w.prefix))
        ? batch
        : batch.filter((e) => e.kv.key.startsWith(w.prefix));
      if (mine.length === 0) return;
      if (w.held) w.held.push(...mine);
      else w.queue.push(mine);
    };
    // A batch's events by resource, each group in revision order.
    const groups = new Map<string, WatchEvent[]>();
    for (const e of events) {
      const root = rootOf(e.kv.key);
      if (root === undefined) continue;
      const group = groups.get(root);
      if (group) group.push(e);
      else groups.set(root, [e]);
    }
    for (const [root, group] of groups) {
      for (const w of this.watchers.under(root)) deliver(w, group);
      for (const index of this.watchers.triggersUnder(root)) {
        for (const [w, mine] of triggeredDeliveries(index, group)) deliver(w, mine);
      }
    }
    for (const w of this.watchers.broad) deliver(w, events);
  }

  watch(prefix: string, fromRevision: number, filter?: WatchFilter, trigger?: WatchTrigger): Watch {
    const watcher: Watcher = {
      prefix,
      // Without a filter the trigger's promise means nothing: such a watch wants every event.
      trigger: filter && trigger,
      queue: new WatchQueue(this.watchBuffer, () => this.watchers.delete(watcher), filter),
      replayedTo: fromRevision,
    };
    try {
      validateKey(prefix);
      this.checkOpen();
      if (fromRevision < this.compactRevision) {
        throw new StoreError(
          "Compacted",
          `cannot watch from revision ${fromRevision}: compacted up to ${this.compactRevision}; relist`,
          undefined,
          this.compactRevision,
        );
      }
    } catch (e) {
      watcher.queue.fail(e as Error);
      return watcher.queue;
    }
    this.watchers.add(watcher);
    if (fromRevision < this.revision) {
      watcher.held = [];
      const until = this.revision;
      setImmediate(() => this.replay(watcher, until));
    }
    return watcher.queue;
  }

  /** Delivers history after `replayedTo` up to `until` in pages, then the live events held meanwhile. */
  private replay(w: Watcher, until: number): void {
    if (w.queue.closed || this.closed) return;
    const end = prefixEnd(w.prefix);
    const rows = this.stmt.history.all(w.prefix, end, w.replayedTo, until, REPLAY_PAGE);
    const events: WatchEvent[] = rows.map((r) => {
      const prevKv: KeyValue | undefined =
        r.p_id && r.create_revision !== r.id
          ? {
              key: r.name,
              value: r.p_value ?? EMPTY,
              createRevision: r.p_create_revision,
              modRevision: r.p_id,
              version: r.p_version,
            }
          : undefined;
      if (r.deleted) {
        return {
          type: "delete",
          kv: { key: r.name, value: EMPTY, createRevision: 0, modRevision: r.id, version: 0 },
          prevKv: prevKv!,
        };
      }
      return { type: "put", kv: toKv(r), prevKv };
    });
    w.queue.push(events);
    if (rows.length === REPLAY_PAGE) {
      w.replayedTo = rows[rows.length - 1].id;
      setImmediate(() => this.replay(w, until));
      return;
    }
    w.replayedTo = until;
    const held = w.held ?? [];
    w.held = undefined;
    w.queue.push(held);
  }

  async compact(revision: number): Promise<void> {
    this.checkOpen();
    if (revision <= this.compactRevision) {
      throw new StoreError(
        "Compacted",
        `revision ${revision} is already compacted (compacted up to ${this.compactRevision})`,
        undefined,
        this.compactRevision,
      );
    }
    if (revision > this.revision) {
      throw new StoreError(
        "FutureRevision",
        `cannot compact to ${revision}: current revision is ${this.revision}`,
      );
    }
    this.db.transaction(() => {
      // Keep, for each key, its newest row at or below the revision unless that row is a deletion.
      this.db
        .prepare(`
        DELETE FROM kine WHERE id <= ? AND (
          deleted = 1 OR id < (SELECT MAX(k2.id) FROM kine AS k2 WHERE k2.name = kine.name AND k2.id <= ?)
        )`)
        .run(revision, revision);
      this.stmt.setMeta.run("compact_revision", revision);
    })();
    this.compactRevision = revision;
    for (const w of this.watchers) {
      if (w.held && w.replayedTo < revision) {
        w.queue.fail(
          new StoreError(
            "Compacted",
            `history was compacted to ${revision} while the watch replayed it; relist`,
            undefined,
            revision,
          ),
        );
      }
    }
  }

  async currentRevision(): Promise<number> {
    this.checkOpen();
    return this.revision;
  }

  /** SQLite's own integrity check: "ok" or the problems it found. */
  integrityCheck(): string {
    return (this.db.pragma("integrity_check") as Array<{ integrity_check: string }>)
      .map((r) => r.integrity_check)
      .join("; ");
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // Writes already queued are committed before the file is closed.
    this.flush();
    this.closed = true;
    for (const w of this.watchers) w.queue.cancel();
    this.db.close();
  }
}
