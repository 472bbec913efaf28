// flowcontrol.apiserver.k8s.io/v1 defaults, after pkg/apis/flowcontrol/v1/defaults_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import { defaultFlowSchema, defaultPriorityLevelConfiguration } from "./flowcontrol.ts";

function fs(obj: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(obj);
  defaultFlowSchema(copy);
  return copy;
}

function pl(obj: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(obj);
  defaultPriorityLevelConfiguration(copy);
  return copy;
}

test("FlowSchema: matchingPrecedence 1000 when unset or 0 (an int32)", () => {
  assert.deepEqual(fs({ spec: { priorityLevelConfiguration: { name: "x" } } }), {
    spec: { priorityLevelConfiguration: { name: "x" }, matchingPrecedence: 1000 },
  });
  assert.deepEqual(fs({ spec: { matchingPrecedence: 0 } }).spec, { matchingPrecedence: 1000 });
  assert.deepEqual(fs({ spec: { matchingPrecedence: 50 } }).spec, { matchingPrecedence: 50 });
  // The spec is a struct value: its default appears even when the body has none.
  assert.deepEqual(fs({ metadata: { name: "a" } }), {
    metadata: { name: "a" },
    spec: { matchingPrecedence: 1000 },
  });
});

test("Limited: 30 shares when nil, an explicit 0 kept; lendablePercent 0", () => {
  assert.deepEqual(pl({ spec: { type: "Limited", limited: { limitResponse: { type: "Reject" } } } }).spec, {
    type: "Limited",
    limited: { limitResponse: { type: "Reject" }, nominalConcurrencyShares: 30, lendablePercent: 0 },
  });
  assert.deepEqual(
    pl({ spec: { type: "Limited", limited: { nominalConcurrencyShares: 0, lendablePercent: 10 } } }).spec,
    { type: "Limited", limited: { nominalConcurrencyShares: 0, lendablePercent: 10 } },
  );
  assert.deepEqual(
    pl({
      spec: { type: "Limited", limited: { nominalConcurrencyShares: null, borrowingLimitPercent: null } },
    }).spec,
    {
      type: "Limited",
      limited: { nominalConcurrencyShares: 30, borrowingLimitPercent: null, lendablePercent: 0 },
    },
  );
});

test("Queue: the queuing present gets 64 queues, hand size 8, queue length limit 50 where unset", () => {
  assert.deepEqual(
    pl({ spec: { type: "Limited", limited: { limitResponse: { type: "Queue", queuing: {} } } } }).spec,
    {
      type: "Limited",
      limited: {
        limitResponse: { type: "Queue", queuing: { queues: 64, handSize: 8, queueLengthLimit: 50 } },
        nominalConcurrencyShares: 30,
        lendablePercent: 0,
      },
    },
  );
  const q = pl({
    spec: {
      limited: {
        limitResponse: { type: "Queue", queuing: { queues: 16, handSize: 0, queueLengthLimit: 7 } },
      },
    },
  });
  assert.deepEqual((q.spec as { limited: { limitResponse: unknown } }).limited.limitResponse, {
    type: "Queue",
    queuing: { queues: 16, handSize: 8, queueLengthLimit: 7 },
  });
  // No queuing: nothing is made up (validation then requires it).
  assert.deepEqual(pl({ spec: { type: "Limited", limited: { limitResponse: { type: "Queue" } } } }).spec, {
    type: "Limited",
    limited: { limitResponse: { type: "Queue" }, nominalConcurrencyShares: 30, lendablePercent: 0 },
  });
});

test("Exempt: 0 shares and 0 lendablePercent when nil, only where exempt is present", () => {
  assert.deepEqual(pl({ spec: { type: "Exempt", exempt: {} } }).spec, {
    type: "Exempt",
    exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 },
  });
  assert.deepEqual(pl({ spec: { type: "Exempt", exempt: { nominalConcurrencyShares: 7 } } }).spec, {
    type: "Exempt",
    exempt: { nominalConcurrencyShares: 7, lendablePercent: 0 },
  });
  assert.deepEqual(pl({ spec: { type: "Exempt" } }).spec, { type: "Exempt" });
  assert.deepEqual(pl({ metadata: { name: "x" } }), { metadata: { name: "x" } });
});

test("malformed members are left for validation", () => {
  assert.deepEqual(pl({ spec: { limited: "x", exempt: [1] } }).spec, { limited: "x", exempt: [1] });
  assert.deepEqual(fs({ spec: "x" }), { spec: "x" });
});
