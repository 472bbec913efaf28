// Ports of pkg/proxy/iptables/proxier_test.go (v1.32): the same Services and
// EndpointSlices must give the same iptables-restore input. Deliberate
// differences, applied to upstream's expected text below:
//  - no nfacct: k8ts does not create nfacct counters, so the KUBE-FORWARD INVALID
//    rule has no `-m nfacct --nfacct-name ct_state_invalid_dropped_pkts`, and the
//    extra `-d 127.0.0.0/8 ... localhost_nps_accepted_pkts` NodePort rules are absent
//    (upstream writes neither when its counters are unavailable).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Node, Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { FakeConntrack } from "../conntrack/fake.ts";
import { ProxyMetrics } from "../metrics.ts";
import {
  FakeIptables,
  makeTestEndpointSlice,
  makeTestService,
  normalizeRestore,
} from "../testing/fixtures.ts";
import { base32, servicePortEndpointChain, servicePortPolicyClusterChain } from "./chains.ts";
import { cleanupLeftovers, computeProbability, Proxier } from "./proxier.ts";

const testNodeName = "test-node";
const testNodeIP = "192.168.0.2";

/** NewFakeProxier: cluster CIDR 10.0.0.0/8, mark 0x4000, localhost NodePorts on. */
function newFakeProxier(ipt: FakeIptables, metrics?: ProxyMetrics, conntrack?: FakeConntrack): Proxier {
  return new Proxier({
    conntrack,
    iptables: ipt,
    hostname: testNodeName,
    nodeIP: testNodeIP,
    clusterCIDR: "10.0.0.0/8",
    masqueradeMark: "0x4000",
    localhostNodePorts: true,
    syncPeriodMs: 30_000,
    minSyncPeriodMs: 0,
    metrics,
  });
}

function load(p: Proxier, services: Service[], slices: EndpointSlice[]): void {
  for (const s of services) p.onServiceAdd(s);
  for (const e of slices) p.onEndpointSliceAdd(e);
  p.onServiceSynced();
  p.onEndpointSlicesSynced();
}

function dedent(s: string): string {
  return s
    .split("\n")
    .map((l) => l.trim())
    .filter(Boolean)
    .join("\n");
}

function assertRulesEqual(actual: string, expected: string): void {
  assert.deepEqual(normalizeRestore(actual), normalizeRestore(dedent(expected)));
}

const port80 = { name: "p80", port: 80, protocol: "TCP" };

describe("iptables proxier chain names", () => {
  it("hashes like upstream (base32 of sha256, 16 characters)", () => {
    assert.equal(base32(Buffer.from("foobar")), "MZXW6YTBOI======");
    assert.equal(servicePortPolicyClusterChain("ns1/svc1:p80", "tcp"), "KUBE-SVC-XPGD46QRK7WJZT7O");
    assert.equal(
      servicePortEndpointChain("ns1/svc1:p80", "tcp", "10.180.0.1:80"),
      "KUBE-SEP-SXIVWICOYRO3J4NJ",
    );
  });

  it("formats probabilities with %0.10f", () => {
    assert.equal(computeProbability(2), "0.5000000000");
    assert.equal(computeProbability(3), "0.3333333333");
    assert.equal(computeProbability(7), "0.1428571429");
  });
});

