// The admission logic: upstream's admission_test.go tables (namespace
// validation, pod-spec extraction) and EvaluatePod's enforce/audit/warn
// behaviour with the real checks, against in-memory namespaces and pods.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Obj } from "../../admission.ts";
import {
  extractPodSpec,
  hasPodSpec,
  isSignificantPodUpdate,
  PodSecurityAdmission,
  type PodSecurityAdmissionOptions,
  type PodSecurityAttributes,
  toPolicy,
} from "./admission.ts";
import { LATEST, type LevelVersion, levelVersionString, majorMinor } from "./api.ts";
import type { Evaluator } from "./policy/registry.ts";
import { newEvaluator } from "./policy/registry.ts";

const ENFORCE = "pod-security.kubernetes.io/enforce";
const ENFORCE_VERSION = "pod-security.kubernetes.io/enforce-version";
const WARN = "pod-security.kubernetes.io/warn";
const AUDIT = "pod-security.kubernetes.io/audit";

function namespaceObj(name: string, labels: Record<string, string>): Obj {
  return { apiVersion: "v1", kind: "Namespace", metadata: { name, labels } };
}

function admission(
  namespaces: Record<string, Record<string, string>>,
  pods: Obj[] = [],
  opts: Partial<PodSecurityAdmissionOptions> = {},
) {
  const listed: string[] = [];
  const a = new PodSecurityAdmission({
    evaluator: newEvaluator(),
    namespaceGetter: {
      getNamespace: async (name) => {
        const labels = namespaces[name];
        if (!labels) throw new Error(`namespaces "${name}" not found`);
        return namespaceObj(name, labels);
      },
    },
    podLister: {
      listPods: async (ns) => {
        listed.push(ns);
        return pods;
      },
    },
    ...opts,
  });
  return { a, listed };
}

const privilegedPod = (name = "x"): Obj => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "ns" },
  spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] },
});

const plainPod = (name = "x"): Obj => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name, namespace: "ns" },
  spec: { containers: [{ name: "c", image: "busybox" }] },
});

function podAttrs(pod: Obj, extra: Partial<PodSecurityAttributes> = {}): PodSecurityAttributes {
  return {
    operation: "CREATE",
    kind: { group: "", kind: "Pod" },
    resource: { group: "", resource: "pods" },
    subresource: "",
    namespace: pod.metadata.namespace,
    name: pod.metadata.name,
    username: "alice",
    object: pod,
    ...extra,
  };
}

const RESTRICTED_DETAIL =
  'allowPrivilegeEscalation != false (container "c" must set securityContext.allowPrivilegeEscalation=false), ' +
  'unrestricted capabilities (container "c" must set securityContext.capabilities.drop=["ALL"]), ' +
  'runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true), ' +
  'seccompProfile (pod or container "c" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")';

