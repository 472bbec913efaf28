// Cases ported from k8s.io/apimachinery/pkg/api/validation/objectmeta_test.go
// and pkg/apis/meta/v1/validation/validation_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { ErrorType, type FieldError, newPath } from "./field-errors.ts";
import {
  goTimeString,
  maskTrailingDash,
  nameIsDNS1035Label,
  nameIsDNSLabel,
  nameIsDNSSubdomain,
  TotalAnnotationSizeLimitB,
  validateAnnotations,
  validateFinalizers,
  validateManagedFields,
  validateObjectMeta,
  validateObjectMetaUpdate,
  validateOwnerReferences,
} from "./object-meta.ts";

const meta = newPath("metadata");
const msgs = (errs: FieldError[]) => errs.map((e) => e.error());

const subdomainMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const labelMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

test("a valid object passes", () => {
  const m: ObjectMeta = {
    name: "web-0",
    namespace: "default",
    labels: { app: "web", "app.kubernetes.io/name": "web", empty: "" },
    annotations: { "Example.com/Some-Thing": "x", "kubectl.kubernetes.io/last-applied-configuration": "{}" },
    ownerReferences: [
      { apiVersion: "apps/v1", kind: "StatefulSet", name: "web", uid: "1234", controller: true },
    ],
    finalizers: ["example.com/cleanup", "kubernetes"],
    managedFields: [{ manager: "kubectl", operation: "Apply", fieldsType: "FieldsV1", apiVersion: "v1" }],
  };
  assert.deepEqual(validateObjectMeta(m, true, nameIsDNSSubdomain, meta), []);
});

test("name, generateName and namespace", () => {
  assert.deepEqual(msgs(validateObjectMeta({ namespace: "ns" }, true, nameIsDNSSubdomain, meta)), [
    "metadata.name: Required value: name or generateName is required",
  ]);
  assert.deepEqual(
    msgs(validateObjectMeta({ name: "Foo", namespace: "ns" }, true, nameIsDNSSubdomain, meta)),
    [`metadata.name: Invalid value: "Foo": ${subdomainMsg}`],
  );
  assert.deepEqual(msgs(validateObjectMeta({ name: "a" }, true, nameIsDNSSubdomain, meta)), [
    "metadata.namespace: Required value",
  ]);
  assert.deepEqual(
    msgs(validateObjectMeta({ name: "a", namespace: "ns" }, false, nameIsDNSSubdomain, meta)),
    ["metadata.namespace: Forbidden: not allowed on this type"],
  );
  assert.deepEqual(
    msgs(validateObjectMeta({ name: "a", namespace: "a.b" }, true, nameIsDNSSubdomain, meta)),
    [`metadata.namespace: Invalid value: "a.b": ${labelMsg}`],
  );
  // A generateName may end with "-" (TestValidateObjectMetaTrimsTrailingSlash-style masking).
  assert.deepEqual(
    validateObjectMeta(
      { name: "web-x7k2p", generateName: "web-", namespace: "n" },
      true,
      nameIsDNSSubdomain,
      meta,
    ),
    [],
  );
  assert.deepEqual(
    msgs(
      validateObjectMeta({ name: "x", generateName: "Foo-", namespace: "n" }, true, nameIsDNSSubdomain, meta),
    ),
    [`metadata.generateName: Invalid value: "Foo-": ${subdomainMsg}`],
  );
  assert.equal(maskTrailingDash("web-"), "wea");
  assert.equal(maskTrailingDash("-"), "-");
  assert.deepEqual(nameIsDNSLabel("a.b", false), [labelMsg]);
  assert.equal(nameIsDNS1035Label("1abc", false).length, 1);
  assert.deepEqual(
    msgs(validateObjectMeta({ name: "a", namespace: "n", generation: -1 }, true, nameIsDNSSubdomain, meta)),
    ["metadata.generation: Invalid value: -1: must be greater than or equal to 0"],
  );
});

