// metrics-server's API against a real apiserver: who is calling (the
// aggregator's front-proxy certificate and headers, a client certificate, a
// bearer token), what they may see (SubjectAccessReviews against RBAC), and
// the NodeMetrics/PodMetrics JSON and Table that kubectl top and kubectl get read.
import assert from "node:assert/strict";
import { once } from "node:events";
import { connect } from "node:net";
import { after, before, describe, test } from "node:test";
import { setTimeout as sleep } from "node:timers/promises";
import type { RunningApiServer } from "../../src/apiserver/index.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { installMetricsServerRbac, SERVING_HOSTS, USER } from "../../src/metrics-server/install.ts";
import { requestHeaderConfig } from "../../src/metrics-server/run.ts";
import { type MetricsSource, startMetricsApi } from "../../src/metrics-server/server.ts";
import { type ApiAnswer, apiCall } from "../support/api-call.ts";
import { startTokenApiServer, type TokenApiServer } from "../support/token-apiserver.ts";
import { until } from "../support/until.ts";

let cluster: TokenApiServer;
let api: RunningApiServer;
let admin: RestClient;
let own: RestClient;
let metrics: Awaited<ReturnType<typeof startMetricsApi>>;
let frontProxy: { cert: string; key: string };
let mallory: { cert: string; key: string };
let serving: { cert: string; key: string };
let auth: Awaited<ReturnType<typeof requestHeaderConfig>>;

const T = Date.parse("2026-11-28T16:00:15Z");
const usage = (cpuNanoCores: number, memoryBytes: number) => ({
  timestamp: T,
  windowMs: 15_021,
  cpuNanoCores,
  memoryBytes,
});
const source: MetricsSource = {
  nodes: () => [
    { name: "n1", labels: { zone: "a" }, usage: usage(250_000_000, 512 * 1024 * 1024) },
    { name: "n2", labels: { zone: "b" }, usage: usage(1_234_567, 123_456_789) },
    // Not scraped yet: not listed, as upstream leaves out nodes without a rate.
    { name: "n3", labels: { zone: "a" } },
  ],
  pods: (namespace) =>
    [
      {
        name: "web",
        namespace: "default",
        labels: { app: "web" },
        usage: {
          timestamp: T,
          windowMs: 15_000,
          containers: new Map([
            ["sidecar", usage(5_000_000, 1024 * 1024)],
            ["app", usage(10_000_000, 2 * 1024 * 1024)],
          ]),
        },
      },
      {
        name: "db",
        namespace: "other",
        labels: { app: "db" },
        usage: { timestamp: T, windowMs: 15_000, containers: new Map([["db", usage(1, 4096)]]) },
      },
    ].filter((p) => namespace === undefined || p.namespace === namespace),
  ready: () => true,
};

function get(
  path: string,
  opts: { cert?: { cert: string; key: string }; headers?: Record<string, string>; method?: string } = {},
): Promise<ApiAnswer> {
  return apiCall(
    { url: metrics.url, ca: api.pki.caCert, ...opts.cert },
    opts.method ?? "GET",
    path,
    undefined,
    opts.headers,
  );
}

before(async () => {
  cluster = await startTokenApiServer(["viewer-token,viewer,uid-1", "nobody-token,nobody,uid-2"]);
  ({ api, admin } = cluster);
  const ca = api.pki.ca;
  await installMetricsServerRbac(admin);
  // The clusterrole aggregation controller is not running here: the reader role is bound directly.
  await cluster.grant("viewer", "system:aggregated-metrics-reader");
  own = new RestClient({
    server: api.url,
    ca: api.pki.caCert,
    ...(await ca.issueClient(USER, ["system:serviceaccounts"])),
    namespace: "kube-system",
  });
  // The apiserver publishes the request-header settings once its aggregator has started.
  auth = await until(
    () => requestHeaderConfig(own).catch(() => undefined),
    "extension-apiserver-authentication",
  );
  serving = await ca.issueServing("metrics-server", [...SERVING_HOSTS, "127.0.0.1"]);
  metrics = await startMetricsApi({ host: "127.0.0.1", port: 0, ...serving, auth, client: own, source });
  frontProxy = await ca.issueClient("front-proxy-client");
  mallory = await ca.issueClient("mallory");
});

after(async () => {
  await metrics?.close();
  own?.close();
  await cluster?.stop();
});

/** As the aggregator passes on a request of the user "viewer". */
const asViewer = (headers: Record<string, string> = {}) => ({
  cert: frontProxy,
  headers: { "X-Remote-User": "viewer", "X-Remote-Group": "team", ...headers },
});

describe("who calls", () => {
  test("the aggregator's front-proxy certificate names the user in X-Remote-User", async () => {
    const r = await get("/apis/metrics.k8s.io/v1beta1/nodes", {
      cert: frontProxy,
      headers: { "X-Remote-User": "viewer" },
    });
    assert.equal(r.code, 200);
    assert.equal(r.body.kind, "NodeMetricsList");
    const denied = await get("/apis/metrics.k8s.io/v1beta1/nodes", {
      cert: frontProxy,
      headers: { "X-Remote-User": "nobody" },
    });
    assert.equal(denied.code, 403);
    assert.equal(
      denied.body.message,
      'nodes.metrics.k8s.io is forbidden: User "nobody" cannot list resource "nodes" in API group "metrics.k8s.io" at the cluster scope',
    );
  });

  test("X-Remote-User from any other certificate is not believed: the certificate's own user is", async () => {
    const r = await get("/apis/metrics.k8s.io/v1beta1/nodes", {
      cert: mallory,
      headers: { "X-Remote-User": "viewer" },
    });
    assert.equal(r.code, 403);
    assert.match(String(r.body.message), /User "mallory"/);
  });

  test("a bearer token is checked with a TokenReview; no credentials at all is 401", async () => {
    const r = await get("/apis/metrics.k8s.io/v1beta1/nodes", {
      headers: { Authorization: "Bearer viewer-token" },
    });
    assert.equal(r.code, 200);
    assert.equal(
      (await get("/apis/metrics.k8s.io/v1beta1/nodes", { headers: { Authorization: "Bearer bad" } })).code,
      401,
    );
    const none = await get("/apis/metrics.k8s.io/v1beta1/nodes");
    assert.equal(none.code, 401);
    assert.equal(none.body.reason, "Unauthorized");
  });
});

