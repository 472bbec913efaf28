// The DaemonSet controller against a real apiserver, the real scheduler and
// three hollow kubelets: one pod per eligible node (nodeSelector, taints and
// tolerations), new nodes get a pod, RollingUpdate and OnDelete replace pods
// as upstream does, deleted and failed pods come back, and the status says
// what `kubectl rollout status ds` reads.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { ControllerRevision, DaemonSet } from "kubernetes-types/apps/v1.d.ts";
import type { Event, Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { daemonSetControllerDescriptor } from "../../src/controllers/daemonset/index.ts";
import { getControllerOf } from "../../src/controllers/util/owner.ts";
import { hollowNodeIP, hollowPodCIDR, type Kubelet, startKubelet } from "../../src/kubelet/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
const extraKubelets: Kubelet[] = [];
before(async () => {
  c = await startControllerCluster({ nodes: 3, controllers: [daemonSetControllerDescriptor] });
});
after(async () => {
  for (const k of extraKubelets) await k.stop();
  await c.stop();
});

const WAIT = 30_000;

function daemonSet(
  name: string,
  spec: Partial<NonNullable<DaemonSet["spec"]>> = {},
): DaemonSet & { metadata: object } {
  return {
    apiVersion: "apps/v1",
    kind: "DaemonSet",
    metadata: { name, namespace: "default" },
    spec: {
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          terminationGracePeriodSeconds: 0,
          containers: [{ name: "c", image: "k8ts.local/busybox:latest" }],
          ...spec.template?.spec,
        },
      },
      ...spec,
    },
  } as DaemonSet & { metadata: object };
}

function withTemplateSpec(ds: DaemonSet & { metadata: object }, patch: Record<string, unknown>) {
  ds.spec!.template.spec = { ...ds.spec!.template.spec!, ...patch } as never;
  return ds;
}

const getDS = (name: string) => c.client.get<DaemonSet>(Resources.daemonsets, name, { namespace: "default" });
const podsOf = async (name: string) =>
  (await c.pods({ labelSelector: `app=${name}` })).filter((p) => !p.metadata?.deletionTimestamp);
const nodeOf = (p: Pod) => p.spec?.nodeName ?? "";

/** Waits until the DaemonSet's status has observed its generation and fn accepts it. */
function waitForStatus(name: string, what: string, fn: (s: NonNullable<DaemonSet["status"]>) => boolean) {
  return c
    .waitFor(
      `${name}: ${what}`,
      async () => {
        const ds = await getDS(name);
        const s = ds.status;
        if (!s || (s.observedGeneration ?? 0) < (ds.metadata?.generation ?? 0)) return false;
        return fn(s) ? ds : false;
      },
      WAIT,
    )
    .then((r) => r as DaemonSet);
}

/** The `kubectl rollout status ds` condition (DaemonSetStatusViewer): observed, all updated, all available. */
function rolledOut(s: NonNullable<DaemonSet["status"]>, desired: number) {
  return (
    s.desiredNumberScheduled === desired &&
    (s.updatedNumberScheduled ?? 0) === desired &&
    (s.numberAvailable ?? 0) === desired
  );
}

/** A new pod template: the container gets env V=value. */
async function setEnv(name: string, value: string) {
  await c.client.patch(
    Resources.daemonsets,
    name,
    {
      spec: {
        template: {
          spec: {
            containers: [{ name: "c", image: "k8ts.local/busybox:latest", env: [{ name: "V", value }] }],
          },
        },
      },
    },
    { namespace: "default", type: "merge" },
  );
}

async function patchNode(name: string, patch: unknown) {
  await c.client.patch<Node>(Resources.nodes, name, patch, { type: "strategic" });
}

