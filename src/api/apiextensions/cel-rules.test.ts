import assert from "node:assert/strict";
import { test } from "node:test";
import { escapeName, toCel } from "../cel/values.ts";
import { normalizeFieldPath, validateCustomResourceRules } from "./cel-rules.ts";

// biome-ignore lint/suspicious/noExplicitAny: schemas and objects are free-form JSON
type J = Record<string, any>;

const errors = (obj: J, schema: J, old?: J) =>
  validateCustomResourceRules(obj, old, schema).map((e) => e.error());

const widget = (spec: J, name = "w1") => ({
  apiVersion: "example.com/v1",
  kind: "Widget",
  metadata: { name },
  spec,
});

const schema: J = {
  type: "object",
  "x-kubernetes-validations": [
    { rule: "self.metadata.name.startsWith('w')", message: "name must start with w" },
  ],
  properties: {
    spec: {
      type: "object",
      "x-kubernetes-validations": [
        { rule: "self.minReplicas <= self.replicas", message: "replicas below minReplicas" },
        {
          rule: "self.replicas <= self.maxReplicas",
          messageExpression: "'replicas ' + string(self.replicas) + ' above ' + string(self.maxReplicas)",
          fieldPath: ".replicas",
        },
        { rule: "self.mode == oldSelf.mode", message: "mode is immutable", reason: "FieldValueForbidden" },
      ],
      properties: {
        replicas: { type: "integer" },
        minReplicas: { type: "integer" },
        maxReplicas: { type: "integer" },
        mode: { type: "string" },
        ratio: { type: "number", "x-kubernetes-validations": [{ rule: "self < 1" }] },
      },
    },
  },
};

test("rules run at their node with self there: root (with metadata.name), nested, messages, fieldPath", () => {
  assert.deepEqual(
    errors(widget({ replicas: 3, minReplicas: 1, maxReplicas: 5, mode: "a", ratio: 0.5 }), schema),
    [],
  );
  assert.deepEqual(errors(widget({ replicas: 9, minReplicas: 10, maxReplicas: 5, ratio: 2 }, "x1"), schema), [
    '<nil>: Invalid value: "object": name must start with w',
    'spec: Invalid value: "object": replicas below minReplicas',
    'spec.replicas: Invalid value: "object": replicas 9 above 5',
    'spec.ratio: Invalid value: "number": failed rule: self < 1',
  ]);
});

test("a transition rule runs only on update, against the old value; its reason picks the error type", () => {
  const before = widget({ replicas: 1, minReplicas: 1, maxReplicas: 1, mode: "a" });
  assert.deepEqual(errors(widget({ replicas: 1, minReplicas: 1, maxReplicas: 1, mode: "b" }), schema), []);
  assert.deepEqual(
    errors(widget({ replicas: 1, minReplicas: 1, maxReplicas: 1, mode: "b" }), schema, before),
    ["spec: Forbidden: mode is immutable"],
  );
  const reasons: J = {
    type: "object",
    properties: {
      a: {
        type: "string",
        "x-kubernetes-validations": [{ rule: "false", message: "m", reason: "FieldValueRequired" }],
      },
      b: { type: "string", "x-kubernetes-validations": [{ rule: "false", reason: "FieldValueDuplicate" }] },
    },
  };
  assert.deepEqual(errors({ a: "x", b: "y" }, reasons), [
    "a: Required value: m",
    'b: Duplicate value: "string"',
  ]);
});

test("optionalOldSelf: the rule runs on create too, with oldSelf an optional", () => {
  const s: J = {
    type: "object",
    properties: {
      v: {
        type: "integer",
        "x-kubernetes-validations": [
          {
            rule: "!oldSelf.hasValue() || self >= oldSelf.value()",
            message: "may not shrink",
            optionalOldSelf: true,
          },
          { rule: "oldSelf.hasValue() || self < 10", message: "starts below 10", optionalOldSelf: true },
        ],
      },
    },
  };
  assert.deepEqual(errors({ v: 12 }, s), ['v: Invalid value: "integer": starts below 10']);
  assert.deepEqual(errors({ v: 12 }, s, { v: 5 }), []);
  assert.deepEqual(errors({ v: 4 }, s, { v: 5 }), ['v: Invalid value: "integer": may not shrink']);
});

