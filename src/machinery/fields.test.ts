// Cases ported from k8s.io/apimachinery/pkg/fields/selector_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  andSelectors,
  defaultMetaV1FieldSelectorConversion,
  escapeValue,
  everything,
  fieldLabelConversion,
  oneTermEqualSelector,
  parseAndTransformSelector,
  parseSelector,
  selectorFromSet,
  splitTerm,
  splitTerms,
  unescapeValue,
} from "./fields.ts";

test("good selectors round-trip, bad ones fail (TestSelectorParse)", () => {
  for (const s of ["x=a,y=b,z=c", "", "x!=a,y=b", "x=a||y\\=b", "x=a\\=\\=b"]) {
    assert.equal(parseSelector(s).toString(), s, s);
  }
  for (const s of ["x=a||y=b", "x==a==b", "x=a,b", "x in (a)", "x in (a,b,c)", "x"]) {
    assert.throws(() => parseSelector(s), s);
  }
});

test("parse errors carry upstream's messages", () => {
  assert.throws(() => parseSelector("x=a,b"), { message: "invalid selector: 'x=a,b'; can't understand 'b'" });
  assert.throws(() => parseSelector("x in (a)"), {
    message: "invalid selector: 'x in (a)'; can't understand 'x in (a)'",
  });
  // Go prints the offending rune with %v: its code point.
  assert.throws(() => parseSelector("x=a||y=b"), {
    message: "invalid field selector: unescaped character in value: 61",
  });
  assert.throws(() => parseSelector("x=a\\b"), {
    message: "invalid field selector: invalid escape sequence: \\b",
  });
});

test("parsing is deterministic", () => {
  assert.equal(parseSelector("x=a,a=x").toString(), parseSelector("a=x,x=a").toString());
  assert.equal(parseSelector("x=a,a=x").toString(), "a=x,x=a");
  assert.equal(parseSelector("a==b").toString(), "a=b");
});

test("matches (TestSelectorMatches)", () => {
  const yes: [string, Record<string, string>][] = [
    ["", { x: "y" }],
    ["x=y", { x: "y" }],
    ["x=y,z=w", { x: "y", z: "w" }],
    ["x!=y,z!=w", { x: "z", z: "a" }],
    ["notin=in", { notin: "in" }],
    ["foo=bar", { foo: "bar", baz: "blah" }],
    ["baz=blah", { foo: "bar", baz: "blah" }],
    ["foo=bar,baz=blah", { foo: "bar", baz: "blah" }],
    ["spec.nodeName=", {}],
    ["x!=y", {}],
  ];
  const no: [string, Record<string, string>][] = [
    ["x=y", { x: "z" }],
    ["x=y,z=w", { x: "w", z: "w" }],
    ["x!=y,z!=w", { x: "z", z: "w" }],
    ["foo=blah", { foo: "bar", baz: "blah" }],
    ["baz=bar", { foo: "bar", baz: "blah" }],
    ["foo=bar,foobar=bar,baz=blah", { foo: "bar", baz: "blah" }],
    ["spec.nodeName=", { "spec.nodeName": "n1" }],
  ];
  for (const [s, f] of yes) assert.equal(parseSelector(s).matches(f), true, `${s} ${JSON.stringify(f)}`);
  for (const [s, f] of no) assert.equal(parseSelector(s).matches(f), false, `${s} ${JSON.stringify(f)}`);
  assert.equal(parseSelector("a=x\\,y").matches({ a: "x,y" }), true);
});

test("OneTermEqualSelector, SelectorFromSet, Everything", () => {
  assert.equal(oneTermEqualSelector("x", "y").matches({ x: "y" }), true);
  assert.equal(oneTermEqualSelector("x", "y").matches({ x: "z" }), false);
  const fieldset = { foo: "bar", baz: "blah" };
  for (const set of [{}, { foo: "bar" }, { baz: "blah" }, { foo: "bar", baz: "blah" }] as Record<
    string,
    string
  >[]) {
    assert.equal(selectorFromSet(set).matches(fieldset), true);
  }
  for (const set of [
    { foo: "=blah" },
    { baz: "=bar" },
    { foo: "=bar", foobar: "bar", baz: "blah" },
  ] as Record<string, string>[]) {
    assert.equal(selectorFromSet(set).matches(fieldset), false);
  }
  assert.equal(selectorFromSet(null).empty(), true);
  assert.equal(selectorFromSet({}).empty(), true);
  assert.equal(everything().matches({ x: "y" }), true);
  assert.equal(everything().empty(), true);
  assert.equal(andSelectors(andSelectors()).empty(), true);
  assert.equal(andSelectors(oneTermEqualSelector("a", "b")).empty(), false);
});

test("RequiresExactMatch (TestRequiresExactMatch)", () => {
  assert.equal(selectorFromSet({}).requiresExactMatch("test"), undefined);
  assert.equal(oneTermEqualSelector("a", "b").requiresExactMatch("test"), undefined);
  assert.equal(oneTermEqualSelector("test", "b").requiresExactMatch("test"), "b");
  assert.equal(oneTermEqualSelector("test", "").requiresExactMatch("test"), "");
  assert.equal(parseSelector("test!=b").requiresExactMatch("test"), undefined);
  assert.equal(andSelectors().requiresExactMatch("test"), undefined);
  assert.equal(andSelectors(andSelectors()).requiresExactMatch("test"), undefined);
  assert.equal(andSelectors(oneTermEqualSelector("test", "b")).requiresExactMatch("test"), "b");
  assert.equal(
    andSelectors(oneTermEqualSelector("", ""), oneTermEqualSelector("test", "b")).requiresExactMatch("test"),
    "b",
  );
  assert.equal(
    parseSelector("spec.nodeName=node-1,metadata.name=p").requiresExactMatch("spec.nodeName"),
    "node-1",
  );
});