test("one pod per node, pinned by a metadata.name node affinity, with the default tolerations and full status", async () => {
  await c.client.create(Resources.daemonsets, daemonSet("ds-basic"));
  const ds = await waitForStatus(
    "ds-basic",
    "3 scheduled, ready and available",
    (s) => rolledOut(s, 3) && s.numberReady === 3 && s.currentNumberScheduled === 3,
  );
  assert.equal(ds.status?.numberMisscheduled, 0);
  assert.equal(ds.status?.numberUnavailable ?? 0, 0);
  assert.equal(ds.status?.observedGeneration, ds.metadata?.generation);

  const pods = await podsOf("ds-basic");
  assert.deepEqual(pods.map(nodeOf).sort(), ["node-0", "node-1", "node-2"]);
  const revs = (await c.list<ControllerRevision>(Resources.controllerrevisions)).filter(
    (r) => getControllerOf(r)?.uid === ds.metadata?.uid,
  );
  assert.equal(revs.length, 1);
  const hash = revs[0].metadata?.labels?.["controller-revision-hash"];
  assert.ok(hash);
  assert.equal(revs[0].metadata?.name, `ds-basic-${hash}`);
  assert.equal(revs[0].revision, 1);
  const data = revs[0].data as { spec: { template: Record<string, unknown> } };
  assert.equal(data.spec.template.$patch, "replace");
  // Byte-for-byte what upstream stores: Go's json.Marshal of the template (sorted keys, creationTimestamp null).
  assert.equal(
    JSON.stringify(revs[0].data),
    `{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"ds-basic"}},"spec":{"containers":[{"image":"k8ts.local/busybox:latest","imagePullPolicy":"Always","name":"c","resources":{},"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File"}],"dnsPolicy":"ClusterFirst","restartPolicy":"Always","schedulerName":"default-scheduler","securityContext":{},"terminationGracePeriodSeconds":0}}}}`,
  );
  for (const p of pods) {
    assert.equal(getControllerOf(p)?.kind, "DaemonSet");
    assert.equal(getControllerOf(p)?.uid, ds.metadata?.uid);
    assert.equal(p.metadata?.labels?.["controller-revision-hash"], hash);
    assert.equal(p.metadata?.labels?.["pod-template-generation"], "1");
    assert.ok(p.metadata?.generateName === "ds-basic-");
    assert.deepEqual(p.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution, {
      nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: [nodeOf(p)] }] }],
    });
    const tolerations = (p.spec?.tolerations ?? []).map(
      (t) => `${t.key}:${t.effect}:${t.tolerationSeconds ?? ""}`,
    );
    for (const want of [
      "node.kubernetes.io/not-ready:NoExecute:",
      "node.kubernetes.io/unreachable:NoExecute:",
      "node.kubernetes.io/disk-pressure:NoSchedule:",
      "node.kubernetes.io/memory-pressure:NoSchedule:",
      "node.kubernetes.io/pid-pressure:NoSchedule:",
      "node.kubernetes.io/unschedulable:NoSchedule:",
    ]) {
      assert.ok(tolerations.includes(want), `${want} in ${tolerations}`);
    }
    assert.ok(!tolerations.some((t) => t.startsWith("node.kubernetes.io/network-unavailable")));
  }
  const events = await c.list<Event>(Resources.events);
  const created = events.filter(
    (e) => e.involvedObject.name === "ds-basic" && e.reason === "SuccessfulCreate" && e.type === "Normal",
  );
  assert.equal(created.length, 3);
  assert.match(created[0].message ?? "", /^Created pod: ds-basic-/);
  assert.equal(created[0].source?.component, "daemonset-controller");

  // A deleted daemon pod is replaced on its node.
  const victim = pods.find((p) => nodeOf(p) === "node-1")!;
  await c.client.delete(Resources.pods, victim.metadata!.name!, { namespace: "default" });
  const replacement = await c.waitFor(
    "a new pod on node-1",
    async () =>
      (await podsOf("ds-basic")).find(
        (p) => nodeOf(p) === "node-1" && p.metadata?.uid !== victim.metadata?.uid,
      ),
    WAIT,
  );
  assert.equal(replacement.metadata?.labels?.["controller-revision-hash"], hash);
  await waitForStatus("ds-basic", "3 available again", (s) => rolledOut(s, 3));
  await c.client.delete(Resources.daemonsets, "ds-basic", { namespace: "default" });
});

