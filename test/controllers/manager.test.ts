// The controller-manager as `k8ts controller-manager` runs it, on a real
// apiserver with Node,RBAC: leader election on the kube-controller-manager
// Lease, each controller as its own kube-system service account (and no more
// than its role allows), /healthz and /metrics on the secure port, and a
// failover between two instances that never makes more pods than asked.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ReplicaSet } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { type RunningApiServer, startApiServer } from "../../src/apiserver/index.ts";
import { ApiError } from "../../src/client/api-error.ts";
import type { ClientConfig } from "../../src/client/kubeconfig.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { ServiceAccountClientBuilder } from "../../src/controllers/client-builder.ts";
import type { ControllerDescriptor } from "../../src/controllers/context.ts";
import { isControllerEnabled, validateControllers } from "../../src/controllers/manager.ts";
import { replicaSetControllerDescriptor } from "../../src/controllers/replicaset/index.ts";
import { runControllerManager } from "../../src/controllers/run.ts";
import { freePort } from "../support/ports.ts";
import { ensureDefaultServiceAccount } from "../support/service-account.ts";
import { until } from "../support/until.ts";

let dir: string;
let api: RunningApiServer;
let admin: RestClient;
let cmConfig: ClientConfig;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "k8ts-cm-"));
  api = await startApiServer({
    dataDir: dir,
    port: await freePort(),
    bindAddress: "127.0.0.1",
    store: "sqlite::memory:",
  });
  const config = async (user: string, groups: string[]): Promise<ClientConfig> => ({
    server: api.url,
    ca: api.pki.caCert,
    ...(await api.pki.ca.issueClient(user, groups)),
    namespace: "default",
  });
  admin = new RestClient(await config("admin", ["system:masters"]));
  await ensureDefaultServiceAccount(admin);
  cmConfig = await config("system:kube-controller-manager", []);
});
after(async () => {
  admin.close();
  await api.stop();
  rmSync(dir, { recursive: true, force: true });
});

