// The Endpoints controller against a real apiserver, scheduler and hollow
// kubelets: the Endpoints objects of Services with selectors — ready and
// not-ready addresses, named ports, publishNotReadyAddresses, headless
// hostnames — pods leaving, Services without selectors or of ExternalName
// type left alone, no write when nothing changed, deletion with the Service.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Endpoints, Pod, Service } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import { endpointsControllerDescriptor } from "../../src/controllers/endpoint/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ nodes: 2, controllers: [endpointsControllerDescriptor] });
});
after(() => c.stop());

const WAIT = 25_000;

function pod(
  name: string,
  app: string,
  o: { notReady?: boolean; hostname?: string; subdomain?: string } = {},
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, labels: { app } },
    spec: {
      hostname: o.hostname,
      subdomain: o.subdomain,
      terminationGracePeriodSeconds: 0,
      containers: [
        {
          name: "c",
          image: "k8ts.local/busybox:latest",
          ports: [
            { name: "web", containerPort: 8080, protocol: "TCP" },
            { name: "dns", containerPort: 5353, protocol: "UDP" },
          ],
          // The fake runtime's probes succeed, but only after the initial delay: not ready for an hour.
          readinessProbe: o.notReady
            ? { exec: { command: ["true"] }, initialDelaySeconds: 3600, periodSeconds: 10 }
            : undefined,
        },
      ],
    },
  };
}

function service(name: string, app: string | undefined, spec: Service["spec"] = {}): Service {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name, labels: { tier: "test" } },
    spec: {
      selector: app ? { app } : undefined,
      ports: [
        { name: "http", port: 80, targetPort: "web", protocol: "TCP" },
        { name: "dns", port: 53, targetPort: "dns", protocol: "UDP" },
      ],
      ...spec,
    },
  };
}

const getEndpoints = (name: string) =>
  c.client.get<Endpoints>(Resources.endpoints, name, { namespace: "default" });

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

const ipsOf = (addrs: { ip: string }[] | undefined) => (addrs ?? []).map((a) => a.ip);
const sortedIPs = (pods: Pod[]) =>
  pods.map((p) => p.status!.podIP!).sort((a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)));

const TRIGGER = "endpoints.kubernetes.io/last-change-trigger-time";
const RFC3339 = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/;

/** The trigger-time annotation of every version of an Endpoints written from now on, in order. */
async function triggerTimesOf(name: string, signal: AbortSignal): Promise<(string | undefined)[]> {
  const seen: (string | undefined)[] = [];
  const { metadata } = await c.client.list(Resources.endpoints, { namespace: "default" });
  void (async () => {
    const events = c.client.watch<Endpoints>(Resources.endpoints, {
      namespace: "default",
      fieldSelector: `metadata.name=${name}`,
      resourceVersion: metadata?.resourceVersion,
      signal,
    });
    for await (const ev of events) {
      if (ev.type === "ADDED" || ev.type === "MODIFIED")
        seen.push(ev.object.metadata?.annotations?.[TRIGGER]);
    }
  })();
  return seen;
}

