// The Node authorizer: the references a bound pod grants (upstream's graph
// edges), and decisions and reasons for a kubelet's requests.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Obj } from "../../api/registry.ts";
import { SqliteStore } from "../../storage/sqlite.ts";
import { Registry } from "../registry/index.ts";
import type { Attributes } from "./authorizer.ts";
import { NodeAuthorizer, nodeIdentity, podRefs } from "./node.ts";

test("nodeIdentity needs both the system:node: name and the system:nodes group", () => {
  assert.equal(nodeIdentity({ name: "system:node:a", groups: ["system:nodes"] }), "a");
  assert.equal(nodeIdentity({ name: "system:node:a", groups: [] }), undefined);
  assert.equal(nodeIdentity({ name: "alice", groups: ["system:nodes"] }), undefined);
  assert.equal(nodeIdentity({ name: "system:node:", groups: ["system:nodes"] }), "");
});

test("podRefs: every secret, configmap, claim and service account a pod uses", () => {
  const refs = podRefs({
    metadata: { name: "p" },
    spec: {
      nodeName: "n1",
      serviceAccountName: "sa",
      imagePullSecrets: [{ name: "pull" }],
      initContainers: [{ envFrom: [{ secretRef: { name: "init-env" } }] }],
      containers: [
        {
          env: [
            { name: "A", valueFrom: { secretKeyRef: { name: "env-secret", key: "k" } } },
            { name: "B", valueFrom: { configMapKeyRef: { name: "env-cm", key: "k" } } },
          ],
          envFrom: [{ configMapRef: { name: "envfrom-cm" } }],
        },
      ],
      ephemeralContainers: [{ envFrom: [{ secretRef: { name: "debug" } }] }],
      volumes: [
        { name: "s", secret: { secretName: "vol-secret" } },
        { name: "c", configMap: { name: "vol-cm" } },
        {
          name: "p",
          projected: { sources: [{ secret: { name: "proj-secret" } }, { configMap: { name: "proj-cm" } }] },
        },
        { name: "csi", csi: { driver: "d", nodePublishSecretRef: { name: "csi-secret" } } },
        { name: "claim", persistentVolumeClaim: { claimName: "data" } },
        { name: "scratch", ephemeral: { volumeClaimTemplate: { spec: {} } } },
      ],
    },
  });
  assert.ok(refs);
  assert.deepEqual([...refs.secrets].sort(), [
    "csi-secret",
    "debug",
    "env-secret",
    "init-env",
    "proj-secret",
    "pull",
    "vol-secret",
  ]);
  assert.deepEqual([...refs.configMaps].sort(), ["env-cm", "envfrom-cm", "proj-cm", "vol-cm"]);
  assert.deepEqual([...refs.pvcs].sort(), ["data", "p-scratch"]);
  assert.deepEqual([...refs.serviceAccounts], ["sa"]);
  assert.equal(
    podRefs({ metadata: { name: "u" }, spec: {} }),
    undefined,
    "unbound pods are not in the graph",
  );
  const mirror = podRefs({
    metadata: { name: "m", annotations: { "kubernetes.io/config.mirror": "x" } },
    spec: { nodeName: "n1", volumes: [{ name: "s", secret: { secretName: "s" } }] },
  });
  assert.equal(mirror?.secrets.size, 0, "a mirror pod grants nothing");
});

let store: SqliteStore;
let registry: Registry;
let node: NodeAuthorizer;

const nodeUser = (n: string) => ({
  name: `system:node:${n}`,
  groups: ["system:nodes", "system:authenticated"],
});
function req(
  user: Attributes["user"],
  verb: string,
  resource: string,
  namespace: string,
  name: string,
  o: { group?: string; subresource?: string; fieldSelector?: string } = {},
): Attributes {
  return {
    user,
    verb,
    isResourceRequest: true,
    path: "",
    namespace,
    apiGroup: o.group ?? "",
    apiVersion: "v1",
    resource,
    subresource: o.subresource ?? "",
    fieldSelector: o.fieldSelector,
    name,
  };
}

before(async () => {
  store = new SqliteStore({ path: ":memory:" });
  registry = new Registry(store);
  node = new NodeAuthorizer({ registry });
  await node.start();
  const pods = registry.byResource("", "v1", "pods")!;
  const pod = (name: string, nodeName: string, secret: string, claim: string): Obj => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default" },
    spec: {
      nodeName,
      serviceAccountName: `sa-${name}`,
      containers: [{ name: "c", image: "busybox" }],
      volumes: [
        { name: "s", secret: { secretName: secret } },
        { name: "d", persistentVolumeClaim: { claimName: claim } },
      ],
    },
  });
  await pods.create("default", pod("a", "node-a", "secret-a", "claim-a"));
  const last = await pods.create("default", pod("b", "node-b", "secret-b", "claim-b"));
  await registry.byResource("", "v1", "persistentvolumeclaims")!.create("default", {
    apiVersion: "v1",
    kind: "PersistentVolumeClaim",
    metadata: { name: "claim-a", namespace: "default" },
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, volumeName: "pv-a" },
  });
  await node.pods.waitForRevision(Number(last.metadata.resourceVersion));
});

after(async () => {
  await node.stop();
  await store.close();
});

