// upstream's ControllerExpectations (pkg/controller/controller_utils.go): a
// controller that created or deleted N objects waits until its informer has
// seen those N events before it acts on the same owner again, so a watch
// that lags behind never makes it create (or delete) twice. Expectations
// expire after 5 minutes, in case an event is never seen.
import { type Clock, realClock } from "../../client/clock.ts";

export const EXPECTATIONS_TIMEOUT_MS = 5 * 60_000;

interface Expectation {
  add: number;
  del: number;
  timestamp: number;
}

export class ControllerExpectations {
  private readonly store = new Map<string, Expectation>();

  constructor(
    private readonly clock: Clock = realClock,
    private readonly timeoutMs = EXPECTATIONS_TIMEOUT_MS,
  ) {}

  /** True when the controller may sync key: nothing pending, nothing recorded, or the record expired. */
  satisfiedExpectations(key: string): boolean {
    const e = this.store.get(key);
    if (!e) return true;
    if (e.add <= 0 && e.del <= 0) return true;
    return this.clock.now() - e.timestamp > this.timeoutMs;
  }

  setExpectations(key: string, add: number, del: number): void {
    this.store.set(key, { add, del, timestamp: this.clock.now() });
  }

  expectCreations(key: string, adds: number): void {
    this.setExpectations(key, adds, 0);
  }

  expectDeletions(key: string, dels: number): void {
    this.setExpectations(key, 0, dels);
  }

  /** Lowers the counts: an object was created or deleted but no event will say so (e.g. the call failed). */
  lowerExpectations(key: string, add: number, del: number): void {
    const e = this.store.get(key);
    if (!e) return;
    e.add -= add;
    e.del -= del;
  }

  raiseExpectations(key: string, add: number, del: number): void {
    const e = this.store.get(key);
    if (!e) return;
    e.add += add;
    e.del += del;
  }

  creationObserved(key: string): void {
    this.lowerExpectations(key, 1, 0);
  }

  deletionObserved(key: string): void {
    this.lowerExpectations(key, 0, 1);
  }

  deleteExpectations(key: string): void {
    this.store.delete(key);
  }

  /** The pending counts, for tests and debugging. */
  get(key: string): { add: number; del: number } | undefined {
    const e = this.store.get(key);
    return e && { add: e.add, del: e.del };
  }
}

/**
 * upstream's UIDTrackingControllerExpectations: deletions tracked by pod uid,
 * so that a pod seen deleted twice (update with deletionTimestamp, then the
 * delete) lowers the count only once.
 */
export class UIDTrackingExpectations extends ControllerExpectations {
  private readonly uids = new Map<string, Set<string>>();

  expectDeletionsOf(key: string, uids: string[]): void {
    this.uids.set(key, new Set(uids));
    this.expectDeletions(key, uids.length);
  }

  /** The uids still expected to go. */
  getUIDs(key: string): ReadonlySet<string> | undefined {
    return this.uids.get(key);
  }

  deletionObservedUID(key: string, uid: string): void {
    const set = this.uids.get(key);
    if (!set?.has(uid)) return;
    set.delete(uid);
    this.deletionObserved(key);
  }

  override deleteExpectations(key: string): void {
    super.deleteExpectations(key);
    this.uids.delete(key);
  }
}
