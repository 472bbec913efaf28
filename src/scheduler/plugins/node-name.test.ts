import assert from "node:assert/strict";
import { test } from "node:test";
import { CycleState } from "../framework/cycle-state.ts";
import { NodeInfo } from "../framework/node-info.ts";
import { Code } from "../framework/status.ts";
import { fakeHandle, makeNode, makePod } from "../testing.ts";
import { ERR_REASON, NAME, type NodeName, newNodeName } from "./node-name.ts";

// Upstream: nodename/node_name_test.go TestNodeName.
const cases: Array<{ name: string; podNodeName?: string; node: string; fit: boolean }> = [
  { name: "no host specified", node: "foo", fit: true },
  { name: "host matches", podNodeName: "foo", node: "foo", fit: true },
  { name: "host doesn't match", podNodeName: "bar", node: "foo", fit: false },
];

for (const c of cases) {
  test(c.name, () => {
    const pl = newNodeName(undefined, fakeHandle()) as NodeName;
    assert.equal(pl.name, NAME);
    const st = pl.filter(
      new CycleState(),
      makePod("p", { nodeName: c.podNodeName }),
      new NodeInfo(makeNode(c.node)),
    );
    if (c.fit) {
      assert.equal(st, null);
    } else {
      assert.equal(st?.code, Code.UnschedulableAndUnresolvable);
      assert.deepEqual(st?.reasons, [ERR_REASON]);
      assert.equal(st?.message(), "node(s) didn't match the requested node name");
    }
  });
}

test("registers node add", () => {
  const pl = newNodeName(undefined, fakeHandle()) as NodeName;
  assert.deepEqual(pl.eventsToRegister(), [{ resource: "Node", actions: ["Add"] }]);
});