describe("syncProxyRules", () => {
  it("TestOverallIPTablesRules: ClusterIP, LoadBalancer (Local), NodePort, ExternalIP, affinity, no endpoints", async () => {
    const ipt = new FakeIptables();
    const metrics = new ProxyMetrics();
    const fp = newFakeProxier(ipt, metrics);
    load(
      fp,
      [
        makeTestService("ns1", "svc1", (svc) => {
          svc.spec = { clusterIP: "172.30.0.41", ports: [port80] };
        }),
        makeTestService("ns2", "svc2", (svc) => {
          svc.spec = {
            type: "LoadBalancer",
            externalTrafficPolicy: "Local",
            clusterIP: "172.30.0.42",
            ports: [{ ...port80, nodePort: 3001 }],
            externalIPs: ["192.168.99.22"],
            healthCheckNodePort: 30000,
          };
          Object.assign(svc, { status: { loadBalancer: { ingress: [{ ip: "1.2.3.4" }] } } });
        }),
        makeTestService("ns3", "svc3", (svc) => {
          svc.spec = { type: "NodePort", clusterIP: "172.30.0.43", ports: [{ ...port80, nodePort: 3003 }] };
        }),
        makeTestService("ns4", "svc4", (svc) => {
          svc.spec = {
            type: "NodePort",
            clusterIP: "172.30.0.44",
            externalIPs: ["192.168.99.33"],
            ports: [{ ...port80, targetPort: 80 }],
          };
        }),
        makeTestService("ns5", "svc5", (svc) => {
          svc.spec = {
            type: "LoadBalancer",
            externalTrafficPolicy: "Cluster",
            clusterIP: "172.30.0.45",
            ports: [{ ...port80, nodePort: 3002 }],
            healthCheckNodePort: 30000,
            loadBalancerSourceRanges: [" 203.0.113.0/25"],
            sessionAffinity: "ClientIP",
            sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
          };
          Object.assign(svc, { status: { loadBalancer: { ingress: [{ ip: "5.6.7.8" }] } } });
        }),
        makeTestService("ns6", "svc6", (svc) => {
          svc.spec = { type: "ClusterIP", clusterIP: "172.30.0.46", ports: [{ ...port80, targetPort: 80 }] };
        }),
      ],
      [
        makeTestEndpointSlice("ns1", "svc1", 1, (eps) => {
          eps.endpoints = [{ addresses: ["10.180.0.1"] }];
          eps.ports = [port80];
        }),
        // No nodeName: not local, so svc2 (eTP Local) has no local endpoints.
        makeTestEndpointSlice("ns2", "svc2", 1, (eps) => {
          eps.endpoints = [{ addresses: ["10.180.0.2"] }];
          eps.ports = [port80];
        }),
        makeTestEndpointSlice("ns3", "svc3", 1, (eps) => {
          eps.endpoints = [{ addresses: ["10.180.0.3"] }];
          eps.ports = [port80];
        }),
        makeTestEndpointSlice("ns4", "svc4", 1, (eps) => {
          eps.endpoints = [
            { addresses: ["10.180.0.4"] },
            { addresses: ["10.180.0.5"], nodeName: testNodeName },
          ];
          eps.ports = [port80];
        }),
        makeTestEndpointSlice("ns5", "svc5", 1, (eps) => {
          eps.endpoints = [{ addresses: ["10.180.0.3"] }];
          eps.ports = [port80];
        }),
      ],
    );
    const result = await fp.syncProxyRules();
    assert.ok(result);
    assertRulesEqual(
      result.data,
      `
      *filter
      :KUBE-NODEPORTS - [0:0]
      :KUBE-SERVICES - [0:0]
      :KUBE-EXTERNAL-SERVICES - [0:0]
      :KUBE-FIREWALL - [0:0]
      :KUBE-FORWARD - [0:0]
      :KUBE-PROXY-FIREWALL - [0:0]
      -A KUBE-NODEPORTS -m comment --comment "ns2/svc2:p80 health check node port" -m tcp -p tcp --dport 30000 -j ACCEPT
      -A KUBE-SERVICES -m comment --comment "ns6/svc6:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.46 --dport 80 -j REJECT
      -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j DROP
      -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j DROP
      -A KUBE-EXTERNAL-SERVICES -m comment --comment "ns2/svc2:p80 has no local endpoints" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 3001 -j DROP
      -A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
      -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
      -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
      -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
      -A KUBE-PROXY-FIREWALL -m comment --comment "ns5/svc5:p80 traffic not accepted by KUBE-FW-NUKIZ6OKUXPJNT4C" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j DROP
      COMMIT
      *nat
      :KUBE-NODEPORTS - [0:0]
      :KUBE-SERVICES - [0:0]
      :KUBE-EXT-4SW47YFZTEDKD3PK - [0:0]
      :KUBE-EXT-GNZBNJ2PO5MGZ6GT - [0:0]
      :KUBE-EXT-NUKIZ6OKUXPJNT4C - [0:0]
      :KUBE-EXT-X27LE4BHSL4DOUIK - [0:0]
      :KUBE-FW-NUKIZ6OKUXPJNT4C - [0:0]
      :KUBE-MARK-MASQ - [0:0]
      :KUBE-POSTROUTING - [0:0]
      :KUBE-SEP-C6EBXVWJJZMIWKLZ - [0:0]
      :KUBE-SEP-I77PXRDZVX7PMWMN - [0:0]
      :KUBE-SEP-OYPFS5VJICHGATKP - [0:0]
      :KUBE-SEP-RS4RBKLTHTF2IUXJ - [0:0]
      :KUBE-SEP-SXIVWICOYRO3J4NJ - [0:0]
      :KUBE-SEP-UKSFD7AGPMPPLUHC - [0:0]
      :KUBE-SVC-4SW47YFZTEDKD3PK - [0:0]
      :KUBE-SVC-GNZBNJ2PO5MGZ6GT - [0:0]
      :KUBE-SVC-NUKIZ6OKUXPJNT4C - [0:0]
      :KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
      :KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
      -A KUBE-NODEPORTS -m comment --comment ns2/svc2:p80 -m tcp -p tcp --dport 3001 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
      -A KUBE-NODEPORTS -m comment --comment ns3/svc3:p80 -m tcp -p tcp --dport 3003 -j KUBE-EXT-X27LE4BHSL4DOUIK
      -A KUBE-NODEPORTS -m comment --comment ns5/svc5:p80 -m tcp -p tcp --dport 3002 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
      -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
      -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
      -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 external IP" -m tcp -p tcp -d 192.168.99.22 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
      -A KUBE-SERVICES -m comment --comment "ns2/svc2:p80 loadbalancer IP" -m tcp -p tcp -d 1.2.3.4 --dport 80 -j KUBE-EXT-GNZBNJ2PO5MGZ6GT
      -A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
      -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j KUBE-SVC-4SW47YFZTEDKD3PK
      -A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 external IP" -m tcp -p tcp -d 192.168.99.33 --dport 80 -j KUBE-EXT-4SW47YFZTEDKD3PK
      -A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 -j KUBE-SVC-NUKIZ6OKUXPJNT4C
      -A KUBE-SERVICES -m comment --comment "ns5/svc5:p80 loadbalancer IP" -m tcp -p tcp -d 5.6.7.8 --dport 80 -j KUBE-FW-NUKIZ6OKUXPJNT4C
      -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS
      -A KUBE-EXT-4SW47YFZTEDKD3PK -m comment --comment "masquerade traffic for ns4/svc4:p80 external destinations" -j KUBE-MARK-MASQ
      -A KUBE-EXT-4SW47YFZTEDKD3PK -j KUBE-SVC-4SW47YFZTEDKD3PK
      -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
      -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ
      -A KUBE-EXT-GNZBNJ2PO5MGZ6GT -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-SVC-GNZBNJ2PO5MGZ6GT
      -A KUBE-EXT-NUKIZ6OKUXPJNT4C -m comment --comment "masquerade traffic for ns5/svc5:p80 external destinations" -j KUBE-MARK-MASQ
      -A KUBE-EXT-NUKIZ6OKUXPJNT4C -j KUBE-SVC-NUKIZ6OKUXPJNT4C
      -A KUBE-EXT-X27LE4BHSL4DOUIK -m comment --comment "masquerade traffic for ns3/svc3:p80 external destinations" -j KUBE-MARK-MASQ
      -A KUBE-EXT-X27LE4BHSL4DOUIK -j KUBE-SVC-X27LE4BHSL4DOUIK
      -A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 loadbalancer IP" -s 203.0.113.0/25 -j KUBE-EXT-NUKIZ6OKUXPJNT4C
      -A KUBE-FW-NUKIZ6OKUXPJNT4C -m comment --comment "other traffic to ns5/svc5:p80 will be dropped by KUBE-PROXY-FIREWALL"
      -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
      -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
      -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
      -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE
      -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -s 10.180.0.5 -j KUBE-MARK-MASQ
      -A KUBE-SEP-C6EBXVWJJZMIWKLZ -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.5:80
      -A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
      -A KUBE-SEP-I77PXRDZVX7PMWMN -m comment --comment ns5/svc5:p80 -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --set -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
      -A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -s 10.180.0.3 -j KUBE-MARK-MASQ
      -A KUBE-SEP-OYPFS5VJICHGATKP -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.3:80
      -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -s 10.180.0.2 -j KUBE-MARK-MASQ
      -A KUBE-SEP-RS4RBKLTHTF2IUXJ -m comment --comment ns2/svc2:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.2:80
      -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -s 10.180.0.1 -j KUBE-MARK-MASQ
      -A KUBE-SEP-SXIVWICOYRO3J4NJ -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.1:80
      -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -s 10.180.0.4 -j KUBE-MARK-MASQ
      -A KUBE-SEP-UKSFD7AGPMPPLUHC -m comment --comment ns4/svc4:p80 -m tcp -p tcp -j DNAT --to-destination 10.180.0.4:80
      -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 cluster IP" -m tcp -p tcp -d 172.30.0.44 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
      -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.4:80" -m statistic --mode random --probability 0.5000000000 -j KUBE-SEP-UKSFD7AGPMPPLUHC
      -A KUBE-SVC-4SW47YFZTEDKD3PK -m comment --comment "ns4/svc4:p80 -> 10.180.0.5:80" -j KUBE-SEP-C6EBXVWJJZMIWKLZ
      -A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
      -A KUBE-SVC-GNZBNJ2PO5MGZ6GT -m comment --comment "ns2/svc2:p80 -> 10.180.0.2:80" -j KUBE-SEP-RS4RBKLTHTF2IUXJ
      -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 cluster IP" -m tcp -p tcp -d 172.30.0.45 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
      -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -m recent --name KUBE-SEP-I77PXRDZVX7PMWMN --rcheck --seconds 10800 --reap -j KUBE-SEP-I77PXRDZVX7PMWMN
      -A KUBE-SVC-NUKIZ6OKUXPJNT4C -m comment --comment "ns5/svc5:p80 -> 10.180.0.3:80" -j KUBE-SEP-I77PXRDZVX7PMWMN
      -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
      -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.180.0.3:80" -j KUBE-SEP-OYPFS5VJICHGATKP
      -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
      -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.180.0.1:80" -j KUBE-SEP-SXIVWICOYRO3J4NJ
      COMMIT
      `,
    );
    // The nat rule metric counts the -A lines written (upstream's countRulesFromMetric check).
    const natLines = result.data
      .split("*nat")[1]
      .split("\n")
      .filter((l) => l.startsWith("-A ")).length;
    assert.equal(result.natRules, natLines);
    assert.equal(natLines, 52);
    assert.ok(
      metrics.render().includes('kubeproxy_sync_proxy_rules_iptables_total{table="nat",ip_family="IPv4"} 52'),
    );
    assert.ok(
      metrics
        .render()
        .includes('kubeproxy_sync_proxy_rules_iptables_total{table="filter",ip_family="IPv4"} 10'),
    );
    assert.match(metrics.render(), /kubeproxy_sync_proxy_rules_duration_seconds_count\{ip_family="IPv4"\} 1/);
  });

  it("TestSyncProxyRulesRepeated: partial syncs write only changed chains, deletions use -X", async () => {
    const ipt = new FakeIptables();
    const metrics = new ProxyMetrics();
    const fp = newFakeProxier(ipt, metrics);
    const natTotal = () => metrics.iptablesRulesTotal.get({ table: "nat", ip_family: "IPv4" });
    const natLast = () => metrics.iptablesRulesLastSync.get({ table: "nat", ip_family: "IPv4" });
    const svc2 = makeTestService("ns2", "svc2", (svc) => {
      svc.spec = {
        type: "ClusterIP",
        clusterIP: "172.30.0.42",
        ports: [{ name: "p8080", port: 8080, protocol: "TCP" }],
      };
    });
    load(
      fp,
      [
        makeTestService("ns1", "svc1", (svc) => {
          svc.spec = { type: "ClusterIP", clusterIP: "172.30.0.41", ports: [port80] };
        }),
        svc2,
      ],
      [
        makeTestEndpointSlice("ns1", "svc1", 1, (eps) => {
          eps.endpoints = [{ addresses: ["10.0.1.1"] }];
          eps.ports = [port80];
        }),
        makeTestEndpointSlice("ns2", "svc2", 1, (eps) => {
          eps.endpoints = [{ addresses: ["10.0.2.1"] }];
          eps.ports = [{ name: "p8080", port: 8080, protocol: "TCP" }];
        }),
      ],
    );
    const filter = `
      *filter
      :KUBE-NODEPORTS - [0:0]
      :KUBE-SERVICES - [0:0]
      :KUBE-EXTERNAL-SERVICES - [0:0]
      :KUBE-FIREWALL - [0:0]
      :KUBE-FORWARD - [0:0]
      :KUBE-PROXY-FIREWALL - [0:0]
      -A KUBE-FIREWALL -m comment --comment "block incoming localnet connections" -d 127.0.0.0/8 ! -s 127.0.0.0/8 -m conntrack ! --ctstate RELATED,ESTABLISHED,DNAT -j DROP
      -A KUBE-FORWARD -m conntrack --ctstate INVALID -j DROP
      -A KUBE-FORWARD -m comment --comment "kubernetes forwarding rules" -m mark --mark 0x4000/0x4000 -j ACCEPT
      -A KUBE-FORWARD -m comment --comment "kubernetes forwarding conntrack rule" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT
      COMMIT`;
    const natHead = `
      *nat
      :KUBE-NODEPORTS - [0:0]
      :KUBE-SERVICES - [0:0]
      :KUBE-MARK-MASQ - [0:0]
      :KUBE-POSTROUTING - [0:0]`;
    const nodePortsJump = `
      -A KUBE-SERVICES -m comment --comment "kubernetes service nodeports; NOTE: this must be the last rule in this chain" -m addrtype --dst-type LOCAL -j KUBE-NODEPORTS`;
    const natFixed = `${nodePortsJump}
      -A KUBE-MARK-MASQ -j MARK --or-mark 0x4000
      -A KUBE-POSTROUTING -m mark ! --mark 0x4000/0x4000 -j RETURN
      -A KUBE-POSTROUTING -j MARK --xor-mark 0x4000
      -A KUBE-POSTROUTING -m comment --comment "kubernetes service traffic requiring SNAT" -j MASQUERADE`;

    let r = await fp.syncProxyRules();
    assert.ok(r?.full);
    assertRulesEqual(
      r.data,
      `${filter}${natHead}
      :KUBE-SEP-SNQ3ZNILQDEJNDQO - [0:0]
      :KUBE-SEP-UHEGFW77JX3KXTOV - [0:0]
      :KUBE-SVC-2VJB64SDSIJUP5T6 - [0:0]
      :KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]
      -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
      -A KUBE-SERVICES -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 -j KUBE-SVC-2VJB64SDSIJUP5T6
      ${natFixed}
      -A KUBE-SEP-SNQ3ZNILQDEJNDQO -m comment --comment ns1/svc1:p80 -s 10.0.1.1 -j KUBE-MARK-MASQ
      -A KUBE-SEP-SNQ3ZNILQDEJNDQO -m comment --comment ns1/svc1:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.1.1:80
      -A KUBE-SEP-UHEGFW77JX3KXTOV -m comment --comment ns2/svc2:p8080 -s 10.0.2.1 -j KUBE-MARK-MASQ
      -A KUBE-SEP-UHEGFW77JX3KXTOV -m comment --comment ns2/svc2:p8080 -m tcp -p tcp -j DNAT --to-destination 10.0.2.1:8080
      -A KUBE-SVC-2VJB64SDSIJUP5T6 -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
      -A KUBE-SVC-2VJB64SDSIJUP5T6 -m comment --comment "ns2/svc2:p8080 -> 10.0.2.1:8080" -j KUBE-SEP-UHEGFW77JX3KXTOV
      -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
      -A KUBE-SVC-XPGD46QRK7WJZT7O -m comment --comment "ns1/svc1:p80 -> 10.0.1.1:80" -j KUBE-SEP-SNQ3ZNILQDEJNDQO
      COMMIT`,
    );

    const countNat = (data: string) =>
      data
        .split("*nat")[1]
        .split("\n")
        .filter((l) => l.startsWith("-A ")).length;
    const rulesTotal = countNat(r.data);
    assert.equal(natTotal(), rulesTotal);
    assert.equal(natLast(), rulesTotal);

    // A new service: its SVC and SEP chains and KUBE-SERVICES are written; the unchanged filter
    // table and shared nat chains are left out.
    fp.onServiceAdd(
      makeTestService("ns3", "svc3", (svc) => {
        svc.spec = { type: "ClusterIP", clusterIP: "172.30.0.43", ports: [port80] };
      }),
    );
    fp.onEndpointSliceAdd(
      makeTestEndpointSlice("ns3", "svc3", 1, (eps) => {
        eps.endpoints = [{ addresses: ["10.0.3.1"] }];
        eps.ports = [port80];
      }),
    );
    r = await fp.syncProxyRules();
    assert.equal(r?.full, false);
    assertRulesEqual(
      r.data,
      `*nat
      :KUBE-SERVICES - [0:0]
      :KUBE-SEP-BSWRHOQ77KEXZLNL - [0:0]
      :KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
      -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
      -A KUBE-SERVICES -m comment --comment "ns2/svc2:p8080 cluster IP" -m tcp -p tcp -d 172.30.0.42 --dport 8080 -j KUBE-SVC-2VJB64SDSIJUP5T6
      -A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
      ${nodePortsJump}
      -A KUBE-SEP-BSWRHOQ77KEXZLNL -m comment --comment ns3/svc3:p80 -s 10.0.3.1 -j KUBE-MARK-MASQ
      -A KUBE-SEP-BSWRHOQ77KEXZLNL -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.3.1:80
      -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
      -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.0.3.1:80" -j KUBE-SEP-BSWRHOQ77KEXZLNL
      COMMIT`,
    );

    // 1 KUBE-SERVICES rule, 2 KUBE-SVC rules and 2 KUBE-SEP rules more, as upstream counts.
    assert.equal(natLast(), countNat(r.data));
    assert.equal(natTotal(), rulesTotal + 5);

    // An endpoint change rewrites only that service's chains (and deletes the old endpoint's).
    fp.onEndpointSliceUpdate(
      makeTestEndpointSlice("ns3", "svc3", 1, (eps) => {
        eps.endpoints = [{ addresses: ["10.0.3.1"] }];
        eps.ports = [port80];
      }),
      makeTestEndpointSlice("ns3", "svc3", 1, (eps) => {
        eps.endpoints = [{ addresses: ["10.0.3.2"] }];
        eps.ports = [port80];
      }),
    );
    r = await fp.syncProxyRules();
    assertRulesEqual(
      r!.data,
      `*nat
      :KUBE-SEP-BSWRHOQ77KEXZLNL - [0:0]
      :KUBE-SEP-DKCFIS26GWF2WLWC - [0:0]
      :KUBE-SVC-X27LE4BHSL4DOUIK - [0:0]
      -A KUBE-SEP-DKCFIS26GWF2WLWC -m comment --comment ns3/svc3:p80 -s 10.0.3.2 -j KUBE-MARK-MASQ
      -A KUBE-SEP-DKCFIS26GWF2WLWC -m comment --comment ns3/svc3:p80 -m tcp -p tcp -j DNAT --to-destination 10.0.3.2:80
      -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 ! -s 10.0.0.0/8 -j KUBE-MARK-MASQ
      -A KUBE-SVC-X27LE4BHSL4DOUIK -m comment --comment "ns3/svc3:p80 -> 10.0.3.2:80" -j KUBE-SEP-DKCFIS26GWF2WLWC
      -X KUBE-SEP-BSWRHOQ77KEXZLNL
      COMMIT`,
    );
    assert.equal(natLast(), 4);
    assert.equal(natTotal(), rulesTotal + 5);

    // Deleting a service flushes and deletes its chains; the others are not rewritten.
    fp.onServiceDelete(svc2);
    r = await fp.syncProxyRules();
    assertRulesEqual(
      r!.data,
      `*nat
      :KUBE-SERVICES - [0:0]
      :KUBE-SEP-UHEGFW77JX3KXTOV - [0:0]
      :KUBE-SVC-2VJB64SDSIJUP5T6 - [0:0]
      -A KUBE-SERVICES -m comment --comment "ns1/svc1:p80 cluster IP" -m tcp -p tcp -d 172.30.0.41 --dport 80 -j KUBE-SVC-XPGD46QRK7WJZT7O
      -A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j KUBE-SVC-X27LE4BHSL4DOUIK
      ${nodePortsJump}
      -X KUBE-SEP-UHEGFW77JX3KXTOV
      -X KUBE-SVC-2VJB64SDSIJUP5T6
      COMMIT`,
    );
    assert.equal(natTotal(), rulesTotal);

    // A service without endpoints gets only the filter REJECT.
    fp.onServiceAdd(
      makeTestService("ns4", "svc4", (svc) => {
        svc.spec = { type: "ClusterIP", clusterIP: "172.30.0.44", ports: [port80] };
      }),
    );
    r = await fp.syncProxyRules();
    assert.ok(
      r!.data.includes(
        '-A KUBE-SERVICES -m comment --comment "ns4/svc4:p80 has no endpoints" -m tcp -p tcp -d 172.30.0.44 --dport 80 -j REJECT',
      ),
    );
    assert.ok(!r!.data.includes("KUBE-SVC-XPGD46QRK7WJZT7O - [0:0]"));
  });

  it("a first sync into a nearly empty nat table lists it first; later syncs do not", async () => {
    const ipt = new FakeIptables();
    const fp = newFakeProxier(ipt);
    const services = Array.from({ length: 20 }, (_, i) =>
      makeTestService("ns", `svc${i}`, (svc) => {
        svc.spec = { type: "ClusterIP", clusterIP: `172.30.1.${i + 1}`, ports: [port80] };
      }),
    );
    const slices = services.map((_, i) =>
      makeTestEndpointSlice("ns", `svc${i}`, 1, (eps) => {
        eps.endpoints = [{ addresses: [`10.0.1.${i + 1}`] }, { addresses: [`10.0.2.${i + 1}`] }];
        eps.ports = [port80];
      }),
    );
    load(fp, services, slices);
    const natLines = (data: string) => data.split("*nat\n")[1].split("\n");
    let r = await fp.syncProxyRules();
    assert.ok(r?.full);
    // iptables-nft then fetches the whole table instead of growing its sorted chain-name list.
    assert.equal(natLines(r.data)[0], "-S");
    fp.onEndpointSliceUpdate(
      slices[0],
      makeTestEndpointSlice("ns", "svc0", 1, (eps) => {
        eps.endpoints = [{ addresses: ["10.0.3.1"] }];
        eps.ports = [port80];
      }),
    );
    r = await fp.syncProxyRules();
    assert.equal(r?.full, false);
    assert.ok(!natLines(r.data).includes("-S"));
    fp.forceFullSync();
    r = await fp.syncProxyRules();
    assert.ok(r?.full);
    assert.ok(!natLines(r.data).includes("-S"), "the table holds the chains now: no listing");
  });

  it("spaces full syncs by 20× the last one's duration, at least syncPeriod", async () => {
    class SlowIptables extends FakeIptables {
      override async restoreAll(data: string): Promise<void> {
        await new Promise((r) => setTimeout(r, 100));
        await super.restoreAll(data);
      }
    }
    let now = 1_000_000;
    const fp = new Proxier({
      iptables: new SlowIptables(),
      hostname: testNodeName,
      clusterCIDR: "10.0.0.0/8",
      syncPeriodMs: 1_000,
      minSyncPeriodMs: 0,
      now: () => now,
    });
    load(fp, [], []);
    assert.ok((await fp.syncProxyRules())?.full);
    // The full sync took ≥ 100 ms: the next is due ≥ 2 s later, not after syncPeriod (1 s).
    now += 1_500;
    assert.equal((await fp.syncProxyRules())?.full, false);
    now += 10_000;
    assert.equal((await fp.syncProxyRules())?.full, true);
  });

  it("Local traffic policies: KUBE-SVL for internalTrafficPolicy Local, KUBE-EXT → KUBE-SVL for eTP Local", async () => {
    const ipt = new FakeIptables();
    const fp = newFakeProxier(ipt);
    const eps = (ns: string, name: string, local: string, remote: string) =>
      makeTestEndpointSlice(ns, name, 1, (e) => {
        e.endpoints = [
          { addresses: [local], nodeName: testNodeName },
          { addresses: [remote], nodeName: "remote" },
        ];
        e.ports = [port80];
      });
    load(
      fp,
      [
        makeTestService("ns2", "svc2", (svc) => {
          svc.spec = {
            type: "NodePort",
            clusterIP: "172.30.0.42",
            externalTrafficPolicy: "Local",
            ports: [{ ...port80, nodePort: 3002 }],
          };
        }),
        makeTestService("ns3", "svc3", (svc) => {
          svc.spec = {
            type: "ClusterIP",
            clusterIP: "172.30.0.43",
            internalTrafficPolicy: "Local",
            ports: [port80],
          };
        }),
      ],
      [eps("ns2", "svc2", "10.180.0.2", "10.180.1.2"), eps("ns3", "svc3", "10.180.0.3", "10.180.1.3")],
    );
    const r = await fp.syncProxyRules();
    const nat = normalizeRestore(r!.data).nat;
    const svl2 = "KUBE-SVL-GNZBNJ2PO5MGZ6GT";
    const ext2 = "KUBE-EXT-GNZBNJ2PO5MGZ6GT";
    const svc2 = "KUBE-SVC-GNZBNJ2PO5MGZ6GT";
    // ClusterIP traffic of an eTP:Local service still goes to every endpoint.
    assert.equal(nat.rules[svc2].length, 3);
    assert.deepEqual(nat.rules[ext2], [
      `-A ${ext2} -m comment --comment "pod traffic for ns2/svc2:p80 external destinations" -s 10.0.0.0/8 -j ${svc2}`,
      `-A ${ext2} -m comment --comment "masquerade LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ`,
      `-A ${ext2} -m comment --comment "route LOCAL traffic for ns2/svc2:p80 external destinations" -m addrtype --src-type LOCAL -j ${svc2}`,
      `-A ${ext2} -j ${svl2}`,
    ]);
    assert.equal(nat.rules[svl2].length, 1);
    assert.match(nat.rules[svl2][0], /"ns2\/svc2:p80 -> 10\.180\.0\.2:80" -j KUBE-SEP-/);
    // iTP:Local: the ClusterIP jumps to KUBE-SVL, which holds only the local endpoint; no KUBE-SVC.
    const svl3 = servicePortPolicyClusterChain("ns3/svc3:p80", "tcp").replace("KUBE-SVC-", "KUBE-SVL-");
    assert.ok(
      nat.rules["KUBE-SERVICES"].includes(
        `-A KUBE-SERVICES -m comment --comment "ns3/svc3:p80 cluster IP" -m tcp -p tcp -d 172.30.0.43 --dport 80 -j ${svl3}`,
      ),
    );
    assert.equal(nat.rules[svl3].length, 2);
    assert.ok(!nat.chains.includes(`:${servicePortPolicyClusterChain("ns3/svc3:p80", "tcp")} - [0:0]`));
    assert.ok(!r!.data.includes("10.180.1.3"));
  });

  it("uses serving terminating endpoints only when no endpoint is ready", async () => {
    const ipt = new FakeIptables();
    const fp = newFakeProxier(ipt);
    const slice = makeTestEndpointSlice("ns1", "svc1", 1, (e) => {
      e.endpoints = [
        { addresses: ["10.0.1.1"], conditions: { ready: true } },
        { addresses: ["10.0.1.2"], conditions: { ready: false, serving: true, terminating: true } },
        { addresses: ["10.0.1.3"], conditions: { ready: false, serving: false, terminating: false } },
      ];
      e.ports = [port80];
    });
    load(
      fp,
      [
        makeTestService("ns1", "svc1", (svc) => {
          svc.spec = { clusterIP: "172.30.0.41", ports: [port80] };
        }),
      ],
      [slice],
    );
    let r = await fp.syncProxyRules();
    assert.ok(r!.data.includes("--to-destination 10.0.1.1:80"));
    assert.ok(!r!.data.includes("--to-destination 10.0.1.2:80"));
    const next = structuredClone(slice);
    next.endpoints = next.endpoints.slice(1);
    fp.onEndpointSliceUpdate(slice, next);
    r = await fp.syncProxyRules();
    assert.ok(r!.data.includes("--to-destination 10.0.1.2:80"));
    assert.ok(!r!.data.includes("10.0.1.3"));
  });

  it("zone hints: cluster traffic keeps to the node's zone; a zone change resyncs every service", async () => {
    const fp = newFakeProxier(new FakeIptables());
    const node = (zone?: string): Node => ({
      metadata: { name: testNodeName, labels: zone ? { "topology.kubernetes.io/zone": zone } : {} },
    });
    fp.onNodeAdd(node("zone-a"));
    load(
      fp,
      [makeTestService("ns1", "svc1", (s) => (s.spec = { clusterIP: "172.30.0.41", ports: [port80] }))],
      [
        makeTestEndpointSlice("ns1", "svc1", 1, (e) => {
          e.endpoints = [
            { addresses: ["10.0.1.1"], hints: { forZones: [{ name: "zone-a" }] } },
            { addresses: ["10.0.1.2"], hints: { forZones: [{ name: "zone-b" }] } },
            { addresses: ["10.0.1.3"], hints: { forZones: [{ name: "zone-a" }] } },
          ];
          e.ports = [port80];
        }),
      ],
    );
    const svcChain = "KUBE-SVC-XPGD46QRK7WJZT7O";
    const targets = (data: string) =>
      normalizeRestore(data)
        .nat.rules[svcChain].map((l) => /-j (KUBE-SEP-\S+)/.exec(l)?.[1])
        .filter((c) => c !== undefined);
    const sep = (ip: string) => servicePortEndpointChain("ns1/svc1:p80", "tcp", `${ip}:80`);

    let r = await fp.syncProxyRules();
    assert.deepEqual(targets(r!.data), [sep("10.0.1.1"), sep("10.0.1.3")]);
    // Endpoints of other zones stay reachable from nowhere on this node: no KUBE-SEP chain.
    assert.ok(!r!.data.includes("10.0.1.2"));

    // A label change that leaves the zone alone is no topology change: the sync stays partial.
    fp.onNodeUpdate(node("zone-a"), {
      metadata: { name: testNodeName, labels: { "topology.kubernetes.io/zone": "zone-a", other: "x" } },
    });
    r = await fp.syncProxyRules();
    assert.ok(!r!.natChainsWritten.includes(svcChain));

    fp.onNodeUpdate(node("zone-a"), node("zone-b"));
    assert.deepEqual(fp.nodeTopologyLabels, { "topology.kubernetes.io/zone": "zone-b" });
    r = await fp.syncProxyRules();
    assert.ok(r!.natChainsWritten.includes(svcChain));
    assert.deepEqual(targets(r!.data), [sep("10.0.1.2")]);

    // No zone label (or a deleted Node): hints are ignored, every ready endpoint is used.
    fp.onNodeUpdate(node("zone-b"), node());
    r = await fp.syncProxyRules();
    assert.deepEqual(targets(r!.data), [sep("10.0.1.1"), sep("10.0.1.2"), sep("10.0.1.3")]);
    fp.onNodeAdd(node("zone-a"));
    fp.onNodeDelete(node("zone-a"));
    assert.deepEqual(fp.nodeTopologyLabels, {});

    // Events for other nodes are ignored.
    fp.onNodeAdd({ metadata: { name: "other-node", labels: { "topology.kubernetes.io/zone": "zone-a" } } });
    assert.deepEqual(fp.nodeTopologyLabels, {});
  });

  it("spreads over three endpoints with 1/3 then 1/2", async () => {
    const fp = newFakeProxier(new FakeIptables());
    load(
      fp,
      [makeTestService("ns1", "svc1", (s) => (s.spec = { clusterIP: "172.30.0.41", ports: [port80] }))],
      [
        makeTestEndpointSlice("ns1", "svc1", 1, (e) => {
          e.endpoints = ["10.0.1.1", "10.0.1.2", "10.0.1.3"].map((ip) => ({ addresses: [ip] }));
          e.ports = [port80];
        }),
      ],
    );
    const r = await fp.syncProxyRules();
    const rules = normalizeRestore(r!.data).nat.rules["KUBE-SVC-XPGD46QRK7WJZT7O"];
    assert.match(rules[1], /-m statistic --mode random --probability 0\.3333333333 -j KUBE-SEP-/);
    assert.match(rules[2], /-m statistic --mode random --probability 0\.5000000000 -j KUBE-SEP-/);
    assert.doesNotMatch(rules[3], /statistic/);
  });

  it("cleanupLeftovers deletes the jumps and every KUBE-* chain", async () => {
    const ipt = new FakeIptables();
    const fp = newFakeProxier(ipt);
    load(
      fp,
      [makeTestService("ns1", "svc1", (s) => (s.spec = { clusterIP: "172.30.0.41", ports: [port80] }))],
      [
        makeTestEndpointSlice("ns1", "svc1", 1, (e) => {
          e.endpoints = [{ addresses: ["10.0.1.1"] }];
          e.ports = [port80];
        }),
      ],
    );
    await fp.syncProxyRules();
    assert.ok(ipt.rules.length > 0);
    assert.equal(await cleanupLeftovers(ipt), false);
    assert.equal(ipt.rules.length, 0);
    for (const t of ["nat", "filter", "mangle"] as const) assert.deepEqual([...ipt.chains[t]], []);
  });
});

