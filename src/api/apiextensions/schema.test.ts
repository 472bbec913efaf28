// Custom resources against their structural schema: pruning (after upstream's
// pruning/algorithm_test.go), defaulting (defaulting/algorithm_test.go) and
// validation with the messages kube-openapi and kubeOpenAPIResultToFieldErrors
// produce, asserted as the apiserver renders them.

import assert from "node:assert/strict";
import { test } from "node:test";
import {
  applyDefaults,
  goFloat,
  pruneNonNullableNulls,
  pruneObject,
  re2ToRegExp,
  type Schema,
  validateCustomResource,
} from "./schema.ts";

// biome-ignore lint/suspicious/noExplicitAny: test fixtures are free-form JSON
type J = Record<string, any>;

/** A CRD root schema with the given spec properties (and spec-level extras). */
function root(specProps: J, specExtra: J = {}): Schema {
  return {
    type: "object",
    properties: {
      apiVersion: { type: "string" },
      kind: { type: "string" },
      metadata: { type: "object" },
      spec: { type: "object", properties: specProps, ...specExtra },
    },
  };
}

function cr(spec: J): J {
  return { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "w" }, spec };
}

/** The rendered messages of validating `spec` under a schema of spec properties. */
function errs(specProps: J, spec: J, specExtra: J = {}): string[] {
  return validateCustomResource(cr(spec), root(specProps, specExtra)).map((e) => e.error());
}

// --- pruning -------------------------------------------------------------------------------------

test("pruning keeps apiVersion, kind and metadata at the root and reports sorted paths", () => {
  const obj: J = {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w", unknownMeta: 1 },
    spec: { replicas: 1, junk: { a: 1 }, nested: { keep: "x", drop: true } },
    status: { phase: "x" },
    zzz: 1,
  };
  const schema = root({
    replicas: { type: "integer" },
    nested: { type: "object", properties: { keep: { type: "string" } } },
  });
  assert.deepEqual(pruneObject(obj, schema), ["spec.junk", "spec.nested.drop", "status", "zzz"]);
  assert.deepEqual(obj, {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w", unknownMeta: 1 },
    spec: { replicas: 1, nested: { keep: "x" } },
  });
});

test("pruning without a schema keeps only the type and object meta", () => {
  const obj: J = { apiVersion: "v1", kind: "K", metadata: { name: "a" }, spec: { a: 1 } };
  assert.deepEqual(pruneObject(obj, null), ["spec"]);
  assert.deepEqual(obj, { apiVersion: "v1", kind: "K", metadata: { name: "a" } });
});

test("pruning descends into array items and objects without properties", () => {
  const obj = cr({
    items: [{ name: "a", bar: 1 }, { name: "b" }, { name: "c", bar: 2, baz: [1] }],
    matrix: [[{ x: 1, y: 2 }]],
    opaque: { a: 1, b: { c: 2 } },
    scalars: [1, "two", null],
  });
  const schema = root({
    items: { type: "array", items: { type: "object", properties: { name: { type: "string" } } } },
    matrix: {
      type: "array",
      items: { type: "array", items: { type: "object", properties: { x: { type: "integer" } } } },
    },
    opaque: { type: "object" },
    scalars: { type: "array", items: { "x-kubernetes-int-or-string": true } },
  });
  assert.deepEqual(pruneObject(obj, schema), [
    "spec.items[0].bar",
    "spec.items[2].bar",
    "spec.items[2].baz",
    "spec.matrix[0][0].y",
    "spec.opaque.a",
    "spec.opaque.b",
  ]);
  assert.deepEqual(obj.spec, {
    items: [{ name: "a" }, { name: "b" }, { name: "c" }],
    matrix: [[{ x: 1 }]],
    opaque: {},
    scalars: [1, "two", null],
  });
});

