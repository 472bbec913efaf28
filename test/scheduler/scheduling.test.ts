// The scheduler against a real apiserver with Node objects only: end states.
import assert from "node:assert/strict";
import { afterEach, test } from "node:test";
import { Resources } from "../../src/client/resources.ts";
import { startCluster, type TestCluster, unschedulableMessage } from "./cluster.ts";

let c: TestCluster | undefined;
afterEach(async () => {
  await c?.stop();
  c = undefined;
});

test("pods go where their resources fit, and the rest stay Pending with upstream's message", async () => {
  c = await startCluster();
  await c.node("small", { cpu: "1" });
  await c.node("big", { cpu: "4" });
  await c.startScheduler();
  await c.pod("needs-3", {}, { requests: { cpu: "3" } });
  assert.equal(await c.nodeOf("needs-3"), "big");
  await c.pod("needs-2", {}, { requests: { cpu: "2" } });
  const msg = await unschedulableMessage(c, "needs-2");
  assert.equal(
    msg,
    "0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.",
  );
  const p = await c.get("needs-2");
  const cond = p.status!.conditions!.find((x) => x.type === "PodScheduled")!;
  assert.equal(cond.reason, "Unschedulable");
  // A FailedScheduling event, and a Scheduled one for the other pod.
  await c.scheduler!.stop();
  const events = (
    await c.client.list<{ reason: string; message: string; involvedObject: { name: string } }>(
      Resources.events,
      { namespace: "default" },
    )
  ).items;
  assert.ok(
    events.some(
      (e) => e.reason === "FailedScheduling" && e.involvedObject.name === "needs-2" && e.message === msg,
    ),
  );
  assert.ok(
    events.some(
      (e) => e.reason === "Scheduled" && e.message === "Successfully assigned default/needs-3 to big",
    ),
  );
});

test("identical pods on identical nodes spread round-robin", async () => {
  c = await startCluster();
  for (const n of ["n1", "n2", "n3"]) await c.node(n);
  await c.startScheduler();
  for (let i = 0; i < 6; i++) await c.pod(`p${i}`, {});
  const counts = new Map<string, number>();
  for (let i = 0; i < 6; i++) {
    const n = await c.nodeOf(`p${i}`);
    counts.set(n, (counts.get(n) ?? 0) + 1);
  }
  assert.deepEqual([...counts.values()].sort(), [2, 2, 2]);
});