test("requirements list field, operator and value", () => {
  assert.deepEqual(parseSelector("status.phase!=Running,spec.nodeName==n1").requirements(), [
    { field: "spec.nodeName", operator: "=", value: "n1" },
    { field: "status.phase", operator: "!=", value: "Running" },
  ]);
  assert.deepEqual(parseSelector("").requirements(), []);
});

test("SplitTerms (TestSplitTerms)", () => {
  const cases: [string, string[]][] = [
    ["a", ["a"]],
    ["a=avalue", ["a=avalue"]],
    ["a=avalue,b=bvalue", ["a=avalue", "b=bvalue"]],
    ["a=avalue,b==bvalue,c!=cvalue", ["a=avalue", "b==bvalue", "c!=cvalue"]],
    ["", []],
    ["a=a,", ["a=a", ""]],
    [",a=a", ["", "a=a"]],
    ["k=\\,,k2=v2", ["k=\\,", "k2=v2"]],
    ["k=\\\\,k2=v2", ["k=\\\\", "k2=v2"]],
    ["k=\\\\\\,,k2=v2", ["k=\\\\\\,", "k2=v2"]],
    ["k=\\a\\b\\", ["k=\\a\\b\\"]],
    ["k=\\", ["k=\\"]],
    ["함=수,목=록", ["함=수", "목=록"]],
  ];
  for (const [input, terms] of cases) assert.deepEqual(splitTerms(input), terms, input);
});

test("SplitTerm (TestSplitTerm)", () => {
  const cases: [string, { lhs: string; op: string; rhs: string } | null][] = [
    ["a=value", { lhs: "a", op: "=", rhs: "value" }],
    ["b==value", { lhs: "b", op: "==", rhs: "value" }],
    ["c!=value", { lhs: "c", op: "!=", rhs: "value" }],
    ["", null],
    ["a", null],
    ["k=\\,", { lhs: "k", op: "=", rhs: "\\," }],
    ["k=\\=", { lhs: "k", op: "=", rhs: "\\=" }],
    ["k=\\\\\\a\\b\\=\\,\\", { lhs: "k", op: "=", rhs: "\\\\\\a\\b\\=\\,\\" }],
    ["함=수", { lhs: "함", op: "=", rhs: "수" }],
  ];
  for (const [input, want] of cases) assert.deepEqual(splitTerm(input), want, input);
});

test("EscapeValue and UnescapeValue (TestEscapeValue, TestUnescapeValue)", () => {
  const esc: [string, string][] = [
    ["", ""],
    ["a", "a"],
    ["=", "\\="],
    [",", "\\,"],
    ["\\", "\\\\"],
    ["\\=\\,\\", "\\\\\\=\\\\\\,\\\\"],
  ];
  for (const [input, out] of esc) {
    assert.equal(escapeValue(input), out);
    assert.equal(unescapeValue(out), input);
  }
  const ok: [string, string][] = [
    ["", ""],
    ["a", "a"],
    ["\\\\", "\\"],
    ["\\=", "="],
    ["\\,", ","],
    ["\\\\\\,", "\\,"],
  ];
  for (const [input, out] of ok) assert.equal(unescapeValue(input), out, input);
  const errs: [string, string][] = [
    ["\\a", "invalid field selector: invalid escape sequence: \\a"],
    ["\\\\\\a", "invalid field selector: invalid escape sequence: \\a"],
    ["\\", "invalid field selector: invalid escape sequence: \\"],
    ["\\\\\\", "invalid field selector: invalid escape sequence: \\"],
    ["=", "invalid field selector: unescaped character in value: 61"],
    [",", "invalid field selector: unescaped character in value: 44"],
    ["a,", "invalid field selector: unescaped character in value: 44"],
  ];
  for (const [input, msg] of errs) assert.throws(() => unescapeValue(input), { message: msg }, input);
});

test("transform applies the kind's field-label conversion", () => {
  const podFields = fieldLabelConversion(["spec.nodeName", "status.phase"], { "spec.host": "spec.nodeName" });
  const s = parseAndTransformSelector("spec.host=n1,metadata.name=p", podFields);
  assert.equal(s.toString(), "metadata.name=p,spec.nodeName=n1");
  assert.throws(() => parseAndTransformSelector("spec.foo=x", podFields), {
    message: "field label not supported: spec.foo",
  });
  assert.throws(() => parseSelector("a=b,spec.bar!=y").transform(podFields), {
    message: "field label not supported: a",
  });
  // A transform that clears a term drops it.
  const dropped = parseSelector("a=b,c=d").transform((f, v) => (f === "a" ? ["", ""] : [f, v]));
  assert.equal(dropped.toString(), "c=d");
  assert.throws(() => parseSelector("spec.x=1").transform(defaultMetaV1FieldSelectorConversion), {
    message: '"spec.x" is not a known field selector: only "metadata.name", "metadata.namespace"',
  });
});
