// API Priority and Fairness (upstream's apf_controller and the
// WithPriorityAndFairness filter): every request that is not long-running is
// classified by the FlowSchemas into a priority level; an Exempt level runs it
// at once, a Limited level runs it on one of its seats, queues it fairly
// among its flows, or answers 429. The server's concurrency limit
// (--max-requests-inflight + --max-mutating-requests-inflight) is divided
// among the levels by their nominalConcurrencyShares, and every 10 s levels
// with demand borrow the seats that idle levels may lend.

import {
  FLOWCONTROL_GROUP as GROUP,
  mandatoryFlowSchemas,
  mandatoryPriorityLevels,
} from "../../api/flowcontrol/bootstrap.ts";
import { compareFlowSchemas } from "../../api/printers/flowschema.ts";
import type { Obj } from "../../api/registry.ts";
import { Histogram, Scalar } from "../../machinery/metrics.ts";
import { StatusError } from "../../machinery/status.ts";
import type { Store } from "../../storage/store.ts";
import { StoreMirror } from "../authorization/store-mirror.ts";
import { log } from "../log.ts";
import type { Registry } from "../registry/index.ts";
import { ensureBootstrapConfiguration } from "./ensure.ts";
import { flowDistinguisher, matchesFlowSchema, type RequestDigest } from "./match.ts";
import {
  flowKey,
  QueueSet,
  type QueuingConfig,
  Rejected,
  type RejectReason,
  type Seat,
} from "./queue-set.ts";

const BORROWING_PERIOD_MS = 10_000;
const SMOOTHING = 0.977;
const WAIT_BUCKETS = [0, 0.005, 0.02, 0.05, 0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30];
const ENSURE_PERIOD_MS = 60_000;
const OBJECTS_PER_SEAT = 100;
const MAX_SEATS = 10;

export interface FlowControlOptions {
  registry: Registry;
  store: Store;
  /** --max-requests-inflight + --max-mutating-requests-inflight. */
  serverConcurrencyLimit: number;
  /** How long a request may wait in a queue: upstream's request timeout / 4. */
  requestWaitLimitMs: number;
  /** Stored objects by resource, from which a LIST's seats are estimated; without it every request takes one seat. */
  objectCounts?: { get(group: string, resource: string): number | undefined };
}

interface PriorityLevel {
  pl: Obj;
  exempt: boolean;
  queues: QueueSet;
  nominalCL: number;
  minCL: number;
  maxCL: number;
  smoothed: number;
  /** The most seats one request takes here (upstream's MaxSeatsTracker, at most 10). */
  maxSeats: number;
}

/** Requests (and their seats) under one schema and level. */
interface Counts {
  executing: number;
  waiting: number;
  seats: number;
}

/** A FlowSchema in use, with its metric series bound once. */
interface Schema {
  fs: Obj;
  level: PriorityLevel;
  name: string;
  levelName: string;
  /** Kept across configuration changes: requests admitted before one still count down here. */
  counts: Counts;
  dispatched: (by?: number) => void;
  waitObserver: (seconds: number) => void;
}

/** What admit() decided: the headers to send, and the seat to give back when the request is done. */
export interface Admitted {
  flowSchemaUID: string;
  priorityLevelUID: string;
  seat: Seat | Promise<Seat>;
}

export class FlowControl {
  private levels = new Map<string, PriorityLevel>();
  private schemas: Schema[] = [];
  private readonly counts = new Map<string, Counts>();
  private readonly fsMirror: StoreMirror;
  private readonly plMirror: StoreMirror;
  private timers: NodeJS.Timeout[] = [];
  private statusSync?: Promise<void>;
  private statusSyncAgain = false;
  private stopped = false;
  private ensuring?: Promise<void>;

