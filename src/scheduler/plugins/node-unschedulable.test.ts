import assert from "node:assert/strict";
import { test } from "node:test";
import type { Toleration } from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "../framework/cycle-state.ts";
import { NodeInfo } from "../framework/node-info.ts";
import { Code } from "../framework/status.ts";
import { fakeHandle, makeNode, makePod } from "../testing.ts";
import {
  ERR_REASON_UNSCHEDULABLE,
  NAME,
  type NodeUnschedulable,
  newNodeUnschedulable,
} from "./node-unschedulable.ts";

// Upstream: nodeunschedulable/node_unschedulable_test.go TestNodeUnschedulable.
const cases: Array<{
  name: string;
  tolerations?: Toleration[];
  unschedulable: boolean;
  wantReason?: string;
}> = [
  {
    name: "Does not schedule pod to unschedulable node (node.Spec.Unschedulable==true)",
    unschedulable: true,
    wantReason: ERR_REASON_UNSCHEDULABLE,
  },
  { name: "Schedule pod to normal node", unschedulable: false },
  {
    name: "Schedule pod with toleration to unschedulable node (node.Spec.Unschedulable==true)",
    tolerations: [{ key: "node.kubernetes.io/unschedulable", effect: "NoSchedule" }],
    unschedulable: true,
  },
  {
    name: "an Exists toleration of every taint also tolerates a cordoned node",
    tolerations: [{ operator: "Exists" }],
    unschedulable: true,
  },
  {
    name: "a NoExecute-only toleration does not",
    tolerations: [{ key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoExecute" }],
    unschedulable: true,
    wantReason: ERR_REASON_UNSCHEDULABLE,
  },
];

for (const c of cases) {
  test(c.name, () => {
    const pl = newNodeUnschedulable(undefined, fakeHandle()) as NodeUnschedulable;
    assert.equal(pl.name, NAME);
    const pod = makePod("p", { spec: { tolerations: c.tolerations } });
    const ni = new NodeInfo(makeNode("n", { spec: { unschedulable: c.unschedulable } }));
    const st = pl.filter(new CycleState(), pod, ni);
    if (!c.wantReason) {
      assert.equal(st, null);
    } else {
      assert.equal(st?.code, Code.UnschedulableAndUnresolvable);
      assert.deepEqual(st?.reasons, [c.wantReason]);
    }
  });
}

test("registers node add/taint and pod toleration events", () => {
  const pl = newNodeUnschedulable(undefined, fakeHandle()) as NodeUnschedulable;
  assert.deepEqual(pl.eventsToRegister(), [
    { resource: "Node", actions: ["Add", "UpdateNodeTaint"] },
    { resource: "Pod", actions: ["Update"] },
  ]);
});