test("x-kubernetes-preserve-unknown-fields keeps unknown fields but prunes inside specified ones", () => {
  const obj = cr({ unknown: { deep: 1 }, known: { a: "x", junk: 1 }, list: [{ a: 1, b: 2 }] });
  const schema = root(
    {
      known: { type: "object", properties: { a: { type: "string" } } },
      list: { type: "array", items: { type: "object", properties: { a: { type: "integer" } } } },
    },
    { "x-kubernetes-preserve-unknown-fields": true },
  );
  assert.deepEqual(pruneObject(obj, schema), ["spec.known.junk", "spec.list[0].b"]);
  assert.deepEqual(obj.spec, { unknown: { deep: 1 }, known: { a: "x" }, list: [{ a: 1 }] });

  const whole: J = { apiVersion: "v1", kind: "K", metadata: {}, anything: { goes: true } };
  assert.deepEqual(pruneObject(whole, { type: "object", "x-kubernetes-preserve-unknown-fields": true }), []);
  assert.deepEqual(whole.anything, { goes: true });
});

test("additionalProperties: the keys are kept, their values pruned by the schema", () => {
  const obj = cr({
    byName: { a: { port: 1, junk: 2 }, b: { port: 2 } },
    free: { x: "scalar", y: { nested: 1 } },
  });
  const schema = root({
    byName: {
      type: "object",
      additionalProperties: { type: "object", properties: { port: { type: "integer" } } },
    },
    // additionalProperties: true has no structural schema: maps under it are emptied, as upstream.
    free: { type: "object", additionalProperties: true },
  });
  assert.deepEqual(pruneObject(obj, schema), ["spec.byName.a.junk", "spec.free.y.nested"]);
  assert.deepEqual(obj.spec, { byName: { a: { port: 1 }, b: { port: 2 } }, free: { x: "scalar", y: {} } });
});

test("x-kubernetes-embedded-resource keeps apiVersion, kind and metadata of the embedded object", () => {
  const obj = cr({
    template: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", whatever: 1 },
      spec: { containers: [], junk: 1 },
      other: 1,
    },
    plain: { apiVersion: "v1", kind: "Pod", metadata: {} },
  });
  const schema = root({
    template: {
      type: "object",
      "x-kubernetes-embedded-resource": true,
      properties: {
        spec: { type: "object", properties: { containers: { type: "array", items: { type: "object" } } } },
      },
    },
    plain: { type: "object", properties: {} },
  });
  assert.deepEqual(pruneObject(obj, schema), [
    "spec.plain.apiVersion",
    "spec.plain.kind",
    "spec.plain.metadata",
    "spec.template.other",
    "spec.template.spec.junk",
  ]);
  assert.deepEqual(obj.spec.template, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", whatever: 1 },
    spec: { containers: [] },
  });
  assert.deepEqual(obj.spec.plain, {});
});

// --- nulls and defaults -------------------------------------------------------------------------

test("defaults fill missing fields, recursively and into what was just defaulted", () => {
  const schema = root({
    replicas: { type: "integer", default: 1 },
    mode: { type: "string", default: "auto" },
    template: {
      type: "object",
      default: {},
      properties: {
        image: { type: "string", default: "nginx" },
        pull: { type: "string", default: "Always" },
      },
    },
  });
  const obj = cr({ mode: "manual" });
  applyDefaults(obj, schema);
  assert.deepEqual(obj.spec, {
    mode: "manual",
    replicas: 1,
    template: { image: "nginx", pull: "Always" },
  });
  // Not into the metadata or anything the schema does not describe.
  assert.deepEqual(obj.metadata, { name: "w" });
});

test("defaults apply to array items and additionalProperties values", () => {
  const schema = root({
    ports: {
      type: "array",
      items: { type: "object", properties: { protocol: { type: "string", default: "TCP" } } },
    },
    limits: {
      type: "object",
      additionalProperties: { type: "object", properties: { unit: { type: "string", default: "Mi" } } },
    },
  });
  const obj = cr({ ports: [{ port: 80 }, { port: 53, protocol: "UDP" }], limits: { mem: { value: 1 } } });
  applyDefaults(obj, schema);
  assert.deepEqual(obj.spec.ports, [
    { port: 80, protocol: "TCP" },
    { port: 53, protocol: "UDP" },
  ]);
  assert.deepEqual(obj.spec.limits, { mem: { value: 1, unit: "Mi" } });
});

