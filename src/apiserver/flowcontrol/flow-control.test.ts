// The priority and fairness controller over a real store: the bootstrap
// objects, their upkeep, classification, seats by shares, and borrowing.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AUTO_UPDATE_ANNOTATION } from "../../api/flowcontrol/bootstrap.ts";
import type { Obj } from "../../api/registry.ts";
import { SqliteStore } from "../../storage/sqlite.ts";
import { Registry } from "../registry/index.ts";
import { requestInfo } from "../request-info.ts";
import { ensureBootstrapConfiguration } from "./ensure.ts";
import { allocate, FlowControl, tabwriter } from "./flow-control.ts";
import { Rejected, type Seat } from "./queue-set.ts";

const GROUP = "flowcontrol.apiserver.k8s.io";

function setup() {
  const store = new SqliteStore({ path: ":memory:" });
  const registry = new Registry(store);
  return {
    store,
    registry,
    fss: registry.byResource(GROUP, "v1", "flowschemas")!,
    pls: registry.byResource(GROUP, "v1", "prioritylevelconfigurations")!,
  };
}

const names = (list: Obj) => (list.items as Obj[]).map((o) => o.metadata.name).sort();

test("the bootstrap objects are created, put back when marked for update, and left alone when not", async () => {
  const { store, registry, fss, pls } = setup();
  try {
    await ensureBootstrapConfiguration(registry);
    assert.equal(names(await fss.list(undefined)).length, 13);
    assert.deepEqual(names(await pls.list(undefined)), [
      "catch-all",
      "exempt",
      "global-default",
      "leader-election",
      "node-high",
      "system",
      "workload-high",
      "workload-low",
    ]);
    // Deleted: back. Edited while marked: put back. Edited and unmarked: kept.
    await fss.delete(undefined, "global-default", {});
    const sys = await pls.get(undefined, "system");
    sys.spec.limited.nominalConcurrencyShares = 7;
    await pls.update(undefined, "system", sys);
    const low = await pls.get(undefined, "workload-low");
    low.spec.limited.nominalConcurrencyShares = 9;
    low.metadata.annotations[AUTO_UPDATE_ANNOTATION] = "false";
    await pls.update(undefined, "workload-low", low);
    // An object the bootstrap no longer has, marked for update, is removed; an unmarked one stays.
    const extra = (name: string, annotations: Record<string, string>) =>
      pls.create(undefined, {
        apiVersion: `${GROUP}/v1`,
        kind: "PriorityLevelConfiguration",
        metadata: { name, annotations },
        spec: {
          type: "Limited",
          limited: { nominalConcurrencyShares: 1, limitResponse: { type: "Reject" } },
        },
      });
    await extra("obsolete", { [AUTO_UPDATE_ANNOTATION]: "true" });
    await extra("mine", {});
    await ensureBootstrapConfiguration(registry);
    assert.equal((await fss.get(undefined, "global-default")).spec.matchingPrecedence, 9900);
    assert.equal((await pls.get(undefined, "system")).spec.limited.nominalConcurrencyShares, 30);
    assert.equal((await pls.get(undefined, "workload-low")).spec.limited.nominalConcurrencyShares, 9);
    const left = names(await pls.list(undefined));
    assert.ok(!left.includes("obsolete"));
    assert.ok(left.includes("mine"));
    // Nothing to do: nothing written.
    const rv = (await pls.get(undefined, "system")).metadata.resourceVersion;
    await ensureBootstrapConfiguration(registry);
    assert.equal((await pls.get(undefined, "system")).metadata.resourceVersion, rv);
  } finally {
    await store.close();
  }
});

