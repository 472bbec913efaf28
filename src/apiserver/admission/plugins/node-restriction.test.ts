import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import type { UserInfo } from "../../authentication/user.ts";
import type { AdmissionAttributes } from "../admission.ts";
import { forbiddenLabels, NodeRestriction, nodeIdentity } from "./node-restriction.ts";
import { type AttrsInit, attrs, newRegistry, pod, status } from "./test-helpers.ts";

const node1: UserInfo = { name: "system:node:node1", groups: ["system:nodes", "system:authenticated"] };

async function setup() {
  const registry = newRegistry();
  const node = await registry.byResource("", "v1", "nodes")!.create(undefined, {
    apiVersion: "v1",
    kind: "Node",
    metadata: { name: "node1", labels: { "kubernetes.io/hostname": "node1" } },
  });
  const pods = registry.byResource("", "v1", "pods")!;
  const mine = await pods.create("default", pod("mine", "default", { nodeName: "node1" }));
  const theirs = await pods.create("default", pod("theirs", "default", { nodeName: "node2" }));
  return { plugin: new NodeRestriction({ registry }), node, mine, theirs };
}

async function refusal(plugin: NodeRestriction, init: AttrsInit): Promise<string> {
  const a: AdmissionAttributes = attrs({ user: node1, ...init });
  try {
    await plugin.admit(a);
  } catch (e) {
    assert.equal(status(e).code, 403);
    return status(e).message!;
  }
  return "admitted";
}

test("only system:node:<name> in system:nodes is a node", () => {
  assert.equal(nodeIdentity(node1), "node1");
  assert.equal(nodeIdentity({ name: "system:node:node1", groups: [] }), undefined);
  assert.equal(nodeIdentity({ name: "alice", groups: ["system:nodes"] }), undefined);
});

test("a node creates only mirror pods bound to itself and owned by its Node", async () => {
  const { plugin, node } = await setup();
  const mirror = (spec: Obj = {}, meta: Obj = {}) =>
    pod(
      "static-node1",
      "default",
      { nodeName: "node1", ...spec },
      {
        annotations: { "kubernetes.io/config.mirror": "hash" },
        ownerReferences: [
          { apiVersion: "v1", kind: "Node", name: "node1", uid: node.metadata.uid, controller: true },
        ],
        ...meta,
      },
    );
  assert.equal(await refusal(plugin, { resource: "pods", object: mirror() }), "admitted");
  assert.equal(
    await refusal(plugin, { resource: "pods", object: pod("plain", "default", { nodeName: "node1" }) }),
    'pods "plain" is forbidden: pod does not have "kubernetes.io/config.mirror" annotation, node "node1" can only create mirror pods',
  );
  assert.equal(
    await refusal(plugin, { resource: "pods", object: mirror({ nodeName: "node2" }) }),
    'pods "static-node1" is forbidden: node "node1" can only create pods with spec.nodeName set to itself',
  );
  assert.equal(
    await refusal(plugin, { resource: "pods", object: mirror({}, { ownerReferences: [] }) }),
    'pods "static-node1" is forbidden: node "node1" can only create pods with an owner reference set to itself',
  );
  assert.equal(
    await refusal(plugin, {
      resource: "pods",
      object: mirror(
        {},
        {
          ownerReferences: [
            { apiVersion: "v1", kind: "Node", name: "node1", uid: "other", controller: true },
          ],
        },
      ),
    }),
    `pods "static-node1" is forbidden: node node1 UID mismatch: expected other got ${node.metadata.uid}`,
  );
  assert.equal(
    await refusal(plugin, { resource: "pods", object: mirror({ serviceAccountName: "default" }) }),
    'pods "static-node1" is forbidden: node "node1" can not create pods that reference a service account',
  );
  assert.equal(
    await refusal(plugin, {
      resource: "pods",
      object: mirror({ volumes: [{ name: "c", configMap: { name: "cfg" } }] }),
    }),
    'pods "static-node1" is forbidden: node "node1" can not create pods that reference configmaps',
  );
});