test("defaults are deep copies and replace non-nullable nulls", () => {
  const schema = root({
    a: { type: "object", default: { list: [1, 2] } },
    b: { type: "object", default: { list: [1, 2] } },
    c: { type: "string", default: "x" },
    d: { type: "string", nullable: true, default: "x" },
    items: { type: "array", items: { type: "string", default: "item" } },
  });
  const obj = cr({ c: null, d: null, items: ["a", null] });
  applyDefaults(obj, schema);
  obj.spec.a.list.push(3);
  assert.deepEqual(obj.spec.b, { list: [1, 2] });
  assert.deepEqual(schema.properties.spec.properties.a.default, { list: [1, 2] });
  assert.equal(obj.spec.c, "x");
  assert.equal(obj.spec.d, null);
  assert.deepEqual(obj.spec.items, ["a", "item"]);
});

test("non-nullable nulls without a default are dropped", () => {
  const schema = root({
    a: { type: "string" },
    b: { type: "string", nullable: true },
    c: { type: "string", default: "x" },
    m: { type: "object", additionalProperties: { type: "string" } },
  });
  const obj = cr({ a: null, b: null, c: null, m: { k: null } });
  pruneNonNullableNulls(obj, schema);
  assert.deepEqual(obj.spec, { b: null, c: null, m: {} });
});

// --- validation: types --------------------------------------------------------------------------

test("the examples of the apiserver", () => {
  assert.deepEqual(
    errs(
      {
        replicas: { type: "integer", maximum: 10 },
        cronSpec: { type: "string" },
        image: { type: "string" },
        mode: { type: "string", enum: ["a", "b"] },
      },
      { replicas: 15, cronSpec: 5, mode: "c" },
      { required: ["cronSpec", "image"] },
    ),
    [
      "spec.replicas: Invalid value: 15: spec.replicas in body should be less than or equal to 10",
      'spec.cronSpec: Invalid value: "integer": spec.cronSpec in body must be of type string: "integer"',
      'spec.mode: Unsupported value: "c": supported values: "a", "b"',
      "spec.image: Required value",
    ],
  );
});

test("type checks with their decoded type names", () => {
  const props = {
    s: { type: "string" },
    i: { type: "integer" },
    n: { type: "number" },
    b: { type: "boolean" },
    a: { type: "array", items: { type: "string" } },
    o: { type: "object" },
  };
  assert.deepEqual(errs(props, { s: "x", i: 1, n: 1, b: false, a: [], o: {} }), []);
  assert.deepEqual(errs(props, { n: 1.5 }), []);
  assert.deepEqual(errs(props, { s: true, i: 1.5, n: "1", b: "true", a: {}, o: [] }), [
    'spec.s: Invalid value: "boolean": spec.s in body must be of type string: "boolean"',
    'spec.i: Invalid value: "number": spec.i in body must be of type integer: "number"',
    'spec.n: Invalid value: "string": spec.n in body must be of type number: "string"',
    'spec.b: Invalid value: "string": spec.b in body must be of type boolean: "string"',
    'spec.a: Invalid value: "object": spec.a in body must be of type array: "object"',
    'spec.o: Invalid value: "array": spec.o in body must be of type object: "array"',
  ]);
  assert.deepEqual(
    validateCustomResource(cr({}), root({}, { type: "object" })).map((e) => e.error()),
    [],
  );
  assert.deepEqual(
    validateCustomResource({ ...cr({}), spec: "x" }, root({})).map((e) => e.error()),
    ['spec: Invalid value: "string": spec in body must be of type object: "string"'],
  );
});