  private readonly dispatched = new Scalar(
    "apiserver_flowcontrol_dispatched_requests_total",
    "[BETA] Number of requests executed by API Priority and Fairness subsystem",
    "counter",
  );
  private readonly rejected = new Scalar(
    "apiserver_flowcontrol_rejected_requests_total",
    "[BETA] Number of requests rejected by API Priority and Fairness subsystem",
    "counter",
  );
  private readonly inqueue = new Scalar(
    "apiserver_flowcontrol_current_inqueue_requests",
    "[BETA] Number of requests currently pending in queues of the API Priority and Fairness subsystem",
    "gauge",
  );
  private readonly executingGauge = new Scalar(
    "apiserver_flowcontrol_current_executing_requests",
    "[BETA] Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem",
    "gauge",
  );
  private readonly executingSeats = new Scalar(
    "apiserver_flowcontrol_current_executing_seats",
    "[BETA] Concurrency (number of seats) occupied by the currently executing (initial stage for a WATCH, any stage otherwise) requests in the API Priority and Fairness subsystem",
    "gauge",
  );
  private readonly nominalLimit = new Scalar(
    "apiserver_flowcontrol_nominal_limit_seats",
    "[BETA] Nominal number of execution seats configured for each priority level",
    "gauge",
  );
  private readonly currentLimit = new Scalar(
    "apiserver_flowcontrol_current_limit_seats",
    "[ALPHA] current derived number of execution seats available to each priority level",
    "gauge",
  );
  private readonly waitDuration = new Histogram(
    "apiserver_flowcontrol_request_wait_duration_seconds",
    "[BETA] Length of time a request spent waiting in its queue",
    WAIT_BUCKETS,
  );

  constructor(private readonly opts: FlowControlOptions) {
    const mirror = (resource: string) => {
      const rs = opts.registry.byResource(GROUP, "v1", resource)!;
      return new StoreMirror({
        store: opts.store,
        prefix: `/registry/${rs.type.storageResource}/`,
        decode: (kv) => rs.decode(kv),
        onChange: () => this.digest(),
        onError: (e) => log.error("priority and fairness: watch failed", { resource, err: String(e) }),
      });
    };
    this.fsMirror = mirror("flowschemas");
    this.plMirror = mirror("prioritylevelconfigurations");
    this.digest();
  }

  async start(): Promise<void> {
    await ensureBootstrapConfiguration(this.opts.registry);
    // Each mirror's first list digests the configuration (onChange).
    await this.plMirror.start();
    await this.fsMirror.start();
    this.timers.push(setInterval(() => this.updateBorrowing(), BORROWING_PERIOD_MS));
    // Deleted or edited bootstrap objects come back (upstream reconciles them every minute).
    this.timers.push(
      setInterval(() => {
        this.ensuring ??= ensureBootstrapConfiguration(this.opts.registry)
          .catch((e) =>
            log.error("priority and fairness: could not ensure the bootstrap configuration", {
              err: String(e),
            }),
          )
          .finally(() => {
            this.ensuring = undefined;
          });
      }, ENSURE_PERIOD_MS),
    );
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearInterval(t);
    await this.fsMirror.stop();
    await this.plMirror.stop();
    // Status writes under way finish before the store closes.
    await this.statusSync;
    await this.ensuring;
  }

  /**
   * Classifies a request and takes its seats, now or once its turn comes; the seat's promise
   * rejects with Rejected when its level turns it away. `onCancel` registers how to withdraw a
   * queued request whose client went away.
   */
  admit(d: RequestDigest, onCancel?: (cancel: () => void) => void): Admitted {
    const s = this.classify(d);
    const level = s.level;
    const seats = this.seatsFor(d, level);
    const headers = {
      flowSchemaUID: s.fs.metadata?.uid ?? "",
      priorityLevelUID: level.pl.metadata?.uid ?? "",
    };
    const started = performance.now();
    const run = (seat: Seat, waitedMs: number): Seat => {
      s.counts.executing++;
      s.counts.seats += seats;
      s.dispatched();
      s.waitObserver(waitedMs / 1000);
      let released = false;
      return {
        release: () => {
          if (released) return;
          released = true;
          s.counts.executing--;
          s.counts.seats -= seats;
          seat.release();
        },
      };
    };
    let seat: Seat | Promise<Seat>;
    try {
      const key = level.exempt ? "" : flowKey(s.name, flowDistinguisher(s.fs, d));
      seat = level.queues.enter(key, seats, onCancel);
    } catch (e) {
      if (!(e instanceof Rejected)) throw e;
      this.noteRejected(s, e.reason);
      // Turned away at once; the caller still names the schema and level in its answer.
      return { ...headers, seat: Promise.reject(e) };
    }
    if (!(seat instanceof Promise)) return { ...headers, seat: run(seat, 0) };
    s.counts.waiting++;
    return {
      ...headers,
      seat: seat.then(
        (got) => {
          s.counts.waiting--;
          return run(got, performance.now() - started);
        },
        (e) => {
          s.counts.waiting--;
          if (e instanceof Rejected) this.noteRejected(s, e.reason);
          throw e;
        },
      ),
    };
  }