test("a nodeSelector limits the nodes; labelling a node adds a pod there, unlabelling removes it", async () => {
  await patchNode("node-1", { metadata: { labels: { "ds-test/role": "edge" } } });
  await c.client.create(
    Resources.daemonsets,
    withTemplateSpec(daemonSet("ds-sel"), { nodeSelector: { "ds-test/role": "edge" } }),
  );
  await waitForStatus("ds-sel", "1 desired and available", (s) => rolledOut(s, 1));
  assert.deepEqual((await podsOf("ds-sel")).map(nodeOf), ["node-1"]);

  await patchNode("node-2", { metadata: { labels: { "ds-test/role": "edge" } } });
  await waitForStatus("ds-sel", "2 desired and available", (s) => rolledOut(s, 2));
  assert.deepEqual((await podsOf("ds-sel")).map(nodeOf).sort(), ["node-1", "node-2"]);

  await patchNode("node-1", { metadata: { labels: { "ds-test/role": null } } });
  await c.waitFor("the pod on node-1 to go", async () => (await podsOf("ds-sel")).length === 1, WAIT);
  const s = await waitForStatus(
    "ds-sel",
    "1 desired, none misscheduled",
    (s) => rolledOut(s, 1) && s.numberMisscheduled === 0,
  );
  assert.equal(s.status?.currentNumberScheduled, 1);
  assert.deepEqual((await podsOf("ds-sel")).map(nodeOf), ["node-2"]);
  await patchNode("node-2", { metadata: { labels: { "ds-test/role": null } } });
  await c.client.delete(Resources.daemonsets, "ds-sel", { namespace: "default" });
});

test("taints: NoSchedule keeps new pods off unless tolerated, a running pod stays (misscheduled), NoExecute evicts", async () => {
  await patchNode("node-2", {
    spec: { taints: [{ key: "ds-test/dedicated", value: "db", effect: "NoSchedule" }] },
  });
  await c.client.create(Resources.daemonsets, daemonSet("ds-plain"));
  await c.client.create(
    Resources.daemonsets,
    withTemplateSpec(daemonSet("ds-tolerant"), {
      tolerations: [{ key: "ds-test/dedicated", operator: "Equal", value: "db", effect: "NoSchedule" }],
    }),
  );
  await waitForStatus("ds-plain", "2 desired and available", (s) => rolledOut(s, 2));
  await waitForStatus("ds-tolerant", "3 desired and available", (s) => rolledOut(s, 3));
  assert.deepEqual((await podsOf("ds-plain")).map(nodeOf).sort(), ["node-0", "node-1"]);
  assert.deepEqual((await podsOf("ds-tolerant")).map(nodeOf).sort(), ["node-0", "node-1", "node-2"]);

  // NoSchedule on a node that already runs the pod: shouldRun false, shouldContinueRunning true.
  await patchNode("node-1", {
    spec: { taints: [{ key: "ds-test/dedicated", value: "db", effect: "NoSchedule" }] },
  });
  const s = await waitForStatus(
    "ds-plain",
    "1 desired, 1 misscheduled",
    (s) => s.desiredNumberScheduled === 1 && s.numberMisscheduled === 1,
  );
  assert.equal(s.status?.currentNumberScheduled, 1);
  assert.deepEqual((await podsOf("ds-plain")).map(nodeOf).sort(), ["node-0", "node-1"]);

  // An untolerated NoExecute taint: the pod goes.
  await patchNode("node-1", {
    spec: { taints: [{ key: "ds-test/dedicated", value: "db", effect: "NoExecute" }] },
  });
  await c.waitFor(
    "ds-plain's pod on node-1 to go",
    async () => (await podsOf("ds-plain")).length === 1,
    WAIT,
  );
  await waitForStatus(
    "ds-plain",
    "1 desired, none misscheduled",
    (s) => rolledOut(s, 1) && s.numberMisscheduled === 0,
  );

  for (const n of ["node-1", "node-2"]) await patchNode(n, { spec: { taints: null } });
  await waitForStatus("ds-plain", "3 desired and available after untainting", (s) => rolledOut(s, 3));
  await c.client.delete(Resources.daemonsets, "ds-plain", { namespace: "default" });
  await c.client.delete(Resources.daemonsets, "ds-tolerant", { namespace: "default" });
});