describe("pods", () => {
  it("enforce refuses with upstream's 403 message", async () => {
    const { a } = admission({ ns: { [ENFORCE]: "restricted" } });
    const r = await a.validate(podAttrs(privilegedPod()));
    assert.equal(r.allowed, false);
    assert.equal(r.error?.code, 403);
    assert.equal(r.error?.status.reason, "Forbidden");
    assert.deepEqual(r.error?.status.details, { name: "x", kind: "pods" });
    assert.equal(
      r.error?.status.message,
      `pods "x" is forbidden: violates PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), ${RESTRICTED_DETAIL}`,
    );
    // No warnings on a refused request; the policy is still recorded for audit.
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.auditAnnotations, { "enforce-policy": "restricted:latest" });
  });

  it("warn adds a warning and allows", async () => {
    const { a } = admission({ ns: { [WARN]: "baseline" } });
    const r = await a.validate(podAttrs(privilegedPod()));
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings, [
      'would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    ]);
    assert.deepEqual(r.auditAnnotations, { "enforce-policy": "privileged:latest" });
  });

  it("audit records the violations", async () => {
    const { a } = admission({ ns: { [AUDIT]: "restricted" } });
    const r = await a.validate(podAttrs(plainPod()));
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings, []);
    assert.deepEqual(r.auditAnnotations, {
      "enforce-policy": "privileged:latest",
      "audit-violations": `would violate PodSecurity "restricted:latest": ${RESTRICTED_DETAIL}`,
    });
  });

  it("enforce baseline with warn restricted: allowed, warned at restricted", async () => {
    const { a } = admission({ ns: { [ENFORCE]: "baseline", [WARN]: "restricted" } });
    const r = await a.validate(podAttrs(plainPod()));
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings, [`would violate PodSecurity "restricted:latest": ${RESTRICTED_DETAIL}`]);
  });

  it("a privileged namespace (or none labelled) allows everything", async () => {
    const { a } = admission({ ns: { [ENFORCE]: "privileged" }, other: {} });
    const r = await a.validate(podAttrs(privilegedPod()));
    assert.deepEqual(r, {
      allowed: true,
      warnings: [],
      auditAnnotations: { "enforce-policy": "privileged:latest" },
    });
    const r2 = await a.validate(podAttrs(privilegedPod(), { namespace: "other" }));
    assert.equal(r2.allowed, true);
  });

  it("an invalid enforce label fails closed to restricted, with an error annotation", async () => {
    const { a } = admission({ ns: { [ENFORCE]: "bogus" } });
    const r = await a.validate(podAttrs(plainPod()));
    assert.equal(r.allowed, false);
    assert.equal(
      r.error?.status.message,
      `pods "x" is forbidden: violates PodSecurity "restricted:latest": ${RESTRICTED_DETAIL}`,
    );
    assert.equal(
      r.auditAnnotations.error,
      'Failed to parse policy: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "bogus": must be one of privileged, baseline, restricted',
    );
  });

  it("an invalid warn label fails open", async () => {
    const { a } = admission({ ns: { [WARN]: "bogus" } });
    const r = await a.validate(podAttrs(privilegedPod()));
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings, []);
    assert.match(r.auditAnnotations.error, /^Failed to parse policy: /);
  });

  it("enforce-version pins the policy", async () => {
    const { a } = admission({ ns: { [ENFORCE]: "restricted", [ENFORCE_VERSION]: "v1.7" } });
    const r = await a.validate(podAttrs(plainPod()));
    assert.equal(
      r.error?.status.message,
      'pods "x" is forbidden: violates PodSecurity "restricted:v1.7": runAsNonRoot != true (pod or container "c" must set securityContext.runAsNonRoot=true)',
    );
  });

  it("exemptions: namespaces, users and runtime classes", async () => {
    const { a } = admission({ ns: { [ENFORCE]: "restricted" } }, [], {
      exemptions: { namespaces: ["ns"], usernames: [], runtimeClasses: [] },
    });
    assert.deepEqual(await a.validate(podAttrs(privilegedPod())), {
      allowed: true,
      warnings: [],
      auditAnnotations: { exempt: "namespace" },
    });
    const { a: b } = admission({ ns: { [ENFORCE]: "restricted" } }, [], {
      exemptions: {
        usernames: ["system:serviceaccount:kube-system:daemon-set-controller"],
        runtimeClasses: ["kata"],
      },
    });
    assert.deepEqual(
      (
        await b.validate(
          podAttrs(privilegedPod(), { username: "system:serviceaccount:kube-system:daemon-set-controller" }),
        )
      ).auditAnnotations,
      { exempt: "user" },
    );
    const kata = privilegedPod();
    kata.spec.runtimeClassName = "kata";
    assert.deepEqual((await b.validate(podAttrs(kata))).auditAnnotations, { exempt: "runtimeClass" });
    assert.equal((await b.validate(podAttrs(privilegedPod()))).allowed, false);
  });

  it("ignored subresources and insignificant updates are not evaluated", async () => {
    const { a } = admission({ ns: { [ENFORCE]: "restricted" } });
    for (const sub of ["status", "binding", "eviction", "exec"]) {
      assert.equal((await a.validate(podAttrs(privilegedPod(), { subresource: sub }))).allowed, true, sub);
    }
    const old = privilegedPod();
    const relabelled = privilegedPod();
    relabelled.metadata.labels = { app: "x" };
    relabelled.metadata.annotations = { note: "y" };
    assert.equal(
      (await a.validate(podAttrs(relabelled, { operation: "UPDATE", oldObject: old }))).allowed,
      true,
    );
    const newImage = privilegedPod();
    newImage.spec.containers[0].image = "busybox:2";
    assert.equal(
      (await a.validate(podAttrs(newImage, { operation: "UPDATE", oldObject: old }))).allowed,
      false,
    );
    // ephemeralcontainers is evaluated: a new ephemeral container is significant.
    const debug = plainPod();
    debug.spec.ephemeralContainers = [
      { name: "dbg", image: "busybox", securityContext: { privileged: true } },
    ];
    const r = await a.validate(
      podAttrs(debug, { operation: "UPDATE", subresource: "ephemeralcontainers", oldObject: plainPod() }),
    );
    assert.equal(r.allowed, false);
    assert.match(
      r.error?.status.message ?? "",
      /container "dbg" must not set securityContext.privileged=true/,
    );
  });

  it("a namespace that cannot be read is an internal error", async () => {
    const { a } = admission({});
    const r = await a.validate(podAttrs(plainPod(), { namespace: "gone" }));
    assert.equal(r.allowed, false);
    assert.equal(r.error?.code, 500);
    assert.equal(r.error?.status.message, 'Internal error occurred: failed to lookup namespace "gone"');
    assert.equal(
      r.auditAnnotations.error,
      'Internal error occurred: failed to lookup namespace "gone": namespaces "gone" not found',
    );
  });

  it("configured defaults apply to unlabelled namespaces", async () => {
    const { a } = admission({ ns: {} }, [], { defaults: { enforce: "baseline", warn: "restricted" } });
    assert.equal((await a.validate(podAttrs(privilegedPod()))).allowed, false);
    const r = await a.validate(podAttrs(plainPod()));
    assert.deepEqual(r.warnings, [`would violate PodSecurity "restricted:latest": ${RESTRICTED_DETAIL}`]);
    assert.throws(() => toPolicy({ enforce: "strict" }), /enforce: Invalid value: "strict"/);
    assert.throws(() => toPolicy({ "warn-version": "1.2" }), /warn-version: Invalid value: "1.2"/);
  });
});