  /**
   * Upstream's listWorkEstimator: a LIST takes a seat for each hundred objects it will go
   * through (k8ts lists from the store: twice the objects it returns, or every stored one and
   * those it returns when a selector filters), from one to the level's maximum.
   */
  private seatsFor(d: RequestDigest, level: PriorityLevel): number {
    if (d.info.verb !== "list" || !this.opts.objectCounts) return 1;
    const stored = this.opts.objectCounts.get(d.info.apiGroup, d.info.resource);
    if (stored === undefined) return 1;
    const asked = Number(d.query?.get("limit") ?? 0);
    const limit = asked > 0 && asked < stored ? asked : stored;
    const selective = Boolean(d.query?.get("labelSelector") || d.query?.get("fieldSelector"));
    const objects = selective ? stored + limit : 2 * limit;
    return Math.min(level.maxSeats, Math.max(1, Math.ceil(objects / OBJECTS_PER_SEAT)));
  }

  /**
   * Upstream's /debug/api_priority_and_fairness/dump_priority_levels: a row per level, by name,
   * its cells separated by "," and aligned as Go's tabwriter aligns them.
   */
  dumpPriorityLevels(): string {
    const rows = [
      [
        "PriorityLevelName",
        "ActiveQueues",
        "IsIdle",
        "IsQuiescing",
        "WaitingRequests",
        "ExecutingRequests",
        "DispatchedRequests",
        "RejectedRequests",
        "TimedoutRequests",
        "CancelledRequests",
      ],
    ];
    for (const name of [...this.levels.keys()].sort()) {
      const q = this.levels.get(name)!.queues;
      const t = q.totals;
      rows.push([
        name,
        String(q.activeQueues),
        String(q.seatsInUse === 0 && q.waiting === 0),
        "false",
        String(q.waiting),
        String(executingRequests(this.schemas, name)),
        String(t.dispatched),
        String(t.rejected),
        String(t.timedOut),
        String(t.cancelled),
      ]);
    }
    return tabwriter(rows);
  }

  /** The metrics of this subsystem, in the text exposition format (each line ended). */
  renderMetrics(): string {
    for (const s of this.schemas) {
      const labels = { flow_schema: s.name, priority_level: s.levelName };
      this.inqueue.set(labels, s.counts.waiting);
      this.executingGauge.set(labels, s.counts.executing);
      this.executingSeats.set(labels, s.counts.seats);
    }
    for (const [name, l] of this.levels) {
      this.nominalLimit.set({ priority_level: name }, l.nominalCL);
      this.currentLimit.set({ priority_level: name }, l.queues.limit);
    }
    return [
      this.dispatched,
      this.rejected,
      this.inqueue,
      this.executingGauge,
      this.executingSeats,
      this.nominalLimit,
      this.currentLimit,
      this.waitDuration,
    ]
      .map((m) => `${m.render()}\n`)
      .join("");
  }

  private noteRejected(s: Schema, reason: RejectReason): void {
    this.rejected.inc({ flow_schema: s.name, priority_level: s.levelName, reason });
  }

  /** The first matching schema whose level exists; the catch-all when none matches (as upstream). */
  private classify(d: RequestDigest): Schema {
    let catchAll: Schema | undefined;
    for (const s of this.schemas) {
      if (matchesFlowSchema(s.fs, d)) return s;
      if (s.name === "catch-all") catchAll = s;
    }
    return catchAll ?? this.schemas[this.schemas.length - 1];
  }