test("requests take seats of their level; a full level queues, and a Reject level answers at once", async () => {
  const { store, registry, fss, pls } = setup();
  // 245 shares of the bootstrap levels plus 5 of "solo": 250 → "solo" has ceil(50 × 5 / 250) = 1 seat.
  const fc = new FlowControl({ registry, store, serverConcurrencyLimit: 50, requestWaitLimitMs: 10_000 });
  try {
    await fc.start();
    await pls.create(undefined, {
      apiVersion: `${GROUP}/v1`,
      kind: "PriorityLevelConfiguration",
      metadata: { name: "solo" },
      spec: {
        type: "Limited",
        limited: {
          nominalConcurrencyShares: 5,
          lendablePercent: 0,
          borrowingLimitPercent: 0,
          limitResponse: { type: "Reject" },
        },
      },
    });
    await fss.create(undefined, {
      apiVersion: `${GROUP}/v1`,
      kind: "FlowSchema",
      metadata: { name: "solo" },
      spec: {
        priorityLevelConfiguration: { name: "solo" },
        matchingPrecedence: 10,
        rules: [
          {
            subjects: [{ kind: "User", user: { name: "bob" } }],
            resourceRules: [{ verbs: ["*"], apiGroups: ["*"], resources: ["*"], namespaces: ["*"] }],
          },
        ],
      },
    });
    const bob = {
      user: { name: "bob", groups: ["system:authenticated"] },
      info: requestInfo("GET", "/api/v1/namespaces/a/pods", new URLSearchParams()),
    };
    const uid = (await fss.get(undefined, "solo")).metadata.uid;
    for (let i = 0; ; i++) {
      const probe = fc.admit(bob);
      (probe.seat as Seat).release();
      if (probe.flowSchemaUID === uid) break;
      assert.ok(i < 100, "the new schema was not picked up");
      await new Promise((r) => setTimeout(r, 20));
    }
    const first = fc.admit(bob);
    assert.equal(first.flowSchemaUID, uid);
    assert.ok(!(first.seat instanceof Promise));
    // Turned away at once, still classified (its answer names the schema).
    const turnedAway = fc.admit(bob);
    assert.equal(turnedAway.flowSchemaUID, uid);
    await assert.rejects(
      turnedAway.seat as Promise<Seat>,
      (e: unknown) => e instanceof Rejected && e.reason === "concurrency-limit",
    );
    (first.seat as Seat).release();
    (fc.admit(bob).seat as Seat).release();
    // The masters are exempt: never queued, whatever is in flight.
    const admin = {
      user: { name: "admin", groups: ["system:masters", "system:authenticated"] },
      info: bob.info,
    };
    const seats = Array.from({ length: 100 }, () => fc.admit(admin).seat as Seat);
    for (const s of seats) s.release();
    assert.match(fc.renderMetrics(), /apiserver_flowcontrol_nominal_limit_seats\{priority_level="solo"\} 1/);
    const dump = fc.dumpPriorityLevels().split("\n");
    assert.match(
      dump[0],
      /^PriorityLevelName, +ActiveQueues, +IsIdle, +IsQuiescing, +WaitingRequests, +ExecutingRequests, +DispatchedRequests, +RejectedRequests, +TimedoutRequests, +CancelledRequests$/,
    );
    const solo = dump.find((l) => l.startsWith("solo,"))!.split(/,\s*/);
    assert.deepEqual(solo.slice(1), ["0", "true", "false", "0", "0", solo[6], "1", "0", "0"]);
    assert.ok(Number(solo[6]) >= 2, "dispatched");
    assert.match(
      fc.renderMetrics(),
      /apiserver_flowcontrol_rejected_requests_total\{flow_schema="solo",priority_level="solo",reason="concurrency-limit"\} 1/,
    );
    // More shares: more seats at once, not at the next 10 s adjustment (50 × 10 / 255 → 2).
    const level = await pls.get(undefined, "solo");
    level.spec.limited.nominalConcurrencyShares = 10;
    await pls.update(undefined, "solo", level);
    for (
      let i = 0;
      !/apiserver_flowcontrol_current_limit_seats\{priority_level="solo"\} 2\n/.test(fc.renderMetrics());
      i++
    ) {
      assert.ok(i < 100, "the new shares were not used");
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    await fc.stop();
    await store.close();
  }
});

test("borrowing: seats go where the demand is, between each level's floor and ceiling, summing to the total", () => {
  const allocs = allocate(100, [
    { lower: 10, upper: 80, target: 70 },
    { lower: 5, upper: 50, target: 5 },
    { lower: 0, upper: 100, target: 0 },
  ]);
  assert.ok(Math.abs(allocs.reduce((a, b) => a + b, 0) - 100) < 1e-6);
  assert.ok(allocs[0] > 70 && allocs[0] <= 80, String(allocs));
  assert.ok(allocs[1] >= 5);
  assert.equal(allocs[2], 0);
  // Floors above the total: each gets its floor.
  assert.deepEqual(
    allocate(10, [
      { lower: 8, upper: 9, target: 1 },
      { lower: 7, upper: 9, target: 1 },
    ]),
    [8, 7],
  );
});

test("a LIST takes a seat for each hundred objects it goes through, up to its level's maximum", async () => {
  const { store, registry } = setup();
  const stored = new Map([
    ["pods", 350],
    ["configmaps", 20_000],
  ]);
  const fc = new FlowControl({
    registry,
    store,
    serverConcurrencyLimit: 600,
    requestWaitLimitMs: 10_000,
    objectCounts: { get: (_group, resource) => stored.get(resource) },
  });
  try {
    await fc.start();
    const user = { name: "alice", groups: ["system:authenticated"] };
    const seatsOf = (path: string, query = "") => {
      const a = fc.admit({
        user,
        info: requestInfo("GET", path, new URLSearchParams(query)),
        query: new URLSearchParams(query),
      });
      const text = fc.renderMetrics();
      (a.seat as Seat).release();
      const m =
        /apiserver_flowcontrol_current_executing_seats\{flow_schema="global-default",priority_level="global-default"\} (\d+)/.exec(
          text,
        );
      return Number(m?.[1]);
    };
    // 350 pods: listed from the store, 2 × 350 objects → 7 seats.
    assert.equal(seatsOf("/api/v1/pods"), 7);
    // limit=100: 2 × 100 → 2 seats; with a selector every stored pod is read: 350 + 100 → 5.
    assert.equal(seatsOf("/api/v1/pods", "limit=100"), 2);
    assert.equal(seatsOf("/api/v1/pods", "limit=100&labelSelector=app%3Dx"), 5);
    // 20,000 configmaps: global-default's most, min(ceil(49 × 0.15), floor(49 / 6)) = 8.
    assert.equal(seatsOf("/api/v1/configmaps"), 8);
    // A GET, or a resource not counted yet: one seat.
    assert.equal(seatsOf("/api/v1/namespaces/default/pods/p"), 1);
    assert.equal(seatsOf("/api/v1/secrets"), 1);
  } finally {
    await fc.stop();
    await store.close();
  }
});

test("debug dumps align their cells as Go's tabwriter (min width 8, padding 1)", () => {
  assert.equal(
    tabwriter([
      ["PriorityLevelName", "ActiveQueues", "IsIdle"],
      ["catch-all", "0", "true"],
    ]),
    "PriorityLevelName, ActiveQueues, IsIdle\ncatch-all,         0,            true\n",
  );
  assert.equal(tabwriter([["a", "b"]]), "a,      b\n");
});
