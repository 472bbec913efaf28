// The pods/eviction subresource, as kubectl drain (1.32) uses it: a policy/v1
// Eviction POSTed to /api/v1/namespaces/<ns>/pods/<name>/eviction. First
// against a bare apiserver whose PodDisruptionBudget statuses the test writes
// itself (the exact 429s, the decrement and status.disruptedPods, the
// unhealthy-pod policies, dry run), then with the ReplicaSet and disruption
// controllers, scheduler and kubelets running: evictions down to the budget,
// and the budget recovering once the ReplicaSet has replaced the pod.
import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, describe, test } from "node:test";
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.d.ts";
import { encodeBody } from "../../src/api/protobuf/test-encoder.ts";
import { ApiError } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { disruptionControllerDescriptor, PDB_RESOURCE } from "../../src/controllers/disruption/index.ts";
import { replicaSetControllerDescriptor } from "../../src/controllers/replicaset/index.ts";
import { type ControllerCluster, startControllerCluster } from "../controllers/cluster.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

const IMAGE = "k8ts.local/busybox:latest";
const VIOLATION = "Cannot evict pod as it would violate the pod's disruption budget.";

function eviction(name: string, extra: Record<string, unknown> = {}) {
  return { apiVersion: "policy/v1", kind: "Eviction", metadata: { name, namespace: "default" }, ...extra };
}

