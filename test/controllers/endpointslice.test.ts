// The EndpointSlice controller (with the garbage collector) against a real
// apiserver, scheduler and hollow kubelets: slices of Services with selectors
// — conditions, ports, hostnames, zones, labels, owner — the placeholder of a
// Service without endpoints, 105 pods in slices of at most 100, in-place updates,
// terminating pods, and slices gone with their Service.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Node, Pod, Service } from "kubernetes-types/core/v1.d.ts";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import {
  ENDPOINT_SLICES,
  endpointSliceControllerDescriptor,
} from "../../src/controllers/endpointslice/index.ts";
import { garbageCollectorControllerDescriptor } from "../../src/controllers/garbagecollector/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({
    nodes: 2,
    controllers: [endpointSliceControllerDescriptor, garbageCollectorControllerDescriptor],
  });
  // A zone for node-0 only, before any pod lands there.
  await c.client.patch<Node>(
    Resources.nodes,
    "node-0",
    { metadata: { labels: { "topology.kubernetes.io/zone": "zone-a" } } },
    { type: "merge" },
  );
});
after(() => c.stop());

const WAIT = 30_000;

function pod(
  name: string,
  app: string,
  o: {
    notReady?: boolean;
    hostname?: string;
    subdomain?: string;
    node?: string;
    grace?: number;
    preStopSleep?: number;
  } = {},
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app } },
    spec: {
      nodeName: o.node,
      hostname: o.hostname,
      subdomain: o.subdomain,
      terminationGracePeriodSeconds: o.grace ?? 0,
      containers: [
        {
          name: "c",
          image: "k8ts.local/busybox:latest",
          ports: [{ name: "web", containerPort: 8080, protocol: "TCP" }],
          // Keeps a deleted pod terminating (and running) this long.
          lifecycle: o.preStopSleep ? { preStop: { sleep: { seconds: o.preStopSleep } } } : undefined,
          // Fake probes succeed only after the initial delay: not ready for an hour.
          readinessProbe: o.notReady
            ? { exec: { command: ["true"] }, initialDelaySeconds: 3600, periodSeconds: 10 }
            : undefined,
        },
      ],
    },
  };
}

function service(name: string, app: string, spec: Service["spec"] = {}): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, labels: { tier: "test" } },
    spec: {
      selector: { app },
      ports: [{ name: "http", port: 80, targetPort: "web", protocol: "TCP", appProtocol: "http" }],
      ...spec,
    },
  };
}

const slicesOf = async (svc: string) =>
  (
    await c.list<EndpointSlice>(ENDPOINT_SLICES, { labelSelector: `kubernetes.io/service-name=${svc}` })
  ).filter((s) => !s.metadata?.deletionTimestamp);

async function running(names: string[]): Promise<Map<string, Pod>> {
  return c.waitFor(
    `pods ${names.join(",")} running with IPs`,
    async () => {
      const pods = (await c.pods()).filter((p) => names.includes(p.metadata?.name ?? ""));
      if (pods.length !== names.length || pods.some((p) => p.status?.phase !== "Running" || !p.status?.podIP))
        return undefined;
      return new Map(pods.map((p) => [p.metadata!.name!, p]));
    },
    WAIT,
  );
}

const byPod = (s: EndpointSlice) => new Map((s.endpoints ?? []).map((e) => [e.targetRef?.name, e]));

