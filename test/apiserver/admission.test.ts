// The built-in admission plugins end to end: a real in-process apiserver with
// builtinAdmission's chain, driven over HTTPS by the REST client.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { Obj } from "../../src/api/registry.ts";
import { AdmissionChain } from "../../src/apiserver/admission/admission.ts";
import { type BuiltinAdmission, builtinAdmission } from "../../src/apiserver/admission/plugins/index.ts";
import { ApiServer, ensurePki } from "../../src/apiserver/index.ts";
import type { ClientConfig } from "../../src/client/kubeconfig.ts";
import { Resources } from "../../src/client/resources.ts";
import { type KubeObject, type ResourceRef, RestClient } from "../../src/client/rest-client.ts";
import { SqliteStore } from "../../src/storage/sqlite.ts";
import { refused } from "../support/refused.ts";

const limitranges: ResourceRef = { group: "", version: "v1", resource: "limitranges", namespaced: true };
const resourcequotas: ResourceRef = {
  group: "",
  version: "v1",
  resource: "resourcequotas",
  namespaced: true,
};
const storageclasses: ResourceRef = {
  group: "storage.k8s.io",
  version: "v1",
  resource: "storageclasses",
  namespaced: false,
};
const priorityclasses: ResourceRef = {
  group: "scheduling.k8s.io",
  version: "v1",
  resource: "priorityclasses",
  namespaced: false,
};

let dataDir: string;
let store: SqliteStore;
let server: ApiServer;
let admission: BuiltinAdmission;
let client: RestClient;
let node1: RestClient;

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "k8ts-admission-test-"));
  const pki = await ensurePki(dataDir);
  store = new SqliteStore({ path: ":memory:" });
  // The plugins read the registry the server builds, so the chain is filled in once it exists.
  const chain = new AdmissionChain();
  server = new ApiServer({
    store,
    tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.caCert },
    port: 0,
    host: "127.0.0.1",
    compactionIntervalMs: 3_600_000,
    admission: chain,
  });
  admission = builtinAdmission({ registry: server.registry });
  chain.mutating.push(...admission.mutating);
  chain.validating.push(...admission.validating);
  await server.start();
  await admission.start();
  const url = `https://127.0.0.1:${server.port}`;
  const config = async (user: string, groups: string[]): Promise<ClientConfig> => {
    const cred = await pki.ca.issueClient(user, groups);
    return { server: url, ca: pki.caCert, cert: cred.cert, key: cred.key, namespace: "default" };
  };
  client = new RestClient(await config("admin", ["system:masters"]), { maxRetries: 0 });
  node1 = new RestClient(await config("system:node:node1", ["system:nodes"]), { maxRetries: 0 });
  // No service account controller runs here: make the accounts pods need.
  for (const ns of ["default", "kube-system"]) {
    await client.create(Resources.serviceaccounts, { metadata: { name: "default", namespace: ns } });
  }
});

after(async () => {
  client.close();
  node1.close();
  admission.stop();
  await server.stop();
  await store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function namespace(name: string, withAccount = true): Promise<void> {
  await client.create(Resources.namespaces, { apiVersion: "v1", kind: "Namespace", metadata: { name } });
  if (withAccount)
    await client.create(Resources.serviceaccounts, { metadata: { name: "default", namespace: name } });
}

function pod(name: string, namespace = "default", spec: Obj = {}): KubeObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace },
    spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }], ...spec },
  } as KubeObject;
}

test("NamespaceLifecycle: missing and terminating namespaces, immortal namespaces", async () => {
  const missing = await refused(
    client.create(Resources.configmaps, { metadata: { name: "c", namespace: "nowhere" } }),
  );
  assert.equal(missing.code, 404);
  assert.equal(missing.message, 'namespaces "nowhere" not found');

  const immortal = await refused(client.delete(Resources.namespaces, "kube-system"));
  assert.equal(immortal.code, 403);
  assert.equal(immortal.message, 'namespaces "kube-system" is forbidden: this namespace may not be deleted');

  await namespace("doomed", false);
  // No namespace controller runs: the namespace stays Terminating.
  await client.delete(Resources.namespaces, "doomed");
  const terminating = await refused(
    client.create(Resources.configmaps, { metadata: { name: "late", namespace: "doomed" } }),
  );
  assert.equal(terminating.code, 403);
  assert.equal(
    terminating.message,
    'configmaps "late" is forbidden: unable to create new content in namespace doomed because it is being terminated',
  );
  assert.deepEqual(terminating.details?.causes, [
    {
      reason: "NamespaceTerminating",
      message: "namespace doomed is being terminated",
      field: "metadata.namespace",
    },
  ]);
});