/** POSTs an Eviction, returning the HTTP status, the Retry-After header and the body. */
function postEviction(
  api: TestApiServer,
  pod: string,
  body: unknown,
  query = "",
  contentType = "application/json",
): Promise<{ code: number; retryAfter?: string; body: Record<string, unknown> }> {
  const url = new URL(`${api.url}/api/v1/namespaces/default/pods/${pod}/eviction${query}`);
  const data = body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method: "POST",
        ca: api.admin.ca,
        cert: api.admin.cert,
        key: api.admin.key,
        headers: { "Content-Type": contentType, "Content-Length": Buffer.byteLength(data) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({
            code: res.statusCode ?? 0,
            retryAfter: res.headers["retry-after"] as string | undefined,
            body: JSON.parse(Buffer.concat(chunks).toString("utf8")),
          }),
        );
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

describe("the eviction API against budgets the test sets", () => {
  let api: TestApiServer;
  let client: RestClient;
  before(async () => {
    api = await startTestApiServer();
    client = new RestClient(api.admin, { maxRetries: 0 });
  });
  after(async () => {
    client.close();
    await api.stop();
  });

  /** A pod bound to a (made-up) node, Running and Ready unless told otherwise. */
  async function runningPod(
    name: string,
    app: string,
    o: { ready?: boolean; phase?: string } = {},
  ): Promise<Pod> {
    const created = await client.create<Pod>(Resources.pods, {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name, namespace: "default", labels: { app } },
      spec: { nodeName: "n1", containers: [{ name: "c", image: IMAGE }] },
    });
    const status = {
      ...created.status,
      phase: o.phase ?? "Running",
      conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }],
    };
    return client.update<Pod>(
      Resources.pods,
      { ...created, status },
      { namespace: "default", subresource: "status" },
    );
  }

  /** A budget with the status the disruption controller would have written. */
  async function budget(
    name: string,
    app: string,
    status: { allowed: number; current: number; desired: number; observedGeneration?: number },
    spec: PodDisruptionBudget["spec"] = { minAvailable: 1 },
  ): Promise<PodDisruptionBudget> {
    const pdb = await client.create<PodDisruptionBudget>(PDB_RESOURCE, {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name, namespace: "default" },
      spec: { ...spec, selector: { matchLabels: { app } } },
    });
    pdb.status = {
      observedGeneration: status.observedGeneration ?? 1,
      disruptionsAllowed: status.allowed,
      currentHealthy: status.current,
      desiredHealthy: status.desired,
      expectedPods: status.current,
    };
    return client.update<PodDisruptionBudget>(PDB_RESOURCE, pdb, {
      namespace: "default",
      subresource: "status",
    });
  }

  const getPDB = (name: string) =>
    client.get<PodDisruptionBudget>(PDB_RESOURCE, name, { namespace: "default" });
  const getPod = (name: string) => client.get<Pod>(Resources.pods, name, { namespace: "default" });

  test("a budget with no disruptions left answers 429 with upstream's message and cause, and the pod stays", async () => {
    await runningPod("full-1", "full");
    await budget("full-pdb", "full", { allowed: 0, current: 2, desired: 2 });
    const r = await postEviction(api, "full-1", eviction("full-1"));
    assert.equal(r.code, 429);
    assert.equal(r.retryAfter, undefined);
    assert.deepEqual(r.body, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: VIOLATION,
      reason: "TooManyRequests",
      details: {
        causes: [
          {
            reason: "DisruptionBudget",
            message: "The disruption budget full-pdb needs 2 healthy pods and has 2 currently",
          },
        ],
      },
      code: 429,
    });
    const pod = await getPod("full-1");
    assert.equal(pod.metadata?.deletionTimestamp, undefined);
    assert.equal(
      pod.status?.conditions?.find((c) => c.type === "DisruptionTarget"),
      undefined,
    );
  });

  test("an allowed eviction takes one disruption, records the pod in disruptedPods and deletes it", async () => {
    await runningPod("ok-1", "ok");
    await runningPod("ok-2", "ok");
    const before = await budget("ok-pdb", "ok", { allowed: 1, current: 2, desired: 1 });
    const t0 = Date.now();
    const r = await postEviction(api, "ok-1", eviction("ok-1"));
    assert.equal(r.code, 201);
    assert.deepEqual(r.body, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Success",
      code: 201,
    });

    const pdb = await getPDB("ok-pdb");
    assert.notEqual(pdb.metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.equal(pdb.status?.disruptionsAllowed, 0);
    assert.deepEqual(Object.keys(pdb.status?.disruptedPods ?? {}), ["ok-1"]);
    const at = Date.parse(pdb.status!.disruptedPods!["ok-1"]);
    assert.ok(at >= Math.floor(t0 / 1000) * 1000 && at <= Date.now(), `disruptedPods time ${at}`);
    const cond = pdb.status?.conditions?.find((c) => c.type === "DisruptionAllowed");
    assert.equal(cond?.status, "False");
    assert.equal(cond?.reason, "InsufficientPods");
    assert.equal(cond?.observedGeneration, 1);

    // Bound to a node, the pod is deleted gracefully: marked, and tagged by the eviction.
    const pod = await getPod("ok-1");
    assert.ok(pod.metadata?.deletionTimestamp);
    const target = pod.status?.conditions?.find((c) => c.type === "DisruptionTarget");
    assert.deepEqual(
      { status: target?.status, reason: target?.reason, message: target?.message },
      { status: "True", reason: "EvictionByEvictionAPI", message: "Eviction API: evicting" },
    );

    // The budget is used up: the next eviction is refused.
    const again = await postEviction(api, "ok-2", eviction("ok-2"));
    assert.equal(again.code, 429);
    assert.equal(
      (again.body.details as { causes: { message: string }[] }).causes[0].message,
      "The disruption budget ok-pdb needs 1 healthy pods and has 2 currently",
    );
  });

  test("a budget whose status lags its spec answers 429 with Retry-After 10", async () => {
    await runningPod("lag-1", "lag");
    await budget("lag-pdb", "lag", { allowed: 1, current: 2, desired: 1, observedGeneration: 0 });
    const r = await postEviction(api, "lag-1", eviction("lag-1"));
    assert.equal(r.code, 429);
    assert.equal(r.retryAfter, "10");
    assert.deepEqual(r.body.details, {
      causes: [
        {
          reason: "DisruptionBudget",
          message: "The disruption budget lag-pdb is still being processed by the server.",
        },
      ],
      retryAfterSeconds: 10,
    });
    assert.equal(r.body.message, VIOLATION);
  });

  test("a pod under two budgets is refused with a 500", async () => {
    await runningPod("two-1", "two");
    await budget("two-a", "two", { allowed: 5, current: 5, desired: 0 });
    await budget("two-b", "two", { allowed: 5, current: 5, desired: 0 });
    const r = await postEviction(api, "two-1", eviction("two-1"));
    assert.equal(r.code, 500);
    assert.deepEqual(r.body, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message:
        "This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.",
      code: 500,
    });
  });

  test("unready pods: evicted when the budget is not disrupted, or always with AlwaysAllow; refused otherwise", async () => {
    // IfHealthyBudget (the default): currentHealthy ≥ desiredHealthy > 0, so the unready pod may go without a decrement.
    await runningPod("sick-1", "sick", { ready: false });
    await budget("sick-pdb", "sick", { allowed: 0, current: 2, desired: 2 });
    assert.equal((await postEviction(api, "sick-1", eviction("sick-1"))).code, 201);
    assert.ok((await getPod("sick-1")).metadata?.deletionTimestamp);
    const untouched = await getPDB("sick-pdb");
    assert.equal(untouched.status?.disruptionsAllowed, 0);
    assert.equal(untouched.status?.disruptedPods, undefined);

    // The application is disrupted (1 of 2 healthy): the unready pod must wait.
    await runningPod("down-1", "down", { ready: false });
    await budget("down-pdb", "down", { allowed: 0, current: 1, desired: 2 });
    assert.equal((await postEviction(api, "down-1", eviction("down-1"))).code, 429);

    // AlwaysAllow: an unready pod goes even then.
    await runningPod("always-1", "always", { ready: false });
    await budget(
      "always-pdb",
      "always",
      { allowed: 0, current: 1, desired: 2 },
      {
        minAvailable: 2,
        unhealthyPodEvictionPolicy: "AlwaysAllow",
      },
    );
    assert.equal((await postEviction(api, "always-1", eviction("always-1"))).code, 201);
    assert.ok((await getPod("always-1")).metadata?.deletionTimestamp);
  });

  test("pending and finished pods skip the budget", async () => {
    await runningPod("late-1", "late", { phase: "Pending", ready: false });
    await runningPod("done-1", "late", { phase: "Succeeded", ready: false });
    await budget("late-pdb", "late", { allowed: 0, current: 0, desired: 3 });
    assert.equal((await postEviction(api, "late-1", eviction("late-1"))).code, 201);
    assert.equal((await postEviction(api, "done-1", eviction("done-1"))).code, 201);
    assert.ok((await getPod("late-1")).metadata?.deletionTimestamp);
  });

  test("dry run checks the budget but changes nothing", async () => {
    await runningPod("dry-1", "dry");
    const before = await budget("dry-pdb", "dry", { allowed: 1, current: 2, desired: 1 });
    const r = await postEviction(api, "dry-1", eviction("dry-1"), "?dryRun=All");
    assert.equal(r.code, 201);
    assert.equal((await getPDB("dry-pdb")).metadata?.resourceVersion, before.metadata?.resourceVersion);
    assert.equal((await getPod("dry-1")).metadata?.deletionTimestamp, undefined);
    // The Eviction's own deleteOptions.dryRun counts too; disagreeing with the query is an error.
    const body = eviction("dry-1", { deleteOptions: { dryRun: ["All"] } });
    assert.equal((await postEviction(api, "dry-1", body)).code, 201);
    assert.equal((await getPod("dry-1")).metadata?.deletionTimestamp, undefined);
  });

  test("bad requests: a name that differs from the URL's, a missing pod", async () => {
    await runningPod("named-1", "named");
    const r = await postEviction(api, "named-1", eviction("other"));
    assert.equal(r.code, 400);
    assert.equal(r.body.message, "name in URL does not match name in Eviction object");
    const missing = await postEviction(api, "ghost", eviction("ghost"));
    assert.equal(missing.code, 404);
    assert.equal(missing.body.message, 'pods "ghost" not found');
  });

  test("a protobuf Eviction (what typed clients may send) is understood", async () => {
    await runningPod("proto-1", "proto");
    await budget("proto-pdb", "proto", { allowed: 0, current: 1, desired: 1 });
    const body = encodeBody("policy/v1", "Eviction", "policy.v1.Eviction", {
      metadata: { name: "proto-1", namespace: "default" },
      deleteOptions: { gracePeriodSeconds: 0 },
    });
    const r = await postEviction(api, "proto-1", body, "", "application/vnd.kubernetes.protobuf");
    assert.equal(r.code, 429);
    assert.equal(r.body.message, VIOLATION);
  });

  test("the typed client's call: POST with the pod's name, answered by a Success Status", async () => {
    await runningPod("typed-1", "typed");
    const status = await client.create(Resources.pods, eviction("typed-1"), {
      namespace: "default",
      subresource: "eviction",
    });
    assert.equal((status as { status?: string }).status, "Success");
    await assert.rejects(
      client.create(Resources.pods, eviction("typed-1"), { namespace: "default", subresource: "evictions" }),
      (e) => e instanceof ApiError && e.code === 404,
    );
  });
});