describe("metrics.k8s.io/v1beta1", () => {
  test("discovery lists nodes and pods, get and list", async () => {
    const r = await get("/apis/metrics.k8s.io/v1beta1", asViewer());
    assert.deepEqual(
      (r.body.resources as { name: string; kind: string; namespaced: boolean; verbs: string[] }[]).map(
        (x) => [x.name, x.kind, x.namespaced, x.verbs],
      ),
      [
        ["nodes", "NodeMetrics", false, ["get", "list"]],
        ["pods", "PodMetrics", true, ["get", "list"]],
      ],
    );
  });

  test("NodeMetrics as upstream writes them: nanocores, BinarySI memory, the window as a Go duration", async () => {
    const r = await get("/apis/metrics.k8s.io/v1beta1/nodes/n1", asViewer());
    assert.equal(r.code, 200);
    assert.deepEqual(
      { ...r.body, metadata: { ...(r.body.metadata as object), creationTimestamp: "x" } },
      {
        kind: "NodeMetrics",
        apiVersion: "metrics.k8s.io/v1beta1",
        metadata: { name: "n1", creationTimestamp: "x", labels: { zone: "a" } },
        timestamp: "2026-11-28T16:00:15Z",
        window: "15.021s",
        usage: { cpu: "250m", memory: "512Mi" },
      },
    );
    const n2 = await get("/apis/metrics.k8s.io/v1beta1/nodes/n2", asViewer());
    assert.deepEqual(n2.body.usage, { cpu: "1234567n", memory: "123456789" });
    const missing = await get("/apis/metrics.k8s.io/v1beta1/nodes/n3", asViewer());
    assert.equal(missing.code, 404);
    assert.equal(missing.body.message, 'nodemetrics.metrics.k8s.io "n3" not found');
  });

  test("label and field selectors; a bad selector is a 400", async () => {
    const zoneA = await get("/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=zone%3Da", asViewer());
    assert.deepEqual(
      (zoneA.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name),
      ["n1"],
    );
    const byName = await get(
      "/apis/metrics.k8s.io/v1beta1/nodes?fieldSelector=metadata.name%3Dn2",
      asViewer(),
    );
    assert.deepEqual(
      (byName.body.items as { metadata: { name: string } }[]).map((i) => i.metadata.name),
      ["n2"],
    );
    assert.equal(
      (await get("/apis/metrics.k8s.io/v1beta1/nodes?labelSelector=%3D%3D", asViewer())).code,
      400,
    );
  });

  test("PodMetrics by namespace, every namespace, and one pod; containers by name", async () => {
    const ns = await get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods", asViewer());
    const items = ns.body.items as {
      metadata: { name: string };
      containers: { name: string; usage: unknown }[];
    }[];
    assert.deepEqual(
      items.map((i) => i.metadata.name),
      ["web"],
    );
    assert.deepEqual(items[0].containers, [
      { name: "app", usage: { cpu: "10m", memory: "2Mi" } },
      { name: "sidecar", usage: { cpu: "5m", memory: "1Mi" } },
    ]);
    const all = await get("/apis/metrics.k8s.io/v1beta1/pods", asViewer());
    assert.equal((all.body.items as unknown[]).length, 2);
    const one = await get("/apis/metrics.k8s.io/v1beta1/namespaces/other/pods/db", asViewer());
    assert.equal(one.body.kind, "PodMetrics");
    const none = await get("/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/db", asViewer());
    assert.equal(none.code, 404);
    assert.equal(none.body.message, 'podmetrics.metrics.k8s.io "db" not found');
  });

  test("a Table for kubectl get: Name, CPU, Memory, Window; a pod's figures summed", async () => {
    const r = await get(
      "/apis/metrics.k8s.io/v1beta1/namespaces/default/pods",
      asViewer({ accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json" }),
    );
    assert.equal(r.body.kind, "Table");
    assert.deepEqual(
      (r.body.columnDefinitions as { name: string }[]).map((c) => c.name),
      ["Name", "CPU", "Memory", "Window"],
    );
    assert.deepEqual((r.body.rows as { cells: unknown[] }[])[0].cells, ["web", "15m", "3Mi", "15s"]);
  });

  test("the API is read-only", async () => {
    const r = await get("/apis/metrics.k8s.io/v1beta1/nodes", { ...asViewer(), method: "DELETE" });
    assert.equal(r.code, 405);
  });
});

test("close() ends at once, also with a client that has not finished its TLS handshake", async () => {
  const other = await startMetricsApi({ host: "127.0.0.1", port: 0, ...serving, auth, client: own, source });
  // Plain TCP to the TLS port: a handshake that never starts (an availability probe at the wrong moment).
  const raw = connect(other.port, "127.0.0.1");
  await once(raw, "connect");
  const closed = await Promise.race([
    other.close().then(() => "closed"),
    sleep(5_000).then(() => "still open"),
  ]);
  assert.equal(closed, "closed");
  if (!raw.destroyed) await once(raw, "close");
});