describe("pod controllers", () => {
  const deployment = (spec: Obj): Obj => ({
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "ns" },
    spec: { selector: {}, template: { metadata: { labels: { app: "web" } }, spec } },
  });
  const attrs = (obj: Obj, group: string, resource: string, kind: string): PodSecurityAttributes => ({
    operation: "CREATE",
    kind: { group, kind },
    resource: { group, resource },
    subresource: "",
    namespace: "ns",
    name: obj.metadata.name,
    username: "alice",
    object: obj,
  });

  it("are never refused; enforce alone warns at the enforce level (warn defaults to enforce)", async () => {
    const { a } = admission({ ns: { [ENFORCE]: "restricted" } });
    const r = await a.validate(attrs(deployment(privilegedPod().spec), "apps", "deployments", "Deployment"));
    assert.equal(r.allowed, true);
    assert.deepEqual(r.warnings, [
      `would violate PodSecurity "restricted:latest": privileged (container "c" must not set securityContext.privileged=true), ${RESTRICTED_DETAIL}`,
    ]);
    assert.deepEqual(r.auditAnnotations, {});
  });

  it("warn=privileged with enforce set: no warnings, no evaluation", async () => {
    const { a } = admission({ ns: { [ENFORCE]: "restricted", [WARN]: "privileged" } });
    const r = await a.validate(attrs(deployment(privilegedPod().spec), "apps", "deployments", "Deployment"));
    assert.deepEqual(r, { allowed: true, warnings: [], auditAnnotations: {} });
  });

  it("subresources (scale, status) are skipped", async () => {
    const { a } = admission({ ns: { [WARN]: "restricted" } });
    const r = await a.validate({
      ...attrs(deployment(privilegedPod().spec), "apps", "deployments", "Deployment"),
      subresource: "scale",
    });
    assert.deepEqual(r.warnings, []);
  });

  it("a missing namespace is only an audit annotation", async () => {
    const { a } = admission({});
    const r = await a.validate(attrs(deployment(privilegedPod().spec), "apps", "deployments", "Deployment"));
    assert.equal(r.allowed, true);
    assert.equal(r.auditAnnotations.error, 'failed to lookup namespace "ns": namespaces "ns" not found');
  });

  it("TestDefaultExtractPodSpec / TestDefaultHasPodSpec", () => {
    const metadata = { name: "foo-pod" };
    const spec = { containers: [{ name: "foo-container" }] };
    const template = { metadata, spec };
    const objects: [string, string, Obj][] = [
      ["", "pods", { metadata, spec }],
      ["", "podtemplates", { metadata: { name: "foo-template" }, template }],
      ["", "replicationcontrollers", { metadata: { name: "foo-rc" }, spec: { template } }],
      ["apps", "replicasets", { metadata: { name: "foo-rs" }, spec: { template } }],
      ["apps", "deployments", { metadata: { name: "foo-deployment" }, spec: { template } }],
      ["apps", "statefulsets", { metadata: { name: "foo-ss" }, spec: { template } }],
      ["apps", "daemonsets", { metadata: { name: "foo-ds" }, spec: { template } }],
      ["batch", "jobs", { metadata: { name: "foo-job" }, spec: { template } }],
      [
        "batch",
        "cronjobs",
        { metadata: { name: "foo-cronjob" }, spec: { jobTemplate: { spec: { template } } } },
      ],
    ];
    for (const [group, resource, obj] of objects) {
      assert.ok(hasPodSpec(group, resource), resource);
      assert.deepEqual(extractPodSpec(group, resource, obj), { metadata, spec }, resource);
    }
    assert.equal(extractPodSpec("", "replicationcontrollers", { metadata: {}, spec: {} }), undefined);
    for (const [group, resource] of [
      ["", "services"],
      ["admission.k8s.io", "admissionreviews"],
      ["apps", "foobars"],
    ]) {
      assert.ok(!hasPodSpec(group, resource), resource);
    }
  });
});

