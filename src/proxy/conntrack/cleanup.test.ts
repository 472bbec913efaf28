// Ported from pkg/proxy/conntrack/cleanup_test.go (v1.29, TestCleanStaleEntries).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { UpdateEndpointsMapResult } from "../endpoints-cache.ts";
import {
  ServiceChangeTracker,
  ServicePortMap,
  type UpdateServiceMapResult,
} from "../service-change-tracker.ts";
import { servicePortKey } from "../service-port.ts";
import { makeTestService } from "../testing/fixtures.ts";
import { cleanStaleEntries } from "./cleanup.ts";
import { FakeConntrack } from "./fake.ts";

const testClusterIP = "172.30.1.1";
const testExternalIP = "192.168.99.100";
const testLoadBalancerIP = "1.2.3.4";
const testEndpointIP = "10.240.0.4";
const testPort = 53;
const testNodePort = 5353;
const testEndpointPort = "5300";

describe("cleanStaleEntries", () => {
  const sct = new ServiceChangeTracker();
  const svc = makeTestService("test", "cleanup-test", (s) => {
    s.spec = {
      clusterIP: testClusterIP,
      externalIPs: [testExternalIP],
      ports: [
        { name: "dns-tcp", port: testPort, protocol: "TCP" },
        { name: "dns-udp", port: testPort, nodePort: testNodePort, protocol: "UDP" },
      ],
    };
    Object.assign(s, { status: { loadBalancer: { ingress: [{ ip: testLoadBalancerIP }] } } });
  });
  sct.update(undefined, svc);
  const svcPortMap = new ServicePortMap();
  svcPortMap.update(sct);

  const tcpPortName = servicePortKey({
    namespace: "test",
    name: "cleanup-test",
    port: "dns-tcp",
    protocol: "TCP",
  });
  const udpPortName = servicePortKey({
    namespace: "test",
    name: "cleanup-test",
    port: "dns-udp",
    protocol: "UDP",
  });
  const unknownPortName = servicePortKey({
    namespace: "unknown",
    name: "cleanup-test",
    port: "dns-udp",
    protocol: "UDP",
  });

  it("builds the service port map the cases use", () => {
    assert.equal(svcPortMap.size, 2);
    const tcp = svcPortMap.get(tcpPortName)!;
    const udp = svcPortMap.get(udpPortName)!;
    // upstream's ServicePort.String(): "172.30.1.1:53/TCP".
    assert.equal(`${tcp.clusterIP}:${tcp.port}/${tcp.protocol}`, "172.30.1.1:53/TCP");
    assert.equal(`${udp.clusterIP}:${udp.port}/${udp.protocol}`, "172.30.1.1:53/UDP");
  });

  const noService: UpdateServiceMapResult = { updatedServices: new Set(), deletedUDPClusterIPs: new Set() };
  const noEndpoints: UpdateEndpointsMapResult = {
    updatedServices: new Set(),
    deletedUDPEndpoints: [],
    newlyActiveUDPServices: [],
  };
  const cases: Array<{
    description: string;
    serviceUpdates: UpdateServiceMapResult;
    endpointsUpdates: UpdateEndpointsMapResult;
    ips: string[];
    ports: number[];
    nats: Record<string, string>;
    portNATs: Record<number, string>;
  }> = [
    {
      description: "DeletedUDPClusterIPs clears entries for given clusterIPs (only)",
      // Not testClusterIP: the IP of some unknown (because deleted) service.
      serviceUpdates: { ...noService, deletedUDPClusterIPs: new Set(["172.30.99.99"]) },
      endpointsUpdates: noEndpoints,
      ips: ["172.30.99.99"],
      ports: [],
      nats: {},
      portNATs: {},
    },
    {
      description: "DeletedUDPEndpoints clears NAT entries for all IPs and NodePorts",
      serviceUpdates: noService,
      endpointsUpdates: {
        ...noEndpoints,
        deletedUDPEndpoints: [
          { endpoint: `${testEndpointIP}:${testEndpointPort}`, servicePortName: udpPortName },
        ],
      },
      ips: [],
      ports: [],
      nats: {
        [testClusterIP]: testEndpointIP,
        [testExternalIP]: testEndpointIP,
        [testLoadBalancerIP]: testEndpointIP,
      },
      portNATs: { [testNodePort]: testEndpointIP },
    },
    {
      description: "NewlyActiveUDPServices clears entries for all IPs and NodePorts",
      serviceUpdates: noService,
      endpointsUpdates: { ...noEndpoints, newlyActiveUDPServices: [udpPortName] },
      ips: [testClusterIP, testExternalIP, testLoadBalancerIP],
      ports: [testNodePort],
      nats: {},
      portNATs: {},
    },
    {
      description: "DeletedUDPEndpoints for unknown Service has no effect",
      serviceUpdates: noService,
      endpointsUpdates: {
        ...noEndpoints,
        deletedUDPEndpoints: [{ endpoint: "10.240.0.4:80", servicePortName: unknownPortName }],
      },
      ips: [],
      ports: [],
      nats: {},
      portNATs: {},
    },
    {
      description: "NewlyActiveUDPServices for unknown Service has no effect",
      serviceUpdates: noService,
      endpointsUpdates: { ...noEndpoints, newlyActiveUDPServices: [unknownPortName] },
      ips: [],
      ports: [],
      nats: {},
      portNATs: {},
    },
  ];

  for (const tc of cases) {
    it(tc.description, async () => {
      const fake = new FakeConntrack();
      await cleanStaleEntries(fake, svcPortMap, tc.serviceUpdates, tc.endpointsUpdates);
      assert.deepEqual([...fake.clearedIPs].sort(), [...tc.ips].sort());
      assert.deepEqual([...fake.clearedPorts].sort(), [...tc.ports].sort());
      assert.deepEqual(Object.fromEntries(fake.clearedNATs), tc.nats);
      assert.deepEqual(
        Object.fromEntries(fake.clearedPortNATs),
        Object.fromEntries(Object.entries(tc.portNATs)),
      );
    });
  }

  it("logs a failed clear and goes on with the others", async () => {
    const fake = new FakeConntrack();
    const logged: string[] = [];
    fake.clearEntriesForIP = async (ip) => {
      if (ip === testClusterIP) throw new Error("boom");
      fake.clearedIPs.add(ip);
    };
    await cleanStaleEntries(
      fake,
      svcPortMap,
      noService,
      { ...noEndpoints, newlyActiveUDPServices: [udpPortName] },
      (msg) => logged.push(msg),
    );
    assert.deepEqual(logged, ["Failed to delete stale service connections"]);
    assert.deepEqual([...fake.clearedIPs].sort(), [testLoadBalancerIP, testExternalIP].sort());
    assert.deepEqual([...fake.clearedPorts], [testNodePort]);
  });
});