test("ServiceAccount, DefaultTolerationSeconds and Priority shape a new pod", async () => {
  const created = (await client.create(Resources.pods, pod("shaped"))) as Obj;
  const spec = created.spec;
  assert.equal(spec.serviceAccountName, "default");
  assert.equal(spec.serviceAccount, "default");
  const volume = spec.volumes.find((v: Obj) => v.name.startsWith("kube-api-access-"));
  assert.match(volume.name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  assert.equal(volume.projected.defaultMode, 420);
  assert.deepEqual(volume.projected.sources[0], {
    serviceAccountToken: { expirationSeconds: 3607, path: "token" },
  });
  assert.deepEqual(spec.containers[0].volumeMounts, [
    { name: volume.name, readOnly: true, mountPath: "/var/run/secrets/kubernetes.io/serviceaccount" },
  ]);
  assert.deepEqual(spec.tolerations, [
    { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute", tolerationSeconds: 300 },
    {
      key: "node.kubernetes.io/unreachable",
      operator: "Exists",
      effect: "NoExecute",
      tolerationSeconds: 300,
    },
  ]);
  assert.equal(spec.priority, 0);
  assert.equal(spec.preemptionPolicy, "PreemptLowerPriority");

  const ghost = await refused(
    client.create(Resources.pods, pod("ghost", "default", { serviceAccountName: "ghost" })),
  );
  assert.equal(ghost.code, 403);
  assert.equal(
    ghost.message,
    'pods "ghost" is forbidden: error looking up service account default/ghost: serviceaccount "ghost" not found',
  );
});

test("Priority: the system classes exist and resolve; unknown classes are refused", async () => {
  const pcs = await client.list<Obj>(priorityclasses);
  assert.deepEqual(pcs.items.map((pc) => [pc.metadata.name, pc.value]).sort(), [
    ["system-cluster-critical", 2000000000],
    ["system-node-critical", 2000001000],
  ]);
  const critical = (await client.create(
    Resources.pods,
    pod("critical", "kube-system", { priorityClassName: "system-cluster-critical" }),
  )) as Obj;
  assert.equal(critical.spec.priority, 2000000000);
  const unknown = await refused(
    client.create(Resources.pods, pod("vip", "default", { priorityClassName: "gold" })),
  );
  assert.equal(unknown.code, 403);
  assert.equal(unknown.message, 'pods "vip" is forbidden: no PriorityClass with name gold was found');
});

test("LimitRanger: defaults and maximums from the namespace's LimitRange", async () => {
  await namespace("limited");
  await client.create(limitranges, {
    metadata: { name: "cpu", namespace: "limited" },
    spec: { limits: [{ type: "Container", max: { cpu: "1" }, defaultRequest: { cpu: "100m" } }] },
  } as KubeObject);
  const defaulted = (await client.create(Resources.pods, pod("small", "limited"))) as Obj;
  assert.deepEqual(defaulted.spec.containers[0].resources, {
    limits: { cpu: "1" },
    requests: { cpu: "100m" },
  });
  assert.equal(
    defaulted.metadata.annotations["kubernetes.io/limit-ranger"],
    "LimitRanger plugin set: cpu request for container c; cpu limit for container c",
  );
  const big = await refused(
    client.create(
      Resources.pods,
      pod("big", "limited", { containers: [{ name: "c", image: "x", resources: { limits: { cpu: "2" } } }] }),
    ),
  );
  assert.equal(big.code, 403);
  assert.equal(big.message, 'pods "big" is forbidden: maximum cpu usage per Container is 1, but limit is 2');
});

test("ResourceQuota: charges status.used and refuses past status.hard", async () => {
  await namespace("quota");
  const q = (await client.create(resourcequotas, {
    metadata: { name: "pods", namespace: "quota" },
    spec: { hard: { pods: "1" } },
  } as KubeObject)) as Obj;
  // What the quota controller would write.
  await client.update(
    resourcequotas,
    { ...q, status: { hard: { pods: "1" }, used: { pods: "0" } } } as KubeObject,
    { subresource: "status" },
  );
  await client.create(Resources.pods, pod("first", "quota"));
  const after = (await client.get(resourcequotas, "pods", { namespace: "quota" })) as Obj;
  assert.deepEqual(after.status.used, { pods: "1" });
  const second = await refused(client.create(Resources.pods, pod("second", "quota")));
  assert.equal(second.code, 403);
  assert.equal(second.reason, "Forbidden");
  assert.equal(
    second.message,
    'pods "second" is forbidden: exceeded quota: pods, requested: pods=1, used: pods=1, limited: pods=1',
  );
  // A dry run is checked but not charged.
  await client.update(
    resourcequotas,
    { ...after, status: { hard: { pods: "1" }, used: { pods: "0" } } } as KubeObject,
    {
      subresource: "status",
    },
  );
  await client.create(Resources.pods, pod("dry", "quota"), { dryRun: true });
  assert.deepEqual(((await client.get(resourcequotas, "pods", { namespace: "quota" })) as Obj).status.used, {
    pods: "0",
  });
});

test("DefaultStorageClass: claims without a class get the default one", async () => {
  await client.create(storageclasses, {
    apiVersion: "storage.k8s.io/v1",
    kind: "StorageClass",
    metadata: { name: "standard", annotations: { "storageclass.kubernetes.io/is-default-class": "true" } },
    provisioner: "k8ts.io/hostpath",
  } as KubeObject);
  const claim = (await client.create(Resources.persistentvolumeclaims, {
    metadata: { name: "data", namespace: "default" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
  } as KubeObject)) as Obj;
  assert.equal(claim.spec.storageClassName, "standard");
});

test("NodeRestriction: a kubelet may change only its own Node and Lease", async () => {
  for (const name of ["node1", "node2"]) {
    await client.create(Resources.nodes, { apiVersion: "v1", kind: "Node", metadata: { name } });
  }
  // kubelets (and kubectl label) change Nodes with patches.
  const labels = (name: string, l: Record<string, string | null>) =>
    node1.patch(Resources.nodes, name, { metadata: { labels: l } }, { type: "merge" });
  await labels("node1", {
    "kubernetes.io/hostname": "node1",
    "node.kubernetes.io/exclude-from-external-load-balancers": "",
  });
  const denied = await refused(labels("node2", { a: "b" }));
  assert.equal(denied.code, 403);
  assert.equal(
    denied.message,
    'nodes "node2" is forbidden: node "node1" is not allowed to modify node "node2"',
  );
  const role = await refused(labels("node1", { "node-role.kubernetes.io/control-plane": "" }));
  assert.equal(
    role.message,
    'nodes "node1" is forbidden: is not allowed to modify labels: node-role.kubernetes.io/control-plane',
  );
  const taint = await refused(
    node1.patch(
      Resources.nodes,
      "node1",
      { spec: { taints: [{ key: "k", effect: "NoSchedule" }] } },
      { type: "merge" },
    ),
  );
  assert.equal(taint.message, 'nodes "node1" is forbidden: node "node1" is not allowed to modify taints');
  await node1.create(Resources.leases, {
    metadata: { name: "node1", namespace: "kube-node-lease" },
  } as KubeObject);
  const lease = await refused(
    node1.create(Resources.leases, {
      metadata: { name: "node2", namespace: "kube-node-lease" },
    } as KubeObject),
  );
  assert.equal(
    lease.message,
    'leases.coordination.k8s.io "node2" is forbidden: can only access node lease with the same name as the requesting node',
  );
  const plainPod = await refused(
    node1.create(Resources.pods, pod("sneaky", "default", { nodeName: "node1" })),
  );
  assert.equal(
    plainPod.message,
    'pods "sneaky" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "node1" can only create mirror pods',
  );
});