test("old values follow map keys in maps and in list-type=map lists; set lists have none", () => {
  const immutable = [{ rule: "self.size == oldSelf.size", message: "size is immutable" }];
  const item = {
    type: "object",
    "x-kubernetes-validations": immutable,
    properties: { name: { type: "string" }, size: { type: "integer" } },
  };
  const s: J = {
    type: "object",
    properties: {
      disks: {
        type: "array",
        "x-kubernetes-list-type": "map",
        "x-kubernetes-list-map-keys": ["name"],
        items: item,
      },
      byName: { type: "object", additionalProperties: item },
      loose: { type: "array", items: item },
    },
  };
  const old = {
    disks: [
      { name: "a", size: 1 },
      { name: "b", size: 2 },
    ],
    byName: { x: { name: "x", size: 1 } },
    loose: [{ name: "a", size: 1 }],
  };
  const now = {
    disks: [
      { name: "b", size: 3 },
      { name: "a", size: 1 },
      { name: "c", size: 9 },
    ],
    byName: { x: { name: "x", size: 2 }, y: { name: "y", size: 5 } },
    loose: [{ name: "a", size: 7 }],
  };
  assert.deepEqual(errors(now, s, old), [
    'disks[0]: Invalid value: "object": size is immutable',
    'byName[x]: Invalid value: "object": size is immutable',
  ]);
});

test("values take their schema's CEL types; escaped property names; nulls are not validated", () => {
  const s: J = {
    type: "object",
    properties: {
      "max-size": { type: "integer" },
      when: { type: "string", format: "date-time" },
      every: { type: "string", format: "duration" },
      weight: { type: "number" },
      in: { type: "string" },
      opt: { type: "string", nullable: true, "x-kubernetes-validations": [{ rule: "self.size() > 100" }] },
    },
    "x-kubernetes-validations": [
      {
        rule: "self.max__dash__size == 3 && self.when < timestamp('2030-01-01T00:00:00Z') && self.every == duration('90s') && self.weight == 2.0 && self.__in__ == 'x'",
      },
    ],
  };
  assert.deepEqual(
    errors({ "max-size": 3, when: "2026-11-28T10:00:00Z", every: "1m30s", weight: 2, in: "x", opt: null }, s),
    [],
  );
  assert.equal(toCel(3, { type: "number" }), 3);
  assert.equal(toCel(3, { type: "integer" }), 3n);
  assert.equal(toCel(3, { "x-kubernetes-int-or-string": true }), 3n);
  assert.deepEqual(
    toCel(
      { apiVersion: "v1", kind: "K", metadata: { name: "n", labels: { a: "b" } } },
      { type: "object", properties: {} },
      true,
    ),
    {
      apiVersion: "v1",
      kind: "K",
      metadata: { name: "n" },
    },
  );
  assert.equal(escapeName("foo.bar/baz-qux__x"), "foo__dot__bar__slash__baz__dash__qux__underscores__x");
  assert.equal(escapeName("namespace"), "__namespace__");
  assert.equal(escapeName("has space"), undefined);
  assert.equal(normalizeFieldPath(".spec.replicas"), "spec.replicas");
  assert.equal(normalizeFieldPath(".spec['a.b']"), "spec[a.b]");
  assert.equal(normalizeFieldPath("spec"), undefined);
});

test("an evaluation error names the rule; an overload error says the arguments did not match", () => {
  const s: J = {
    type: "object",
    properties: {
      spec: {
        type: "object",
        "x-kubernetes-validations": [
          { rule: "self.limit > 0" },
          { rule: "self.v + 1 > 0", message: "v plus one" },
        ],
        properties: { limit: { type: "integer" }, v: { "x-kubernetes-int-or-string": true } },
      },
    },
  };
  const [missing, overload] = errors({ spec: { v: "x" } }, s);
  assert.equal(missing, 'spec: Invalid value: "object": no such key: limit evaluating rule: self.limit > 0');
  assert.match(
    overload,
    /^spec: Invalid value: "object": '.*overload.*': call arguments did not match a supported operator, function or macro signature for rule: v plus one$/,
  );
});

test("rules inside allOf run at their node; a schema without rules costs nothing", () => {
  const s: J = {
    type: "object",
    properties: {
      n: {
        type: "integer",
        allOf: [{ "x-kubernetes-validations": [{ rule: "self % 2 == 0", message: "even" }] }],
      },
    },
  };
  assert.deepEqual(errors({ n: 3 }, s), ['n: Invalid value: "integer": even']);
  assert.deepEqual(
    validateCustomResourceRules({ n: 3 }, undefined, {
      type: "object",
      properties: { n: { type: "integer" } },
    }),
    [],
  );
});
