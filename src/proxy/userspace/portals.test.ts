// The portal rule arguments, against upstream's iptables*Args in
// pkg/proxy/userspace/proxier.go (as its proxier_test.go builds them).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FakeIptables } from "../testing/fixtures.ts";
import {
  cleanupLeftovers,
  containerPortalArgs,
  hostNodePortArgs,
  hostPortalArgs,
  iptablesInit,
  nonLocalNodePortArgs,
} from "./portals.ts";

const any = { listenIP: "0.0.0.0", hostIP: "192.0.2.10" };
const bound = { listenIP: "192.0.2.20", hostIP: "192.0.2.10" };

describe("portal rules", () => {
  it("from containers: REDIRECT when listening on 0.0.0.0, DNAT to the listen IP otherwise", () => {
    const common = ["-m", "comment", "--comment", "ns/web:http", "-p", "tcp", "-m", "tcp", "--dport", "80"];
    assert.deepEqual(containerPortalArgs(any, "10.96.0.5", false, false, 80, "TCP", 40000, "ns/web:http"), [
      ...common,
      "-d",
      "10.96.0.5/32",
      "-j",
      "REDIRECT",
      "--to-ports",
      "40000",
    ]);
    assert.deepEqual(containerPortalArgs(bound, "10.96.0.5", false, false, 80, "TCP", 40000, "ns/web:http"), [
      ...common,
      "-d",
      "10.96.0.5/32",
      "-j",
      "DNAT",
      "--to-destination",
      "192.0.2.20:40000",
    ]);
  });

  it("external IPs match on physdev / dst-type LOCAL; host rules DNAT to the host IP", () => {
    assert.deepEqual(containerPortalArgs(any, "203.0.113.1", true, false, 53, "UDP", 41000, "ns/dns"), [
      ...["-m", "comment", "--comment", "ns/dns", "-p", "udp", "-m", "udp", "--dport", "53"],
      ...["-d", "203.0.113.1/32", "-m", "physdev", "!", "--physdev-is-in"],
      ...["-j", "REDIRECT", "--to-ports", "41000"],
    ]);
    assert.deepEqual(hostPortalArgs(any, "203.0.113.1", true, 53, "UDP", 41000, "ns/dns").slice(10), [
      ...["-d", "203.0.113.1/32", "-m", "addrtype", "--dst-type", "LOCAL"],
      ...["-j", "DNAT", "--to-destination", "192.0.2.10:41000"],
    ]);
  });

  it("NodePort rules have no destination; the non-local rule accepts the proxy port", () => {
    assert.deepEqual(hostNodePortArgs(any, 30080, "TCP", 40000, "ns/web").slice(10), [
      "-j",
      "DNAT",
      "--to-destination",
      "192.0.2.10:40000",
    ]);
    assert.deepEqual(nonLocalNodePortArgs(40000, "TCP", "ns/web"), [
      ...["-m", "comment", "--comment", "ns/web", "-p", "tcp", "-m", "tcp", "--dport", "40000"],
      ...["-m", "state", "--state", "NEW", "-j", "ACCEPT"],
    ]);
  });

  it("iptablesInit makes the five chains and their jumps; cleanup asks for them back", async () => {
    const ipt = new FakeIptables();
    // Nothing to remove is no failure (upstream ignores IsNotFoundError).
    assert.equal(await cleanupLeftovers(ipt), false);
    await iptablesInit(ipt);
    assert.deepEqual([...ipt.chains.nat].sort(), [
      "KUBE-NODEPORT-CONTAINER",
      "KUBE-NODEPORT-HOST",
      "KUBE-PORTALS-CONTAINER",
      "KUBE-PORTALS-HOST",
    ]);
    assert.deepEqual([...ipt.chains.filter], ["KUBE-NODEPORT-NON-LOCAL"]);
    assert.deepEqual(
      ipt.rules.map((r) => `${r.table} ${r.chain} ${r.args.at(-1)}`),
      [
        "nat PREROUTING KUBE-PORTALS-CONTAINER",
        "nat OUTPUT KUBE-PORTALS-HOST",
        "nat PREROUTING KUBE-NODEPORT-CONTAINER",
        "nat OUTPUT KUBE-NODEPORT-HOST",
        "filter INPUT KUBE-NODEPORT-NON-LOCAL",
      ],
    );
    assert.equal(await cleanupLeftovers(ipt), false);
    assert.equal(ipt.rules.length, 0);
    assert.equal(ipt.chains.nat.size + ipt.chains.filter.size, 0);
  });
});