function get(url: string, cert?: { cert: string; key: string }): Promise<{ code: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: api.pki.caCert, ...cert }, (res) => {
      let body = "";
      res.on("data", (d) => {
        body += d;
      });
      res.on("end", () => resolve({ code: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

const rs = (name: string, replicas: number): ReplicaSet & { metadata: object } => ({
  apiVersion: "apps/v1",
  kind: "ReplicaSet",
  metadata: { name, namespace: "default" },
  spec: {
    replicas,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
    },
  },
});

test("--controllers: '*' takes the default set, 'foo' adds, '-foo' removes; unknown names are refused", () => {
  const d = (name: string, disabledByDefault = false) =>
    ({ name, aliases: [name.replace("-controller", "")], disabledByDefault }) as ControllerDescriptor;
  const ds = [d("deployment-controller"), d("job-controller"), d("bootstrap-signer-controller", true)];
  const on = (flags: string[]) => ds.filter((x) => isControllerEnabled(x, flags)).map((x) => x.name);
  assert.deepEqual(on(["*"]), ["deployment-controller", "job-controller"]);
  assert.deepEqual(on(["*", "-job"]), ["deployment-controller"]);
  assert.deepEqual(on(["deployment"]), ["deployment-controller"]);
  assert.deepEqual(
    on(["*", "bootstrap-signer-controller"]),
    ds.map((x) => x.name),
  );
  assert.throws(
    () => validateControllers(["*", "-nope"], ds),
    /"-nope" is not in the list of known controllers: bootstrap-signer-controller, deployment-controller, job-controller/,
  );
});

test("a controller's service account may do its job and no more", async () => {
  const manager = new RestClient(cmConfig);
  const abort = new AbortController();
  const builder = new ServiceAccountClientBuilder({ client: manager, signal: abort.signal });
  try {
    const rsClient = await builder.clientFor("replicaset-controller");
    const review = await rsClient.create(
      { group: "authentication.k8s.io", version: "v1", resource: "selfsubjectreviews", namespaced: false },
      { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview", metadata: {} },
    );
    assert.equal(
      (review as { status?: { userInfo?: { username?: string } } }).status?.userInfo?.username,
      "system:serviceaccount:kube-system:replicaset-controller",
    );
    await rsClient.list(Resources.pods, { namespace: "default" });
    for (const attempt of [
      () => rsClient.list(Resources.secrets, { namespace: "kube-system" }),
      () => rsClient.delete(Resources.nodes, "any"),
      () => rsClient.create(Resources.deployments, { metadata: { name: "x", namespace: "default" } }),
    ]) {
      await assert.rejects(attempt(), (e) => e instanceof ApiError && e.code === 403);
    }
    // The manager's own identity runs informers and elections, not workloads.
    await assert.rejects(
      manager.create(Resources.pods, { metadata: { name: "x", namespace: "default" } }),
      (e) => e instanceof ApiError && e.code === 403,
    );
  } finally {
    abort.abort();
    builder.close();
    manager.close();
  }
});

test("controllers that share a service account and ask at once get one client, which close() closes", async () => {
  const manager = new RestClient(cmConfig);
  const abort = new AbortController();
  const builder = new ServiceAccountClientBuilder({ client: manager, signal: abort.signal });
  try {
    // The manager asks for every controller's client at once (the CSR signer, approver and cleaner share one).
    const [a, b, c] = await Promise.all([
      builder.clientFor("certificate-controller"),
      builder.clientFor("certificate-controller"),
      builder.clientFor("job-controller"),
    ]);
    assert.equal(a, b);
    assert.notEqual(a, c);
    assert.equal(await builder.clientFor("certificate-controller"), a);
    builder.close();
    // A second client for the same account would have stayed open, and kept the process from exiting.
    await assert.rejects(a.list(Resources.pods, { namespace: "default" }));
  } finally {
    abort.abort();
    builder.close();
    manager.close();
  }
});

test("two managers: one leads and serves metrics; when it stops the other takes over without duplicate pods", async () => {
  const tls = {
    ...(await api.pki.ca.issueServing("kube-controller-manager", ["127.0.0.1"])),
    ca: api.pki.caCert,
  };
  const start = (identity: string) => {
    const abort = new AbortController();
    const client = new RestClient(cmConfig);
    let url = "";
    const done = runControllerManager({
      client,
      descriptors: [replicaSetControllerDescriptor],
      useServiceAccountCredentials: true,
      identity,
      leaseDurationMs: 2000,
      renewDeadlineMs: 1500,
      retryPeriodMs: 250,
      serving: { host: "127.0.0.1", port: 0, ...tls },
      onListening: (u) => {
        url = u;
      },
      signal: abort.signal,
      log: () => {},
    });
    return { abort, client, done, url: () => url, identity };
  };
  const holder = async () =>
    (
      await admin.get<{ spec?: { holderIdentity?: string } }>(Resources.leases, "kube-controller-manager", {
        namespace: "kube-system",
      })
    ).spec?.holderIdentity;
  const a = start("cm-a");
  // A rejected poll (the lease not there yet) counts as not yet.
  await until(
    () =>
      holder()
        .then((h) => h === "cm-a")
        .catch(() => undefined),
    "cm-a to lead",
    20_000,
    50,
  );
  const b = start("cm-b");
  try {
    await admin.create(Resources.replicasets, rs("failover", 4));
    await until(
      () =>
        admin
          .list<Pod>(Resources.pods, { namespace: "default", labelSelector: "app=failover" })
          .then((l) => l.items.length === 4)
          .catch(() => undefined),
      "4 pods",
      20_000,
      50,
    );

    // The secure port: health is public, metrics need a client certificate the apiserver authorizes.
    await until(async () => a.url() !== "", "a's secure port", 20_000, 50);
    assert.equal((await get(`${a.url()}/healthz`)).body, "ok");
    // A target the URL parser refuses is answered, not thrown in the handler (that ended the process).
    assert.equal((await get(`${a.url()}//[`)).code, 400);
    assert.equal((await get(`${a.url()}/metrics`)).code, 401);
    const metrics = await get(
      `${a.url()}/metrics`,
      await api.pki.ca.issueClient("admin", ["system:masters"]),
    );
    assert.equal(metrics.code, 200);
    assert.match(metrics.body, /workqueue_adds_total\{name="replicaset"\} \d+/);
    assert.match(metrics.body, /leader_election_master_status\{name="kube-controller-manager"\} 1/);
    const standby = await get(
      `${b.url()}/metrics`,
      await api.pki.ca.issueClient("admin", ["system:masters"]),
    );
    assert.match(standby.body, /leader_election_master_status\{name="kube-controller-manager"\} 0/);

    // The leader goes; scale up while nobody leads; the new leader makes exactly the missing pods.
    a.abort.abort();
    await a.done;
    await admin.patch(
      Resources.replicasets,
      "failover",
      { spec: { replicas: 7 } },
      { namespace: "default", type: "merge" },
    );
    await until(
      () =>
        holder()
          .then((h) => h === "cm-b")
          .catch(() => undefined),
      "cm-b to lead",
      20_000,
      50,
    );
    let max = 0;
    await until(
      () =>
        admin
          .list<Pod>(Resources.pods, { namespace: "default", labelSelector: "app=failover" })
          .then(({ items: pods }) => {
            max = Math.max(max, pods.length);
            return pods.length === 7;
          })
          .catch(() => undefined),
      "7 ready pods",
      20_000,
      50,
    );
    await new Promise((r) => setTimeout(r, 500));
    const pods = (
      await admin.list<Pod>(Resources.pods, { namespace: "default", labelSelector: "app=failover" })
    ).items;
    assert.equal(pods.length, 7);
    assert.equal(max, 7, "never more pods than replicas");
  } finally {
    a.abort.abort();
    b.abort.abort();
    await Promise.all([a.done, b.done]);
    a.client.close();
    b.client.close();
  }
});
