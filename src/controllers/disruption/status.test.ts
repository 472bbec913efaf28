import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { PodDisruptionBudget } from "kubernetes-types/policy/v1.d.ts";
import { labelSelectorString } from "./disruption.ts";
import {
  buildDisruptedPodMap,
  conditionsAreUpToDate,
  countHealthyPods,
  DELETION_TIMEOUT_MS,
  failSafeStatus,
  getExpectedPodCount,
  getExpectedScale,
  newPdbStatus,
} from "./status.ts";

const T0 = Date.parse("2024-05-01T10:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString().replace(".000Z", "Z");

function pod(name: string, o: { ready?: boolean; deleting?: boolean; owner?: string } = {}): Pod {
  return {
    metadata: {
      name,
      namespace: "default",
      deletionTimestamp: o.deleting ? iso(T0) : undefined,
      ownerReferences: o.owner
        ? [
            {
              apiVersion: "apps/v1",
              kind: "ReplicaSet",
              name: o.owner,
              uid: `uid-${o.owner}`,
              controller: true,
            },
          ]
        : undefined,
    },
    status: {
      phase: "Running",
      conditions: [{ type: "Ready", status: o.ready === false ? "False" : "True" }],
    },
  };
}

function pdb(spec: PodDisruptionBudget["spec"], status?: PodDisruptionBudget["status"]): PodDisruptionBudget {
  return { metadata: { name: "b", namespace: "default", generation: 1 }, spec, status };
}

describe("countHealthyPods and buildDisruptedPodMap", () => {
  it("counts Ready pods that are neither being deleted nor awaited as evicted", () => {
    const pods = [pod("a"), pod("b", { ready: false }), pod("c", { deleting: true }), pod("d"), pod("e")];
    assert.equal(countHealthyPods(pods, {}, T0), 3);
    assert.equal(countHealthyPods(pods, { d: iso(T0 - 1000) }, T0), 2);
    // An eviction older than the DeletionTimeout no longer hides the pod.
    assert.equal(countHealthyPods(pods, { d: iso(T0 - DELETION_TIMEOUT_MS - 1000) }, T0), 3);
  });

  it("keeps awaited evictions, drops deleted or vanished ones, and reports timed-out ones", () => {
    const pods = [pod("a"), pod("b", { deleting: true }), pod("c")];
    const budget = pdb(
      { minAvailable: 1 },
      {
        disruptionsAllowed: 0,
        currentHealthy: 0,
        desiredHealthy: 0,
        expectedPods: 0,
        disruptedPods: {
          a: iso(T0 - 30_000),
          b: iso(T0),
          c: iso(T0 - DELETION_TIMEOUT_MS - 1000),
          gone: iso(T0),
        },
      },
    );
    const r = buildDisruptedPodMap(pods, budget, T0);
    assert.deepEqual(r.disruptedPods, { a: iso(T0 - 30_000) });
    assert.equal(r.recheckAtMs, T0 - 30_000 + DELETION_TIMEOUT_MS);
    assert.deepEqual(
      r.notDeleted.map((n) => n.pod.metadata?.name),
      ["c"],
    );
  });
});

describe("getExpectedPodCount", () => {
  const pods = [pod("a", { owner: "rs" }), pod("b", { owner: "rs" }), pod("c", { owner: "rs" })];
  const scale = () =>
    getExpectedScale(
      pods,
      (p) => (p.metadata?.ownerReferences?.[0] ? { uid: p.metadata.ownerReferences[0].uid } : undefined),
      async () => ({ uid: "uid-rs", scale: 4 }),
    );

  it("an integer minAvailable counts the selected pods", async () => {
    assert.deepEqual(await getExpectedPodCount(pdb({ minAvailable: 2 }), pods, scale), {
      expectedCount: 3,
      desiredHealthy: 2,
      unmanagedPods: [],
    });
  });

  it("a percentage minAvailable scales with the controllers, rounding up", async () => {
    assert.deepEqual(await getExpectedPodCount(pdb({ minAvailable: "30%" }), pods, scale), {
      expectedCount: 4,
      desiredHealthy: 2,
      unmanagedPods: [],
    });
  });

  it("maxUnavailable as int or percent (rounded up) is taken from the controllers' scale", async () => {
    const r = await getExpectedPodCount(pdb({ maxUnavailable: "50%" }), pods, scale);
    assert.deepEqual(r, { expectedCount: 4, desiredHealthy: 2, unmanagedPods: [] });
    const r1 = await getExpectedPodCount(pdb({ maxUnavailable: 5 }), pods, scale);
    assert.deepEqual(r1, { expectedCount: 4, desiredHealthy: 0, unmanagedPods: [] });
  });

  it("counts each controller once, lists unmanaged pods and fails on pods no finder knows", async () => {
    const mixed = [...pods, pod("orphan")];
    const r = await getExpectedScale(
      mixed,
      (p) => (p.metadata?.ownerReferences?.[0] ? { uid: p.metadata.ownerReferences[0].uid } : undefined),
      async () => ({ uid: "uid-rs", scale: 3 }),
    );
    assert.deepEqual(r, { expectedCount: 3, unmanagedPods: ["orphan"] });
    await assert.rejects(
      getExpectedScale(
        pods,
        () => ({ uid: "x" }),
        async () => undefined,
      ),
      { message: 'found no controllers for pod "a"' },
    );
  });
});

describe("newPdbStatus", () => {
  it("writes the counts, the generation and the DisruptionAllowed condition", () => {
    const s = newPdbStatus(
      pdb(
        { minAvailable: 2 },
        { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
      ),
      { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} },
      T0,
    );
    assert.deepEqual(s, {
      observedGeneration: 1,
      disruptionsAllowed: 1,
      currentHealthy: 3,
      desiredHealthy: 2,
      expectedPods: 3,
      conditions: [
        {
          type: "DisruptionAllowed",
          status: "True",
          observedGeneration: 1,
          lastTransitionTime: iso(T0),
          reason: "SufficientPods",
          message: "",
        },
      ],
    });
    // Applied, the same inputs change nothing.
    const applied = pdb({ minAvailable: 2 }, s);
    assert.equal(conditionsAreUpToDate(applied), true);
    assert.equal(
      newPdbStatus(
        applied,
        { currentHealthy: 3, desiredHealthy: 2, expectedCount: 3, disruptedPods: {} },
        T0 + 5000,
      ),
      undefined,
    );
  });

  it("allows nothing while no pod is expected, and flips the condition with a new transition time", () => {
    const before = pdb(
      { minAvailable: 0 },
      {
        observedGeneration: 1,
        disruptionsAllowed: 1,
        currentHealthy: 1,
        desiredHealthy: 0,
        expectedPods: 1,
        conditions: [
          {
            type: "DisruptionAllowed",
            status: "True",
            observedGeneration: 1,
            lastTransitionTime: iso(T0),
            reason: "SufficientPods",
            message: "",
          },
        ],
      },
    );
    const s = newPdbStatus(
      before,
      { currentHealthy: 1, desiredHealthy: 0, expectedCount: 0, disruptedPods: {} },
      T0 + 60_000,
    );
    assert.equal(s?.disruptionsAllowed, 0);
    assert.deepEqual(s?.conditions?.[0], {
      type: "DisruptionAllowed",
      status: "False",
      observedGeneration: 1,
      lastTransitionTime: iso(T0 + 60_000),
      reason: "InsufficientPods",
      message: "",
    });
  });

  it("keeps awaited evictions in disruptedPods", () => {
    const s = newPdbStatus(
      pdb({ minAvailable: 1 }),
      { currentHealthy: 1, desiredHealthy: 1, expectedCount: 2, disruptedPods: { a: iso(T0) } },
      T0,
    );
    assert.deepEqual(s?.disruptedPods, { a: iso(T0) });
    assert.deepEqual(Object.keys(s ?? {}), [
      "observedGeneration",
      "disruptedPods",
      "disruptionsAllowed",
      "currentHealthy",
      "desiredHealthy",
      "expectedPods",
      "conditions",
    ]);
  });

  it("fails safe: no disruptions and DisruptionAllowed False/SyncFailed with the error", () => {
    const s = failSafeStatus(
      pdb(
        { maxUnavailable: 1 },
        { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3 },
      ),
      'found no controllers for pod "x"',
      T0,
    );
    assert.equal(s.disruptionsAllowed, 0);
    assert.equal(s.currentHealthy, 3);
    assert.deepEqual(s.conditions, [
      {
        type: "DisruptionAllowed",
        status: "False",
        lastTransitionTime: iso(T0),
        reason: "SyncFailed",
        message: 'found no controllers for pod "x"',
      },
    ]);
  });
});

describe("labelSelectorString", () => {
  it("prints a LabelSelector as its generated Go String() does", () => {
    assert.equal(
      labelSelectorString({
        matchLabels: { tier: "web", app: "x" },
        matchExpressions: [{ key: "env", operator: "In", values: ["a", "b"] }],
      }),
      "&LabelSelector{MatchLabels:map[string]string{app: x,tier: web,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:env,Operator:In,Values:[a b],},},}",
    );
    assert.equal(labelSelectorString(undefined), "nil");
  });
});
