import assert from "node:assert/strict";
import { test } from "node:test";
import { type HostRoute, hostDependenciesInside, hostRoutesInside } from "./containerd-runtime.ts";

// As `ip -4 -j route show table all` prints them on a node running k8ts.
const node: HostRoute[] = [
  { dst: "default", dev: "eth0" },
  { type: "unreachable", dst: "10.96.0.0/16" },
  { type: "unreachable", dst: "10.244.0.0/16" },
  { dst: "10.244.0.0/24", dev: "k8ts0" },
  { dst: "192.0.2.0/24", dev: "eth0" },
  { type: "local", dst: "10.244.0.1", dev: "k8ts0" },
  { type: "broadcast", dst: "10.244.0.255", dev: "k8ts0" },
  { type: "local", dst: "192.0.2.2", dev: "eth0" },
];

test("k8ts's own routes, the default route and other networks do not conflict", () => {
  assert.deepEqual(hostRoutesInside("10.96.0.0/16", node), []);
  assert.deepEqual(hostRoutesInside("10.244.0.0/16", node), []);
});

test("a host network inside the service or pod CIDR conflicts; a wider one around it does not", () => {
  const routes: HostRoute[] = [
    ...node,
    { dst: "10.0.0.0/8", dev: "tun0" },
    { dst: "10.96.4.0/24", dev: "eth1" },
    { type: "local", dst: "10.96.4.7", dev: "eth1" },
    { dst: "10.96.0.0/16", dev: "eth2" },
    { dst: "10.97.0.0/24", dev: "eth1" },
  ];
  assert.deepEqual(
    hostRoutesInside("10.96.0.0/16", routes).map((r) => r.dst),
    ["10.96.4.0/24", "10.96.4.7", "10.96.0.0/16"],
  );
  assert.deepEqual(hostRoutesInside("10.244.0.0/16", routes), []);
});

test("a nameserver or gateway the host reaches through a wider route, inside a CIDR, conflicts", () => {
  const routes: HostRoute[] = [
    { dst: "default", gateway: "192.0.2.1", dev: "eth0" },
    { dst: "192.0.2.0/24", dev: "eth0" },
    { dst: "172.16.0.0/12", gateway: "10.96.9.1", dev: "eth0" },
  ];
  // This machine's resolver once sat in 10.255.0.0/16, which hollow nodes' route then covered.
  const nameservers = ["10.255.255.53", "192.0.2.53"];
  assert.deepEqual(hostDependenciesInside("10.255.0.0/16", routes, nameservers), [
    "nameserver 10.255.255.53",
  ]);
  assert.deepEqual(hostDependenciesInside("10.255.0.0/22", routes, nameservers), []);
  assert.deepEqual(hostDependenciesInside("10.96.0.0/16", routes, nameservers), [
    "gateway 10.96.9.1 of 172.16.0.0/12",
  ]);
  assert.deepEqual(hostDependenciesInside("10.244.0.0/16", routes, nameservers), []);
});
