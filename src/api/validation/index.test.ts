// The entry points: the dispatch table, the generic object-meta checks that
// wrap every strategy, and robustness against malformed JSON.

import assert from "node:assert/strict";
import { test } from "node:test";
import { hasValidation, validateCreate, validateStatusUpdate, validateUpdate } from "./index.ts";
import { messages } from "./test-helpers.ts";

// biome-ignore lint/suspicious/noExplicitAny: deliberately malformed input
type Any = any;

const pod = (spec: unknown, meta: Record<string, unknown> = { name: "p", namespace: "d" }) => ({
  apiVersion: "v1",
  kind: "Pod",
  metadata: meta,
  spec,
});

test("values of the wrong JSON type are field errors, and stop validation", () => {
  assert.deepEqual(messages(validateCreate("", "Pod", pod("x"))), [
    'spec: Invalid value: "x": must be of type v1.PodSpec',
  ]);
  assert.deepEqual(messages(validateCreate("", "Pod", pod({ containers: { name: "c" } }))), [
    'spec.containers: Invalid value: {"name":"c"}: must be of type []v1.Container',
  ]);
  assert.deepEqual(
    messages(
      validateCreate(
        "",
        "Pod",
        pod({ containers: [{ name: "c", image: "x", ports: [{ containerPort: "80" }] }] }),
      ),
    ),
    ['spec.containers[0].ports[0].containerPort: Invalid value: "80": must be of type int32'],
  );
  assert.deepEqual(
    messages(
      validateCreate(
        "",
        "Pod",
        pod({ containers: [{ name: "c", image: "x" }] }, { name: "p", namespace: "d", labels: { a: 1 } }),
      ),
    ),
    ["metadata.labels[a]: Invalid value: 1: must be of type string"],
  );
  assert.deepEqual(
    messages(
      validateCreate("apps", "Deployment", {
        apiVersion: "apps/v1",
        kind: "Deployment",
        metadata: { name: "p", namespace: "d" },
        spec: { strategy: { rollingUpdate: { maxSurge: true } } },
      }),
    ),
    ["spec.strategy.rollingUpdate.maxSurge: Invalid value: true: must be of type intstr.IntOrString"],
  );
  assert.deepEqual(
    messages(
      validateUpdate(
        "",
        "ConfigMap",
        { metadata: { name: "a", namespace: "d" }, data: { a: 1 } },
        { metadata: { name: "a", namespace: "d" } },
      ),
    ),
    ["data[a]: Invalid value: 1: must be of type string"],
  );
});

test("nothing throws, whatever the input", () => {
  const inputs: Any[] = [
    null,
    "x",
    42,
    [],
    {},
    { metadata: null },
    { metadata: "x" },
    { spec: null },
    { spec: [] },
  ];
  const kinds: Array<[string, string]> = [
    ["", "Pod"],
    ["", "Service"],
    ["", "Node"],
    ["", "Secret"],
    ["apps", "Deployment"],
    ["apps", "DaemonSet"],
    ["batch", "Job"],
    ["batch", "CronJob"],
    ["rbac.authorization.k8s.io", "ClusterRole"],
    ["certificates.k8s.io", "CertificateSigningRequest"],
    ["admissionregistration.k8s.io", "ValidatingWebhookConfiguration"],
    ["admissionregistration.k8s.io", "ValidatingAdmissionPolicy"],
    ["admissionregistration.k8s.io", "ValidatingAdmissionPolicyBinding"],
    ["events.k8s.io", "Event"],
    ["example.com", "Widget"],
  ];
  for (const [group, kind] of kinds) {
    for (const a of inputs) {
      for (const b of inputs) {
        assert.doesNotThrow(
          () => validateCreate(group, kind, a),
          `${group}/${kind} create ${JSON.stringify(a)}`,
        );
        assert.doesNotThrow(() => validateUpdate(group, kind, a, b), `${group}/${kind} update`);
        assert.doesNotThrow(() => validateStatusUpdate(group, kind, a, b), `${group}/${kind} status`);
      }
    }
  }
});

test("a quantity that does not parse is reported at its field", () => {
  assert.deepEqual(
    messages(
      validateCreate(
        "",
        "Pod",
        pod({ containers: [{ name: "c", image: "x", resources: { limits: { cpu: "abc" } } }] }),
      ),
    ),
    [
      "spec.containers[0].resources.limits[cpu]: Invalid value: \"abc\": quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    ],
  );
});

test("kinds without their own validation get the generic object meta checks", () => {
  const widget = (metadata: Record<string, unknown>) => ({
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata,
  });
  assert.equal(hasValidation("example.com", "Widget"), false);
  assert.equal(hasValidation("", "Pod"), true);
  assert.equal(hasValidation("core", "Pod"), true);
  assert.deepEqual(
    messages(validateCreate("example.com", "Widget", widget({ name: "Anything_Goes", namespace: "d" }))),
    [],
  );
  assert.deepEqual(
    messages(validateCreate("example.com", "Widget", widget({ name: "a/b", namespace: "d" }))),
    ["metadata.name: Invalid value: \"a/b\": may not contain '/'"],
  );
  assert.deepEqual(messages(validateCreate("example.com", "Widget", widget({ name: "a" }))), [
    "metadata.namespace: Required value",
  ]);
  assert.deepEqual(
    messages(
      validateStatusUpdate(
        "example.com",
        "Widget",
        widget({ name: "a", namespace: "d", resourceVersion: "2" }),
        widget({ name: "a", namespace: "d", resourceVersion: "1" }),
      ),
    ),
    [],
  );
});

test("the generic path-segment check runs after a clean strategy validation", () => {
  // RBAC names are only path segments; ".." passes the strategy but not the generic check.
  assert.deepEqual(
    messages(
      validateCreate("rbac.authorization.k8s.io", "Role", {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: "..", namespace: "d" },
      }),
    ),
    ["metadata.name: Invalid value: \"..\": may not be '..'"],
  );
  // Cluster-scoped kinds the registry may not list yet need no namespace.
  assert.deepEqual(
    messages(
      validateCreate("certificates.k8s.io", "CertificateSigningRequest", {
        apiVersion: "certificates.k8s.io/v1",
        kind: "CertificateSigningRequest",
        metadata: { name: "c" },
        spec: { request: "", signerName: "example.com/x", usages: ["client auth"] },
      }),
    ),
    ["spec.request: Invalid value: []byte(nil): PEM block type must be CERTIFICATE REQUEST"],
  );
});

test("updates run the generic update checks as well as the strategy's", () => {
  const cm = (meta: Record<string, unknown>) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "a", namespace: "d", ...meta },
  });
  assert.deepEqual(messages(validateUpdate("", "ConfigMap", cm({}), cm({ resourceVersion: "1" }))), [
    'metadata.resourceVersion: Invalid value: "": must be specified for an update',
    'metadata.resourceVersion: Invalid value: "": must be specified for an update',
  ]);
  assert.deepEqual(
    messages(validateUpdate("", "ConfigMap", cm({ resourceVersion: "1" }), cm({ resourceVersion: "1" }))),
    [],
  );
});

test('the core group may be named "" or "core"', () => {
  const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "a.b" } };
  assert.deepEqual(
    messages(validateCreate("core", "Namespace", ns)),
    messages(validateCreate("", "Namespace", ns)),
  );
  assert.equal(messages(validateCreate("core", "Namespace", ns)).length, 1);
});