/** upstream's testEvaluator: a pod fails with its "error" annotation as the reason. */
class TestEvaluator implements Evaluator {
  lv: LevelVersion | undefined;
  evaluatePod(lv: LevelVersion, meta: { annotations?: Record<string, string> }) {
    this.lv = lv;
    const error = meta.annotations?.error;
    return error ? [{ allowed: false, forbiddenReason: error }] : [{ allowed: true }];
  }
}

describe("namespaces (TestValidateNamespace)", () => {
  type Case = {
    name: string;
    exemptNamespaces?: string[];
    exemptRuntimeClasses?: string[];
    defaultEnforce?: string;
    newLabels: Record<string, string>;
    oldLabels?: Record<string, string>;
    expectAllowed: boolean;
    expectError?: string;
    expectListPods: boolean;
    expectEvaluate?: LevelVersion;
    expectWarnings?: string[];
  };
  const r = "restricted";
  const cases: Case[] = [
    // creation tests, just validate labels
    {
      name: "create privileged",
      newLabels: { [ENFORCE]: "privileged", [ENFORCE_VERSION]: "v1.0" },
      expectAllowed: true,
      expectListPods: false,
    },
    {
      name: "create baseline",
      newLabels: { [ENFORCE]: "baseline" },
      expectAllowed: true,
      expectListPods: false,
    },
    {
      name: "create malformed level",
      newLabels: { [ENFORCE]: "unknown" },
      expectAllowed: false,
      expectError: "must be one of privileged, baseline, restricted",
      expectListPods: false,
    },
    {
      name: "create malformed version",
      newLabels: { [ENFORCE]: "privileged", [ENFORCE_VERSION]: "unknown" },
      expectAllowed: false,
      expectError: 'must be "latest" or "v1.x"',
      expectListPods: false,
    },
    // update tests that don't tighten effective policy, no pod list/evaluate
    {
      name: "update no-op",
      newLabels: { [ENFORCE]: r, [ENFORCE_VERSION]: "v1.0" },
      oldLabels: { [ENFORCE]: r, [ENFORCE_VERSION]: "v1.0" },
      expectAllowed: true,
      expectListPods: false,
    },
    {
      name: "update no-op malformed level",
      newLabels: { [ENFORCE]: "unknown" },
      oldLabels: { [ENFORCE]: "unknown" },
      expectAllowed: true,
      expectListPods: false,
    },
    {
      name: "update no-op malformed version",
      newLabels: { [ENFORCE]: "baseline", [ENFORCE_VERSION]: "unknown" },
      oldLabels: { [ENFORCE]: "baseline", [ENFORCE_VERSION]: "unknown" },
      expectAllowed: true,
      expectListPods: false,
    },
    {
      name: "update relax level identical version",
      newLabels: { [ENFORCE]: "baseline", [ENFORCE_VERSION]: "v1.0" },
      oldLabels: { [ENFORCE]: r, [ENFORCE_VERSION]: "v1.0" },
      expectAllowed: true,
      expectListPods: false,
    },
    {
      name: "update relax level explicit latest",
      newLabels: { [ENFORCE]: "baseline", [ENFORCE_VERSION]: "latest" },
      oldLabels: { [ENFORCE]: r, [ENFORCE_VERSION]: "latest" },
      expectAllowed: true,
      expectListPods: false,
    },
    {
      name: "update relax level implicit latest",
      newLabels: { [ENFORCE]: "baseline" },
      oldLabels: { [ENFORCE]: r },
      expectAllowed: true,
      expectListPods: false,
    },
    {
      name: "update to explicit privileged",
      newLabels: { [ENFORCE]: "privileged" },
      oldLabels: { [ENFORCE]: r, [ENFORCE_VERSION]: "v1.0" },
      expectAllowed: true,
      expectListPods: false,
    },
    {
      name: "update to implicit privileged",
      newLabels: {},
      oldLabels: { [ENFORCE]: r, [ENFORCE_VERSION]: "v1.0" },
      expectAllowed: true,
      expectListPods: false,
    },
    {
      name: "update exempt to restricted",
      exemptNamespaces: ["test"],
      newLabels: { [ENFORCE]: r, [ENFORCE_VERSION]: "v1.0" },
      oldLabels: {},
      expectAllowed: true,
      expectListPods: false,
      expectWarnings: [
        'namespace "test" is exempt from Pod Security, and the policy (enforce=restricted:v1.0) will be ignored',
      ],
    },
    // update tests that introduce labels errors
    {
      name: "update malformed level",
      newLabels: { [ENFORCE]: "unknown" },
      oldLabels: { [ENFORCE]: r, [ENFORCE_VERSION]: "v1.0" },
      expectAllowed: false,
      expectError: "must be one of privileged, baseline, restricted",
      expectListPods: false,
    },
    {
      name: "update malformed version",
      newLabels: { [ENFORCE]: "privileged", [ENFORCE_VERSION]: "unknown" },
      oldLabels: { [ENFORCE]: r, [ENFORCE_VERSION]: "v1.0" },
      expectAllowed: false,
      expectError: 'must be "latest" or "v1.x"',
      expectListPods: false,
    },
    // update tests that tighten effective policy
    {
      name: "update to implicit restricted",
      newLabels: {},
      oldLabels: { [ENFORCE]: "baseline", [ENFORCE_VERSION]: "v1.0" },
      defaultEnforce: r,
      expectAllowed: true,
      expectListPods: true,
      expectEvaluate: { level: r, version: LATEST },
      expectWarnings: [
        'existing pods in namespace "test" violate the new PodSecurity enforce level "restricted:latest"',
        // Identical warnings are grouped (upstream's decoratePodWarnings).
        "noruntimeclasspod (and 2 other pods): message",
      ],
    },
    {
      name: "update with runtimeclass exempt pods",
      exemptRuntimeClasses: ["runtimeclass1"],
      newLabels: { [ENFORCE]: r },
      oldLabels: { [ENFORCE]: "baseline" },
      expectAllowed: true,
      expectListPods: true,
      expectEvaluate: { level: r, version: LATEST },
      expectWarnings: [
        'existing pods in namespace "test" violate the new PodSecurity enforce level "restricted:latest"',
        "noruntimeclasspod (and 1 other pod): message",
      ],
    },
  ];

  const pods: Obj[] = [
    { metadata: { name: "noruntimeclasspod", annotations: { error: "message" } }, spec: {} },
    {
      metadata: { name: "runtimeclass1pod", annotations: { error: "message" } },
      spec: { runtimeClassName: "runtimeclass1" },
    },
    {
      metadata: { name: "runtimeclass2pod", annotations: { error: "message" } },
      spec: { runtimeClassName: "runtimeclass2" },
    },
  ];

  for (const tc of cases) {
    it(tc.name, async () => {
      const evaluator = new TestEvaluator();
      let listed = false;
      const a = new PodSecurityAdmission({
        evaluator,
        namespaceGetter: { getNamespace: async () => ({}) },
        podLister: {
          listPods: async () => {
            listed = true;
            return pods;
          },
        },
        defaults: tc.defaultEnforce ? { enforce: tc.defaultEnforce } : undefined,
        exemptions: { namespaces: tc.exemptNamespaces, runtimeClasses: tc.exemptRuntimeClasses },
      });
      const result = await a.validate({
        operation: tc.oldLabels ? "UPDATE" : "CREATE",
        kind: { group: "", kind: "Namespace" },
        resource: { group: "", resource: "namespaces" },
        subresource: "",
        namespace: "test",
        name: "test",
        username: "alice",
        object: namespaceObj("test", tc.newLabels),
        oldObject: tc.oldLabels ? namespaceObj("test", tc.oldLabels) : undefined,
      });
      assert.equal(result.allowed, tc.expectAllowed);
      if (tc.expectError) {
        assert.equal(result.error?.code, 422);
        assert.ok(result.error?.status.message?.includes(tc.expectError), result.error?.status.message);
      } else {
        assert.equal(result.error, undefined);
      }
      assert.equal(listed, tc.expectListPods);
      assert.deepEqual(evaluator.lv, tc.expectEvaluate);
      assert.deepEqual(result.warnings, tc.expectWarnings ?? []);
    });
  }

  it("create with an invalid label: 422 with upstream's wording", async () => {
    const { a } = admission({});
    const r = await a.validate({
      operation: "CREATE",
      kind: { group: "", kind: "Namespace" },
      resource: { group: "", resource: "namespaces" },
      subresource: "",
      namespace: "",
      name: "bad",
      username: "alice",
      object: namespaceObj("bad", { [ENFORCE]: "strict" }),
    });
    assert.equal(
      r.error?.status.message,
      'Namespace "bad" is invalid: metadata.labels[pod-security.kubernetes.io/enforce]: Invalid value: "strict": must be one of privileged, baseline, restricted',
    );
    assert.equal(r.error?.status.reason, "Invalid");
  });

  it("identical warnings are grouped under the first pod name", async () => {
    const mk = (name: string, spec: Obj, owner?: string): Obj => ({
      metadata: {
        name,
        ownerReferences: owner
          ? [{ uid: owner, controller: true, kind: "ReplicaSet", name: owner }]
          : undefined,
      },
      spec,
    });
    const priv = privilegedPod().spec;
    const hostNet = { hostNetwork: true, containers: [{ name: "c", image: "x" }] };
    const ok = { containers: [{ name: "c", image: "x" }] };
    const { a } = admission({}, [
      mk("web-b", priv, "rs1"),
      mk("web-a", priv, "rs1"),
      mk("web-c", priv, "rs1"),
      mk("db-0", hostNet),
      mk("db-1", hostNet),
      mk("fine", ok),
    ]);
    const warnings = await a.evaluatePodsInNamespace("test", { level: "baseline", version: LATEST });
    assert.deepEqual(warnings, [
      'existing pods in namespace "test" violate the new PodSecurity enforce level "baseline:latest"',
      "db-0 (and 1 other pod): host namespaces",
      "web-a (and 2 other pods): privileged",
    ]);
  });

  it("bounds the number of pods and the time spent", async () => {
    const many = Array.from({ length: 5 }, (_, i) => ({
      metadata: { name: `p${i}` },
      spec: privilegedPod().spec,
    }));
    const { a } = admission({}, many, { namespaceMaxPodsToCheck: 2 });
    assert.deepEqual(await a.evaluatePodsInNamespace("test", { level: "baseline", version: LATEST }), [
      "new PodSecurity enforce level only checked against the first 2 of 5 existing pods",
      'existing pods in namespace "test" violate the new PodSecurity enforce level "baseline:latest"',
      "p0 (and 1 other pod): privileged",
    ]);
    // Each clock reading advances 600ms: the 1s bound passes after the second pod.
    let t = 0;
    const { a: slow } = admission({}, many, { now: () => (t += 600) });
    const w = await slow.evaluatePodsInNamespace("test", { level: "baseline", version: majorMinor(1, 20) });
    assert.equal(w[0], "new PodSecurity enforce level only checked against the first 2 of 5 existing pods");
  });

  it("a failing pod list is a warning", async () => {
    const a = new PodSecurityAdmission({
      evaluator: newEvaluator(),
      namespaceGetter: { getNamespace: async () => ({}) },
      podLister: {
        listPods: async () => {
          throw new Error("boom");
        },
      },
    });
    assert.deepEqual(await a.evaluatePodsInNamespace("test", { level: "baseline", version: LATEST }), [
      "failed to list pods while checking new PodSecurity enforce level",
    ]);
  });
});