test("a node reads what its pods use and nothing of another node's pods", async () => {
  const a = nodeUser("node-a");
  assert.deepEqual(await node.authorize(req(a, "get", "secrets", "default", "secret-a")), {
    decision: "Allow",
    reason: "",
  });
  assert.deepEqual(await node.authorize(req(a, "get", "secrets", "default", "secret-b")), {
    decision: "NoOpinion",
    reason: "no relationship found between node 'node-a' and this object",
  });
  assert.equal((await node.authorize(req(a, "watch", "secrets", "default", "secret-a"))).decision, "Allow");
  assert.deepEqual(await node.authorize(req(a, "list", "secrets", "default", "")), {
    decision: "NoOpinion",
    reason: "No Object name found",
  });
  assert.deepEqual(await node.authorize(req(a, "update", "secrets", "default", "secret-a")), {
    decision: "NoOpinion",
    reason: "can only read resources of this type",
  });
  assert.equal(
    (await node.authorize(req(a, "get", "persistentvolumeclaims", "default", "claim-a"))).decision,
    "Allow",
  );
  assert.equal(
    (await node.authorize(req(a, "get", "persistentvolumeclaims", "default", "claim-b"))).decision,
    "NoOpinion",
  );
  assert.equal((await node.authorize(req(a, "get", "persistentvolumes", "", "pv-a"))).decision, "Allow");
  assert.equal((await node.authorize(req(a, "get", "persistentvolumes", "", "pv-b"))).decision, "NoOpinion");
  assert.deepEqual(
    await node.authorize(req(a, "create", "serviceaccounts", "default", "sa-a", { subresource: "token" })),
    { decision: "Allow", reason: "" },
  );
  assert.equal(
    (await node.authorize(req(a, "create", "serviceaccounts", "default", "sa-b", { subresource: "token" })))
      .decision,
    "NoOpinion",
  );
});

test("leases only of its own name in kube-node-lease; the static rules for the rest", async () => {
  const a = nodeUser("node-a");
  const lease = (verb: string, ns: string, name: string) =>
    node.authorize(req(a, verb, "leases", ns, name, { group: "coordination.k8s.io" }));
  assert.equal((await lease("update", "kube-node-lease", "node-a")).decision, "Allow");
  assert.deepEqual(await lease("update", "kube-node-lease", "node-b"), {
    decision: "NoOpinion",
    reason: "can only access node lease with the same name as the requesting node",
  });
  assert.deepEqual(await lease("get", "default", "node-a"), {
    decision: "NoOpinion",
    reason: 'can only access leases in the "kube-node-lease" system namespace',
  });
  assert.equal(
    (await node.authorize(req(a, "patch", "nodes", "", "node-a", { subresource: "status" }))).decision,
    "Allow",
  );
  // AuthorizeNodeWithSelectors (v1.32): pods only with spec.nodeName=<self>; nodes only its own.
  assert.deepEqual(await node.authorize(req(a, "list", "pods", "", "")), {
    decision: "NoOpinion",
    reason: "can only list/watch pods with spec.nodeName field selector",
  });
  assert.equal(
    (await node.authorize(req(a, "list", "pods", "", "", { fieldSelector: "spec.nodeName=node-a" })))
      .decision,
    "Allow",
  );
  assert.equal(
    (await node.authorize(req(a, "watch", "pods", "", "", { fieldSelector: "spec.nodeName=node-b" })))
      .decision,
    "NoOpinion",
  );
  assert.equal((await node.authorize(req(a, "get", "nodes", "", "node-a"))).decision, "Allow");
  assert.deepEqual(await node.authorize(req(a, "get", "nodes", "", "node-b")), {
    decision: "NoOpinion",
    reason: "node 'node-a' cannot read 'node-b', only its own Node object",
  });
  assert.deepEqual(await node.authorize(req(a, "list", "nodes", "", "")), {
    decision: "NoOpinion",
    reason: "node 'node-a' cannot read all nodes, only its own Node object",
  });
  assert.equal((await node.authorize(req(a, "create", "events", "default", ""))).decision, "Allow");
  assert.equal((await node.authorize(req(a, "delete", "services", "default", "x"))).decision, "NoOpinion");
  assert.deepEqual(
    await node.authorize(req({ name: "alice", groups: [] }, "get", "secrets", "default", "secret-a")),
    {
      decision: "NoOpinion",
      reason: "",
    },
  );
});

test("a pod moving away takes its node's access with it", async () => {
  const pods = registry.byResource("", "v1", "pods")!;
  const d = await pods.delete("default", "a", { gracePeriodSeconds: 0 });
  await node.pods.waitForRevision(Number(d.result.metadata.resourceVersion));
  assert.equal(
    (await node.authorize(req(nodeUser("node-a"), "get", "secrets", "default", "secret-a"))).decision,
    "NoOpinion",
  );
});

test("RulesFor: nodes cannot be enumerated", () => {
  const r = node.rulesFor(nodeUser("node-a"), "default");
  assert.equal(r.incomplete, true);
  assert.equal(r.errors[0].message, "node authorizer does not support user rule resolution");
  assert.equal(node.rulesFor({ name: "alice", groups: [] }, "default").incomplete, false);
});