test("ready and not-ready pods, named ports, node, target and trigger time; a deleted pod leaves", async (t) => {
  const stopWatching = new AbortController();
  t.after(() => stopWatching.abort());
  const triggerTimes = await triggerTimesOf("web", stopWatching.signal);
  for (const p of [pod("web-a", "web"), pod("web-b", "web"), pod("web-slow", "web", { notReady: true })]) {
    await c.client.create(Resources.pods, p, { namespace: "default" });
  }
  await c.client.create(Resources.services, service("web", "web"), { namespace: "default" });
  const pods = await running(["web-a", "web-b", "web-slow"]);
  const ready = [pods.get("web-a")!, pods.get("web-b")!];
  const slow = pods.get("web-slow")!;

  const ep = await c.waitFor(
    "endpoints with two ready and one not-ready address",
    async () => {
      const e = await getEndpoints("web");
      const s = e.subsets ?? [];
      return s.length === 1 && s[0].addresses?.length === 2 && s[0].notReadyAddresses?.length === 1
        ? e
        : undefined;
    },
    WAIT,
  );
  const [subset] = ep.subsets!;
  assert.deepEqual(ipsOf(subset.addresses), sortedIPs(ready));
  assert.deepEqual(ipsOf(subset.notReadyAddresses), [slow.status!.podIP]);
  // Both ports resolved by name, each with its protocol.
  assert.deepEqual(
    [...(subset.ports ?? [])].sort((a, b) => a.port - b.port),
    [
      { name: "dns", port: 5353, protocol: "UDP" },
      { name: "http", port: 8080, protocol: "TCP" },
    ],
  );
  const a = subset.addresses!.find((x) => x.ip === pods.get("web-a")!.status!.podIP)!;
  assert.equal(a.nodeName, pods.get("web-a")!.spec!.nodeName);
  assert.deepEqual(a.targetRef, {
    kind: "Pod",
    namespace: "default",
    name: "web-a",
    uid: pods.get("web-a")!.metadata!.uid,
  });
  assert.equal(a.hostname, undefined);
  // The Service's labels, and no headless label on a Service with a cluster IP.
  assert.deepEqual(ep.metadata?.labels, { tier: "test" });
  // The first version carries the Service's creation as its trigger. A later one may carry none: as upstream's
  // tracker, ours has nothing new to report to a sync retried after a stale cache, though its first try saw the
  // pods' changes.
  await c.waitFor("the endpoints' first version", async () => triggerTimes.length > 0, WAIT);
  assert.match(triggerTimes[0] ?? "", RFC3339);
  for (const t of triggerTimes) if (t !== undefined) assert.match(t, RFC3339);
  assert.equal(ep.metadata?.annotations?.["endpoints.kubernetes.io/over-capacity"], undefined);

  await c.client.delete(Resources.pods, "web-a", { namespace: "default" });
  await c.waitFor(
    "web-a gone from the endpoints",
    async () => {
      const s = (await getEndpoints("web")).subsets ?? [];
      return s.length === 1 && ipsOf(s[0].addresses).join() === pods.get("web-b")!.status!.podIP
        ? true
        : undefined;
    },
    WAIT,
  );
});

test("publishNotReadyAddresses lists every pod as ready", async () => {
  await c.client.create(Resources.pods, pod("pub-a", "pub"), { namespace: "default" });
  await c.client.create(Resources.pods, pod("pub-slow", "pub", { notReady: true }), { namespace: "default" });
  await c.client.create(Resources.services, service("pub", "pub", { publishNotReadyAddresses: true }), {
    namespace: "default",
  });
  const pods = await running(["pub-a", "pub-slow"]);
  const ep = await c.waitFor(
    "two addresses",
    async () => {
      const e = await getEndpoints("pub");
      return e.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
    },
    WAIT,
  );
  assert.deepEqual(ipsOf(ep.subsets![0].addresses), sortedIPs([...pods.values()]));
  assert.equal(ep.subsets![0].notReadyAddresses, undefined);
});

test("a headless Service: hostnames of pods in its subdomain, the headless label, no ports needed", async () => {
  await c.client.create(Resources.pods, pod("db-0", "db", { hostname: "db-0", subdomain: "db" }), {
    namespace: "default",
  });
  await c.client.create(Resources.pods, pod("db-x", "db", { hostname: "db-x", subdomain: "other" }), {
    namespace: "default",
  });
  await c.client.create(Resources.services, service("db", "db", { clusterIP: "None", ports: undefined }), {
    namespace: "default",
  });
  const pods = await running(["db-0", "db-x"]);
  const ep = await c.waitFor(
    "two addresses",
    async () => {
      const e = await getEndpoints("db");
      return e.subsets?.[0]?.addresses?.length === 2 ? e : undefined;
    },
    WAIT,
  );
  assert.deepEqual(ep.metadata?.labels, { tier: "test", "service.kubernetes.io/headless": "" });
  assert.equal(ep.subsets!.length, 1);
  assert.equal(ep.subsets![0].ports, undefined);
  const byName = new Map(ep.subsets![0].addresses!.map((x) => [x.targetRef?.name, x]));
  assert.equal(byName.get("db-0")?.hostname, "db-0");
  assert.equal(byName.get("db-0")?.ip, pods.get("db-0")!.status!.podIP);
  // Another subdomain: no hostname.
  assert.equal(byName.get("db-x")?.hostname, undefined);
});