test("labels", () => {
  const errs = msgs(
    validateObjectMeta(
      { name: "a", namespace: "n", labels: { "Bad Key": "a_" } },
      true,
      nameIsDNSSubdomain,
      meta,
    ),
  );
  assert.equal(errs.length, 2);
  assert.ok(
    errs[0].startsWith('metadata.labels: Invalid value: "Bad Key": name part must consist of alphanumeric'),
  );
  assert.ok(
    errs[1].startsWith('metadata.labels: Invalid value: "a_": a valid label must be an empty string'),
  );
  const long = msgs(
    validateObjectMeta(
      { name: "a", namespace: "n", labels: { a: "x".repeat(64) } },
      true,
      nameIsDNSSubdomain,
      meta,
    ),
  );
  assert.deepEqual(long, [
    `metadata.labels: Invalid value: "${"x".repeat(64)}": must be no more than 63 characters`,
  ]);
});

test("annotations (TestValidateAnnotations)", () => {
  const p = newPath("field");
  for (const key of [
    "simple",
    "now-with-dashes",
    "1-starts-with-num",
    "1234",
    "simple/simple",
    "now.with.dots/simple",
    "Uppercase_Is_OK_123",
    "example.com/Uppercase_Is_OK_123",
    "a".repeat(63),
  ]) {
    assert.deepEqual(validateAnnotations({ [key]: "bar" }, p), [], key);
  }
  const nameErrors: [string, string][] = [
    ["nospecialchars^=@", "name part must consist of alphanumeric characters"],
    ["cantendwithadash-", "name part must consist of alphanumeric characters"],
    ["only/one/slash", "a qualified name must consist of alphanumeric characters"],
    ["a".repeat(254), "name part must be no more than 63 characters"],
  ];
  for (const [key, want] of nameErrors) {
    const errs = validateAnnotations({ [key]: "bar" }, p);
    assert.equal(errs.length, 1, key);
    assert.ok(errs[0].detail.startsWith(want), `${key}: ${errs[0].detail}`);
    assert.equal(errs[0].badValue, key);
  }
  // Exactly at the limit is fine; one byte more is TooLong.
  assert.deepEqual(validateAnnotations({ a: "b".repeat(TotalAnnotationSizeLimitB - 1) }, p), []);
  const tooLong = validateAnnotations({ a: "b".repeat(TotalAnnotationSizeLimitB) }, p);
  assert.equal(tooLong.length, 1);
  assert.equal(tooLong[0].type, ErrorType.TooLong);
  assert.equal(tooLong[0].error(), "field: Too long: may not be more than 262144 bytes");
  const many: Record<string, string> = {};
  for (let i = 0; i < 10; i++) many[`${i}`] = "a".repeat(TotalAnnotationSizeLimitB / 10);
  assert.equal(validateAnnotations(many, p)[0].type, ErrorType.TooLong);
});

