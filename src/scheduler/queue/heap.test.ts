import assert from "node:assert/strict";
import { test } from "node:test";
import { Heap } from "./heap.ts";

interface Item {
  k: string;
  v: number;
}

test("heap pops in order and supports keyed update and delete", () => {
  const h = new Heap<Item>(
    (i) => i.k,
    (a, b) => a.v < b.v,
  );
  const values = [5, 3, 9, 1, 7, 2, 8, 6, 4, 0];
  for (const v of values) h.addOrUpdate({ k: `k${v}`, v });
  h.addOrUpdate({ k: "k9", v: -1 }); // moves to the front
  assert.equal(h.delete("k5")?.v, 5);
  assert.equal(h.delete("missing"), undefined);
  assert.equal(h.get("k3")?.v, 3);
  const out: number[] = [];
  for (let i = h.pop(); i; i = h.pop()) out.push(i.v);
  assert.deepEqual(out, [-1, 0, 1, 2, 3, 4, 6, 7, 8]);
  assert.equal(h.size, 0);
});