test("nullable and null values", () => {
  const props = { s: { type: "string" }, t: { type: "string", nullable: true }, o: { type: "object" } };
  assert.deepEqual(errs(props, { t: null }), []);
  assert.deepEqual(errs(props, { s: null, o: null }), [
    'spec.s: Invalid value: "null": spec.s in body must be of type string: "null"',
    'spec.o: Invalid value: "null": spec.o in body must be of type object: "null"',
  ]);
});

test("x-kubernetes-int-or-string takes integers and strings", () => {
  const props = { port: { "x-kubernetes-int-or-string": true } };
  assert.deepEqual(errs(props, { port: 80 }), []);
  assert.deepEqual(errs(props, { port: "http" }), []);
  assert.deepEqual(errs(props, { port: true }), [
    'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
  ]);
  assert.deepEqual(errs(props, { port: 1.5 }), [
    'spec.port: Invalid value: "number": spec.port in body must be of type integer,string: "number"',
  ]);
});

// --- validation: formats ------------------------------------------------------------------------

test("formats kube-openapi checks", () => {
  const cases: Array<[string, string[], string[]]> = [
    ["date", ["2024-02-29", "0001-01-01"], ["2023-02-29", "2024-1-01", "20240101"]],
    [
      "date-time",
      ["2024-01-01T10:00:00Z", "2024-01-01t10:00:00.5+02:00"],
      ["2024-01-01 10:00:00", "2024-01-01T25:00:00Z"],
    ],
    ["datetime", ["2024-01-01T10:00:00Z"], ["yesterday"]],
    ["uuid", ["123e4567-e89b-12d3-a456-426614174000", "123E4567E89B12D3A456426614174000"], ["xyz"]],
    ["uuid4", ["123e4567-e89b-42d3-a456-426614174000"], ["123e4567-e89b-12d3-a456-426614174000"]],
    ["byte", ["aGVsbG8=", "aGk="], ["not base64!", "aGVsbG8"]],
    ["ipv4", ["10.0.0.1", "::ffff:10.0.0.1"], ["10.0.0.01", "::1", "10.0.0"]],
    ["ipv6", ["::1", "2001:db8::1"], ["10.0.0.1", "2001:db8::g"]],
    ["cidr", ["10.0.0.0/8", "2001:db8::/64"], ["10.0.0.0/33", "10.0.0.0"]],
    ["hostname", ["example.com", "a", "xn--bcher-kva.example"], ["-bad-", "a..b", "under_score"]],
    ["email", ["a@b.com", "John Doe <john@example.com>", "<a@b.c>"], ["not-an-email", "a@", "@b.com"]],
    ["uri", ["https://example.com/x?y=1", "/abs/path", "mailto:a@b.c"], ["relative/path", "", "http://a b/"]],
    ["mac", ["01:23:45:67:89:ab", "01-23-45-67-89-AB", "0123.4567.89ab"], ["01:23:45", "01:23:45:67:89:zz"]],
    ["duration", ["1h30m", "3 days", "10s"], ["forever", "1 fortnight"]],
    ["hexcolor", ["#fff", "A0B1C2"], ["#ffff"]],
    ["rgbcolor", ["rgb(255, 0, 10)"], ["rgb(256,0,0)"]],
    ["isbn10", ["0321751043"], ["0321751042"]],
    ["isbn13", ["978-0321751041"], ["978-0321751042"]],
    ["isbn", ["0321751043", "9780321751041"], ["123"]],
    ["creditcard", ["4111 1111 1111 1111"], ["4111 1111 1111 1112"]],
    ["ssn", ["123-45-6789"], ["123456789"]],
    ["bsonobjectid", ["507f1f77bcf86cd799439011"], ["507f1f77bcf86cd79943901"]],
    ["password", ["anything"], []],
  ];
  for (const [format, good, bad] of cases) {
    const props = { v: { type: "string", format } };
    for (const v of good) assert.deepEqual(errs(props, { v }), [], `${format} ${v}`);
    for (const v of bad) {
      assert.deepEqual(
        errs(props, { v }),
        [
          `spec.v: Invalid value: ${JSON.stringify(v)}: spec.v in body must be of type ${format}: ${JSON.stringify(v)}`,
        ],
        `${format} ${v}`,
      );
    }
  }
});