test("pod status, deletion and eviction only for pods bound to the node", async () => {
  const { plugin, mine, theirs } = await setup();
  const status = (old: Obj, next: Obj = old) => ({
    operation: "UPDATE" as const,
    resource: "pods",
    subresource: "status",
    object: next,
    oldObject: old,
  });
  assert.equal(await refusal(plugin, status(mine)), "admitted");
  assert.equal(
    await refusal(plugin, status(theirs)),
    'pods "theirs" is forbidden: node "node1" can only update pod status for pods with spec.nodeName set to itself',
  );
  assert.equal(
    await refusal(plugin, status(mine, { ...mine, metadata: { ...mine.metadata, labels: { a: "b" } } })),
    'pods "mine" is forbidden: node "node1" cannot update labels through pod status',
  );
  assert.equal(await refusal(plugin, { operation: "DELETE", resource: "pods", oldObject: mine }), "admitted");
  assert.equal(
    await refusal(plugin, { operation: "DELETE", resource: "pods", oldObject: theirs }),
    'pods "theirs" is forbidden: node "node1" can only delete pods with spec.nodeName set to itself',
  );
  assert.equal(
    await refusal(plugin, { operation: "UPDATE", resource: "pods", object: mine, oldObject: mine }),
    'pods "mine" is forbidden: unexpected operation "UPDATE", node "node1" can only create and delete mirror pods',
  );
  assert.equal(
    await refusal(plugin, {
      resource: "pods",
      subresource: "binding",
      name: "mine",
      namespace: "default",
      object: {},
    }),
    `pods "mine" is forbidden: unexpected pod subresource "binding", only 'status' and 'eviction' are allowed`,
  );
});

test("a node modifies only its own Node, not its taints nor labels it does not own", async () => {
  const { plugin, node } = await setup();
  const update = (next: Obj, old: Obj = node) => ({
    operation: "UPDATE" as const,
    resource: "nodes",
    object: next,
    oldObject: old,
  });
  assert.equal(
    await refusal(
      plugin,
      update({
        ...node,
        metadata: {
          ...node.metadata,
          labels: { ...node.metadata.labels, "node.kubernetes.io/exclude-from-external-load-balancers": "" },
        },
      }),
    ),
    "admitted",
  );
  assert.equal(
    await refusal(plugin, update({ ...node, spec: { taints: [{ key: "k", effect: "NoSchedule" }] } })),
    'nodes "node1" is forbidden: node "node1" is not allowed to modify taints',
  );
  assert.equal(
    await refusal(
      plugin,
      update({
        ...node,
        metadata: {
          ...node.metadata,
          labels: {
            "node-role.kubernetes.io/master": "",
            "node-restriction.kubernetes.io/x": "y",
            "kubernetes.io/hostname": "node1",
          },
        },
      }),
    ),
    'nodes "node1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/x, node-role.kubernetes.io/master',
  );
  assert.equal(
    await refusal(plugin, {
      resource: "nodes",
      object: { metadata: { name: "node1", labels: { "example.k8s.io/a": "b" } } },
    }),
    'nodes "node1" is forbidden: node "node1" is not allowed to set the following labels: example.k8s.io/a',
  );
  assert.equal(
    await refusal(plugin, {
      operation: "DELETE",
      resource: "nodes",
      oldObject: { metadata: { name: "node2" } },
    }),
    'nodes "node2" is forbidden: node "node1" is not allowed to modify node "node2"',
  );
  assert.deepEqual(
    forbiddenLabels([
      "kubernetes.io/os",
      "topology.kubernetes.io/zone",
      "kubelet.kubernetes.io/x",
      "foo/bar",
    ]),
    [],
  );
});

test("leases only in kube-node-lease under the node's name; other users are not restricted", async () => {
  const { plugin, theirs } = await setup();
  const lease = (name: string, namespace = "kube-node-lease") => ({
    group: "coordination.k8s.io",
    resource: "leases",
    object: { metadata: { name, namespace } },
  });
  assert.equal(await refusal(plugin, lease("node1")), "admitted");
  assert.equal(
    await refusal(plugin, lease("node2")),
    'leases.coordination.k8s.io "node2" is forbidden: can only access node lease with the same name as the requesting node',
  );
  assert.equal(
    await refusal(plugin, lease("node1", "default")),
    'leases.coordination.k8s.io "node1" is forbidden: can only access leases in the "kube-node-lease" system namespace',
  );
  assert.equal(
    await refusal(plugin, {
      resource: "persistentvolumeclaims",
      object: { metadata: { name: "c", namespace: "default" } },
    }),
    'persistentvolumeclaims "c" is forbidden: may only update PVC status',
  );
  // Events and everything else pass; so does anyone who is not a node.
  assert.equal(
    await refusal(plugin, { resource: "events", object: { metadata: { name: "e", namespace: "default" } } }),
    "admitted",
  );
  await plugin.admit(attrs({ operation: "DELETE", resource: "pods", oldObject: theirs }));
});
