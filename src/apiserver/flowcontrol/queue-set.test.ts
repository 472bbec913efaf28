import assert from "node:assert/strict";
import { test } from "node:test";
import { dealHand, flowHash, flowKey, QueueSet, Rejected, type Seat } from "./queue-set.ts";

const isSeat = (s: Seat | Promise<Seat>): s is Seat => !(s instanceof Promise);

test("requests run at once while seats are free, then wait, and a released seat goes to the first waiter", async () => {
  const qs = new QueueSet({ queues: 4, handSize: 2, queueLengthLimit: 10 }, 2, 10_000);
  const a = qs.enter("f\u0000a");
  const b = qs.enter("f\u0000a");
  assert.ok(isSeat(a) && isSeat(b));
  const c = qs.enter("f\u0000a");
  assert.ok(c instanceof Promise);
  assert.equal(qs.waiting, 1);
  assert.equal(qs.seatsInUse, 2);
  a.release();
  a.release(); // a second release gives nothing back twice
  const got = await c;
  assert.equal(qs.seatsInUse, 2);
  assert.equal(qs.waiting, 0);
  got.release();
  b.release();
  assert.equal(qs.seatsInUse, 0);
});

test("a busy flow does not starve another: freed seats alternate between their queues", async () => {
  // One queue per flow (handSize 1 of 64 queues, flows dealt to different queues).
  const qs = new QueueSet({ queues: 64, handSize: 1, queueLengthLimit: 100 }, 1, 10_000);
  const busy = flowKey("fs", "busy");
  const quiet = flowKey("fs", "quiet");
  assert.notDeepEqual(dealHand(flowHash(busy), 64, 1), dealHand(flowHash(quiet), 64, 1));
  const first = qs.enter(busy) as Seat;
  const order: string[] = [];
  const pending: Array<Promise<void>> = [];
  for (let i = 0; i < 5; i++)
    pending.push(
      (qs.enter(busy) as Promise<Seat>).then((s) => {
        order.push("busy");
        s.release();
      }),
    );
  pending.push(
    (qs.enter(quiet) as Promise<Seat>).then((s) => {
      order.push("quiet");
      s.release();
    }),
  );
  first.release();
  await Promise.all(pending);
  // The quiet flow's one request is served second, not after the busy flow's backlog.
  assert.deepEqual(order.slice(0, 2), ["busy", "quiet"]);
  assert.equal(order.length, 6);
});

test("a full queue answers queue-full; a level without queues answers concurrency-limit", () => {
  const qs = new QueueSet({ queues: 1, handSize: 1, queueLengthLimit: 1 }, 1, 10_000);
  qs.enter("x");
  const waiting = qs.enter("x") as Promise<Seat>;
  waiting.catch(() => {});
  assert.throws(
    () => qs.enter("x"),
    (e: unknown) => e instanceof Rejected && e.reason === "queue-full",
  );
  const reject = new QueueSet(undefined, 1, 10_000);
  reject.enter("x");
  assert.throws(
    () => reject.enter("x"),
    (e: unknown) => e instanceof Rejected && e.reason === "concurrency-limit",
  );
});

test("a request that waits longer than the wait limit is rejected with time-out; a cancelled one leaves its queue", async () => {
  const qs = new QueueSet({ queues: 2, handSize: 1, queueLengthLimit: 5 }, 1, 30);
  const seat = qs.enter("x") as Seat;
  let cancel: (() => void) | undefined;
  const cancelled = qs.enter("y", 1, (c) => (cancel = c)) as Promise<Seat>;
  const timedOut = qs.enter("x") as Promise<Seat>;
  cancel!();
  await assert.rejects(cancelled, (e: unknown) => e instanceof Rejected && e.reason === "cancelled");
  await assert.rejects(timedOut, (e: unknown) => e instanceof Rejected && e.reason === "time-out");
  assert.equal(qs.waiting, 0);
  seat.release();
  assert.equal(qs.seatsInUse, 0);
});

test("a higher limit dispatches waiting requests at once; fewer queues deal the waiting ones again", async () => {
  const qs = new QueueSet({ queues: 8, handSize: 2, queueLengthLimit: 5 }, 1, 10_000);
  const held = qs.enter("a") as Seat;
  const w1 = qs.enter("b") as Promise<Seat>;
  const w2 = qs.enter("c") as Promise<Seat>;
  qs.reconfigure({ queues: 2, handSize: 1, queueLengthLimit: 5 }, 1);
  assert.equal(qs.waiting, 2);
  qs.reconfigure({ queues: 2, handSize: 1, queueLengthLimit: 5 }, 3);
  const [s1, s2] = await Promise.all([w1, w2]);
  assert.equal(qs.seatsInUse, 3);
  for (const s of [held, s1, s2]) s.release();
});

test("shuffle sharding deals handSize distinct queues from the hash, as upstream's Dealer", () => {
  for (const key of ["a", "b", "system-nodes\u0000system:node:n1"]) {
    const hand = dealHand(flowHash(key), 64, 6);
    assert.equal(hand.length, 6);
    assert.equal(new Set(hand).size, 6);
    for (const c of hand) assert.ok(c >= 0 && c < 64);
  }
  // 5 = 1 + 4·1: remainders 1 (of 4 queues) and 1 (of the 3 left); the second card steps past the first.
  assert.deepEqual(dealHand(5n, 4, 2), [1, 2]);
});

test("seat demand stats report the high watermark of executing plus waiting seats", () => {
  const qs = new QueueSet({ queues: 4, handSize: 1, queueLengthLimit: 5 }, 1, 10_000);
  const s = qs.enter("a") as Seat;
  const w = qs.enter("a") as Promise<Seat>;
  w.catch(() => {});
  const stats = qs.demandStats();
  assert.equal(stats.max, 2);
  s.release();
});

test("a wide request waits until its seats are free, and nothing behind it goes ahead; one wider than the limit runs alone", async () => {
  const qs = new QueueSet({ queues: 1, handSize: 1, queueLengthLimit: 10 }, 4, 10_000);
  const a = qs.enter("x", 2) as Seat;
  const b = qs.enter("x", 1) as Seat;
  const wide = qs.enter("x", 3) as Promise<Seat>;
  const narrow = qs.enter("x", 1) as Promise<Seat>;
  let order = "";
  void wide.then(() => (order += "wide "));
  void narrow.then(() => (order += "narrow "));
  assert.equal(qs.seatsInUse, 3);
  b.release(); // 2 in use: the wide one (3) still does not fit, and the narrow one waits behind it
  await new Promise((r) => setImmediate(r));
  assert.equal(order, "");
  a.release();
  const w = await wide;
  const n = await narrow;
  assert.equal(order, "wide narrow ");
  assert.equal(qs.seatsInUse, 4);
  w.release();
  n.release();
  const huge = qs.enter("y", 9);
  assert.ok(!(huge instanceof Promise), "a request wider than the level runs when the level is idle");
  assert.equal(qs.seatsInUse, 9);
  (huge as Seat).release();
  assert.equal(qs.seatsInUse, 0);
});