test("formats apiextensions does not support are ignored", () => {
  const props = {
    i32: { type: "integer", format: "int32" },
    f: { type: "number", format: "float" },
    custom: { type: "string", format: "my-format" },
  };
  assert.deepEqual(errs(props, { i32: 2 ** 40, f: 1e300, custom: "whatever" }), []);
});

test("a format on a non-string type reports the decoded format", () => {
  assert.deepEqual(errs({ at: { type: "string", format: "date-time" } }, { at: 5 }), [
    'spec.at: Invalid value: "int64": spec.at in body must be of type date-time: "int64"',
  ]);
});

// --- validation: values -------------------------------------------------------------------------

test("enum", () => {
  const props = {
    mode: { type: "string", enum: ["a", "b"] },
    n: { type: "integer", enum: [1, 2] },
    r: { type: "number", enum: [0.5] },
    o: { type: "object", enum: [{ a: 1 }] },
  };
  assert.deepEqual(errs(props, { mode: "a", n: 2, r: 0.5, o: { a: 1 } }), []);
  assert.deepEqual(errs(props, { mode: "c", n: 3, r: 1.5, o: { a: 2 } }), [
    'spec.mode: Unsupported value: "c": supported values: "a", "b"',
    'spec.n: Unsupported value: 3: supported values: "1", "2"',
    'spec.r: Unsupported value: 1.5: supported values: "0.5"',
    'spec.o: Unsupported value: map[string]interface {}{"a":2}: supported values: "{\\"a\\":1}"',
  ]);
});

test("required, at any depth", () => {
  const props = {
    template: {
      type: "object",
      required: ["name"],
      properties: { name: { type: "string" } },
    },
    items: {
      type: "array",
      items: { type: "object", required: ["name", "port"], properties: { name: { type: "string" } } },
    },
  };
  assert.deepEqual(errs(props, { template: {}, items: [{ name: "a", port: 1 }, { port: 2 }, {}] }), [
    "spec.template.name: Required value",
    "spec.items[1].name: Required value",
    "spec.items[2].name: Required value",
    "spec.items[2].port: Required value",
  ]);
  assert.deepEqual(
    validateCustomResource(
      { apiVersion: "v1", kind: "K", metadata: {} },
      { type: "object", required: ["spec"] },
    ).map((e) => e.error()),
    ["spec: Required value"],
  );
});

test("maximum, minimum and their exclusive forms", () => {
  const props = {
    a: { type: "integer", maximum: 10 },
    b: { type: "integer", maximum: 10, exclusiveMaximum: true },
    c: { type: "integer", minimum: 1 },
    d: { type: "integer", minimum: 0, exclusiveMinimum: true },
    e: { type: "number", maximum: 1 },
    f: { type: "number", minimum: 0.5 },
  };
  assert.deepEqual(errs(props, { a: 10, b: 9, c: 1, d: 1, e: 1, f: 0.5 }), []);
  assert.deepEqual(errs(props, { a: 11, b: 10, c: 0, d: 0, e: 1.5, f: 0.25 }), [
    "spec.a: Invalid value: 11: spec.a in body should be less than or equal to 10",
    "spec.b: Invalid value: 10: spec.b in body should be less than 10",
    "spec.c: Invalid value: 0: spec.c in body should be greater than or equal to 1",
    "spec.d: Invalid value: 0: spec.d in body should be greater than 0",
    "spec.e: Invalid value: 1.5: spec.e in body should be less than or equal to 1",
    "spec.f: Invalid value: 0.25: spec.f in body should be greater than or equal to 0.5",
  ]);
  // Go's %v of a float64 bound.
  assert.deepEqual(errs({ big: { type: "number", maximum: 1000000 } }, { big: 1000000.5 }), [
    "spec.big: Invalid value: 1.0000005e+06: spec.big in body should be less than or equal to 1e+06",
  ]);
});