test("RollingUpdate with maxUnavailable 1 replaces every pod and keeps two ControllerRevisions", async () => {
  await c.client.create(
    Resources.daemonsets,
    daemonSet("ds-roll", { updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1 } } }),
  );
  await waitForStatus("ds-roll", "3 available", (s) => rolledOut(s, 3));
  const before = await podsOf("ds-roll");

  // Sample, while the rollout runs, how many nodes have a ready pod that is not being deleted.
  let sampling = true;
  let fewestServing = 3;
  const sampler = (async () => {
    while (sampling) {
      const serving = new Set(
        (await podsOf("ds-roll"))
          .filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
          .map(nodeOf),
      );
      fewestServing = Math.min(fewestServing, serving.size);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await setEnv("ds-roll", "2");

  const done = await waitForStatus("ds-roll", "rolled out to the new template", (s) => rolledOut(s, 3));
  sampling = false;
  await sampler;
  assert.ok(
    fewestServing >= 2,
    `maxUnavailable 1: at most one node without a serving pod (saw ${fewestServing})`,
  );
  assert.equal(done.metadata?.annotations?.["deprecated.daemonset.template.generation"], "2");
  const revs = (await c.list<ControllerRevision>(Resources.controllerrevisions))
    .filter((r) => getControllerOf(r)?.uid === done.metadata?.uid)
    .sort((a, b) => a.revision - b.revision);
  assert.deepEqual(
    revs.map((r) => r.revision),
    [1, 2],
  );
  const newHash = revs[1].metadata?.labels?.["controller-revision-hash"];
  const after = await podsOf("ds-roll");
  assert.equal(after.length, 3);
  assert.deepEqual(after.map(nodeOf).sort(), ["node-0", "node-1", "node-2"]);
  for (const p of after) {
    assert.equal(p.metadata?.labels?.["controller-revision-hash"], newHash);
    assert.equal(p.metadata?.labels?.["pod-template-generation"], "2");
    assert.equal(p.spec?.containers[0].env?.[0]?.value, "2");
    assert.ok(!before.some((b) => b.metadata?.uid === p.metadata?.uid), "every pod was replaced");
  }
  const deleted = (await c.list<Event>(Resources.events)).filter(
    (e) => e.involvedObject.name === "ds-roll" && e.reason === "SuccessfulDelete",
  );
  assert.ok(deleted.length >= 1);
  await c.client.delete(Resources.daemonsets, "ds-roll", { namespace: "default" });
});

test("RollingUpdate with maxSurge 1 starts each new pod beside the old one and never leaves a node unserved", async () => {
  await c.client.create(
    Resources.daemonsets,
    daemonSet("ds-surge", {
      updateStrategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
    }),
  );
  await waitForStatus("ds-surge", "3 available", (s) => rolledOut(s, 3));
  let sampling = true;
  let fewestServing = 3;
  let mostPods = 3;
  const sampler = (async () => {
    while (sampling) {
      const pods = await podsOf("ds-surge");
      const serving = new Set(
        pods
          .filter((p) => p.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True"))
          .map(nodeOf),
      );
      fewestServing = Math.min(fewestServing, serving.size);
      mostPods = Math.max(mostPods, pods.length);
      await new Promise((r) => setTimeout(r, 10));
    }
  })();
  await setEnv("ds-surge", "2");
  const done = await waitForStatus("ds-surge", "rolled out with surge", (s) => rolledOut(s, 3));
  sampling = false;
  await sampler;
  assert.equal(fewestServing, 3, "maxUnavailable 0: every node keeps a serving pod");
  assert.ok(mostPods <= 4, `maxSurge 1: at most one extra pod (saw ${mostPods})`);
  await c.waitFor("the old pods to go", async () => (await podsOf("ds-surge")).length === 3, WAIT);
  const newHash = (await c.list<ControllerRevision>(Resources.controllerrevisions))
    .filter((r) => getControllerOf(r)?.uid === done.metadata?.uid)
    .sort((a, b) => b.revision - a.revision)[0].metadata?.labels?.["controller-revision-hash"];
  for (const p of await podsOf("ds-surge"))
    assert.equal(p.metadata?.labels?.["controller-revision-hash"], newHash);
  await c.client.delete(Resources.daemonsets, "ds-surge", { namespace: "default" });
});

test("OnDelete: a new template replaces a pod only when the pod is deleted", async () => {
  await c.client.create(
    Resources.daemonsets,
    daemonSet("ds-ondelete", { updateStrategy: { type: "OnDelete" } }),
  );
  await waitForStatus("ds-ondelete", "3 available", (s) => rolledOut(s, 3));
  const before = await podsOf("ds-ondelete");
  await setEnv("ds-ondelete", "2");
  const s = await waitForStatus(
    "ds-ondelete",
    "the new generation observed, nothing updated",
    (s) => s.updatedNumberScheduled === 0 || s.updatedNumberScheduled === undefined,
  );
  assert.equal(s.status?.numberAvailable, 3);
  // Give the controller time to (wrongly) act.
  await new Promise((r) => setTimeout(r, 1500));
  const still = await podsOf("ds-ondelete");
  assert.deepEqual(still.map((p) => p.metadata?.uid).sort(), before.map((p) => p.metadata?.uid).sort());

  const victim = still.find((p) => nodeOf(p) === "node-0")!;
  await c.client.delete(Resources.pods, victim.metadata!.name!, { namespace: "default" });
  await waitForStatus(
    "ds-ondelete",
    "1 updated, 3 available",
    (s) => s.updatedNumberScheduled === 1 && s.numberAvailable === 3,
  );
  const after = await podsOf("ds-ondelete");
  const fresh = after.find((p) => nodeOf(p) === "node-0")!;
  assert.notEqual(fresh.metadata?.uid, victim.metadata?.uid);
  assert.equal(fresh.spec?.containers[0].env?.[0]?.value, "2");
  assert.equal(
    after.filter((p) => p.spec?.containers[0].env === undefined).length,
    2,
    "the others are untouched",
  );

  // Back to the first template (a rollback): its revision is renumbered to be the newest, none is created.
  const revsOf = async (uid: string | undefined) =>
    (await c.list<ControllerRevision>(Resources.controllerrevisions))
      .filter((r) => getControllerOf(r)?.uid === uid)
      .sort((a, b) => a.revision - b.revision);
  const [first] = await revsOf(s.metadata?.uid);
  await c.client.patch(
    Resources.daemonsets,
    "ds-ondelete",
    { spec: { template: { spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] } } } },
    { namespace: "default", type: "merge" },
  );
  await waitForStatus(
    "ds-ondelete",
    "the two original pods count as updated again",
    (s) => s.updatedNumberScheduled === 2,
  );
  const revs = await revsOf(s.metadata?.uid);
  assert.deepEqual(
    revs.map((r) => [r.metadata?.name, r.revision]),
    [
      [revs[0].metadata?.name, 2],
      [first.metadata?.name, 3],
    ],
  );
  await c.client.delete(Resources.daemonsets, "ds-ondelete", { namespace: "default" });
});

