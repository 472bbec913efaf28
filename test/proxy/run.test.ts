// `k8ts proxy`'s process part against a real in-process apiserver: Services and
// EndpointSlices arrive through informers, syncs reach iptables (a fake one
// here; test/proxy/iptables.test.ts covers the real one), /healthz and /metrics answer.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { Node, Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { servicePortPolicyClusterChain } from "../../src/proxy/iptables/chains.ts";
import { runProxy } from "../../src/proxy/run.ts";
import { FakeIptables } from "../../src/proxy/testing/fixtures.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";
import { until } from "../support/until.ts";

describe("runProxy", () => {
  let api: TestApiServer;
  let client: RestClient;
  const ipt = new FakeIptables();
  const abort = new AbortController();
  let running: Promise<void>;
  const urls: Record<string, string> = {};
  const logs: Array<Record<string, unknown>> = [];

  before(async () => {
    api = await startTestApiServer();
    client = new RestClient(api.admin, { userAgent: "proxy-test" });
    await client.create<Node>(Resources.nodes, {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "node-a", labels: { "topology.kubernetes.io/zone": "zone-a" } },
      status: { addresses: [{ type: "InternalIP", address: "192.168.0.2" }] },
    });
    running = runProxy({
      client,
      iptables: ipt,
      hostname: "node-a",
      clusterCIDR: "10.244.0.0/16",
      syncPeriodMs: 30_000,
      minSyncPeriodMs: 0,
      healthzBindAddress: "127.0.0.1:0",
      metricsBindAddress: "127.0.0.1:0",
      signal: abort.signal,
      setSysctls: false,
      healthCheckNodePortAddress: "127.0.0.1",
      log: (msg, fields) => logs.push({ msg, ...fields }),
      onListening: (what, url) => {
        urls[what] = url;
      },
    });
  });

  after(async () => {
    abort.abort();
    await running;
    client.close();
    await api.stop();
  });

  it("programs a Service and its EndpointSlice, and removes them again", async () => {
    const svc = await client.create<Service>(
      Resources.services,
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "web", namespace: "default" },
        spec: { ports: [{ name: "http", port: 80, protocol: "TCP" }], selector: { app: "web" } },
      },
      { namespace: "default" },
    );
    const clusterIP = svc.spec?.clusterIP;
    assert.ok(clusterIP);
    // No endpoints yet: a REJECT in filter.
    await until(
      () => (ipt.restores.at(-1) ?? "").includes('"default/web:http has no endpoints"'),
      "REJECT",
      10_000,
      20,
    );
    await client.create<EndpointSlice>(
      Resources.endpointslices,
      {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: "web-abc", namespace: "default", labels: { "kubernetes.io/service-name": "web" } },
        addressType: "IPv4",
        endpoints: [{ addresses: ["10.244.0.5"], conditions: { ready: true }, nodeName: "node-a" }],
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      },
      { namespace: "default" },
    );
    const svcChain = servicePortPolicyClusterChain("default/web:http", "tcp");
    await until(
      () => (ipt.restores.at(-1) ?? "").includes("--to-destination 10.244.0.5:8080"),
      "DNAT",
      10_000,
      20,
    );
    const last = ipt.restores.at(-1)!;
    assert.ok(
      last.includes(
        `-A KUBE-SERVICES -m comment --comment "default/web:http cluster IP" -m tcp -p tcp -d ${clusterIP} --dport 80 -j ${svcChain}`,
      ),
    );
    assert.ok(ipt.chains.nat.has(svcChain));

    // A target the URL parser refuses is answered, not thrown in the handler (that ended the process).
    assert.equal((await fetch(`${urls.healthz}//[`)).status, 404);
    const health = await fetch(`${urls.healthz}/healthz`);
    assert.equal(health.status, 200);
    assert.match(
      await health.text(),
      /^\{"lastUpdated": "[^"]+","currentTime": "[^"]+", "nodeEligible": true\}$/,
    );
    const metrics = await (await fetch(`${urls.metrics}/metrics`)).text();
    assert.match(metrics, /kubeproxy_sync_proxy_rules_duration_seconds_count\{ip_family="IPv4"\} [1-9]/);
    assert.match(metrics, /kubeproxy_sync_proxy_rules_iptables_total\{table="nat",ip_family="IPv4"\} \d+/);

    await client.delete(Resources.services, "web", { namespace: "default" });
    await until(() => !ipt.chains.nat.has(svcChain), "chains deleted", 10_000, 20);
    assert.ok(!(ipt.restores.at(-1) ?? "").includes(`-d ${clusterIP}`));
  });

  it("routes a PreferClose Service to its own zone's endpoints, following the Node's zone label", async () => {
    // Another node's events must not reach the proxier (the informer selects metadata.name=node-a).
    await client.create<Node>(Resources.nodes, {
      apiVersion: "v1",
      kind: "Node",
      metadata: { name: "node-b", labels: { "topology.kubernetes.io/zone": "zone-b" } },
    });
    await client.create<Service>(
      Resources.services,
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "near", namespace: "default" },
        spec: {
          ports: [{ name: "http", port: 80, protocol: "TCP" }],
          selector: { app: "near" },
          trafficDistribution: "PreferClose",
        },
      },
      { namespace: "default" },
    );
    const hinted = (ip: string, zone: string) => ({
      addresses: [ip],
      conditions: { ready: true },
      zone,
      hints: { forZones: [{ name: zone }] },
    });
    await client.create<EndpointSlice>(
      Resources.endpointslices,
      {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: {
          name: "near-abc",
          namespace: "default",
          labels: { "kubernetes.io/service-name": "near" },
        },
        addressType: "IPv4",
        endpoints: [hinted("10.244.0.7", "zone-a"), hinted("10.244.1.7", "zone-b")],
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      },
      { namespace: "default" },
    );
    const last = () => ipt.restores.at(-1) ?? "";
    await until(() => last().includes("--to-destination 10.244.0.7:8080"), "zone-a DNAT", 10_000, 20);
    assert.ok(!last().includes("10.244.1.7"));

    const node = await client.get<Node>(Resources.nodes, "node-a");
    node.metadata!.labels = { "topology.kubernetes.io/zone": "zone-b" };
    await client.update<Node>(Resources.nodes, node);
    await until(() => last().includes("--to-destination 10.244.1.7:8080"), "zone-b DNAT", 10_000, 20);
    assert.ok(!last().includes("10.244.0.7"));
    assert.ok(logs.some((l) => l.msg === "Updated proxier node topology labels"));
    assert.ok(!logs.some((l) => String(l.msg).startsWith("Received a watch event for a node")));
  });

  it("serves a LoadBalancer Local Service's healthCheckNodePort, and closes it with the Service", async () => {
    // The apiserver allocates the port from the node-port range (30000-32767), as upstream.
    const created = await client.create<Service>(
      Resources.services,
      {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: "lb", namespace: "default" },
        spec: {
          type: "LoadBalancer",
          externalTrafficPolicy: "Local",
          ports: [{ name: "http", port: 80, protocol: "TCP" }],
          selector: { app: "lb" },
        },
      },
      { namespace: "default" },
    );
    const hcPort = created.spec?.healthCheckNodePort ?? 0;
    assert.ok(hcPort >= 30000 && hcPort <= 32767, `healthCheckNodePort ${hcPort}`);
    const probe = async () => {
      try {
        const res = await fetch(`http://127.0.0.1:${hcPort}/`);
        return { status: res.status, body: await res.text() };
      } catch {
        return undefined;
      }
    };
    await until(async () => (await probe())?.status === 503, "health-check port open", 10_000, 20);
    await client.create<EndpointSlice>(
      Resources.endpointslices,
      {
        apiVersion: "discovery.k8s.io/v1",
        kind: "EndpointSlice",
        metadata: { name: "lb-abc", namespace: "default", labels: { "kubernetes.io/service-name": "lb" } },
        addressType: "IPv4",
        endpoints: [
          { addresses: ["10.244.0.9"], conditions: { ready: true }, nodeName: "node-a" },
          { addresses: ["10.244.1.9"], conditions: { ready: true }, nodeName: "node-b" },
        ],
        ports: [{ name: "http", port: 8080, protocol: "TCP" }],
      },
      { namespace: "default" },
    );
    await until(async () => (await probe())?.status === 200, "a local endpoint", 10_000, 20);
    assert.equal(
      (await probe())?.body,
      '{\n\t"service": {\n\t\t"namespace": "default",\n\t\t"name": "lb"\n\t},\n\t"localEndpoints": 1,\n\t"serviceProxyHealthy": true\n}',
    );
    await client.delete(Resources.services, "lb", { namespace: "default" });
    await until(async () => (await probe()) === undefined, "health-check port closed", 10_000, 20);
  });
});