test("multipleOf", () => {
  const props = { n: { type: "integer", multipleOf: 3 }, f: { type: "number", multipleOf: 0.1 } };
  assert.deepEqual(errs(props, { n: 9, f: 0.3 }), []);
  assert.deepEqual(errs(props, { n: 7, f: 0.35 }), [
    "spec.n: Invalid value: 7: spec.n in body should be a multiple of 3",
    "spec.f: Invalid value: 0.35: spec.f in body should be a multiple of 0.1",
  ]);
});

test("maxLength, minLength and pattern (one error per string)", () => {
  const props = {
    name: { type: "string", maxLength: 5, minLength: 3, pattern: "^[a-z]+$" },
    one: { type: "string", maxLength: 1 },
  };
  // Lengths count runes (the message still says bytes, as upstream).
  assert.deepEqual(errs(props, { name: "abc", one: "é" }), []);
  assert.deepEqual(errs(props, { name: "abcdefg", one: "ab" }), [
    "spec.name: Too long: may not be more than 5 bytes",
    "spec.one: Too long: may not be more than 1 byte",
  ]);
  assert.deepEqual(errs(props, { name: "ab" }), [
    'spec.name: Invalid value: "ab": spec.name in body should be at least 3 chars long',
  ]);
  assert.deepEqual(errs(props, { name: "ABC" }), [
    "spec.name: Invalid value: \"ABC\": spec.name in body should match '^[a-z]+$'",
  ]);
});

test("RE2 patterns", () => {
  const match = (pattern: string, s: string) => re2ToRegExp(pattern)!.test(s);
  assert.ok(match("(?i)^abc$", "ABC"));
  assert.ok(match("\\Aab\\z", "ab"));
  assert.ok(!match("\\Aab\\z", "ab\n"));
  assert.ok(!match("^\\s$", "\v")); // RE2's \s is ASCII without \v
  assert.ok(match("^a.b$", "a\rb")); // RE2's . matches \r
  assert.ok(!match("^a.b$", "a\nb"));
  assert.ok(match("(?s)^a.b$", "a\nb"));
  assert.ok(match("^[[:digit:]]+$", "123"));
  assert.ok(match("^\\Q1.5\\E$", "1.5"));
  assert.ok(!match("^\\Q1.5\\E$", "105"));
  assert.ok(match("^\\pL+$", "héllo"));
  assert.ok(match("^\\p{Greek}+$", "αβγ"));
  assert.ok(match("^(?P<word>\\w+)$", "abc"));
  assert.ok(match("^a{$", "a{"));
  assert.ok(match("^[]a]+$", "]a"));
  assert.ok(match("^\\x{41}\\-$", "A-"));
  assert.ok(match("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$", "my-name"));
  // Not RE2 at all: no check rather than a wrong one.
  assert.equal(re2ToRegExp("(?=a)"), null);
  assert.deepEqual(errs({ v: { type: "string", pattern: "(?=a)" } }, { v: "b" }), []);
});

test("maxItems, minItems and uniqueItems", () => {
  const props = {
    few: { type: "array", minItems: 2, items: { type: "string" } },
    many: { type: "array", maxItems: 2, items: { type: "string" } },
    uniq: { type: "array", uniqueItems: true, items: { type: "object" } },
  };
  assert.deepEqual(errs(props, { few: ["a", "b"], many: ["a"], uniq: [{ a: 1 }, { a: 2 }] }), []);
  assert.deepEqual(errs(props, { few: ["a"], many: ["a", "b", "c"], uniq: [{ a: 1 }, { a: 1 }] }), [
    "spec.few: Invalid value: 1: spec.few in body should have at least 2 items",
    "spec.many: Too many: 3: must have at most 2 items",
    'spec.uniq: Invalid value: "": spec.uniq in body shouldn\'t contain duplicates',
  ]);
  // Items are checked before the array's own limits.
  assert.deepEqual(errs(props, { many: ["a", 1, "c"] }), [
    'spec.many[1]: Invalid value: "integer": spec.many[1] in body must be of type string: "integer"',
    "spec.many: Too many: 3: must have at most 2 items",
  ]);
});

