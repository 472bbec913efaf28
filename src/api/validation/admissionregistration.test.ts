// ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding validation,
// after pkg/apis/admissionregistration/validation/validation_test.go (v1.32).

import assert from "node:assert/strict";
import { test } from "node:test";
import { createErrors, defaulted, type J, statusErrors, stored, updateErrors } from "./test-helpers.ts";

const A = "admissionregistration.k8s.io";
const rule = { operations: ["CREATE"], apiGroups: ["apps"], apiVersions: ["v1"], resources: ["deployments"] };
const policy = (spec: J = {}, meta: J = {}): J => ({
  apiVersion: `${A}/v1`,
  kind: "ValidatingAdmissionPolicy",
  metadata: { name: "replicas.example.com", ...meta },
  spec: {
    matchConstraints: { resourceRules: [rule] },
    validations: [{ expression: "object.spec.replicas <= 5" }],
    ...spec,
  },
});
const binding = (spec: J = {}): J => ({
  apiVersion: `${A}/v1`,
  kind: "ValidatingAdmissionPolicyBinding",
  metadata: { name: "replicas-binding" },
  spec: { policyName: "replicas.example.com", validationActions: ["Deny"], ...spec },
});
const policyErrors = (spec: J, meta: J = {}) =>
  createErrors(A, "ValidatingAdmissionPolicy", policy(spec, meta));
const bindingErrors = (spec: J) => createErrors(A, "ValidatingAdmissionPolicyBinding", binding(spec));

test("a defaulted policy and binding are valid", () => {
  assert.deepEqual(policyErrors({}), []);
  assert.deepEqual(
    policyErrors({
      paramKind: { apiVersion: "v1", kind: "ConfigMap" },
      matchConditions: [{ name: "not-system", expression: "request.namespace != 'kube-system'" }],
      variables: [{ name: "max", expression: "int(params.data.max)" }],
      validations: [
        {
          expression: "object.spec.replicas <= variables.max",
          messageExpression: "'at most ' + string(variables.max) + ' replicas'",
          reason: "Forbidden",
        },
      ],
      auditAnnotations: [{ key: "replicas", valueExpression: "string(object.spec.replicas)" }],
    }),
    [],
  );
  assert.deepEqual(bindingErrors({}), []);
  assert.deepEqual(
    bindingErrors({
      paramRef: { selector: { matchLabels: { app: "x" } } },
      matchResources: { namespaceSelector: { matchLabels: { env: "prod" } } },
      validationActions: ["Warn", "Audit"],
    }),
    [],
  );
});

test("defaults: failurePolicy Fail, match resources, rule scope, paramRef Deny", () => {
  const p = defaulted(
    A,
    "ValidatingAdmissionPolicy",
    policy({ matchConstraints: { excludeResourceRules: [rule] } }),
  );
  assert.equal(p.spec.failurePolicy, "Fail");
  assert.deepEqual(p.spec.matchConstraints, {
    excludeResourceRules: [{ ...rule, scope: "*" }],
    matchPolicy: "Equivalent",
    namespaceSelector: {},
    objectSelector: {},
  });
  const b = defaulted(
    A,
    "ValidatingAdmissionPolicyBinding",
    binding({ paramRef: { name: "p" }, matchResources: {} }),
  );
  assert.deepEqual(b.spec.paramRef, { name: "p", parameterNotFoundAction: "Deny" });
  assert.deepEqual(b.spec.matchResources, {
    matchPolicy: "Equivalent",
    namespaceSelector: {},
    objectSelector: {},
  });
  assert.equal(defaulted(A, "ValidatingAdmissionPolicyBinding", binding()).spec.matchResources, undefined);
});

test("policy: required fields", () => {
  assert.deepEqual(createErrors(A, "ValidatingAdmissionPolicy", { metadata: { name: "p" }, spec: {} }), [
    "spec.matchConstraints: Required value",
    "spec.validations: Required value: validations or auditAnnotations must contain at least one item",
    "spec.auditAnnotations: Required value: validations or auditAnnotations must contain at least one item",
  ]);
  assert.deepEqual(policyErrors({ matchConstraints: {} }), [
    "spec.matchConstraints.resourceRules: Required value",
  ]);
  assert.deepEqual(policyErrors({ failurePolicy: "Sometimes" }), [
    'spec.failurePolicy: Unsupported value: "Sometimes": supported values: "Fail", "Ignore"',
  ]);
});