test("owner references (TestValidateObjectMetaOwnerReferences)", () => {
  const p = newPath("metadata", "ownerReferences");
  assert.deepEqual(
    validateOwnerReferences(
      [{ apiVersion: "customresourceVersion", kind: "customresourceKind", name: "name", uid: "1" }],
      p,
    ),
    [],
  );
  assert.deepEqual(msgs(validateOwnerReferences([{ apiVersion: "", kind: "k", name: "n", uid: "1" }], p)), [
    'metadata.ownerReferences.apiVersion: Invalid value: "": version must not be empty',
  ]);
  assert.deepEqual(msgs(validateOwnerReferences([{ apiVersion: "a/b/c", kind: "", name: "", uid: "" }], p)), [
    'metadata.ownerReferences.apiVersion: Invalid value: "a/b/c": version must not be empty',
    'metadata.ownerReferences.kind: Invalid value: "": kind must not be empty',
    'metadata.ownerReferences.name: Invalid value: "": name must not be empty',
    'metadata.ownerReferences.uid: Invalid value: "": uid must not be empty',
  ]);
  assert.deepEqual(
    msgs(validateOwnerReferences([{ apiVersion: "v1", kind: "Event", name: "name", uid: "1" }], p)),
    [
      'metadata.ownerReferences: Invalid value: v1.OwnerReference{APIVersion:"v1", Kind:"Event", Name:"name", UID:"1", Controller:(*bool)(nil), BlockOwnerDeletion:(*bool)(nil)}: /v1, Kind=Event is disallowed from being an owner',
    ],
  );
  const two = validateOwnerReferences(
    [
      { apiVersion: "v1", kind: "A", name: "a", uid: "1", controller: true },
      { apiVersion: "v1", kind: "B", name: "b", uid: "2", controller: true },
    ],
    p,
  );
  assert.equal(two.length, 1);
  assert.equal(
    two[0].detail,
    'Only one reference can have Controller set to true. Found "true" in references for A/a and B/b',
  );
  assert.ok(
    two[0].errorBody().startsWith('Invalid value: []v1.OwnerReference{v1.OwnerReference{APIVersion:"v1"'),
  );
});

test("finalizers (TestValidateFinalizersPreventConflictingFinalizers)", () => {
  const p = newPath("field");
  assert.deepEqual(msgs(validateFinalizers(["orphan", "foregroundDeletion"], p)), [
    'field: Invalid value: []string{"orphan", "foregroundDeletion"}: finalizer orphan and foregroundDeletion cannot be both set',
  ]);
  assert.equal(validateFinalizers(["bad/finalizer/name"], p).length, 1);
  assert.deepEqual(validateFinalizers(["kubernetes.io/pv-protection", "orphan"], p), []);
});

test("managed fields (TestValidateManagedFields)", () => {
  const p = newPath("metadata", "managedFields");
  assert.deepEqual(
    validateManagedFields([{ operation: "Apply", fieldsType: "FieldsV1" }, { operation: "Update" }], p),
    [],
  );
  assert.deepEqual(
    msgs(
      validateManagedFields([{ operation: "Delete" }, { operation: "Update", fieldsType: "FieldsV2" }], p),
    ),
    [
      'metadata.managedFields[0].operation: Invalid value: "Delete": must be `Apply` or `Update`',
      'metadata.managedFields[1].fieldsType: Invalid value: "FieldsV2": must be `FieldsV1`',
    ],
  );
  assert.deepEqual(msgs(validateManagedFields([{ operation: "Apply", manager: "a\u0000b" }], p)), [
    'metadata.managedFields[0].manager: Invalid value: "a\\x00b": invalid character U+0000 (at position 1)',
  ]);
  assert.deepEqual(msgs(validateManagedFields([{ operation: "Apply", manager: "m".repeat(129) }], p)), [
    "metadata.managedFields[0].manager: Too long: may not be more than 128 bytes",
  ]);
  assert.deepEqual(msgs(validateManagedFields([{ operation: "Apply", subresource: "s".repeat(257) }], p)), [
    "metadata.managedFields[0].subresource: Too long: may not be more than 256 bytes",
  ]);
});

test("update: immutable fields, resourceVersion, generation", () => {
  const old: ObjectMeta = {
    name: "a",
    namespace: "n",
    uid: "u1",
    resourceVersion: "5",
    generation: 2,
    creationTimestamp: "2024-01-01T00:00:00Z",
  };
  assert.deepEqual(validateObjectMetaUpdate({ ...old, labels: { x: "y" }, generation: 3 }, old, meta), []);
  assert.deepEqual(
    msgs(
      validateObjectMetaUpdate(
        {
          ...old,
          name: "b",
          namespace: "m",
          uid: "u2",
          resourceVersion: "",
          generation: 1,
          creationTimestamp: "2024-01-02T00:00:00Z",
        },
        old,
        meta,
      ),
    ),
    [
      'metadata.resourceVersion: Invalid value: "": must be specified for an update',
      "metadata.generation: Invalid value: 1: must not be decremented",
      'metadata.name: Invalid value: "b": field is immutable',
      'metadata.namespace: Invalid value: "m": field is immutable',
      'metadata.uid: Invalid value: "u2": field is immutable',
      "metadata.creationTimestamp: Invalid value: 2024-01-02 00:00:00 +0000 UTC: field is immutable",
    ],
  );
  // The same instant written differently is no change.
  assert.deepEqual(
    validateObjectMetaUpdate({ ...old, creationTimestamp: "2024-01-01T00:00:00.000Z" }, old, meta),
    [],
  );
});

