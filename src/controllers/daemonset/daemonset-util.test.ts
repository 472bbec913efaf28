// upstream's util/daemonset_util_test.go: the pod template, IsPodUpdated,
// ReplaceDaemonSetPodNodeNameNodeAffinity, GetTargetNodeName, surge and
// unavailability counts, the default tolerations.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { DaemonSet, DaemonSetUpdateStrategy } from "kubernetes-types/apps/v1.d.ts";
import type { Affinity, Pod, PodSpec } from "kubernetes-types/core/v1.d.ts";
import {
  addOrUpdateDaemonPodTolerations,
  allowsSurge,
  comparePodsByCreationTimestampAndPhase,
  createPodTemplate,
  getTargetNodeName,
  getTemplateGeneration,
  isPodUpdated,
  replaceDaemonSetPodNodeNameNodeAffinity,
  surgeCount,
  unavailableCount,
} from "./daemonset-util.ts";

const nameIn = (n: string) => ({ key: "metadata.name", operator: "In", values: [n] });

describe("addOrUpdateDaemonPodTolerations", () => {
  it("adds the six default tolerations in upstream's order, without tolerationSeconds", () => {
    const spec: PodSpec = { containers: [] };
    addOrUpdateDaemonPodTolerations(spec);
    assert.deepEqual(spec.tolerations, [
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
      { key: "node.kubernetes.io/unreachable", operator: "Exists", effect: "NoExecute" },
      { key: "node.kubernetes.io/disk-pressure", operator: "Exists", effect: "NoSchedule" },
      { key: "node.kubernetes.io/memory-pressure", operator: "Exists", effect: "NoSchedule" },
      { key: "node.kubernetes.io/pid-pressure", operator: "Exists", effect: "NoSchedule" },
      { key: "node.kubernetes.io/unschedulable", operator: "Exists", effect: "NoSchedule" },
    ]);
  });

  it("replaces a matching toleration in place (dropping its tolerationSeconds) and keeps others; hostNetwork adds network-unavailable", () => {
    const spec: PodSpec = {
      containers: [],
      hostNetwork: true,
      tolerations: [
        { key: "mine", operator: "Exists" },
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
    };
    addOrUpdateDaemonPodTolerations(spec);
    assert.deepEqual(spec.tolerations?.slice(0, 2), [
      { key: "mine", operator: "Exists" },
      { key: "node.kubernetes.io/not-ready", operator: "Exists", effect: "NoExecute" },
    ]);
    assert.equal(spec.tolerations?.length, 8);
    assert.deepEqual(spec.tolerations?.at(-1), {
      key: "node.kubernetes.io/network-unavailable",
      operator: "Exists",
      effect: "NoSchedule",
    });
    // Idempotent.
    const again = structuredClone(spec);
    addOrUpdateDaemonPodTolerations(again);
    assert.deepEqual(again, spec);
  });
});

describe("createPodTemplate", () => {
  it("labels the template with the generation and hash, adds tolerations, leaves the input alone", () => {
    const template = { metadata: { labels: { app: "x" } }, spec: { containers: [{ name: "c" }] } };
    const t = createPodTemplate(template, 3n, "abc");
    assert.deepEqual(t.metadata?.labels, {
      app: "x",
      "pod-template-generation": "3",
      "controller-revision-hash": "abc",
    });
    assert.equal(t.spec?.tolerations?.length, 6);
    assert.deepEqual(template.metadata.labels, { app: "x" });
    assert.deepEqual(createPodTemplate(template, undefined, "").metadata?.labels, { app: "x" });
  });
});

describe("getTemplateGeneration and isPodUpdated", () => {
  const ds = (a?: string): DaemonSet => ({
    metadata: { annotations: a === undefined ? {} : { "deprecated.daemonset.template.generation": a } },
  });
  const pod = (labels: Record<string, string>): Pod => ({ metadata: { labels } });

  it("parses the annotation as an int64; anything else is no generation", () => {
    assert.equal(getTemplateGeneration(ds("12")), 12n);
    assert.equal(getTemplateGeneration(ds()), undefined);
    assert.equal(getTemplateGeneration(ds("x")), undefined);
    assert.equal(getTemplateGeneration(ds("9223372036854775808")), undefined);
  });

  it("a pod is updated when its hash or its template generation is the current one", () => {
    assert.equal(isPodUpdated(pod({ "controller-revision-hash": "h" }), "h", undefined), true);
    assert.equal(isPodUpdated(pod({ "controller-revision-hash": "old" }), "h", undefined), false);
    assert.equal(isPodUpdated(pod({ "pod-template-generation": "2" }), "h", 2n), true);
    assert.equal(isPodUpdated(pod({ "pod-template-generation": "1" }), "h", 2n), false);
    assert.equal(isPodUpdated(pod({}), "", undefined), false);
  });
});

describe("replaceDaemonSetPodNodeNameNodeAffinity", () => {
  it("makes the required terms a single metadata.name In [node], keeping preferred terms and pod affinity", () => {
    assert.deepEqual(replaceDaemonSetPodNodeNameNodeAffinity(undefined, "n1"), {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [nameIn("n1")] }],
        },
      },
    });
    const preferred = [
      { weight: 1, preference: { matchExpressions: [{ key: "z", operator: "In", values: ["a"] }] } },
    ];
    const affinity: Affinity = {
      podAffinity: {},
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [
            { matchExpressions: [{ key: "disk", operator: "Exists" }] },
            { matchFields: [nameIn("other")] },
          ],
        },
        preferredDuringSchedulingIgnoredDuringExecution: preferred,
      },
    };
    assert.deepEqual(replaceDaemonSetPodNodeNameNodeAffinity(affinity, "n1"), {
      podAffinity: {},
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [nameIn("n1")] }],
        },
        preferredDuringSchedulingIgnoredDuringExecution: preferred,
      },
    });
    assert.deepEqual(replaceDaemonSetPodNodeNameNodeAffinity({ nodeAffinity: {} }, "n2"), {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchFields: [nameIn("n2")] }],
        },
      },
    });
  });
});