describe("evictions with the disruption controller running", () => {
  let c: ControllerCluster;
  let client: RestClient;
  before(async () => {
    c = await startControllerCluster({
      nodes: 2,
      controllers: [replicaSetControllerDescriptor, disruptionControllerDescriptor],
    });
    client = new RestClient(c.api.admin, { maxRetries: 0 });
  });
  after(async () => {
    client.close();
    await c.stop();
  });

  test("a 3-replica ReplicaSet under minAvailable 2: one eviction passes, the next waits until the pod is replaced", async () => {
    await c.client.create<ReplicaSet>(Resources.replicasets, {
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name: "web", namespace: "default" },
      spec: {
        replicas: 3,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" } },
          // A graceful stop keeps the evicted pod around while it terminates.
          spec: { containers: [{ name: "c", image: IMAGE }], terminationGracePeriodSeconds: 2 },
        },
      },
    });
    await c.client.create<PodDisruptionBudget>(PDB_RESOURCE, {
      apiVersion: "policy/v1",
      kind: "PodDisruptionBudget",
      metadata: { name: "web-pdb", namespace: "default" },
      spec: { minAvailable: 2, selector: { matchLabels: { app: "web" } } },
    });
    const pdbStatus = async () =>
      (await c.client.get<PodDisruptionBudget>(PDB_RESOURCE, "web-pdb", { namespace: "default" })).status;
    await c.waitFor(
      "one disruption allowed",
      async () => (await pdbStatus())?.disruptionsAllowed === 1,
      25_000,
    );
    const pods = (await c.pods({ labelSelector: "app=web" })).map((p) => p.metadata!.name!).sort();
    assert.equal(pods.length, 3);

    const first = await postEviction(c.api, pods[0], eviction(pods[0]));
    assert.equal(first.code, 201);
    const second = await postEviction(c.api, pods[1], eviction(pods[1]));
    assert.equal(second.code, 429);
    assert.equal(second.body.message, VIOLATION);

    // The ReplicaSet replaces the evicted pod; once the new one is Ready the budget allows one again.
    const recovered = await c.waitFor(
      "the budget recovered",
      async () => {
        const s = await pdbStatus();
        return s?.disruptionsAllowed === 1 && s.currentHealthy === 3 && !s.disruptedPods && s;
      },
      25_000,
    );
    assert.equal(recovered.expectedPods, 3);
    const third = await postEviction(c.api, pods[1], eviction(pods[1]));
    assert.equal(third.code, 201);
  });
});