describe("stale UDP conntrack entries", () => {
  const svcIP = "172.30.0.41";
  const nodePort = 31201;
  const udp80 = { name: "p80", port: 80, protocol: "UDP" };
  const udpService = makeTestService("ns1", "svc1", (s) => {
    s.spec = { type: "NodePort", clusterIP: svcIP, ports: [{ ...udp80, nodePort }] };
  });
  const udpSlice = (ip: string, ready: boolean): EndpointSlice =>
    makeTestEndpointSlice("ns1", "svc1", 1, (e) => {
      e.endpoints = [{ addresses: [ip], conditions: { ready, serving: ready } }];
      e.ports = [udp80];
    });
  const cleared = (ct: FakeConntrack) => ({
    ips: [...ct.clearedIPs].sort(),
    ports: [...ct.clearedPorts],
    nats: Object.fromEntries(ct.clearedNATs),
    portNATs: Object.fromEntries(ct.clearedPortNATs),
  });
  const nothing = { ips: [], ports: [], nats: {}, portNATs: {} };

  it("TestProxierDeleteNodePortStaleUDP: a UDP service clears its ClusterIP and NodePort once it has endpoints", async () => {
    const ct = new FakeConntrack();
    const fp = newFakeProxier(new FakeIptables(), undefined, ct);
    load(fp, [udpService], []);
    await fp.syncProxyRules();
    // "Created service without endpoints must not clear conntrack entries"
    assert.deepEqual(cleared(ct), nothing);
    fp.onEndpointSliceAdd(udpSlice("10.180.0.1", false));
    await fp.syncProxyRules();
    // "Updated UDP service with not ready endpoints must not clear UDP entries"
    assert.deepEqual(cleared(ct), nothing);
    fp.onEndpointSliceUpdate(udpSlice("10.180.0.1", false), udpSlice("10.180.0.1", true));
    await fp.syncProxyRules();
    // "Updated UDP service with new endpoints must clear UDP entries":
    // conntrack -D --orig-dst 172.30.0.41 -p udp; conntrack -D -p udp --dport 31201
    assert.deepEqual(cleared(ct), { ...nothing, ips: [svcIP], ports: [nodePort] });
  });

  it("a replaced UDP endpoint's NAT entries are cleared, for the ClusterIP and the NodePort", async () => {
    const ct = new FakeConntrack();
    const fp = newFakeProxier(new FakeIptables(), undefined, ct);
    load(fp, [udpService], [udpSlice("10.180.0.1", true)]);
    await fp.syncProxyRules();
    ct.reset();
    fp.onEndpointSliceUpdate(udpSlice("10.180.0.1", true), udpSlice("10.180.0.2", true));
    await fp.syncProxyRules();
    assert.deepEqual(cleared(ct), {
      ...nothing,
      nats: { [svcIP]: "10.180.0.1" },
      portNATs: { [nodePort]: "10.180.0.1" },
    });
  });

  it("a deleted UDP service's ClusterIP is cleared; TCP services clear nothing", async () => {
    const ct = new FakeConntrack();
    const fp = newFakeProxier(new FakeIptables(), undefined, ct);
    const tcp = makeTestService(
      "ns1",
      "tcp",
      (s) => (s.spec = { clusterIP: "172.30.0.42", ports: [port80] }),
    );
    load(fp, [udpService, tcp], []);
    await fp.syncProxyRules();
    fp.onServiceDelete(tcp);
    await fp.syncProxyRules();
    assert.deepEqual(cleared(ct), nothing);
    fp.onServiceDelete(udpService);
    await fp.syncProxyRules();
    assert.deepEqual(cleared(ct), { ...nothing, ips: [svcIP] });
  });

  it("nothing is cleared when iptables-restore fails", async () => {
    const ct = new FakeConntrack();
    const ipt = new FakeIptables();
    const fp = newFakeProxier(ipt, undefined, ct);
    load(fp, [udpService], []);
    await fp.syncProxyRules();
    ipt.restoreAll = async () => {
      throw new Error("iptables-restore: line 3 failed");
    };
    fp.onEndpointSliceAdd(udpSlice("10.180.0.1", true));
    assert.equal(await fp.syncProxyRules(), undefined);
    assert.deepEqual(cleared(ct), nothing);
    await fp.stop();
  });
});