test("no write when nothing changed; Services without selector and ExternalName ones are left alone", async () => {
  await c.client.create(Resources.pods, pod("calm-a", "calm"), { namespace: "default" });
  await c.client.create(Resources.services, service("calm", "calm"), { namespace: "default" });
  await running(["calm-a"]);
  const settled = await c.waitFor(
    "one ready address",
    async () => {
      const e = await getEndpoints("calm");
      return e.subsets?.[0]?.addresses?.length === 1 ? e : undefined;
    },
    WAIT,
  );
  // A Service annotation and a pod annotation: syncs that change nothing.
  await c.client.patch(
    Resources.services,
    "calm",
    { metadata: { annotations: { touched: "1" } } },
    {
      namespace: "default",
      type: "merge",
    },
  );
  await c.client.patch(
    Resources.pods,
    "calm-a",
    { metadata: { annotations: { touched: "1" } } },
    {
      namespace: "default",
      type: "merge",
    },
  );

  // Manual endpoints of a selector-less Service, and an ExternalName Service with a selector.
  await c.client.create(Resources.services, service("manual", undefined), { namespace: "default" });
  const manual: Endpoints = {
    apiVersion: "v1",
    kind: "Endpoints",
    metadata: { name: "manual" },
    subsets: [{ addresses: [{ ip: "192.0.2.10" }], ports: [{ name: "http", port: 9999, protocol: "TCP" }] }],
  };
  const createdManual = await c.client.create(Resources.endpoints, manual, { namespace: "default" });
  await c.client.create(
    Resources.services,
    {
      ...service("ext", "calm"),
      spec: { type: "ExternalName", externalName: "example.com", selector: { app: "calm" } },
    },
    { namespace: "default" },
  );
  await new Promise((r) => setTimeout(r, 1500));

  const after = await getEndpoints("calm");
  assert.equal(after.metadata?.resourceVersion, settled.metadata?.resourceVersion);
  const manualNow = await getEndpoints("manual");
  assert.equal(manualNow.metadata?.resourceVersion, createdManual.metadata?.resourceVersion);
  assert.deepEqual(manualNow.subsets, manual.subsets);
  await assert.rejects(getEndpoints("ext"), (e) => isNotFound(e));
});

test("the Endpoints go with their Service, and come back when deleted while it exists", async () => {
  await c.client.create(Resources.pods, pod("gone-a", "gone"), { namespace: "default" });
  await c.client.create(Resources.services, service("gone", "gone"), { namespace: "default" });
  await running(["gone-a"]);
  await c.waitFor("endpoints", async () => (await getEndpoints("gone")).subsets?.length === 1, WAIT);

  await c.client.delete(Resources.endpoints, "gone", { namespace: "default" });
  await c.waitFor(
    "endpoints recreated",
    async () => (await getEndpoints("gone")).subsets?.length === 1,
    WAIT,
  );

  await c.client.delete(Resources.services, "gone", { namespace: "default" });
  await c.waitFor(
    "endpoints deleted",
    async () => {
      try {
        await getEndpoints("gone");
        return undefined;
      } catch (e) {
        return isNotFound(e) ? true : undefined;
      }
    },
    WAIT,
  );
});