describe("isSignificantPodUpdate", () => {
  const pod = (image: string, extra: Obj = {}): Obj => ({
    metadata: { name: "p" },
    spec: { containers: [{ name: "c", image }], ...extra },
  });
  it("only container sets and images matter", () => {
    assert.equal(isSignificantPodUpdate(pod("a"), pod("a")), false);
    assert.equal(isSignificantPodUpdate(pod("b"), pod("a")), true);
    assert.equal(isSignificantPodUpdate(pod("a", { activeDeadlineSeconds: 5 }), pod("a")), false);
    assert.equal(
      isSignificantPodUpdate(pod("a", { initContainers: [{ name: "i", image: "x" }] }), pod("a")),
      true,
    );
    assert.equal(
      isSignificantPodUpdate(
        pod("a", { ephemeralContainers: [{ name: "e", image: "x" }] }),
        pod("a", { ephemeralContainers: [{ name: "e", image: "x" }] }),
      ),
      false,
    );
    assert.equal(
      isSignificantPodUpdate(pod("a", { ephemeralContainers: [{ name: "e", image: "x" }] }), pod("a")),
      true,
    );
  });
  it("level strings", () => {
    assert.equal(levelVersionString({ level: "baseline", version: majorMinor(1, 2) }), "baseline:v1.2");
  });
});
