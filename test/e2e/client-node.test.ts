// The official JavaScript client (@kubernetes/client-node 1.x) against
// `k8ts up`: typed list/create/read/replace/patch/delete, the generic object
// API (server-side apply), errors as ApiExceptions, a raw Watch and an
// informer.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  type ApiException,
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  type KubernetesObject,
  KubernetesObjectApi,
  makeInformer,
  PatchStrategy,
  setHeaderOptions,
  type V1ConfigMap,
  type V1Deployment,
  Watch,
} from "@kubernetes/client-node";
import { type Cluster, startCluster } from "./harness.ts";

const NS = "cn";

/** The Status body of a failed call. */
interface StatusBody {
  code: number;
  reason: string;
  message: string;
  details?: { name?: string; kind?: string; causes?: { reason: string; message: string; field: string }[] };
}

async function statusOf(p: Promise<unknown>): Promise<StatusBody> {
  try {
    await p;
  } catch (e) {
    const err = e as ApiException<string>;
    assert.equal(typeof err.code, "number", String(e));
    const body = typeof err.body === "string" ? JSON.parse(err.body) : err.body;
    assert.equal(body.kind, "Status");
    assert.equal(body.code, err.code);
    return body;
  }
  assert.fail("the call succeeded");
}

async function eventually(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const webDeployment = (name: string): V1Deployment => ({
  apiVersion: "apps/v1",
  kind: "Deployment",
  metadata: { name, namespace: NS },
  spec: {
    replicas: 1,
    selector: { matchLabels: { app: name } },
    template: {
      metadata: { labels: { app: name } },
      spec: { containers: [{ name: "nginx", image: "nginx:1.25" }] },
    },
  },
});

describe("@kubernetes/client-node", () => {
  let c: Cluster;
  let kc: KubeConfig;
  let core: CoreV1Api;
  let apps: AppsV1Api;

  before(async () => {
    c = await startCluster();
    kc = new KubeConfig();
    kc.loadFromFile(c.kubeconfig);
    core = kc.makeApiClient(CoreV1Api);
    apps = kc.makeApiClient(AppsV1Api);
    await core.createNamespace({ body: { metadata: { name: NS } } });
  });
  after(async () => {
    await c?.stop();
  });

  it("lists namespaces", async () => {
    const list = await core.listNamespace();
    const names = list.items.map((n) => n.metadata?.name);
    for (const n of ["default", "kube-system", "kube-public", "kube-node-lease", NS])
      assert.ok(names.includes(n), n);
    assert.match(list.metadata?.resourceVersion ?? "", /^\d+$/);
    const ns = await core.readNamespace({ name: NS });
    assert.equal(ns.status?.phase, "Active");
    assert.deepEqual(ns.spec?.finalizers, ["kubernetes"]);
  });

  it("creates, reads, lists by label, replaces and deletes a ConfigMap", async () => {
    const created = await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: "one", labels: { app: "demo" } }, data: { a: "1" } },
    });
    assert.equal(created.metadata?.name, "one");
    assert.equal(created.metadata?.namespace, NS);
    assert.match(created.metadata?.uid ?? "", /^[0-9a-f-]{36}$/);
    assert.ok(created.metadata?.creationTimestamp instanceof Date);
    await core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "two" } } });

    const read = await core.readNamespacedConfigMap({ name: "one", namespace: NS });
    assert.deepEqual(read.data, { a: "1" });
    assert.equal(read.metadata?.resourceVersion, created.metadata?.resourceVersion);

    const labelled = await core.listNamespacedConfigMap({ namespace: NS, labelSelector: "app=demo" });
    assert.deepEqual(
      labelled.items.map((i) => i.metadata?.name),
      ["one"],
    );
    const paged = await core.listNamespacedConfigMap({
      namespace: NS,
      limit: 1,
      fieldSelector: "metadata.name!=kube-root-ca.crt",
    });
    assert.equal(paged.items.length, 1);
    assert.ok(paged.metadata?._continue, "a continue token");
    const rest = await core.listNamespacedConfigMap({
      namespace: NS,
      limit: 1,
      fieldSelector: "metadata.name!=kube-root-ca.crt",
      _continue: paged.metadata?._continue,
    });
    assert.deepEqual(
      rest.items.map((i) => i.metadata?.name),
      ["two"],
    );

    read.data = { a: "2" };
    const replaced = await core.replaceNamespacedConfigMap({ name: "one", namespace: NS, body: read });
    assert.deepEqual(replaced.data, { a: "2" });
    assert.ok(Number(replaced.metadata?.resourceVersion) > Number(read.metadata?.resourceVersion));

    // Replacing with the old resourceVersion again is a Conflict.
    const conflict = await statusOf(
      core.replaceNamespacedConfigMap({ name: "one", namespace: NS, body: read }),
    );
    assert.equal(conflict.code, 409);
    assert.equal(conflict.reason, "Conflict");
    assert.equal(
      conflict.message,
      'Operation cannot be fulfilled on configmaps "one": the object has been modified; please apply your changes to the latest version and try again',
    );
    const exists = await statusOf(
      core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "one" } } }),
    );
    assert.equal(exists.code, 409);
    assert.equal(exists.reason, "AlreadyExists");
    assert.equal(exists.message, 'configmaps "one" already exists');

    const status = await core.deleteNamespacedConfigMap({ name: "one", namespace: NS });
    assert.equal(status.status, "Success");
    assert.equal(status.details?.name, "one");
    assert.equal(status.details?.kind, "configmaps");
    assert.equal(status.details?.uid, created.metadata?.uid);
    const gone = await statusOf(core.readNamespacedConfigMap({ name: "one", namespace: NS }));
    assert.equal(gone.code, 404);
    assert.equal(gone.reason, "NotFound");
    assert.equal(gone.message, 'configmaps "one" not found');
  });

  it("patches with JSON merge, JSON patch and strategic merge", async () => {
    await core.createNamespacedConfigMap({
      namespace: NS,
      body: { metadata: { name: "p" }, data: { a: "1", b: "2" } },
    });
    let cm = await core.patchNamespacedConfigMap(
      { name: "p", namespace: NS, body: { data: { a: null, c: "3" } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    assert.deepEqual(cm.data, { b: "2", c: "3" });
    cm = await core.patchNamespacedConfigMap(
      { name: "p", namespace: NS, body: [{ op: "replace", path: "/data/b", value: "two" }] },
      setHeaderOptions("Content-Type", PatchStrategy.JsonPatch),
    );
    assert.deepEqual(cm.data, { b: "two", c: "3" });

    await apps.createNamespacedDeployment({ namespace: NS, body: webDeployment("web") });
    // Strategic merge: containers merge by name, so the sidecar joins nginx.
    const d = await apps.patchNamespacedDeployment(
      {
        name: "web",
        namespace: NS,
        body: { spec: { template: { spec: { containers: [{ name: "sidecar", image: "busybox" }] } } } },
      },
      setHeaderOptions("Content-Type", PatchStrategy.StrategicMergePatch),
    );
    assert.deepEqual(
      d.spec?.template.spec?.containers.map((x) => `${x.name}=${x.image}`),
      ["nginx=nginx:1.25", "sidecar=busybox"],
    );
    assert.equal(d.metadata?.generation, 2);

    // The scale subresource.
    const scale = await apps.patchNamespacedDeploymentScale(
      { name: "web", namespace: NS, body: { spec: { replicas: 4 } } },
      setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
    );
    assert.equal(scale.spec?.replicas, 4);
    assert.equal((await apps.readNamespacedDeployment({ name: "web", namespace: NS })).spec?.replicas, 4);
  });

  it("server-side applies through the generic KubernetesObjectApi", async () => {
    const objects = KubernetesObjectApi.makeApiClient(kc);
    const spec = webDeployment("applied") as KubernetesObject;
    const first = (await objects.patch(
      spec,
      undefined,
      undefined,
      "e2e",
      true,
      PatchStrategy.ServerSideApply,
    )) as V1Deployment;
    assert.equal(first.metadata?.name, "applied");
    assert.deepEqual(
      first.metadata?.managedFields?.map((m) => [m.manager, m.operation]),
      [["e2e", "Apply"]],
    );
    const read = (await objects.read({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "applied", namespace: NS },
    })) as V1Deployment;
    assert.equal(read.spec?.template.spec?.containers[0].image, "nginx:1.25");
    const list = await objects.list("apps/v1", "Deployment", NS);
    assert.deepEqual(
      list.items.map((i) => i.metadata?.name),
      ["applied", "web"],
    );
    await objects.delete({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "applied", namespace: NS },
    });
  });

  it("reports validation errors as a 422 Status with causes", async () => {
    const invalid = await statusOf(
      core.createNamespacedConfigMap({ namespace: NS, body: { metadata: { name: "Bad_Name" } } }),
    );
    assert.equal(invalid.code, 422);
    assert.equal(invalid.reason, "Invalid");
    assert.match(
      invalid.message,
      /^ConfigMap "Bad_Name" is invalid: metadata\.name: Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain/,
    );
    assert.equal(invalid.details?.name, "Bad_Name");
    assert.equal(invalid.details?.kind, "ConfigMap");
    assert.equal(invalid.details?.causes?.length, 1);
    assert.equal(invalid.details?.causes?.[0].reason, "FieldValueInvalid");
    assert.equal(invalid.details?.causes?.[0].field, "metadata.name");
    assert.match(
      invalid.details?.causes?.[0].message ?? "",
      /^Invalid value: "Bad_Name": a lowercase RFC 1123 subdomain must consist of/,
    );
  });

  it("watches with Watch: ADDED, MODIFIED, DELETED from a resourceVersion", async () => {
    const rv = (await core.listNamespacedConfigMap({ namespace: NS })).metadata?.resourceVersion;
    const seen: string[] = [];
    let ended: unknown = "not yet";
    const watch = new Watch(kc);
    const controller = await watch.watch(
      `/api/v1/namespaces/${NS}/configmaps`,
      { resourceVersion: rv, fieldSelector: "metadata.name=watched" },
      (type, obj: V1ConfigMap) =>
        seen.push(`${type} ${obj.metadata?.name} ${JSON.stringify(obj.data ?? {})}`),
      (err) => {
        ended = err;
      },
    );
    try {
      await core.createNamespacedConfigMap({
        namespace: NS,
        body: { metadata: { name: "watched" }, data: { v: "1" } },
      });
      await core.patchNamespacedConfigMap(
        { name: "watched", namespace: NS, body: { data: { v: "2" } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      await core.deleteNamespacedConfigMap({ name: "watched", namespace: NS });
      await eventually("three watch events", () => seen.length >= 3);
      assert.deepEqual(seen, [
        'ADDED watched {"v":"1"}',
        'MODIFIED watched {"v":"2"}',
        'DELETED watched {"v":"2"}',
      ]);
      assert.equal(ended, "not yet");
    } finally {
      controller.abort();
    }
  });

  it("a watch with timeoutSeconds is closed by the server", async () => {
    const watch = new Watch(kc);
    const started = Date.now();
    const done = new Promise<unknown>((resolve) => {
      void watch.watch(`/api/v1/namespaces/${NS}/configmaps`, { timeoutSeconds: 1 }, () => {}, resolve);
    });
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise((resolve) => {
      timer = setTimeout(resolve, 20_000, "still open after 20 s");
    });
    assert.equal(await Promise.race([done, late]), null);
    clearTimeout(timer);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 10_000, `closed after ${elapsed} ms`);
  });

  it("an informer sees add, update and delete and keeps its cache", async () => {
    await core.createNamespace({ body: { metadata: { name: "inf" } } });
    await core.createNamespacedConfigMap({
      namespace: "inf",
      body: { metadata: { name: "pre", labels: { watch: "me" } } },
    });
    const informer = makeInformer<V1ConfigMap>(
      kc,
      "/api/v1/namespaces/inf/configmaps",
      () => core.listNamespacedConfigMap({ namespace: "inf", labelSelector: "watch=me" }),
      "watch=me",
    );
    const seen: string[] = [];
    informer.on("add", (o) => seen.push(`add ${o.metadata?.name}`));
    informer.on("update", (o) => seen.push(`update ${o.metadata?.name} ${o.data?.v}`));
    informer.on("delete", (o) => seen.push(`delete ${o.metadata?.name}`));
    const errors: unknown[] = [];
    informer.on("error", (e) => errors.push(e));
    await informer.start();
    try {
      await eventually("the initial list", () => seen.includes("add pre"));
      await core.createNamespacedConfigMap({
        namespace: "inf",
        body: { metadata: { name: "new", labels: { watch: "me" } }, data: { v: "1" } },
      });
      await core.createNamespacedConfigMap({ namespace: "inf", body: { metadata: { name: "ignored" } } });
      await eventually("add new", () => seen.includes("add new"));
      await core.patchNamespacedConfigMap(
        { name: "new", namespace: "inf", body: { data: { v: "2" } } },
        setHeaderOptions("Content-Type", PatchStrategy.MergePatch),
      );
      await eventually("update new", () => seen.includes("update new 2"));
      assert.equal(informer.get("new", "inf")?.data?.v, "2");
      await core.deleteNamespacedConfigMap({ name: "pre", namespace: "inf" });
      await eventually("delete pre", () => seen.includes("delete pre"));
      assert.deepEqual(seen, ["add pre", "add new", "update new 2", "delete pre"]);
      assert.deepEqual(
        informer
          .list("inf")
          .map((o) => o.metadata?.name)
          .sort(),
        ["new"],
      );
      assert.deepEqual(errors, []);
    } finally {
      await informer.stop();
    }
  });
});
