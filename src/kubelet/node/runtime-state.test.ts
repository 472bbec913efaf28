import assert from "node:assert/strict";
import { test } from "node:test";
import { FakeClock } from "../../client/fake-clock.ts";
import type { RuntimeStatus } from "../runtime/interface.ts";
import { aggregateMessage, RuntimeState, runtimeConditionString } from "./runtime-state.ts";

const ready: RuntimeStatus = {
  conditions: [
    { type: "RuntimeReady", status: true, reason: "", message: "" },
    { type: "NetworkReady", status: true, reason: "", message: "" },
  ],
};

function runtime(status: () => RuntimeStatus) {
  return { status: async () => status() };
}

test("before the first runtime status: not completed yet, network unknown", () => {
  const s = new RuntimeState(new FakeClock(0));
  assert.deepEqual(s.runtimeErrors(), ["container runtime status check may not have completed yet"]);
  assert.deepEqual(s.networkErrors(), ["network state unknown"]);
  assert.equal(
    aggregateMessage([s.runtimeErrors(), s.networkErrors(), s.storageErrors()]),
    "[container runtime status check may not have completed yet, network state unknown]",
  );
});

test("a ready runtime clears every error", async () => {
  const s = new RuntimeState(new FakeClock(1000));
  await s.update(runtime(() => ready));
  assert.deepEqual(s.runtimeErrors(), []);
  assert.deepEqual(s.networkErrors(), []);
  assert.equal(aggregateMessage([s.runtimeErrors(), s.networkErrors()]), undefined);
});

test("network not ready: the condition as kubecontainer prints it", async () => {
  const s = new RuntimeState(new FakeClock(1000));
  await s.update(
    runtime(() => ({
      conditions: [
        { type: "RuntimeReady", status: true, reason: "", message: "" },
        {
          type: "NetworkReady",
          status: false,
          reason: "NetworkPluginNotReady",
          message: "Network plugin returns error: cni plugin not initialized",
        },
      ],
    })),
  );
  assert.deepEqual(s.networkErrors(), [
    "container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized",
  ]);
  assert.deepEqual(s.runtimeErrors(), []);
});

test("runtime not ready, and a missing condition prints as <nil>", async () => {
  const s = new RuntimeState(new FakeClock(1000));
  await s.update(runtime(() => ({ conditions: [] })));
  assert.deepEqual(s.runtimeErrors(), [
    "container runtime status check may not have completed yet",
    "container runtime not ready: <nil>",
  ]);
  assert.deepEqual(s.networkErrors(), ["container runtime network not ready: <nil>"]);
});

test("a runtime not heard from for 30 s is down", async () => {
  const clock = new FakeClock(1000);
  const s = new RuntimeState(clock);
  let fail = false;
  const rt = {
    status: async () => {
      if (fail) throw new Error("connection refused");
      return ready;
    },
  };
  await s.update(rt);
  fail = true;
  clock.step(29_999);
  await s.update(rt);
  assert.deepEqual(s.runtimeErrors(), []);
  clock.step(1);
  await s.update(rt);
  assert.deepEqual(s.runtimeErrors(), ["container runtime is down"]);
});

test("aggregate messages: flattened, repeats dropped, brackets for more than one", () => {
  assert.equal(aggregateMessage([]), undefined);
  assert.equal(aggregateMessage([[], undefined]), undefined);
  assert.equal(aggregateMessage([["a"]]), "a");
  assert.equal(aggregateMessage([["a", "b"], ["a"], "c"]), "[a, b, c]");
  assert.equal(
    runtimeConditionString({ type: "RuntimeReady", status: false, reason: "R", message: "m" }),
    "RuntimeReady=false reason:R message:m",
  );
});
