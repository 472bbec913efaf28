import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { formatIPv4, Ipv4RangeAllocator, parseIPv4 } from "./ip-allocator.ts";

describe("parseIPv4 / formatIPv4", () => {
  it("round-trips addresses and rejects what is not one", () => {
    assert.equal(parseIPv4("10.244.3.1"), 0x0af40301);
    assert.equal(formatIPv4(0x0af40301), "10.244.3.1");
    assert.equal(formatIPv4(parseIPv4("255.255.255.255")!), "255.255.255.255");
    assert.equal(parseIPv4("10.244.3.256"), undefined);
    assert.equal(parseIPv4("10.244.3"), undefined);
    assert.equal(parseIPv4("fd00::1"), undefined);
  });
});

describe("Ipv4RangeAllocator", () => {
  it("gives out network+2 … broadcast-1 in order, skipping the .1 gateway (host-local)", () => {
    const a = new Ipv4RangeAllocator("10.244.3.0/24");
    assert.equal(a.range, "10.244.3.1-10.244.3.254");
    assert.equal(a.capacity, 253);
    assert.equal(a.allocate(), "10.244.3.2");
    assert.equal(a.allocate(), "10.244.3.3");
    assert.equal(a.used, 2);
  });

  it("reuses a freed IP only after wrapping round, and says when the range is full", () => {
    const a = new Ipv4RangeAllocator("10.0.0.0/29"); // .2 … .6
    const got = [a.allocate(), a.allocate(), a.allocate()];
    assert.deepEqual(got, ["10.0.0.2", "10.0.0.3", "10.0.0.4"]);
    assert.equal(a.release("10.0.0.3"), true);
    assert.equal(a.allocate(), "10.0.0.5");
    assert.equal(a.allocate(), "10.0.0.6");
    assert.equal(a.allocate(), "10.0.0.3"); // wrapped, skipping .1 and the taken .2
    assert.equal(a.allocate(), undefined);
    assert.equal(a.release("10.0.0.4"), true);
    assert.equal(a.allocate(), "10.0.0.4");
  });

  it("releases only what it gave out", () => {
    const a = new Ipv4RangeAllocator("10.0.0.0/29");
    assert.equal(a.release("10.0.0.2"), false);
    assert.equal(a.release("10.0.0.1"), false);
    assert.equal(a.release("192.168.0.2"), false);
    assert.equal(a.release("garbage"), false);
  });

  it("reserves IPs that sandboxes already hold", () => {
    const a = new Ipv4RangeAllocator("10.0.0.0/29");
    assert.equal(a.reserve("10.0.0.2"), true);
    assert.equal(a.reserve("10.0.0.1"), false); // the gateway
    assert.equal(a.reserve("10.0.1.2"), false);
    assert.equal(a.allocate(), "10.0.0.3");
  });

  it("takes the network of a CIDR with host bits set, as net.ParseCIDR", () => {
    const a = new Ipv4RangeAllocator("10.244.3.77/24");
    assert.equal(a.range, "10.244.3.1-10.244.3.254");
    assert.equal(a.allocate(), "10.244.3.2");
  });

  it("a /30 has one pod IP", () => {
    const a = new Ipv4RangeAllocator("10.0.0.4/30");
    assert.equal(a.allocate(), "10.0.0.6");
    assert.equal(a.allocate(), undefined);
  });

  it("rejects malformed, IPv6 and too small CIDRs", () => {
    assert.throws(() => new Ipv4RangeAllocator("10.0.0.0"), { message: "invalid CIDR address: 10.0.0.0" });
    assert.throws(() => new Ipv4RangeAllocator("10.0.0.0/33"), {
      message: "invalid CIDR address: 10.0.0.0/33",
    });
    assert.throws(() => new Ipv4RangeAllocator("fd00:10:244::/64"), {
      message: 'IPv6 podCIDR "fd00:10:244::/64" is not supported',
    });
    assert.throws(() => new Ipv4RangeAllocator("10.0.0.0/31"), {
      message: "Network 10.0.0.0/31 too small to allocate from",
    });
  });
});