  /** Rebuilds levels and schemas from the mirrored objects (upstream's digestConfigObjects). */
  private digest(): void {
    const pls = new Map<string, Obj>();
    for (const pl of this.plMirror.all()) pls.set(pl.metadata.name, pl);
    // The mandatory levels and schemas exist even while their objects do not.
    for (const pl of mandatoryPriorityLevels()) if (!pls.has(pl.metadata.name)) pls.set(pl.metadata.name, pl);
    const shareSum = [...pls.values()].reduce((n, pl) => n + shares(pl).nominal, 0);
    const serverCL = this.opts.serverConcurrencyLimit;
    const levels = new Map<string, PriorityLevel>();
    for (const [name, pl] of pls) {
      const { nominal, lendable, borrowing } = shares(pl);
      const nominalCL = shareSum > 0 ? Math.ceil((serverCL * nominal) / shareSum) : 0;
      const lendableCL = Math.round((nominalCL * lendable) / 100);
      const borrowingCL = borrowing === undefined ? serverCL : Math.round((nominalCL * borrowing) / 100);
      const exempt = pl.spec?.type === "Exempt";
      const queuing = queuingOf(pl);
      const limits = {
        nominalCL,
        minCL: nominalCL - lendableCL,
        maxCL: nominalCL + borrowingCL,
        // Upstream's MaxSeatsTracker: 15 % of the nominal seats, or a hand's share of them, at least 1.
        maxSeats: queuing
          ? Math.min(
              MAX_SEATS,
              Math.max(1, Math.min(Math.ceil(nominalCL * 0.15), Math.floor(nominalCL / queuing.handSize))),
            )
          : MAX_SEATS,
      };
      const old = this.levels.get(name);
      if (old && old.exempt === exempt) {
        old.queues.reconfigure(queuing, exempt ? Number.POSITIVE_INFINITY : old.queues.limit);
        levels.set(name, Object.assign(old, { pl }, limits));
        continue;
      }
      const initialCL = exempt ? Number.POSITIVE_INFINITY : nominalCL - Math.floor(lendableCL / 2);
      const queues = new QueueSet(queuing, initialCL, this.opts.requestWaitLimitMs);
      levels.set(name, { pl, exempt, queues, smoothed: 0, ...limits });
    }
    this.levels = levels;

    const fss = this.fsMirror.all().filter((fs) => levels.has(fs.spec?.priorityLevelConfiguration?.name));
    const names = new Set(fss.map((fs) => fs.metadata.name));
    for (const fs of mandatoryFlowSchemas()) if (!names.has(fs.metadata.name)) fss.push(fs);
    fss.sort(compareFlowSchemas);
    this.schemas = fss.map((fs) => {
      const levelName = fs.spec.priorityLevelConfiguration.name;
      const id = `${fs.metadata.name}\u0000${levelName}`;
      let counts = this.counts.get(id);
      if (!counts) {
        counts = { executing: 0, waiting: 0, seats: 0 };
        this.counts.set(id, counts);
      }
      const labels = { flow_schema: fs.metadata.name, priority_level: levelName };
      return {
        fs,
        level: levels.get(levelName)!,
        name: fs.metadata.name,
        levelName,
        counts,
        dispatched: this.dispatched.counter(labels),
        waitObserver: this.waitDuration.observer({ ...labels, execute: "true" }),
      };
    });
    // New nominal seats take effect now, not at the next period (as upstream's reconfiguration).
    this.updateBorrowing();
    this.requestStatusSync();
  }

  /**
   * Every 10 s each Limited level's seats are set between what it may not lend and what it may
   * borrow, in proportion to its smoothed seat demand (upstream's updateBorrowingLocked).
   */
  private updateBorrowing(): void {
    const items: Array<{ level: PriorityLevel; lower: number; upper: number; target: number }> = [];
    for (const level of this.levels.values()) {
      const stats = level.queues.demandStats();
      if (stats.durationMs > 0) {
        const envelope = stats.average + stats.deviation;
        level.smoothed = Math.max(envelope, SMOOTHING * level.smoothed + (1 - SMOOTHING) * envelope);
      }
      const lower = Math.max(level.minCL, Math.min(level.nominalCL, stats.max));
      items.push({ level, lower, upper: level.maxCL, target: Math.max(lower, level.smoothed) });
    }
    const required = [...this.levels.values()].reduce((n, l) => n + l.nominalCL, 0);
    const allocs = allocate(required, items);
    items.forEach((it, i) => {
      if (!it.level.exempt) it.level.queues.reconfigure(queuingOf(it.level.pl), Math.round(allocs[i]));
    });
  }

  /** One status sync at a time; changes meanwhile bring one more round after it. */
  private requestStatusSync(): void {
    if (this.statusSync) {
      this.statusSyncAgain = true;
      return;
    }
    this.statusSync = (async () => {
      do {
        this.statusSyncAgain = false;
        await this.syncDanglingConditions();
      } while (this.statusSyncAgain && !this.stopped);
    })().finally(() => {
      this.statusSync = undefined;
    });
  }