test("a slice per Service: conditions, ports, node, zone, target, labels, name and owner", async () => {
  await c.client.create(Resources.pods, pod("web-a", "web", { node: "node-0" }), { namespace: "default" });
  await c.client.create(Resources.pods, pod("web-b", "web", { node: "node-1" }), { namespace: "default" });
  await c.client.create(Resources.pods, pod("web-slow", "web", { notReady: true, node: "node-1" }), {
    namespace: "default",
  });
  const svc = await c.client.create(Resources.services, service("web", "web"), { namespace: "default" });
  const pods = await running(["web-a", "web-b", "web-slow"]);

  const slice = await c.waitFor(
    "one slice with three endpoints, two ready",
    async () => {
      const s = await slicesOf("web");
      return s.length === 1 &&
        s[0].endpoints?.length === 3 &&
        s[0].endpoints.filter((e) => e.conditions?.ready).length === 2
        ? s[0]
        : undefined;
    },
    WAIT,
  );
  assert.equal(slice.addressType, "IPv4");
  assert.match(slice.metadata?.name ?? "", /^web-[a-z0-9]{5}$/);
  assert.equal(slice.metadata?.generateName, "web-");
  assert.deepEqual(slice.metadata?.labels, {
    tier: "test",
    "kubernetes.io/service-name": "web",
    "endpointslice.kubernetes.io/managed-by": "endpointslice-controller.k8s.io",
  });
  assert.deepEqual(slice.metadata?.ownerReferences, [
    {
      apiVersion: "v1",
      kind: "Service",
      name: "web",
      uid: svc.metadata?.uid,
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.deepEqual(slice.ports, [{ name: "http", port: 8080, protocol: "TCP", appProtocol: "http" }]);
  assert.match(
    slice.metadata?.annotations?.["endpoints.kubernetes.io/last-change-trigger-time"] ?? "",
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/,
  );
  const eps = byPod(slice);
  assert.deepEqual(eps.get("web-a"), {
    addresses: [pods.get("web-a")!.status!.podIP],
    conditions: { ready: true, serving: true, terminating: false },
    nodeName: "node-0",
    zone: "zone-a",
    targetRef: { kind: "Pod", namespace: "default", name: "web-a", uid: pods.get("web-a")!.metadata!.uid },
  });
  // node-1 has no zone label.
  assert.equal(eps.get("web-b")?.zone, undefined);
  assert.deepEqual(eps.get("web-slow")?.conditions, { ready: false, serving: false, terminating: false });
});

test("publishNotReadyAddresses: not-ready pods are ready (but not serving)", async () => {
  await c.client.create(Resources.pods, pod("pub-slow", "pub", { notReady: true }), { namespace: "default" });
  await c.client.create(Resources.services, service("pub", "pub", { publishNotReadyAddresses: true }), {
    namespace: "default",
  });
  await running(["pub-slow"]);
  const slice = await c.waitFor(
    "one endpoint",
    async () => {
      const s = await slicesOf("pub");
      return s[0]?.endpoints?.length === 1 ? s[0] : undefined;
    },
    WAIT,
  );
  assert.deepEqual(slice.endpoints![0].conditions, { ready: true, serving: false, terminating: false });
});

test("a headless Service: hostnames in its subdomain and the headless label", async () => {
  await c.client.create(Resources.pods, pod("db-0", "db", { hostname: "db-0", subdomain: "db" }), {
    namespace: "default",
  });
  await c.client.create(Resources.services, service("db", "db", { clusterIP: "None" }), {
    namespace: "default",
  });
  await running(["db-0"]);
  const slice = await c.waitFor(
    "one endpoint",
    async () => {
      const s = await slicesOf("db");
      return s[0]?.endpoints?.length === 1 ? s[0] : undefined;
    },
    WAIT,
  );
  assert.equal(slice.endpoints![0].hostname, "db-0");
  assert.equal(slice.metadata?.labels?.["service.kubernetes.io/headless"], "");
});

test("a Service selecting nothing gets one empty placeholder slice, replaced in place by real endpoints", async () => {
  await c.client.create(Resources.services, service("lonely", "lonely"), { namespace: "default" });
  const placeholder = await c.waitFor(
    "a placeholder slice",
    async () => {
      const s = await slicesOf("lonely");
      return s.length === 1 ? s[0] : undefined;
    },
    WAIT,
  );
  assert.equal(placeholder.endpoints?.length ?? 0, 0);
  assert.equal(placeholder.ports?.length ?? 0, 0);
  assert.equal(placeholder.addressType, "IPv4");

  await c.client.create(Resources.pods, pod("lonely-a", "lonely"), { namespace: "default" });
  await running(["lonely-a"]);
  const filled = await c.waitFor(
    "the endpoint published",
    async () => {
      const s = await slicesOf("lonely");
      return s.length === 1 && s[0].endpoints?.length === 1 ? s[0] : undefined;
    },
    WAIT,
  );
  // The create of the real slice became an update of the placeholder.
  assert.equal(filled.metadata?.name, placeholder.metadata?.name);
  assert.deepEqual(filled.ports, [{ name: "http", port: 8080, protocol: "TCP", appProtocol: "http" }]);
});

test("a terminating pod stays, serving per readiness but not ready; then leaves in place", async () => {
  await c.client.create(Resources.pods, pod("term-a", "term"), { namespace: "default" });
  // A preStop sleep within the grace period: the pod stays terminating, still running, for a while.
  await c.client.create(Resources.pods, pod("term-b", "term", { grace: 10, preStopSleep: 5 }), {
    namespace: "default",
  });
  await c.client.create(Resources.services, service("term", "term"), { namespace: "default" });
  await running(["term-a", "term-b"]);
  const before = await c.waitFor(
    "two ready endpoints",
    async () => {
      const s = await slicesOf("term");
      return s.length === 1 && s[0].endpoints?.filter((e) => e.conditions?.ready).length === 2
        ? s[0]
        : undefined;
    },
    WAIT,
  );
  await c.client.delete(Resources.pods, "term-b", { namespace: "default" });
  const terminating = await c.waitFor(
    "term-b terminating in the slice",
    async () => {
      const s = await slicesOf("term");
      const e = s.length === 1 ? byPod(s[0]).get("term-b") : undefined;
      return e?.conditions?.terminating ? e : undefined;
    },
    WAIT,
  );
  // Never ready while terminating; serving still follows the pod's readiness.
  assert.deepEqual(terminating.conditions, { ready: false, serving: true, terminating: true });
  // Deleted for good now.
  await c.client.delete(Resources.pods, "term-b", { namespace: "default", gracePeriodSeconds: 0 });
  const after = await c.waitFor(
    "term-b gone",
    async () => {
      const s = await slicesOf("term");
      return s.length === 1 && s[0].endpoints?.length === 1 ? s[0] : undefined;
    },
    WAIT,
  );
  assert.equal(after.metadata?.name, before.metadata?.name);
  assert.equal(after.endpoints![0].targetRef?.name, "term-a");
});

test("105 pods: slices of at most 100; deleting the Service deletes them (garbage collector)", async () => {
  const names = Array.from({ length: 105 }, (_, i) => `many-${i}`);
  await c.client.create(Resources.services, service("many", "many"), { namespace: "default" });
  await Promise.all(
    names.map((n, i) =>
      c.client.create(Resources.pods, pod(n, "many", { node: `node-${i % 2}` }), { namespace: "default" }),
    ),
  );
  const slices = await c.waitFor(
    "105 endpoints",
    async () => {
      const s = await slicesOf("many");
      const n = s.reduce((sum, x) => sum + (x.endpoints?.length ?? 0), 0);
      return n === 105 ? s : undefined;
    },
    60_000,
  );
  // Filled to capacity as pods arrived; how the 105 split depends on that order (100 + 5 when they
  // arrive together, 99 + 6 when a leftover did not fit the first slice), never more than 100.
  assert.ok(slices.every((s) => (s.endpoints?.length ?? 0) <= 100));
  const targets = new Set(slices.flatMap((s) => (s.endpoints ?? []).map((e) => e.targetRef?.name)));
  assert.equal(targets.size, 105);

  await c.client.delete(Resources.services, "many", { namespace: "default" });
  await c.waitFor("slices deleted", async () => (await slicesOf("many")).length === 0, WAIT);
  await Promise.all(
    names.map((n) => c.client.delete(Resources.pods, n, { namespace: "default", gracePeriodSeconds: 0 })),
  );
});