describe("service health-check node ports", () => {
  /** Records what the proxier hands upstream's ServiceHealthServer. */
  class RecordingHealthServer {
    services: Array<Map<string, number>> = [];
    endpoints: Array<Map<string, number>> = [];
    async syncServices(m: ReadonlyMap<string, number>): Promise<void> {
      this.services.push(new Map(m));
    }
    syncEndpoints(m: ReadonlyMap<string, number>): void {
      this.endpoints.push(new Map(m));
    }
  }
  const lbLocal = makeTestService("ns1", "svc1", (svc) => {
    svc.spec = {
      type: "LoadBalancer",
      externalTrafficPolicy: "Local",
      clusterIP: "172.30.1.1",
      ports: [{ name: "", port: 80, protocol: "TCP", nodePort: 30010 }],
      healthCheckNodePort: 30000,
    };
  });
  const ep = (
    ip: string,
    ready: boolean,
    serving: boolean,
    terminating: boolean,
    nodeName = testNodeName,
  ) => ({
    addresses: [ip],
    conditions: { ready, serving, terminating },
    nodeName,
  });
  const slice = (endpoints: ReturnType<typeof ep>[]) =>
    makeTestEndpointSlice("ns1", "svc1", 1, (e) => {
      e.endpoints = endpoints;
      e.ports = [{ name: "", port: 80, protocol: "TCP" }];
    });

  it("TestHealthCheckNodePortWhenTerminating: counts local ready endpoints; none when all are terminating", async () => {
    const hcs = new RecordingHealthServer();
    const fp = new Proxier({
      iptables: new FakeIptables(),
      hostname: testNodeName,
      nodeIP: testNodeIP,
      clusterCIDR: "10.0.0.0/8",
      syncPeriodMs: 30_000,
      minSyncPeriodMs: 0,
      serviceHealthServer: hcs,
    });
    const ready = slice([
      ep("10.0.1.1", true, true, false),
      ep("10.0.1.2", true, true, false),
      ep("10.0.1.3", true, true, false),
      // not ready endpoints should be ignored
      ep("10.0.1.4", false, false, false),
      // not local
      ep("10.0.1.5", true, true, false, "node-1"),
    ]);
    load(fp, [lbLocal], [ready]);
    await fp.syncProxyRules();
    assert.deepEqual(hcs.services.at(-1), new Map([["ns1/svc1", 30000]]));
    assert.deepEqual(hcs.endpoints.at(-1), new Map([["ns1/svc1", 3]]));

    // set all endpoints to terminating
    const terminating = slice([
      ep("10.0.1.1", false, true, false),
      ep("10.0.1.2", false, true, true),
      ep("10.0.1.3", false, true, true),
      ep("10.0.1.4", false, false, true),
    ]);
    fp.onEndpointSliceUpdate(ready, terminating);
    await fp.syncProxyRules();
    assert.deepEqual(hcs.endpoints.at(-1), new Map());

    // The service goes: its health-check port is closed.
    fp.onServiceDelete(lbLocal);
    await fp.syncProxyRules();
    assert.deepEqual(hcs.services.at(-1), new Map());
  });

  it("is not told anything when iptables-restore fails", async () => {
    const hcs = new RecordingHealthServer();
    const ipt = new FakeIptables();
    const fp = new Proxier({
      iptables: ipt,
      hostname: testNodeName,
      syncPeriodMs: 30_000,
      minSyncPeriodMs: 0,
      serviceHealthServer: hcs,
    });
    ipt.restoreAll = async () => {
      throw new Error("iptables-restore: line 3 failed");
    };
    load(fp, [lbLocal], [slice([ep("10.0.1.1", true, true, false)])]);
    assert.equal(await fp.syncProxyRules(), undefined);
    assert.equal(hcs.services.length, 0);
    assert.equal(hcs.endpoints.length, 0);
    await fp.stop();
  });
});
