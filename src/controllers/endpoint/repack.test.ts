// RepackSubsets against upstream's TestPackSubsets table (expected values
// pass through SortSubsets, as upstream compares them), plus port-less
// subsets for headless Services.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EndpointAddress, EndpointSubset } from "kubernetes-types/core/v1.d.ts";
import { lessEndpointAddress, repackSubsets, sortSubsets } from "./repack.ts";

const podRef = (uid: string) => ({ uid });
const fooRef = { name: "foo" };
const barRef = { name: "bar" };
const a = (ip: string, targetRef?: EndpointAddress["targetRef"]): EndpointAddress =>
  targetRef ? { ip, targetRef } : { ip };

const cases: { name: string; given: EndpointSubset[]; expect: EndpointSubset[] }[] = [
  { name: "empty everything", given: [{ addresses: [], ports: [] }], expect: [] },
  { name: "empty addresses", given: [{ addresses: [], ports: [{ port: 111 }] }], expect: [] },
  {
    name: "one set, one ip, one port",
    given: [{ addresses: [a("1.2.3.4")], ports: [{ port: 111 }] }],
    expect: [{ addresses: [a("1.2.3.4")], ports: [{ port: 111 }] }],
  },
  {
    name: "one set, one notReady ip, one UID, one port",
    given: [{ notReadyAddresses: [a("1.2.3.4", podRef("uid-1"))], ports: [{ port: 111 }] }],
    expect: [{ notReadyAddresses: [a("1.2.3.4", podRef("uid-1"))], ports: [{ port: 111 }] }],
  },
  {
    name: "one set, two duplicate ips, one port, notReady is covered by ready",
    given: [{ addresses: [a("1.2.3.4")], notReadyAddresses: [a("1.2.3.4")], ports: [{ port: 111 }] }],
    expect: [{ notReadyAddresses: [a("1.2.3.4")], ports: [{ port: 111 }] }],
  },
  {
    name: "one set, dup ips with target-refs, one port",
    given: [{ addresses: [a("1.2.3.4", fooRef), a("1.2.3.4", barRef)], ports: [{ port: 111 }] }],
    expect: [{ addresses: [a("1.2.3.4", fooRef)], ports: [{ port: 111 }] }],
  },
  {
    name: "one set, dup mixed ips with target-refs, one port",
    given: [
      {
        addresses: [a("1.2.3.4", fooRef)],
        notReadyAddresses: [a("1.2.3.4", barRef)],
        ports: [{ port: 111 }],
      },
    ],
    expect: [{ notReadyAddresses: [a("1.2.3.4", fooRef)], ports: [{ port: 111 }] }],
  },
  {
    name: "one set, one ip, dup ports",
    given: [{ addresses: [a("1.2.3.4")], ports: [{ port: 111 }, { port: 111 }] }],
    expect: [{ addresses: [a("1.2.3.4")], ports: [{ port: 111 }] }],
  },
  {
    name: "two sets, dup ip, two ports",
    given: [
      { addresses: [a("1.2.3.4")], ports: [{ port: 111 }] },
      { addresses: [a("1.2.3.4")], ports: [{ port: 222 }] },
    ],
    expect: [{ addresses: [a("1.2.3.4")], ports: [{ port: 111 }, { port: 222 }] }],
  },
  {
    name: "two sets, dup mixed ip, dup uids, two ports",
    given: [
      { addresses: [a("1.2.3.4", podRef("uid-1"))], ports: [{ port: 111 }] },
      { notReadyAddresses: [a("1.2.3.4", podRef("uid-1"))], ports: [{ port: 222 }] },
    ],
    expect: [
      { addresses: [a("1.2.3.4", podRef("uid-1"))], ports: [{ port: 111 }] },
      { notReadyAddresses: [a("1.2.3.4", podRef("uid-1"))], ports: [{ port: 222 }] },
    ],
  },
  {
    name: "two sets, two ips, two dup ip with uid, dup port, wrong order",
    given: [
      { addresses: [a("5.6.7.8")], ports: [{ port: 111 }] },
      { addresses: [a("5.6.7.8", podRef("uid-1"))], ports: [{ port: 111 }] },
      { addresses: [a("1.2.3.4", podRef("uid-1"))], ports: [{ port: 111 }] },
      { addresses: [a("1.2.3.4")], ports: [{ port: 111 }] },
    ],
    expect: [
      {
        addresses: [a("1.2.3.4"), a("1.2.3.4", podRef("uid-1")), a("5.6.7.8"), a("5.6.7.8", podRef("uid-1"))],
        ports: [{ port: 111 }],
      },
    ],
  },
  {
    name: "two sets, two mixed ips, two dup ip with uid, dup port, wrong order, ends up with split addresses",
    given: [
      { addresses: [a("5.6.7.8")], ports: [{ port: 111 }] },
      { notReadyAddresses: [a("5.6.7.8", podRef("uid-1"))], ports: [{ port: 111 }] },
      { notReadyAddresses: [a("1.2.3.4", podRef("uid-1"))], ports: [{ port: 111 }] },
      { notReadyAddresses: [a("1.2.3.4")], ports: [{ port: 111 }] },
    ],
    expect: [
      {
        addresses: [a("5.6.7.8")],
        notReadyAddresses: [a("1.2.3.4"), a("1.2.3.4", podRef("uid-1")), a("5.6.7.8", podRef("uid-1"))],
        ports: [{ port: 111 }],
      },
    ],
  },
  {
    name: "four sets, three ips, three ports, jumbled",
    given: [
      { addresses: [a("1.2.3.4")], ports: [{ port: 111 }] },
      { addresses: [a("1.2.3.5")], ports: [{ port: 222 }] },
      { addresses: [a("1.2.3.6")], ports: [{ port: 111 }] },
      { addresses: [a("1.2.3.5")], ports: [{ port: 333 }] },
    ],
    expect: [
      { addresses: [a("1.2.3.4"), a("1.2.3.6")], ports: [{ port: 111 }] },
      { addresses: [a("1.2.3.5")], ports: [{ port: 222 }, { port: 333 }] },
    ],
  },
  {
    name: "four sets, three mixed ips, three ports, jumbled",
    given: [
      { addresses: [a("1.2.3.4")], ports: [{ port: 111 }] },
      { notReadyAddresses: [a("1.2.3.5")], ports: [{ port: 222 }] },
      { addresses: [a("1.2.3.6")], ports: [{ port: 111 }] },
      { notReadyAddresses: [a("1.2.3.5")], ports: [{ port: 333 }] },
    ],
    expect: [
      { addresses: [a("1.2.3.4"), a("1.2.3.6")], ports: [{ port: 111 }] },
      { notReadyAddresses: [a("1.2.3.5")], ports: [{ port: 222 }, { port: 333 }] },
    ],
  },
];