test("update: deletion fields may not change (TestValidateObjectMetaUpdatePreventsDeletionFieldMutation)", () => {
  const p = newPath("field");
  const now = new Date(1000 * 1000).toISOString();
  const later = new Date(2000 * 1000).toISOString();
  const base: ObjectMeta = { name: "test", resourceVersion: "1" };
  const cases: [ObjectMeta, ObjectMeta, string[]][] = [
    [base, { ...base }, []],
    [{ ...base, deletionTimestamp: now }, { ...base, deletionTimestamp: now }, []],
    [
      base,
      { ...base, deletionTimestamp: now },
      ["field.deletionTimestamp: Invalid value: 1970-01-01 00:16:40 +0000 UTC: field is immutable"],
    ],
    [
      { ...base, deletionTimestamp: now },
      { ...base, deletionTimestamp: later },
      ["field.deletionTimestamp: Invalid value: 1970-01-01 00:33:20 +0000 UTC: field is immutable"],
    ],
    [
      { ...base, deletionTimestamp: now },
      base,
      ['field.deletionTimestamp: Invalid value: "null": field is immutable'],
    ],
    [
      base,
      { ...base, deletionGracePeriodSeconds: 30 },
      ["field.deletionGracePeriodSeconds: Invalid value: 30: field is immutable"],
    ],
    [
      { ...base, deletionGracePeriodSeconds: 30 },
      base,
      ['field.deletionGracePeriodSeconds: Invalid value: "null": field is immutable'],
    ],
    [
      { ...base, deletionGracePeriodSeconds: 30 },
      { ...base, deletionGracePeriodSeconds: 40 },
      ["field.deletionGracePeriodSeconds: Invalid value: 40: field is immutable"],
    ],
  ];
  for (const [oldMeta, newMeta, want] of cases)
    assert.deepEqual(msgs(validateObjectMetaUpdate(newMeta, oldMeta, p)), want);
});

test("update: no new finalizers while deleting (TestValidateFinalizersUpdate)", () => {
  const p = newPath("field");
  const old: ObjectMeta = {
    name: "test",
    resourceVersion: "1",
    finalizers: ["x/a"],
    deletionTimestamp: "2024-01-01T00:00:00Z",
  };
  assert.deepEqual(msgs(validateObjectMetaUpdate({ ...old, finalizers: ["x/a", "x/b"] }, old, p)), [
    'field.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{"x/b"}',
  ]);
  assert.deepEqual(validateObjectMetaUpdate({ ...old, finalizers: [] }, old, p), [], "removing is allowed");
  const live = { ...old, deletionTimestamp: undefined };
  assert.deepEqual(validateObjectMetaUpdate({ ...live, finalizers: ["x/a", "x/b"] }, live, p), []);
});

test("time rendering follows time.Time.String()", () => {
  assert.equal(goTimeString("2024-03-04T05:06:07Z"), "2024-03-04 05:06:07 +0000 UTC");
  assert.equal(goTimeString("2024-03-04T07:06:07+02:00"), "2024-03-04 05:06:07 +0000 UTC");
  assert.equal(goTimeString("2024-03-04T05:06:07.5Z"), "2024-03-04 05:06:07.5 +0000 UTC");
  assert.equal(goTimeString(undefined), "0001-01-01 00:00:00 +0000 UTC");
});
