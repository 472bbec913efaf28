import assert from "node:assert/strict";
import { test } from "node:test";
import {
  Aggregate,
  childOf,
  duplicate,
  ErrorList,
  ErrorType,
  forbidden,
  GoValue,
  goQuote,
  goStringSlice,
  indexOf,
  internalError,
  invalid,
  keyOf,
  newAggregate,
  newPath,
  notFound,
  notSupported,
  pathString,
  required,
  toAggregate,
  tooLong,
  tooMany,
  typeInvalid,
} from "./field-errors.ts";

test("paths render as upstream's field.Path.String()", () => {
  assert.equal(
    newPath("spec").child("containers").index(0).child("name").toString(),
    "spec.containers[0].name",
  );
  assert.equal(newPath("metadata", "labels").key("foo").toString(), "metadata.labels[foo]");
  assert.equal(newPath("a").child("b", "c").toString(), "a.b.c");
  assert.equal(newPath("spec").child("ports").index(2).key("x").toString(), "spec.ports[2][x]");
  assert.equal(newPath("a").child("b").root().toString(), "a");
  // A nil *Path prints "<nil>"; its children/subscripts start a fresh path.
  assert.equal(pathString(null), "<nil>");
  assert.equal(childOf(null, "key").toString(), "key");
  assert.equal(keyOf(null, "k").toString(), "[k]");
  assert.equal(indexOf(childOf(null, "values"), 0).toString(), "values[0]");
  assert.equal(keyOf(indexOf(childOf(null, "values"), 0), "x").toString(), "values[0][x]");
});

test("Error() equals Go's field.Error.Error() text", () => {
  const msg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
  assert.equal(
    invalid(newPath("metadata", "name"), "Foo", msg).error(),
    `metadata.name: Invalid value: "Foo": ${msg}`,
  );
  assert.equal(
    required(newPath("metadata", "name"), "name or generateName is required").error(),
    "metadata.name: Required value: name or generateName is required",
  );
  assert.equal(required(newPath("metadata", "namespace"), "").error(), "metadata.namespace: Required value");
  assert.equal(
    forbidden(newPath("metadata", "namespace"), "not allowed on this type").error(),
    "metadata.namespace: Forbidden: not allowed on this type",
  );
  assert.equal(
    duplicate(newPath("spec", "ports").index(1), "http").error(),
    'spec.ports[1]: Duplicate value: "http"',
  );
  assert.equal(notFound(newPath("spec", "volume"), "data").error(), 'spec.volume: Not found: "data"');
  assert.equal(internalError(newPath("spec"), new Error("boom")).error(), "spec: Internal error: boom");
  assert.equal(
    typeInvalid(newPath("spec", "x"), 5, "must be string").error(),
    "spec.x: Invalid value: 5: must be string",
  );
});

test("NotSupported lists the supported values quoted (upstream TestNotSupported)", () => {
  const e = notSupported(newPath("f"), "v", ["a", "b", "c"]);
  assert.equal(e.errorBody(), 'Unsupported value: "v": supported values: "a", "b", "c"');
  assert.equal(notSupported(newPath("f"), "v", []).errorBody(), 'Unsupported value: "v"');
  assert.equal(
    notSupported(newPath("spec", "restartPolicy"), "Sometimes", ["Always", "OnFailure", "Never"]).error(),
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
  );
});

test("TooLong and TooMany use the v1.32 wording", () => {
  assert.equal(
    tooLong(newPath("metadata", "annotations"), "", 262144).error(),
    "metadata.annotations: Too long: may not be more than 262144 bytes",
  );
  assert.equal(tooLong(newPath("x"), "", 1).errorBody(), "Too long: may not be more than 1 byte");
  assert.equal(tooLong(newPath("x"), "", -1).errorBody(), "Too long: value is too long");
  assert.equal(tooMany(newPath("items"), 10, 5).error(), "items: Too many: 10: must have at most 5 items");
  assert.equal(tooMany(newPath("items"), 2, 1).errorBody(), "Too many: 2: must have at most 1 item");
  assert.equal(tooMany(newPath("items"), -1, 5).errorBody(), "Too many: must have at most 5 items");
  assert.equal(tooMany(newPath("items"), 3, -1).errorBody(), "Too many: 3: has too many items");
});