test("policy: paramKind and match constraints", () => {
  assert.deepEqual(policyErrors({ paramKind: { apiVersion: "a/b/c", kind: "" } }), [
    'spec.paramKind.apiVersion: Invalid value: "a/b/c": unexpected GroupVersion string: a/b/c',
    "spec.paramKind.kind: Required value",
  ]);
  assert.deepEqual(policyErrors({ paramKind: { apiVersion: "example.com/", kind: "Foo_Bar" } }), [
    'spec.paramKind.apiVersion: Invalid value: "example.com/": version must be specified',
    "spec.paramKind.kind: Invalid value: \"Foo_Bar\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
  ]);
  assert.deepEqual(
    policyErrors({
      matchConstraints: {
        matchPolicy: "Fuzzy",
        resourceRules: [{ ...rule, operations: ["BOGUS"], resourceNames: ["a/b", "x", "x"] }],
        excludeResourceRules: [{ ...rule, scope: "Nowhere" }],
      },
    }),
    [
      'spec.matchConstraints.matchPolicy: Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"',
      "spec.matchConstraints.resourceRules[0].resourceNames[0]: Invalid value: \"a/b\": may not contain '/'",
      'spec.matchConstraints.resourceRules[0].resourceNames[2]: Duplicate value: "x"',
      'spec.matchConstraints.resourceRules[0].operations[0]: Unsupported value: "BOGUS": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
      'spec.matchConstraints.excludeResourceRules[0].scope: Unsupported value: "Nowhere": supported values: "*", "Cluster", "Namespaced"',
    ],
  );
});

test("policy: validations are compiled and checked", () => {
  assert.deepEqual(
    policyErrors({
      validations: [
        { expression: "'replicas'" },
        { expression: "  " },
        { expression: "true", messageExpression: " ", message: "two\nlines", reason: "Unauthorized" },
        { expression: "true", messageExpression: "1 + 1" },
        { expression: "true", message: " " },
      ],
    }),
    [
      "spec.validations[0].expression: Invalid value: \"'replicas'\": must evaluate to bool but got string",
      "spec.validations[1].expression: Required value: expression is not specified",
      'spec.validations[2].messageExpression: Invalid value: " ": must be non-empty if specified',
      'spec.validations[2].message: Invalid value: "two\\nlines": message must not contain line breaks',
      'spec.validations[2].reason: Unsupported value: "Unauthorized": supported values: "Forbidden", "Invalid", "RequestEntityTooLarge"',
      'spec.validations[3].messageExpression: Invalid value: "1 + 1": must evaluate to string but got int',
      'spec.validations[4].message: Invalid value: " ": message must be non-empty if specified',
    ],
  );
  const [syntax] = policyErrors({ validations: [{ expression: "object.spec.replicas <" }] });
  assert.match(
    syntax,
    /^spec\.validations\[0\]\.expression: Invalid value: "object\.spec\.replicas <": compilation failed: /,
  );
});

test("policy: params only with a paramKind, variables only when declared", () => {
  const errs = policyErrors({
    validations: [{ expression: "params.max > 1" }, { expression: "variables.x" }],
  });
  assert.equal(errs.length, 2);
  assert.match(
    errs[0],
    /^spec\.validations\[0\]\.expression: Invalid value: "params\.max > 1": compilation failed: .*params/,
  );
  assert.match(
    errs[1],
    /^spec\.validations\[1\]\.expression: Invalid value: "variables\.x": compilation failed: .*variables/,
  );
  assert.deepEqual(
    policyErrors({
      paramKind: { apiVersion: "v1", kind: "ConfigMap" },
      variables: [{ name: "x", expression: "params.data" }],
      validations: [{ expression: "params.max > 1" }, { expression: "variables.x.a == 'b'" }],
    }),
    [],
  );
});

test("policy: match conditions", () => {
  const conditions = [
    { name: "", expression: "" },
    { name: "a", expression: "true" },
    { name: "a", expression: "'yes'" },
    { name: "bad name!", expression: "variables.x" },
  ];
  const errs = policyErrors({ matchConditions: conditions });
  assert.deepEqual(errs.slice(0, 5), [
    "spec.matchConditions[0].expression: Required value",
    "spec.matchConditions[0].name: Required value",
    "spec.matchConditions[2].expression: Invalid value: \"'yes'\": must evaluate to bool but got string",
    'spec.matchConditions[2].name: Duplicate value: "a"',
    // Match conditions are compiled without the policy's variables.
    errs[4],
  ]);
  assert.match(
    errs[4],
    /^spec\.matchConditions\[3\]\.expression: Invalid value: "variables\.x": compilation failed: /,
  );
  assert.match(errs[5], /^spec\.matchConditions\[3\]\.name: Invalid value: "bad name!": /);
  const tooMany = Array.from({ length: 65 }, (_, i) => ({ name: `c${i}`, expression: "true" }));
  assert.deepEqual(policyErrors({ matchConditions: tooMany }), [
    "spec.matchConditions: Too many: 65: must have at most 64 items",
  ]);
  // An update that keeps the match conditions and paramKind does not check them again.
  const old = policy({ matchConditions: [{ name: "a", expression: "1 +" }] }, stored());
  assert.deepEqual(updateErrors(A, "ValidatingAdmissionPolicy", old, old), []);
  assert.equal(
    updateErrors(
      A,
      "ValidatingAdmissionPolicy",
      policy({ matchConditions: [{ name: "b", expression: "1 +" }] }, stored()),
      old,
    ).length,
    1,
  );
});

