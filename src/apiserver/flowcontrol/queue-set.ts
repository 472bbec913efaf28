// One priority level's seats and queues (upstream's fairqueuing/queueset): a
// request takes one seat or more (a big LIST more) and runs at once while the
// level has them free and nobody waits; otherwise it waits in one of its flow's
// queues (shuffle sharding: a hand of handSize queues dealt from the flow's
// hash, the least loaded taken), and freed seats go to the queue with the
// least virtual start time (start-time fair queuing, each request advancing
// its queue by its seats), so that one busy flow cannot starve the others.

import { createHash } from "node:crypto";

export interface QueuingConfig {
  queues: number;
  handSize: number;
  queueLengthLimit: number;
}

/** Why a request was turned away: upstream's apiserver_flowcontrol_rejected_requests_total reasons. */
export type RejectReason = "queue-full" | "time-out" | "concurrency-limit" | "cancelled";

export class Rejected extends Error {
  constructor(readonly reason: RejectReason) {
    super(`request rejected: ${reason}`);
  }
}

interface Waiter {
  queue: Queue;
  seats: number;
  dispatch: () => void;
  reject: (r: Rejected) => void;
  timer?: NodeJS.Timeout;
  flowKey: string;
}

interface Queue {
  waiting: Waiter[];
  waitingSeats: number;
  /** Seats held by requests dispatched from this queue. */
  executing: number;
  /** Virtual time at which the queue's next request starts. */
  nextStart: number;
}

/** A request admitted to run: release() gives its seats back (once). */
export interface Seat {
  release(): void;
}

const HAND_CACHE_LIMIT = 10_000;

/** Seat demand (executing plus waiting) over a period: upstream's fairqueuing Integrator. */
export interface DemandStats {
  average: number;
  deviation: number;
  max: number;
  durationMs: number;
}

class Integrator {
  private value = 0;
  private start = performance.now();
  private last = this.start;
  private sum = 0;
  private sumSq = 0;
  private max = 0;

  set(v: number): void {
    const now = performance.now();
    const dt = now - this.last;
    this.sum += this.value * dt;
    this.sumSq += this.value * this.value * dt;
    this.last = now;
    this.value = v;
    if (v > this.max) this.max = v;
  }

  reset(): DemandStats {
    this.set(this.value);
    const durationMs = this.last - this.start;
    const average = durationMs > 0 ? this.sum / durationMs : this.value;
    const variance = durationMs > 0 ? this.sumSq / durationMs - average * average : 0;
    const out = { average, deviation: Math.sqrt(Math.max(0, variance)), max: this.max, durationMs };
    this.start = this.last;
    this.sum = 0;
    this.sumSq = 0;
    this.max = this.value;
    return out;
  }
}

export class QueueSet {
  private executing = 0;
  private waitingCount = 0;
  private waitingSeats = 0;
  private queues: Queue[] = [];
  private virtualTime = 0;
  private hands = new Map<string, number[]>();
  private readonly demand = new Integrator();

  /**
   * @param queuing undefined for a level whose limitResponse is Reject (no queues).
   * @param concurrencyLimit seats the level may use now.
   * @param waitLimitMs the longest a request waits in a queue before 429.
   */
  constructor(
    private queuing: QueuingConfig | undefined,
    private concurrencyLimit: number,
    private readonly waitLimitMs: number,
  ) {
    this.makeQueues();
  }

  get seatsInUse(): number {
    return this.executing;
  }

  get waiting(): number {
    return this.waitingCount;
  }

  get limit(): number {
    return this.concurrencyLimit;
  }

  /** Requests dispatched and turned away since the level began (upstream's queue set counters). */
  readonly totals = { dispatched: 0, rejected: 0, timedOut: 0, cancelled: 0 };

  /** Queues with requests waiting in them. */
  get activeQueues(): number {
    let n = 0;
    for (const q of this.queues) if (q.waiting.length > 0) n++;
    return n;
  }

  /** Seat demand since the last call (for borrowing between levels). */
  demandStats(): DemandStats {
    return this.demand.reset();
  }

  /** A new configuration or limit; queued requests are dealt again when the queues change. */
  reconfigure(queuing: QueuingConfig | undefined, concurrencyLimit: number): void {
    const same =
      queuing?.queues === this.queuing?.queues &&
      queuing?.handSize === this.queuing?.handSize &&
      queuing?.queueLengthLimit === this.queuing?.queueLengthLimit;
    this.concurrencyLimit = concurrencyLimit;
    if (!same) {
      const waiters = this.queues.flatMap((q) => q.waiting);
      this.queuing = queuing;
      this.hands.clear();
      this.makeQueues();
      this.waitingCount = 0;
      this.waitingSeats = 0;
      for (const w of waiters) {
        if (!this.queuing) {
          clearTimeout(w.timer);
          w.reject(this.rejected("concurrency-limit"));
          continue;
        }
        w.queue = this.chooseQueue(w.flowKey);
        this.push(w);
      }
      this.noteDemand();
    }
    this.dispatchWaiting();
  }

