import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CIDR_RANGE_NO_CIDRS_REMAINING,
  CIDR_SET_SUBNET_TOO_BIG,
  CidrSet,
  formatCIDR,
  formatIP,
  parseCIDR,
} from "./cidr-set.ts";

const next = (s: CidrSet) => formatCIDR(s.allocateNext());

describe("CidrSet", () => {
  it("hands out every block of the cluster CIDR once, in order, then fails (upstream's TestCIDRSetFullyAllocated)", () => {
    const s = new CidrSet(parseCIDR("127.123.234.0/30"), 30);
    assert.equal(next(s), "127.123.234.0/30");
    assert.throws(() => s.allocateNext(), { message: CIDR_RANGE_NO_CIDRS_REMAINING });
    s.release(parseCIDR("127.123.234.0/30"));
    assert.equal(next(s), "127.123.234.0/30");
  });

  it("cuts a /28 into four /30s and goes round from the last one handed out", () => {
    const s = new CidrSet(parseCIDR("127.123.234.0/28"), 30);
    assert.deepEqual(
      [next(s), next(s), next(s), next(s)],
      ["127.123.234.0/30", "127.123.234.4/30", "127.123.234.8/30", "127.123.234.12/30"],
    );
    s.release(parseCIDR("127.123.234.4/30"));
    assert.equal(next(s), "127.123.234.4/30");
  });

  it("does not give a just-released block before the others", () => {
    const s = new CidrSet(parseCIDR("10.244.0.0/16"), 24);
    assert.equal(next(s), "10.244.0.0/24");
    assert.equal(next(s), "10.244.1.0/24");
    s.release(parseCIDR("10.244.0.0/24"));
    assert.equal(next(s), "10.244.2.0/24");
    assert.equal(s.allocated, 2);
  });

  it("skips occupied blocks, counting each once", () => {
    const s = new CidrSet(parseCIDR("10.244.0.0/16"), 24);
    s.occupy(parseCIDR("10.244.0.0/24"));
    s.occupy(parseCIDR("10.244.0.0/24"));
    s.occupy(parseCIDR("10.244.1.7/24"));
    assert.equal(s.allocated, 2);
    assert.equal(next(s), "10.244.2.0/24");
    // A wider CIDR takes every block it covers.
    s.occupy(parseCIDR("10.244.4.0/22"));
    assert.equal(s.allocated, 7);
    assert.equal(next(s), "10.244.3.0/24");
    assert.equal(next(s), "10.244.8.0/24");
  });

  it("refuses CIDRs outside the cluster CIDR with upstream's messages", () => {
    const s = new CidrSet(parseCIDR("10.244.0.0/16"), 24);
    assert.throws(() => s.occupy(parseCIDR("10.128.0.0/24")), {
      message: "cidr 10.128.0.0/24 is out the range of cluster cidr 10.244.0.0/16",
    });
    assert.throws(() => s.release(parseCIDR("2001:db8::/64")), {
      message: "cidr 2001:db8::/64 is out the range of cluster cidr 10.244.0.0/16",
    });
  });

  it("allocates IPv6 blocks and limits the bitmap to 16 bits", () => {
    const s = new CidrSet(parseCIDR("2001:db8::/48"), 64);
    assert.equal(s.maxCIDRs, 65536);
    assert.equal(next(s), "2001:db8::/64");
    assert.equal(next(s), "2001:db8:0:1::/64");
    assert.throws(() => new CidrSet(parseCIDR("beef:1234::/30"), 48), { message: CIDR_SET_SUBNET_TOO_BIG });
  });

  it("parses sloppily and prints as Go's net package does", () => {
    assert.equal(formatCIDR(parseCIDR("10.244.3.17/24")), "10.244.3.0/24");
    assert.equal(formatCIDR(parseCIDR("010.244.003.000/24")), "10.244.3.0/24");
    assert.equal(formatIP(parseCIDR("2001:db8:0:0:1:0:0:1/128").ip, 128), "2001:db8::1:0:0:1");
    assert.equal(formatIP(parseCIDR("::/0").ip, 128), "::");
    assert.throws(() => parseCIDR("10.244.0.0/33"), { message: "invalid CIDR address: 10.244.0.0/33" });
  });
});
