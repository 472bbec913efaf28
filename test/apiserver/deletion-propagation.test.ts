// DELETE and the garbage collector's finalizers, as upstream's
// deletionFinalizersForGarbageCollection sets them: an explicit policy
// decides, then a GC finalizer already on the object, then the kind's
// default (core/v1 ReplicationControllers and batch/v1 Jobs orphan).
import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, test } from "node:test";
import { Resources } from "../../src/client/resources.ts";
import { type KubeObject, RestClient } from "../../src/client/rest-client.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
let client: RestClient;
before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
});
after(async () => {
  client.close();
  await api.stop();
});

const template = {
  metadata: { labels: { app: "x" } },
  spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
};

async function finalizersAfterDelete(
  res: typeof Resources.configmaps,
  obj: KubeObject & { metadata: object },
  policy?: "Orphan" | "Background" | "Foreground",
): Promise<string[] | "gone"> {
  const created = await client.create(res, obj);
  await client.delete(res, created.metadata!.name!, { namespace: "default", propagationPolicy: policy });
  try {
    const left = await client.get(res, created.metadata!.name!, { namespace: "default" });
    return left.metadata?.finalizers ?? [];
  } catch {
    return "gone";
  }
}

test("a ReplicationController deleted without a policy orphans its pods; with Background it goes at once", async () => {
  const rc = (name: string) => ({
    apiVersion: "v1",
    kind: "ReplicationController",
    metadata: { name, namespace: "default" },
    spec: { replicas: 0, selector: { app: "x" }, template },
  });
  assert.deepEqual(await finalizersAfterDelete(Resources.replicationcontrollers, rc("rc1")), ["orphan"]);
  assert.equal(
    await finalizersAfterDelete(Resources.replicationcontrollers, rc("rc2"), "Background"),
    "gone",
  );
});

test("a ReplicaSet deleted without a policy goes at once (apps/v1 deletes dependents in background)", async () => {
  const rs = {
    apiVersion: "apps/v1",
    kind: "ReplicaSet",
    metadata: { name: "rs1", namespace: "default" },
    spec: { replicas: 0, selector: { matchLabels: { app: "x" } }, template },
  };
  assert.equal(await finalizersAfterDelete(Resources.replicasets, rs), "gone");
});

test("Background removes a GC finalizer already there, and keeps the others", async () => {
  const cm = {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cm1", namespace: "default", finalizers: ["example.com/hold", "foregroundDeletion"] },
  };
  assert.deepEqual(await finalizersAfterDelete(Resources.configmaps, cm, "Background"), ["example.com/hold"]);
  // The second DELETE with Orphan swaps the GC finalizer on the pending object.
  await client.delete(Resources.configmaps, "cm1", { namespace: "default", propagationPolicy: "Orphan" });
  const left = await client.get(Resources.configmaps, "cm1", { namespace: "default" });
  assert.deepEqual(left.metadata?.finalizers, ["example.com/hold", "orphan"]);
});

test("deleting a Job without a policy warns that its pods are kept", async () => {
  await client.create(Resources.jobs, {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: "j1", namespace: "default" },
    spec: { template: { ...template, spec: { ...template.spec, restartPolicy: "Never" } } },
  } as KubeObject & { metadata: object });
  const warning = await new Promise<string | undefined>((resolve, reject) => {
    const req = request(
      `${api.url}/apis/batch/v1/namespaces/default/jobs/j1`,
      { method: "DELETE", ca: api.admin.ca, cert: api.admin.cert, key: api.admin.key },
      (res) => {
        res.resume();
        resolve(res.headers.warning as string | undefined);
      },
    );
    req.on("error", reject);
    req.end();
  });
  assert.match(
    warning ?? "",
    /299 - "child pods are preserved by default when jobs are deleted; set propagationPolicy=Background to remove them or set propagationPolicy=Orphan to suppress this warning"/,
  );
  const left = await client.get(Resources.jobs, "j1", { namespace: "default" });
  assert.deepEqual(left.metadata?.finalizers, ["orphan"]);
});