  /**
   * `seats` now, or a promise of them once the request's turn comes; throws or rejects with
   * Rejected when the level turns it away. `flowKey` names the flow (flow schema and distinguisher).
   */
  enter(flowKey: string, seats = 1, onCancel?: (cancel: () => void) => void): Seat | Promise<Seat> {
    if (this.waitingCount === 0 && this.fits(seats)) return this.seat(undefined, seats);
    if (!this.queuing) throw this.rejected("concurrency-limit");
    const q = this.chooseQueue(flowKey);
    if (q.waiting.length >= this.queuing.queueLengthLimit) throw this.rejected("queue-full");
    return new Promise<Seat>((resolve, reject) => {
      const w: Waiter = {
        queue: q,
        seats,
        flowKey,
        dispatch: () => resolve(this.seat(w.queue, seats)),
        reject,
      };
      w.timer = setTimeout(() => this.drop(w, "time-out"), this.waitLimitMs);
      this.push(w);
      onCancel?.(() => this.drop(w, "cancelled"));
    });
  }

  /** Upstream's canAccommodateSeats: within the limit, or alone (wider than the limit, it runs by itself). */
  private fits(seats: number): boolean {
    return this.executing + seats <= this.concurrencyLimit || this.executing === 0;
  }

  private rejected(reason: RejectReason): Rejected {
    if (reason === "time-out") this.totals.timedOut++;
    else if (reason === "cancelled") this.totals.cancelled++;
    else this.totals.rejected++;
    return new Rejected(reason);
  }

  private seat(q: Queue | undefined, seats: number): Seat {
    this.totals.dispatched++;
    this.executing += seats;
    if (q) q.executing += seats;
    this.noteDemand();
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        this.executing -= seats;
        if (q) q.executing -= seats;
        this.noteDemand();
        this.dispatchWaiting();
      },
    };
  }

  private noteDemand(): void {
    this.demand.set(this.executing + this.waitingSeats);
  }

  private push(w: Waiter): void {
    const q = w.queue;
    // A queue that was idle starts no earlier than now in virtual time.
    if (q.waiting.length === 0 && q.executing === 0) q.nextStart = Math.max(q.nextStart, this.virtualTime);
    q.waiting.push(w);
    q.waitingSeats += w.seats;
    this.waitingCount++;
    this.waitingSeats += w.seats;
    this.noteDemand();
  }

  /** Takes a waiter's count out of the totals (it has left its queue's list). */
  private unqueue(w: Waiter): void {
    w.queue.waitingSeats -= w.seats;
    this.waitingCount--;
    this.waitingSeats -= w.seats;
    clearTimeout(w.timer);
    this.noteDemand();
  }

  private drop(w: Waiter, reason: RejectReason): void {
    const i = w.queue.waiting.indexOf(w);
    if (i === -1) return;
    w.queue.waiting.splice(i, 1);
    this.unqueue(w);
    w.reject(this.rejected(reason));
  }

  /**
   * Hands free seats to waiting requests, the queue with the least virtual start first; while that
   * queue's next request does not fit, nothing behind it goes ahead (as upstream's dispatch).
   */
  private dispatchWaiting(): void {
    while (this.waitingCount > 0) {
      let best: Queue | undefined;
      for (const q of this.queues) {
        if (q.waiting.length > 0 && (!best || q.nextStart < best.nextStart)) best = q;
      }
      if (!best || !this.fits(best.waiting[0].seats)) return;
      const w = best.waiting.shift()!;
      this.unqueue(w);
      this.virtualTime = best.nextStart;
      best.nextStart += w.seats;
      // The seats are taken synchronously: seat() runs as dispatch resolves.
      w.dispatch();
    }
  }

  /** The least loaded queue (seats waiting plus executing) of the flow's hand. */
  private chooseQueue(flowKey: string): Queue {
    let hand = this.hands.get(flowKey);
    if (!hand) {
      hand = dealHand(flowHash(flowKey), this.queues.length, this.queuing!.handSize);
      if (this.hands.size >= HAND_CACHE_LIMIT) this.hands.clear();
      this.hands.set(flowKey, hand);
    }
    let best = this.queues[hand[0]];
    for (const i of hand) {
      const q = this.queues[i];
      if (q.waitingSeats + q.executing < best.waitingSeats + best.executing) best = q;
    }
    return best;
  }

  private makeQueues(): void {
    const n = this.queuing?.queues ?? 0;
    this.queues = Array.from({ length: n }, () => ({
      waiting: [],
      waitingSeats: 0,
      executing: 0,
      nextStart: 0,
    }));
  }
}

/** Upstream's hashFlowID: SHA-256 of the schema's name, a zero byte and the distinguisher; its first 8 bytes little-endian. */
export function flowHash(flowKey: string): bigint {
  return createHash("sha256").update(flowKey).digest().readBigUInt64LE(0);
}

/** A flow's identity within its priority level, as flowHash reads it. */
export const flowKey = (flowSchema: string, distinguisher: string): string =>
  `${flowSchema}\u0000${distinguisher}`;

/**
 * Upstream's shufflesharding.Dealer.Deal: handSize distinct queues of deckSize drawn from the
 * hash as a mixed-radix number, each remainder shifted past the cards already dealt.
 */
export function dealHand(hash: bigint, deckSize: number, handSize: number): number[] {
  const remainders: number[] = [];
  for (let i = 0; i < handSize; i++) {
    const radix = BigInt(deckSize - i);
    remainders.push(Number(hash % radix));
    hash /= radix;
  }
  const hand: number[] = [];
  for (let i = 0; i < handSize; i++) {
    let card = remainders[i];
    for (let j = i; j > 0; j--) if (card >= remainders[j - 1]) card++;
    hand.push(card);
  }
  return hand;
}