test("a failed daemon pod is killed with a FailedDaemonPod event and replaced", async () => {
  await c.client.create(Resources.daemonsets, daemonSet("ds-fail"));
  await waitForStatus("ds-fail", "3 available", (s) => rolledOut(s, 3));
  const victim = (await podsOf("ds-fail")).find((p) => nodeOf(p) === "node-2")!;
  await c.client.patch(
    Resources.pods,
    victim.metadata!.name!,
    { status: { phase: "Failed" } },
    { namespace: "default", type: "merge", subresource: "status" },
  );
  const ev = await c.waitFor(
    "a FailedDaemonPod event",
    async () =>
      (await c.list<Event>(Resources.events)).find(
        (e) => e.involvedObject.name === "ds-fail" && e.reason === "FailedDaemonPod",
      ),
    WAIT,
  );
  assert.equal(ev.type, "Warning");
  assert.equal(
    ev.message,
    `Found failed daemon pod default/${victim.metadata?.name} on node node-2, will try to kill it`,
  );
  await c.waitFor(
    "a new pod on node-2",
    async () =>
      (await podsOf("ds-fail")).find(
        (p) => nodeOf(p) === "node-2" && p.metadata?.uid !== victim.metadata?.uid,
      ),
    WAIT,
  );
  await waitForStatus("ds-fail", "3 available again", (s) => rolledOut(s, 3));
  await c.client.delete(Resources.daemonsets, "ds-fail", { namespace: "default" });
});

test("a node that joins gets a daemon pod", async () => {
  await c.client.create(Resources.daemonsets, daemonSet("ds-join"));
  await waitForStatus("ds-join", "3 available", (s) => rolledOut(s, 3));
  const { kubelet } = await startKubelet({
    client: c.client,
    nodeName: "node-3",
    runtime: "fake",
    hollow: true,
    podCIDR: hollowPodCIDR(3),
    nodeIP: hollowNodeIP(3),
    log: () => {},
  });
  extraKubelets.push(kubelet);
  await waitForStatus("ds-join", "4 available", (s) => rolledOut(s, 4));
  assert.deepEqual((await podsOf("ds-join")).map(nodeOf).sort(), ["node-0", "node-1", "node-2", "node-3"]);
});
