import assert from "node:assert/strict";
import { test } from "node:test";
import { hollowAddressBlocks, hollowNodeIP, hollowPodCIDR } from "./index.ts";
import { ipv4Block } from "./runtime/ip-allocator.ts";

const within = (cidr: string, blocks: string[]) => {
  const [from, to] = ipv4Block(cidr)!;
  return blocks.some((b) => {
    const [bFrom, bTo] = ipv4Block(b)!;
    return from >= bFrom && to <= bTo;
  });
};

test("the unreachable blocks of n hollow nodes hold every node address and every pod CIDR outside the cluster CIDR", () => {
  for (const n of [1, 2, 254, 255, 256, 257, 1000, 5000]) {
    const blocks = hollowAddressBlocks(n);
    for (let i = 0; i < n; i++) {
      assert.ok(within(hollowNodeIP(i), blocks), `node ${i} of ${n}: ${hollowNodeIP(i)} in ${blocks}`);
      const pods = hollowPodCIDR(i);
      assert.ok(
        within(pods, ["10.244.0.0/16", ...blocks]),
        `pods of node ${i} of ${n}: ${pods} in ${blocks}`,
      );
    }
  }
  // As small as they can be.
  assert.deepEqual(hollowAddressBlocks(200), ["10.255.0.0/24"]);
  assert.deepEqual(hollowAddressBlocks(1000), ["10.255.0.0/22", "10.128.0.0/14"]);
  assert.deepEqual(hollowAddressBlocks(300), ["10.255.0.0/23", "10.128.0.0/18"]);
  // None reaches this machine's resolver at the top of 10.255.0.0/16.
  assert.ok(!within("10.255.255.53", hollowAddressBlocks(5000)));
});