for (const tc of cases) {
  test(`repackSubsets: ${tc.name}`, () => {
    assert.deepEqual(repackSubsets(structuredClone(tc.given)), sortSubsets(structuredClone(tc.expect)));
  });
}

test("repackSubsets keeps the addresses of a subset without ports (headless Service without ports)", () => {
  const got = repackSubsets([
    { addresses: [a("10.0.0.2")], ports: [] },
    { addresses: [a("10.0.0.1")], ports: [] },
    { notReadyAddresses: [a("10.0.0.3")], ports: [] },
  ]);
  assert.deepEqual(got, [{ addresses: [a("10.0.0.1"), a("10.0.0.2")], notReadyAddresses: [a("10.0.0.3")] }]);
});

test("repackSubsets gives the same result whatever the input order", () => {
  const subsets: EndpointSubset[] = [
    { addresses: [a("10.0.0.9", podRef("u9"))], ports: [{ name: "http", port: 80, protocol: "TCP" }] },
    { addresses: [a("10.0.0.1", podRef("u1"))], ports: [{ name: "dns", port: 53, protocol: "UDP" }] },
    {
      notReadyAddresses: [a("10.0.0.5", podRef("u5"))],
      ports: [{ name: "http", port: 80, protocol: "TCP" }],
    },
    { addresses: [a("10.0.0.1", podRef("u1"))], ports: [{ name: "http", port: 80, protocol: "TCP" }] },
  ];
  const one = repackSubsets(structuredClone(subsets));
  const two = repackSubsets(structuredClone(subsets).reverse());
  assert.deepEqual(one, two);
});

test("lessEndpointAddress: by IP bytes, then no target before a target, then by uid", () => {
  assert.equal(lessEndpointAddress(a("10.0.0.10"), a("10.0.0.9")), true); // bytes, not numbers
  assert.equal(lessEndpointAddress(a("1.2.3.4"), a("1.2.3.4", podRef("u"))), true);
  assert.equal(lessEndpointAddress(a("1.2.3.4", podRef("u")), a("1.2.3.4")), false);
  assert.equal(lessEndpointAddress(a("1.2.3.4", podRef("a")), a("1.2.3.4", podRef("b"))), true);
});