test("bad values render like Go's fmt (upstream TestErrorBody)", () => {
  assert.equal(invalid(newPath("bla"), 2, "details").errorBody(), "Invalid value: 2: details");
  assert.equal(invalid(newPath("bla"), null, "details").errorBody(), 'Invalid value: "null": details');
  assert.equal(invalid(newPath("bla"), undefined, "details").errorBody(), 'Invalid value: "null": details');
  assert.equal(invalid(newPath("bla"), true, "details").errorBody(), "Invalid value: true: details");
  assert.equal(
    invalid(newPath("bla"), new GoValue("stringer"), "details").errorBody(),
    "Invalid value: stringer: details",
  );
  assert.equal(invalid(newPath("bla"), "", "").errorBody(), 'Invalid value: ""');
  assert.equal(
    invalid(newPath("v"), goStringSlice(["qux", "norf"]), "d").errorBody(),
    'Invalid value: []string{"qux", "norf"}: d',
  );
  assert.equal(
    invalid(newPath("v"), goStringSlice(null), "d").errorBody(),
    "Invalid value: []string(nil): d",
  );
  assert.equal(invalid(newPath("v"), goStringSlice([]), "d").errorBody(), "Invalid value: []string{}: d");
  // TestErrorUsefulMessage: a nil path and value still say something.
  assert.equal(invalid(null, null, "").error(), '<nil>: Invalid value: "null"');
});

test("goQuote matches strconv.Quote", () => {
  assert.equal(goQuote("abc"), '"abc"');
  assert.equal(goQuote('a"b\\c'), '"a\\"b\\\\c"');
  assert.equal(goQuote("\n\t\r"), '"\\n\\t\\r"');
  assert.equal(goQuote("\x00\x7f"), '"\\x00\\x7f"');
  assert.equal(goQuote("Māori ☃ 함"), '"Māori ☃ 함"');
  assert.equal(goQuote("\u200b"), '"\\u200b"');
  assert.equal(goQuote("\u{e0001}"), '"\\U000e0001"');
});

test("ToAggregate drops repeated messages (upstream TestToAggregate)", () => {
  const e = () => invalid(newPath("f"), "v", "d");
  const cases: [ErrorList | null, number][] = [
    [null, 0],
    [ErrorList.of_(), 0],
    [ErrorList.of_(e()), 1],
    [ErrorList.of_(e(), e()), 1],
    [ErrorList.of_(e(), internalError(newPath(""), new Error("e"))), 2],
  ];
  for (const [list, n] of cases) {
    const agg = list === null ? toAggregate(null) : list.toAggregate();
    if (n === 0) assert.equal(agg, null);
    else assert.equal(agg?.errors.length, n);
  }
});

test("an aggregate prints one message bare and several as [a, b]", () => {
  const a = invalid(newPath("a"), "x", "bad");
  const b = required(newPath("b"), "");
  assert.equal(toAggregate([a])?.error(), 'a: Invalid value: "x": bad');
  assert.equal(toAggregate([a, b])?.error(), '[a: Invalid value: "x": bad, b: Required value]');
  assert.equal(toAggregate([a, b, a])?.message, '[a: Invalid value: "x": bad, b: Required value]');
  // Nested aggregates are flattened, duplicates across them dropped.
  const nested = new Aggregate([new Aggregate([a, b]), new Error("c"), a]);
  assert.equal(nested.error(), '[a: Invalid value: "x": bad, b: Required value, c]');
  assert.equal(newAggregate([null, undefined]), null);
  assert.ok(toAggregate([a]) instanceof Error);
});

test("ErrorList filters by type", () => {
  const list = ErrorList.of_(
    invalid(newPath("test.field"), "", ""),
    invalid(newPath("field.test"), "", ""),
    duplicate(newPath("test"), "value"),
  );
  assert.equal(list.filterOutTypes(ErrorType.Duplicate).length, 2);
  assert.equal(list.filterOutTypes(ErrorType.Invalid).length, 1);
});