test("maxProperties, minProperties and additionalProperties", () => {
  const props = {
    labels: { type: "object", minProperties: 1, maxProperties: 2, additionalProperties: { type: "string" } },
  };
  assert.deepEqual(errs(props, { labels: { a: "x" } }), []);
  assert.deepEqual(errs(props, { labels: {} }), [
    "spec.labels: Invalid value: 0: spec.labels in body should have at least 1 properties",
  ]);
  // Too many properties is all the object validator says: their values are not looked at then.
  assert.deepEqual(errs(props, { labels: { a: "x", b: 1, c: "z" } }), [
    "spec.labels: Too many: 3: must have at most 2 items",
  ]);
  assert.deepEqual(errs(props, { labels: { a: "x", b: 1 } }), [
    'spec.labels.b: Invalid value: "integer": spec.labels.b in body must be of type string: "integer"',
  ]);
});

test("the root's metadata, apiVersion and kind are left to the caller", () => {
  const schema: Schema = {
    type: "object",
    properties: {
      apiVersion: { type: "string", enum: ["nope"] },
      kind: { type: "string", maxLength: 1 },
      metadata: { type: "object", properties: { name: { type: "string", maxLength: 3 } } },
      spec: { type: "object" },
    },
  };
  const obj = { apiVersion: "example.com/v1", kind: "Widget", metadata: { name: "too-long" }, spec: {} };
  assert.deepEqual(validateCustomResource(obj, schema), []);
});

// --- validation: allOf, anyOf, oneOf, not --------------------------------------------------------

test("anyOf reports its summary and the failures of the best alternative", () => {
  const props = { port: { type: "object", anyOf: [{ required: ["a"] }, { required: ["b"] }] } };
  assert.deepEqual(errs(props, { port: { b: 1 } }), []);
  assert.deepEqual(errs(props, { port: {} }), [
    '<nil>: Invalid value: "": "spec.port" must validate at least one schema (anyOf)',
    "spec.port.a: Required value",
  ]);
  const intOrString = {
    v: {
      "x-kubernetes-int-or-string": true,
      anyOf: [
        { type: "integer", minimum: 1 },
        { type: "string", pattern: "^[0-9]+%$" },
      ],
    },
  };
  assert.deepEqual(errs(intOrString, { v: 5 }), []);
  assert.deepEqual(errs(intOrString, { v: "50%" }), []);
  assert.deepEqual(errs(intOrString, { v: 0 }), [
    '<nil>: Invalid value: "": "spec.v" must validate at least one schema (anyOf)',
    "spec.v: Invalid value: 0: spec.v in body should be greater than or equal to 1",
  ]);
});

test("oneOf wants exactly one valid alternative", () => {
  const props = { port: { type: "object", oneOf: [{ required: ["a"] }, { required: ["b"] }] } };
  assert.deepEqual(errs(props, { port: { a: 1 } }), []);
  assert.deepEqual(errs(props, { port: { a: 1, b: 2 } }), [
    '<nil>: Invalid value: "": "spec.port" must validate one and only one schema (oneOf). Found 2 valid alternatives',
  ]);
  assert.deepEqual(errs(props, { port: {} }), [
    '<nil>: Invalid value: "": "spec.port" must validate one and only one schema (oneOf). Found none valid',
    "spec.port.a: Required value",
  ]);
});

test("allOf reports every failure, then its summary", () => {
  const props = { port: { type: "object", allOf: [{ required: ["a"] }, { required: ["b"] }] } };
  assert.deepEqual(errs(props, { port: { a: 1, b: 1 } }), []);
  assert.deepEqual(errs(props, { port: { a: 1 } }), [
    "spec.port.b: Required value",
    '<nil>: Invalid value: "": "spec.port" must validate all the schemas (allOf)',
  ]);
  assert.deepEqual(errs(props, { port: {} }), [
    "spec.port.a: Required value",
    "spec.port.b: Required value",
    '<nil>: Invalid value: "": "spec.port" must validate all the schemas (allOf). None validated',
  ]);
});