  /** Each FlowSchema's Dangling condition says whether its priority level exists. */
  private async syncDanglingConditions(): Promise<void> {
    const fsStore = this.opts.registry.byResource(GROUP, "v1", "flowschemas")!;
    const writes = this.fsMirror.all().map(async (fs) => {
      const plName = fs.spec?.priorityLevelConfiguration?.name;
      const want = this.levels.has(plName)
        ? {
            status: "False",
            reason: "Found",
            message: `This FlowSchema references the PriorityLevelConfiguration object named "${plName}" and it exists`,
          }
        : {
            status: "True",
            reason: "NotFound",
            message: `This FlowSchema references the PriorityLevelConfiguration object named "${plName}" but there is no such object`,
          };
      const have = (fs.status?.conditions ?? []).find((c: Obj) => c.type === "Dangling");
      if (have && have.status === want.status && have.reason === want.reason && have.message === want.message)
        return;
      const conditions = (fs.status?.conditions ?? []).filter((c: Obj) => c.type !== "Dangling");
      conditions.push({
        type: "Dangling",
        ...want,
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, "Z"),
      });
      try {
        await fsStore.update(
          undefined,
          fs.metadata.name,
          { ...fs, status: { ...fs.status, conditions } },
          {
            subresource: "status",
          },
        );
      } catch (e) {
        // A conflict or a deleted schema brings a new digest, which tries again.
        if (e instanceof StatusError && (e.code === 409 || e.code === 404)) return;
        log.error("priority and fairness: could not update FlowSchema status", {
          flowSchema: fs.metadata.name,
          err: String(e),
        });
      }
    });
    await Promise.all(writes);
  }
}

function executingRequests(schemas: Schema[], level: string): number {
  let n = 0;
  for (const s of schemas) if (s.levelName === level) n += s.counts.executing;
  return n;
}

/**
 * Rows as upstream's dumps write them through tabwriter.NewWriter(w, 8, 0, 1, ' ', 0): cells
 * joined by ",\t", each cell but a row's last padded to its column's widest plus one (at least 8).
 */
export function tabwriter(rows: string[][]): string {
  const widths: number[] = [];
  for (const r of rows)
    for (let i = 0; i < r.length - 1; i++) widths[i] = Math.max(widths[i] ?? 8, r[i].length + 2);
  return rows
    .map((r) => r.map((cell, i) => (i < r.length - 1 ? `${cell},`.padEnd(widths[i]) : cell)).join(""))
    .map((line) => `${line}\n`)
    .join("");
}

/** A level's shares, as stored (defaulted); an Exempt level without its exempt member has none. */
function shares(pl: Obj): { nominal: number; lendable: number; borrowing?: number } {
  const c = pl.spec?.type === "Exempt" ? pl.spec?.exempt : pl.spec?.limited;
  return {
    nominal: c?.nominalConcurrencyShares ?? 0,
    lendable: c?.lendablePercent ?? 0,
    borrowing: c?.borrowingLimitPercent ?? undefined,
  };
}

function queuingOf(pl: Obj): QueuingConfig | undefined {
  const q = pl.spec?.limited?.limitResponse?.queuing;
  if (pl.spec?.limited?.limitResponse?.type !== "Queue" || !q) return undefined;
  return { queues: q.queues, handSize: q.handSize, queueLengthLimit: q.queueLengthLimit };
}

/**
 * Upstream's computeConcurrencyAllocation: each item gets clamp(prop × target, lower, upper), with
 * prop chosen so that the allocations sum to `required` (or each bound, when that cannot be).
 */
export function allocate(
  required: number,
  items: Array<{ lower: number; upper: number; target: number }>,
): number[] {
  const at = (prop: number) => items.map((it) => Math.min(it.upper, Math.max(it.lower, prop * it.target)));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  if (sum(items.map((it) => it.lower)) >= required) return items.map((it) => it.lower);
  if (sum(items.map((it) => it.upper)) <= required) return items.map((it) => it.upper);
  let lo = 0;
  let hi = 1;
  while (sum(at(hi)) < required && hi < 1e12) hi *= 2;
  for (let i = 0; i < 60; i++) {
    const mid = (lo + hi) / 2;
    if (sum(at(mid)) < required) lo = mid;
    else hi = mid;
  }
  return at(hi);
}