describe("getTargetNodeName", () => {
  const pod = (spec: Partial<PodSpec>): Pod => ({
    metadata: { namespace: "ns", name: "p" },
    spec: { containers: [], ...spec },
  });
  const required = (...terms: object[]) => ({
    nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: terms } },
  });

  it("is spec.nodeName once bound, else the metadata.name the affinity pins", () => {
    assert.equal(
      getTargetNodeName(pod({ nodeName: "n0", affinity: required({ matchFields: [nameIn("n1")] }) })),
      "n0",
    );
    assert.equal(getTargetNodeName(pod({ affinity: required({ matchFields: [nameIn("n1")] }) })), "n1");
  });

  it("fails with upstream's messages", () => {
    assert.throws(
      () => getTargetNodeName(pod({})),
      /^Error: no spec\.affinity\.nodeAffinity\.requiredDuringSchedulingIgnoredDuringExecution for pod ns\/p$/,
    );
    assert.throws(
      () => getTargetNodeName(pod({ affinity: required() })),
      /^Error: no nodeSelectorTerms in requiredDuringSchedulingIgnoredDuringExecution of pod ns\/p$/,
    );
    assert.throws(
      () =>
        getTargetNodeName(
          pod({
            affinity: required({
              matchFields: [{ key: "metadata.name", operator: "In", values: ["a", "b"] }],
            }),
          }),
        ),
      /^Error: the matchFields value of 'metadata\.name' is not unique for pod ns\/p$/,
    );
    assert.throws(
      () =>
        getTargetNodeName(
          pod({ affinity: required({ matchExpressions: [{ key: "x", operator: "Exists" }] }) }),
        ),
      /^Error: no node name found for pod ns\/p$/,
    );
  });
});

describe("surgeCount, unavailableCount, allowsSurge", () => {
  const ds = (updateStrategy: DaemonSetUpdateStrategy): DaemonSet => ({
    spec: { updateStrategy } as DaemonSet["spec"],
  });

  it("scales percentages up against the nodes to schedule", () => {
    const d = ds({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: "10%", maxSurge: "50%" } });
    assert.equal(unavailableCount(d, 3), 1);
    assert.equal(surgeCount(d, 3), 2);
    assert.equal(unavailableCount(d, 0), 0);
    assert.equal(allowsSurge(d), true);
  });

  it("is 0 for OnDelete, and surge is 0 unless asked for", () => {
    assert.equal(unavailableCount(ds({ type: "OnDelete" }), 5), 0);
    assert.equal(surgeCount(ds({ type: "OnDelete" }), 5), 0);
    const d = ds({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 2 } });
    assert.equal(surgeCount(d, 5), 0);
    assert.equal(allowsSurge(d), false);
    assert.equal(unavailableCount(d, 5), 2);
  });

  it("throws on a missing maxUnavailable or a bad percentage", () => {
    assert.throws(
      () => unavailableCount(ds({ type: "RollingUpdate", rollingUpdate: {} }), 3),
      /nil value for IntOrString/,
    );
    assert.throws(() => surgeCount(ds({ type: "RollingUpdate", rollingUpdate: { maxSurge: "x%" } }), 3));
  });
});

describe("comparePodsByCreationTimestampAndPhase", () => {
  it("puts bound pods first, then the oldest, then by name", () => {
    const p = (name: string, ts: string, nodeName?: string): Pod => ({
      metadata: { name, creationTimestamp: ts },
      spec: { containers: [], nodeName },
    });
    const sorted = [
      p("unbound", "2024-01-01T00:00:00Z"),
      p("b", "2024-01-01T00:00:02Z", "n"),
      p("c", "2024-01-01T00:00:01Z", "n"),
      p("a", "2024-01-01T00:00:02Z", "n"),
    ].sort(comparePodsByCreationTimestampAndPhase);
    assert.deepEqual(
      sorted.map((x) => x.metadata?.name),
      ["c", "a", "b", "unbound"],
    );
  });
});