test("not", () => {
  const props = { port: { type: "object", not: { required: ["a"] } } };
  assert.deepEqual(errs(props, { port: { b: 1 } }), []);
  assert.deepEqual(errs(props, { port: { a: 1 } }), [
    '<nil>: Invalid value: "": "spec.port" must not validate the schema (not)',
  ]);
});

// --- validation: list types ---------------------------------------------------------------------

test("x-kubernetes-list-type set reports the second appearance of each duplicate", () => {
  const props = { tags: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } } };
  assert.deepEqual(errs(props, { tags: ["a", "b"] }), []);
  assert.deepEqual(errs(props, { tags: ["a", "b", "a", "a", "b"] }), [
    'spec.tags[2]: Duplicate value: "a"',
    'spec.tags[4]: Duplicate value: "b"',
  ]);
  const nums = { ns: { type: "array", "x-kubernetes-list-type": "set", items: { type: "integer" } } };
  assert.deepEqual(errs(nums, { ns: [1, 2, 1] }), ["spec.ns[2]: Duplicate value: 1"]);
});

test("x-kubernetes-list-type map reports duplicate keys", () => {
  const single = {
    ports: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["name"],
      items: { type: "object", properties: { name: { type: "string" }, port: { type: "integer" } } },
    },
  };
  assert.deepEqual(errs(single, { ports: [{ name: "a" }, { name: "b" }] }), []);
  assert.deepEqual(
    errs(single, { ports: [{ name: "a" }, { name: "b" }, { name: "a", port: 1 }, { port: 2 }, { port: 3 }] }),
    [
      'spec.ports[2]: Duplicate value: map[string]interface {}{"name":"a"}',
      "spec.ports[4]: Duplicate value: map[string]interface {}{}",
    ],
  );
  const multi = {
    ports: {
      type: "array",
      "x-kubernetes-list-type": "map",
      "x-kubernetes-list-map-keys": ["port", "protocol"],
      items: { type: "object", properties: { port: { type: "integer" }, protocol: { type: "string" } } },
    },
  };
  assert.deepEqual(
    errs(multi, {
      ports: [
        { port: 80, protocol: "TCP" },
        { port: 80, protocol: "UDP" },
        { port: 80, protocol: "TCP" },
      ],
    }),
    ['spec.ports[2]: Duplicate value: map[string]interface {}{"port":80, "protocol":"TCP"}'],
  );
  assert.deepEqual(errs({ m: { ...single.ports, items: {} } }, { m: ["a"] }), [
    'spec.m[0]: Invalid value: "a": must be an object for an array of list-type map',
  ]);
});

test("list types nested under additionalProperties and items", () => {
  const props = {
    groups: {
      type: "object",
      additionalProperties: {
        type: "array",
        items: { type: "array", "x-kubernetes-list-type": "set", items: { type: "string" } },
      },
    },
  };
  assert.deepEqual(errs(props, { groups: { g: [["a"], ["b", "b"]] } }), [
    'spec.groups[g][1][1]: Duplicate value: "b"',
  ]);
});

// --- Go's float formatting ----------------------------------------------------------------------

test("goFloat prints as Go's %v", () => {
  assert.equal(goFloat(0.1), "0.1");
  assert.equal(goFloat(10.5), "10.5");
  assert.equal(goFloat(123456), "123456");
  assert.equal(goFloat(1234567), "1.234567e+06");
  assert.equal(goFloat(1e6), "1e+06");
  assert.equal(goFloat(0.0001), "0.0001");
  assert.equal(goFloat(0.00001), "1e-05");
  assert.equal(goFloat(-2.5e-7), "-2.5e-07");
  assert.equal(goFloat(1e21), "1e+21");
  assert.equal(goFloat(1e100), "1e+100");
});