test("policy: variables and audit annotations", () => {
  assert.deepEqual(
    policyErrors({
      variables: [
        { name: "in", expression: "object.spec" },
        { name: " ", expression: " " },
        { name: "list", expression: "[1, 2]" },
      ],
    }),
    [
      'spec.variables[0].name: Invalid value: "in": name is not a valid CEL identifier',
      "spec.variables[1].name: Required value: name is not specified",
      "spec.variables[1].expression: Required value: expression is not specified",
    ],
  );
  assert.deepEqual(
    policyErrors({
      validations: [],
      auditAnnotations: [
        { key: "k", valueExpression: "null" },
        { key: "k", valueExpression: "1" },
        { key: "bad key!", valueExpression: "'v'" },
        { key: "v", valueExpression: "" },
      ],
    }),
    [
      'spec.auditAnnotations[1].valueExpression: Invalid value: "1": must evaluate to one of [string null_type] but got int',
      'spec.auditAnnotations[1].key: Duplicate value: "k"',
      "spec.auditAnnotations[2].key: Invalid value: \"replicas.example.com/bad key!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
      "spec.auditAnnotations[3].valueExpression: Required value: valueExpression is not specified",
    ],
  );
  const many = Array.from({ length: 21 }, (_, i) => ({ key: `k${i}`, valueExpression: "'v'" }));
  const [first] = policyErrors({ auditAnnotations: many });
  assert.match(
    first,
    /^spec\.auditAnnotations: Invalid value: \[\]admissionregistration\.AuditAnnotation\{admissionregistration\.AuditAnnotation\{Key:"k0", ValueExpression:"'v'"\}, .*\}: must not have more than 20 auditAnnotations$/,
  );
});

test("policy status: expression warnings and conditions", () => {
  const old = policy({}, stored());
  const withStatus = {
    ...old,
    status: { typeChecking: { expressionWarnings: [{ fieldRef: " ", warning: "" }] } },
  };
  assert.deepEqual(statusErrors(A, "ValidatingAdmissionPolicy", withStatus, old), [
    "status.typeChecking.expressionWarnings[0].warning: Required value",
    "status.typeChecking.expressionWarnings[0].fieldRef: Required value",
  ]);
  const conditions = {
    ...old,
    status: {
      conditions: [
        { type: "Ready", status: "Maybe", reason: "R", lastTransitionTime: "2024-01-01T00:00:00Z" },
      ],
    },
  };
  assert.deepEqual(statusErrors(A, "ValidatingAdmissionPolicy", conditions, old), [
    'status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
  ]);
  // The status path does not look at the spec.
  const badSpec = { ...policy({ failurePolicy: "Bogus" }, stored()), status: {} };
  assert.deepEqual(statusErrors(A, "ValidatingAdmissionPolicy", badSpec, old), []);
});

test("binding: policyName, paramRef, matchResources, validationActions", () => {
  assert.deepEqual(
    bindingErrors({
      policyName: "",
      paramRef: { name: "a/b", selector: {}, parameterNotFoundAction: "Maybe" },
      matchResources: { matchPolicy: "Fuzzy" },
      validationActions: ["Deny", "Warn", "Deny", "Nope"],
    }),
    [
      "spec.policyName: Required value",
      "spec.paramRef.name: Invalid value: \"a/b\": may not contain '/'",
      "spec.paramRef.name: Forbidden: name and selector are mutually exclusive",
      "spec.paramRef.selector: Forbidden: name and selector are mutually exclusive",
      'spec.paramRef.parameterNotFoundAction: Unsupported value: "Maybe": supported values: "Deny", "Allow"',
      'spec.matchResources.matchPolicy: Unsupported value: "Fuzzy": supported values: "Equivalent", "Exact"',
      'spec.validationActions[2]: Duplicate value: "Deny"',
      'spec.validationActions[3]: Unsupported value: "Nope": supported values: "Audit", "Deny", "Warn"',
      'spec.validationActions: Invalid value: []admissionregistration.ValidationAction{"Deny", "Warn", "Deny", "Nope"}: must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)',
    ],
  );
  assert.deepEqual(bindingErrors({ paramRef: {}, validationActions: [] }), [
    "spec.paramRef: Required value: one of name or selector must be specified",
    "spec.validationActions: Required value: at least one validation action is required",
  ]);
  assert.equal(bindingErrors({ policyName: "Not_A_Name" }).length, 1);
  assert.match(
    bindingErrors({ policyName: "Not_A_Name" })[0],
    /^spec\.policyName: Invalid value: "Not_A_Name": a lowercase RFC 1123 subdomain/,
  );
  const old = binding();
  assert.deepEqual(
    updateErrors(
      A,
      "ValidatingAdmissionPolicyBinding",
      { ...binding({ validationActions: [] }), metadata: { name: "replicas-binding", ...stored() } },
      { ...old, metadata: { ...old.metadata, ...stored() } },
    ),
    ["spec.validationActions: Required value: at least one validation action is required"],
  );
});
