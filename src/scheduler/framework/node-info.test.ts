import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { NodeInfo, PodInfo } from "./node-info.ts";

const node = (name: string) => ({ metadata: { name } });
const pod = (name: string): Pod => ({
  metadata: { name, namespace: "default", uid: name },
  spec: { containers: [] },
});
const names = (changes: readonly { pod: PodInfo; delta: number }[] | undefined) =>
  changes?.map((c) => `${c.delta > 0 ? "+" : "-"}${c.pod.pod.metadata?.name}`);

describe("NodeInfo.podChangesSince", () => {
  it("gives the pods that came and went after a generation, oldest first", () => {
    const ni = new NodeInfo(node("n"));
    const g0 = ni.generation;
    ni.addPod(new PodInfo(pod("a")));
    const g1 = ni.generation;
    ni.addPod(new PodInfo(pod("b")));
    ni.removePod(pod("a"));
    assert.deepEqual(names(ni.podChangesSince(g0)), ["+a", "+b", "-a"]);
    assert.deepEqual(names(ni.podChangesSince(g1)), ["+b", "-a"]);
    assert.deepEqual(names(ni.podChangesSince(ni.generation)), []);
  });

  it("gives nothing from before a change of the node itself", () => {
    const ni = new NodeInfo(node("n"));
    ni.addPod(new PodInfo(pod("a")));
    const before = ni.generation;
    ni.setNode(node("n"));
    assert.equal(ni.podChangesSince(before), undefined);
    const after = ni.generation;
    ni.addPod(new PodInfo(pod("b")));
    assert.deepEqual(names(ni.podChangesSince(after)), ["+b"]);
  });

  it("keeps only the latest changes", () => {
    const ni = new NodeInfo(node("n"));
    const start = ni.generation;
    const gens: number[] = [];
    for (let i = 0; i < 200; i++) {
      ni.addPod(new PodInfo(pod(`p${i}`)));
      gens.push(ni.generation);
    }
    assert.equal(ni.podChangesSince(start), undefined, "the first changes are gone");
    assert.deepEqual(names(ni.podChangesSince(gens[190])), [
      "+p191",
      "+p192",
      "+p193",
      "+p194",
      "+p195",
      "+p196",
      "+p197",
      "+p198",
      "+p199",
    ]);
    // Whatever it answers covers every change after the generation asked about.
    for (const g of gens) {
      const changes = ni.podChangesSince(g);
      if (changes) assert.equal(changes.length, 199 - gens.indexOf(g));
    }
  });

  it("a copy starts its own changes, and leaves the original's alone", () => {
    const ni = new NodeInfo(node("n"));
    ni.addPod(new PodInfo(pod("a")));
    const c = ni.clone();
    const at = c.generation;
    c.removePod(pod("a"));
    assert.deepEqual(names(c.podChangesSince(at)), ["-a"]);
    assert.deepEqual(names(ni.podChangesSince(at)), []);
  });
});
