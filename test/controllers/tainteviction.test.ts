// The taint eviction controller against a real apiserver and hollow kubelets:
// a NoExecute taint on a node deletes the pods that do not tolerate it at
// once (DisruptionTarget first), the ones tolerating it for a while when
// their time is up, and none once the taint is gone.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import type { Event, Node, Pod, Taint, Toleration } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { taintEvictionControllerDescriptor } from "../../src/controllers/tainteviction/index.ts";
import { type ControllerCluster, startControllerCluster } from "./cluster.ts";

let c: ControllerCluster;
before(async () => {
  c = await startControllerCluster({ nodes: 2, controllers: [taintEvictionControllerDescriptor] });
});
after(() => c.stop());

const WAIT = 25_000;
const TAINT_KEY = "example.com/evict";
/** Keeps deleted pods around (with their deletionTimestamp and conditions) for the assertions. */
const HOLD = "example.com/hold";

function pod(name: string, tolerations: Toleration[] = []): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", finalizers: [HOLD] },
    spec: {
      nodeName: "node-1",
      tolerations,
      containers: [{ name: "c", image: "k8ts.local/busybox:latest" }],
    },
  };
}

const tolerate = (seconds?: number): Toleration => ({
  key: TAINT_KEY,
  operator: "Exists",
  effect: "NoExecute",
  ...(seconds === undefined ? {} : { tolerationSeconds: seconds }),
});

async function getPod(name: string): Promise<Pod> {
  return c.client.get<Pod>(Resources.pods, name, { namespace: "default" });
}

async function setTaints(taints: Taint[] | null): Promise<void> {
  await c.client.patch(Resources.nodes, "node-1", { spec: { taints } }, { type: "merge" });
}

async function release(names: string[]): Promise<void> {
  for (const name of names) {
    await c.client
      .patch(
        Resources.pods,
        name,
        { metadata: { finalizers: null } },
        { namespace: "default", type: "merge" },
      )
      .catch(() => {});
  }
}

test("NoExecute taint: untolerated pods go at once, tolerated ones after tolerationSeconds, forever ones stay", async () => {
  const names = ["no-toleration", "tolerate-2s", "tolerate-forever", "tolerate-cancel"];
  await c.client.create(Resources.pods, pod("no-toleration"));
  await c.client.create(Resources.pods, pod("tolerate-2s", [tolerate(2)]));
  await c.client.create(Resources.pods, pod("tolerate-forever", [tolerate()]));
  await c.client.create(Resources.pods, pod("tolerate-cancel", [tolerate(5)]));
  await c.waitFor(
    "pods running on node-1",
    async () => (await c.pods()).filter((p) => p.status?.phase === "Running").length === 4,
    WAIT,
  );

  const taintedAt = Date.now();
  await setTaints([{ key: TAINT_KEY, value: "yes", effect: "NoExecute" }]);

  const evicted = await c.waitFor(
    "no-toleration deleted",
    async () => {
      const p = await getPod("no-toleration");
      return p.metadata?.deletionTimestamp ? p : undefined;
    },
    WAIT,
  );
  const cond = evicted.status?.conditions?.find((x) => x.type === "DisruptionTarget");
  assert.equal(cond?.status, "True");
  assert.equal(cond?.reason, "DeletionByTaintManager");
  assert.equal(cond?.message, "Taint manager: deleting due to NoExecute taint");
  // The 2 s toleration has not run out yet, unless this machine is very slow.
  if (Date.now() - taintedAt < 1500) {
    assert.equal((await getPod("tolerate-2s")).metadata?.deletionTimestamp, undefined);
  }

  await c.waitFor(
    "tolerate-2s deleted",
    async () => !!(await getPod("tolerate-2s")).metadata?.deletionTimestamp,
    WAIT,
  );
  assert.ok(Date.now() - taintedAt >= 2000, "deleted before its 2 s toleration ran out");

  // The taint goes before the 5 s toleration runs out: that eviction is cancelled.
  await setTaints(null);
  await c.waitFor(
    "the cancellation event",
    async () =>
      (await c.list<Event>(Resources.events)).find(
        (e) =>
          e.reason === "TaintManagerEviction" &&
          e.message === "Cancelling deletion of Pod default/tolerate-cancel",
      ),
    WAIT,
  );
  const wait = taintedAt + 5500 - Date.now();
  if (wait > 0) await new Promise((r) => setTimeout(r, wait));
  assert.equal((await getPod("tolerate-cancel")).metadata?.deletionTimestamp, undefined);
  assert.equal((await getPod("tolerate-forever")).metadata?.deletionTimestamp, undefined);

  const events = (await c.list<Event>(Resources.events)).filter((e) => e.reason === "TaintManagerEviction");
  const marked = events.find((e) => e.message === "Marking for deletion Pod default/no-toleration");
  assert.ok(marked, "TaintManagerEviction event for no-toleration");
  assert.equal(marked.type, "Normal");
  assert.equal(marked.source?.component, "taint-eviction-controller");
  assert.deepEqual(
    {
      kind: marked.involvedObject.kind,
      name: marked.involvedObject.name,
      ns: marked.involvedObject.namespace,
    },
    { kind: "Pod", name: "no-toleration", ns: "default" },
  );
  assert.ok(events.some((e) => e.message === "Marking for deletion Pod default/tolerate-2s"));
  assert.ok(!events.some((e) => e.message === "Marking for deletion Pod default/tolerate-forever"));
  await release(names);
});

test("a pod bound to an already tainted node is deleted at once", async () => {
  await setTaints([{ key: TAINT_KEY, effect: "NoExecute" }]);
  await c.waitFor(
    "the taint in place",
    async () => {
      const n = await c.client.get<Node>(Resources.nodes, "node-1");
      return n.spec?.taints?.some((t) => t.key === TAINT_KEY);
    },
    WAIT,
  );
  await c.client.create(Resources.pods, pod("late-arrival"));
  const p = await c.waitFor(
    "late-arrival deleted",
    async () => {
      const x = await getPod("late-arrival");
      return x.metadata?.deletionTimestamp ? x : undefined;
    },
    WAIT,
  );
  assert.equal(
    p.status?.conditions?.find((x) => x.type === "DisruptionTarget")?.reason,
    "DeletionByTaintManager",
  );
  await setTaints(null);
  await release(["late-arrival"]);
});
