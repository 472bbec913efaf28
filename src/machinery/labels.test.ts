// Cases ported from k8s.io/apimachinery/pkg/labels/selector_test.go and
// pkg/apis/meta/v1/helpers_test.go (TestLabelSelectorAsSelector).
import assert from "node:assert/strict";
import { test } from "node:test";
import { newPath } from "./field-errors.ts";
import {
  everything,
  isSelectorError,
  labelSelectorAsSelector,
  newRequirement,
  nothing,
  Operator,
  parse,
  parseToRequirements,
  Requirement,
  type Selector,
  selectorFromSet,
  validatedSelectorFromSet,
} from "./labels.ts";

function parseError(s: string): string {
  try {
    parse(s);
  } catch (e) {
    assert.ok(isSelectorError(e), `${s}: unexpected error type`);
    return (e as Error).message;
  }
  assert.fail(`${s}: expected a parse error`);
}

test("good selectors round-trip through String() (TestSelectorParse)", () => {
  for (const s of ["x=a,y=b,z=c", "", "x!=a,y=b", "x=", "x= ", "x=,z= ", "x= ,z= ", "!x", "x>1", "x>1,z<5"]) {
    assert.equal(parse(s).toString(), s.replaceAll(" ", ""), s);
  }
  for (const s of ["x=a||y=b", "x==a==b", "!x=a", "x<a"]) assert.throws(() => parse(s), s);
});

test("parsing is deterministic (sorted by key)", () => {
  assert.equal(parse("x=a,a=x").toString(), parse("a=x,x=a").toString());
  assert.equal(parse("x=a,a=x").toString(), "a=x,x=a");
});

test("matches (TestSelectorMatches)", () => {
  const yes: [string, Record<string, string>][] = [
    ["", { x: "y" }],
    ["x=y", { x: "y" }],
    ["x=y,z=w", { x: "y", z: "w" }],
    ["x!=y,z!=w", { x: "z", z: "a" }],
    ["notin=in", { notin: "in" }],
    ["x", { x: "z" }],
    ["!x", { y: "z" }],
    ["x>1", { x: "2" }],
    ["x<1", { x: "0" }],
    ["foo=bar", { foo: "bar", baz: "blah" }],
    ["baz=blah", { foo: "bar", baz: "blah" }],
    ["foo=bar,baz=blah", { foo: "bar", baz: "blah" }],
    ["x in (a,b)", { x: "b" }],
    ["x notin (a,b)", { y: "a" }],
    ["x notin (a,b)", { x: "c" }],
  ];
  const no: [string, Record<string, string>][] = [
    ["x=z", {}],
    ["x=y", { x: "z" }],
    ["x=y,z=w", { x: "w", z: "w" }],
    ["x!=y,z!=w", { x: "z", z: "w" }],
    ["x", { y: "z" }],
    ["!x", { x: "z" }],
    ["x>1", { x: "0" }],
    ["x<1", { x: "2" }],
    ["x>1", { x: "v2" }],
    ["foo=blah", { foo: "bar", baz: "blah" }],
    ["baz=bar", { foo: "bar", baz: "blah" }],
    ["foo=bar,foobar=bar,baz=blah", { foo: "bar", baz: "blah" }],
    ["x in (a,b)", { x: "c" }],
  ];
  for (const [s, ls] of yes)
    assert.equal(parse(s).matches(ls), true, `${s} should match ${JSON.stringify(ls)}`);
  for (const [s, ls] of no)
    assert.equal(parse(s).matches(ls), false, `${s} should not match ${JSON.stringify(ls)}`);
  assert.equal(parse("x").matches(undefined), false);
  assert.equal(parse("!x").matches(undefined), true);
  // A label named like an Object.prototype member is not there unless set.
  assert.equal(parse("constructor").matches({}), false);
});

test("everything, nothing and sets", () => {
  assert.equal(everything().matches({ x: "y" }), true);
  assert.equal(everything().empty(), true);
  assert.equal(nothing().matches({ x: "y" }), false);
  assert.equal(nothing().empty(), false);
  assert.equal(nothing().requirements().selectable, false);
  assert.equal(selectorFromSet(undefined).empty(), true);
  assert.equal(selectorFromSet({}).empty(), true);
  const labelset = { foo: "bar", baz: "blah" };
  for (const set of [{}, { foo: "bar" }, { baz: "blah" }, { foo: "bar", baz: "blah" }] as Record<
    string,
    string
  >[]) {
    assert.equal(selectorFromSet(set).matches(labelset), true);
  }
  assert.equal(selectorFromSet({ foo: "bar", baz: "blah" }).toString(), "baz=blah,foo=bar");
});

test("lexer corner cases: whitespace, in/notin as values, empty values", () => {
  const cases: [string, string][] = [
    ["\rx", "x"],
    ["this-is-a-dns.domain.com/key-with-dash", "this-is-a-dns.domain.com/key-with-dash"],
    [
      "this-is-another-dns.domain.com/key-with-dash in (so,what)",
      "this-is-another-dns.domain.com/key-with-dash in (so,what)",
    ],
    [
      "0.1.2.domain/99 notin (10.10.100.1, tick.tack.clock)",
      "0.1.2.domain/99 notin (10.10.100.1,tick.tack.clock)",
    ],
    ["foo  in\t (abc)", "foo in (abc)"],
    ["x notin\n (abc)", "x notin (abc)"],
    ["x  notin\t\t\t(abc,def)", "x notin (abc,def)"],
    ["x in (abc,)", "x in (,abc)"],
    ["x in ()", "x in ()"],
    ["x notin (abc,,def),bar,z in (),w", "bar,w,x notin (,abc,def),z in ()"],
    ["x,y in (a)", "x,y in (a)"],
    ["x notin ( )", "x notin ()"],
    ["x notin (, a)", "x notin (,a)"],
    ["a ", "a"],
    ["a in (x,y,notin, z,in)", "a in (in,notin,x,y,z)"],
    ["x=a,y!=b,z in (h,i,j)", "x=a,y!=b,z in (h,i,j)"],
  ];
  for (const [input, out] of cases) assert.equal(parse(input).toString(), out, input);
  const reqs = parseToRequirements("a in (x,y,notin, z,in)");
  assert.deepEqual(reqs[0].values, ["in", "notin", "x", "y", "z"]);
  assert.deepEqual(parseToRequirements("x in ()")[0].values, [""]);
  // Go's lexer reads a NUL byte as end of input (and skips past it).
  assert.equal(parse("a\0").toString(), "a");
  assert.throws(() => parse("a\0b"), {
    message: "unable to parse requirement: found 'b', expected: '=', '!=', '==', 'in', notin'",
  });
});

test("parse errors carry upstream's messages", () => {
  const nameMsg =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
  const cases: [string, string][] = [
    [
      "x=a||y=b",
      `unable to parse requirement: values[0][x]: Invalid value: "a||y": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
    ["x=a,y=b=c", "found '=', expected: ',' or 'end of string'"],
    ["x==a==b", "found '==', expected: ',' or 'end of string'"],
    ["!x=a", "found '=', expected: ',' or 'end of string'"],
    ["x,,y", "found ',', expected: identifier after ','"],
    [",x,y", "found ',', expected: !, identifier, or 'end of string'"],
    ["a in (xyz),", "found '', expected: identifier after ','"],
    ["a in (xyz)b notin ()", "found 'b', expected: ',' or 'end of string'"],
    ["(", "found '(', expected: !, identifier, or 'end of string'"],
    ["x nott in (y)", "unable to parse requirement: found 'nott', expected: '=', '!=', '==', 'in', notin'"],
    ["a in (xyz abc)", "unable to parse requirement: found 'abc', expected: ',' or ')'"],
    ["a notin(", "unable to parse requirement: found '', expected: ',', ')' or identifier"],
    ["a (", "unable to parse requirement: found '(', expected: '=', '!=', '==', 'in', notin'"],
    ["a in b", "unable to parse requirement: found 'b' expected: '('"],
    ["a=(", "unable to parse requirement: found '(', expected: identifier"],
    ["!", "unable to parse requirement: found '', expected: identifier"],
    [
      "x<a",
      `unable to parse requirement: values[0]: Invalid value: "a": for 'Gt', 'Lt' operators, the value must be an integer`,
    ],
    ["Foo_=a", `unable to parse requirement: <nil>: Invalid value: "Foo_": ${nameMsg}`],
    [
      "x=a_",
      `unable to parse requirement: values[0][x]: Invalid value: "a_": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')`,
    ],
  ];
  for (const [input, msg] of cases) assert.equal(parseError(input), msg, input);
  // With a path option, the key error names it.
  assert.throws(() => parse("Foo_", newPath("spec", "selector")), {
    message: `unable to parse requirement: spec.selector: Invalid value: "Foo_": ${nameMsg}`,
  });
});

test("NewRequirement validation (TestRequirementConstructor)", () => {
  const cases: [string, string, string[] | null, boolean][] = [
    ["x", Operator.In, null, false],
    ["x", Operator.NotIn, [], false],
    ["x", Operator.In, ["foo"], true],
    ["x", Operator.NotIn, ["foo"], true],
    ["x", Operator.Exists, null, true],
    ["x", Operator.DoesNotExist, null, true],
    ["1foo", Operator.In, ["bar"], true],
    ["1234", Operator.In, ["bar"], true],
    ["y", Operator.GreaterThan, ["1"], true],
    ["z", Operator.LessThan, ["6"], true],
    ["foo", Operator.GreaterThan, ["bar"], false],
    ["barz", Operator.LessThan, ["blah"], false],
    ["a".repeat(254), Operator.Exists, null, false],
  ];
  for (const [key, op, vals, ok] of cases) {
    if (ok) assert.doesNotThrow(() => newRequirement(key, op, vals), `${key} ${op}`);
    else assert.throws(() => newRequirement(key, op, vals), `${key} ${op}`);
  }
  assert.throws(() => newRequirement("x", Operator.In, null), {
    message: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
  });
  assert.throws(() => newRequirement("x", Operator.Equals, ["a", "b"]), {
    message: 'values: Invalid value: []string{"a", "b"}: exact-match compatibility requires one single value',
  });
  assert.throws(() => newRequirement("x", "~", ["a"]), {
    message:
      'operator: Unsupported value: "~": supported values: "in", "notin", "=", "==", "!=", "exists", "!", "gt", "lt"',
  });
  // Several problems aggregate as [a, b].
  assert.throws(
    () => newRequirement("Foo_", Operator.Equals, ["a_"]),
    (e: Error) =>
      e.message.startsWith('[key: Invalid value: "Foo_": name part must consist') &&
      e.message.includes(', values[0][Foo_]: Invalid value: "a_": a valid label'),
  );
});

test("String() of requirements (TestToString)", () => {
  const r = (k: string, op: string, v: string[] | null = null) => newRequirement(k, op, v);
  const s = (...reqs: Requirement[]) =>
    everything()
      .add(...reqs)
      .toString();
  assert.equal(
    s(r("x", "in", ["abc", "def"]), r("y", "notin", ["jkl"]), r("z", "exists")),
    "x in (abc,def),y notin (jkl),z",
  );
  assert.equal(
    s(r("x", "notin", ["abc", "def"]), r("y", "!=", ["jkl"]), r("z", "!")),
    "x notin (abc,def),y!=jkl,!z",
  );
  assert.equal(
    s(r("x", "notin", ["abc"]), r("y", "in", ["jkl", "mno"]), r("z", "notin", [""])),
    "x notin (abc),y in (jkl,mno),z notin ()",
  );
  assert.equal(
    s(r("x", "=", ["abc"]), r("y", "==", ["jkl"]), r("z", "!=", ["a"]), r("z", "exists")),
    "x=abc,y==jkl,z!=a,z",
  );
  assert.equal(s(r("x", "gt", ["2"]), r("y", "lt", ["8"]), r("z", "exists")), "x>2,y<8,z");
  // Values print sorted without reordering the requirement itself.
  const unsorted = r("x", "in", ["foo", "bar"]);
  assert.equal(unsorted.toString(), "x in (bar,foo)");
  assert.deepEqual(unsorted.values, ["foo", "bar"]);
});

test("requirement matching (TestRequirementSelectorMatching)", () => {
  const r = (k: string, op: string, v: string[] | null = null) => newRequirement(k, op, v);
  const sel = (...reqs: Requirement[]): Selector => everything().add(...reqs);
  assert.equal(sel(r("x", "in", ["foo"]), r("y", "notin", ["alpha"])).matches({ x: "foo", y: "baz" }), true);
  assert.equal(sel(r("x", "in", ["foo"]), r("y", "in", ["alpha"])).matches({ x: "foo", y: "baz" }), false);
  assert.equal(sel(r("x", "notin", [""]), r("y", "exists")).matches({ y: "" }), true);
  assert.equal(sel(r("x", "!"), r("y", "exists")).matches({ y: "" }), true);
  assert.equal(sel(r("x", "notin", [""]), r("y", "!")).matches({ y: "" }), false);
  assert.equal(sel(r("x", "in", [""])).matches({ y: "baz" }), false);
  assert.equal(sel(r("z", "gt", ["1"])).matches({ z: "2" }), true);
  assert.equal(sel(r("z", "gt", ["1"])).matches({ z: "v2" }), false);
  // A zero Requirement matches nothing.
  assert.equal(new Requirement("", "" as Operator, []).matches({ x: "foo" }), false);
});

test("RequiresExactMatch (TestRequiresExactMatch)", () => {
  assert.equal(parse("key in (value)").requiresExactMatch("key"), "value");
  assert.equal(parse("key in (value,value2)").requiresExactMatch("key"), undefined);
  assert.equal(parse("key in (value,value1),key2 in (value2)").requiresExactMatch("key2"), "value2");
  assert.equal(parse("key=value").requiresExactMatch("key"), "value");
  assert.equal(parse("key==value").requiresExactMatch("key"), "value");
  assert.equal(parse("key!=value").requiresExactMatch("key"), undefined);
  assert.equal(parse("key in (value),key2 in (value2)").requiresExactMatch("key"), "value");
  assert.equal(parse("other=x").requiresExactMatch("key"), undefined);
});

test("Add keeps requirements sorted by key (TestAdd)", () => {
  const s = everything().add(newRequirement("key", "in", ["value"]));
  assert.equal(s.toString(), "key in (value)");
  const s2 = s.add(newRequirement("key2", "=", ["value2"]));
  assert.equal(s2.toString(), "key in (value),key2=value2");
  assert.equal(s.toString(), "key in (value)", "Add copies");
  assert.equal(
    everything()
      .add(newRequirement("b", "exists", null), newRequirement("a", "exists", null))
      .toString(),
    "a,b",
  );
});

test("ValidatedSelectorFromSet (TestValidatedSelectorFromSet)", () => {
  assert.equal(validatedSelectorFromSet({ key: "val" }).toString(), "key=val");
  assert.throws(
    () =>
      validatedSelectorFromSet({ Key: "axahm2EJ8Phiephe2eixohbee9eGeiyees1thuozi1xoh0GiuH3diewi8iem7Nui" }),
    {
      message:
        'values[0][Key]: Invalid value: "axahm2EJ8Phiephe2eixohbee9eGeiyees1thuozi1xoh0GiuH3diewi8iem7Nui": must be no more than 63 characters',
    },
  );
});

test("LabelSelectorAsSelector (TestLabelSelectorAsSelector)", () => {
  const matchLabels = { foo: "bar" };
  const matchExpressions = [{ key: "baz", operator: "In", values: ["qux", "norf"] }];
  assert.equal(labelSelectorAsSelector(undefined).matches({}), false);
  assert.equal(labelSelectorAsSelector(null).requirements().selectable, false);
  assert.equal(labelSelectorAsSelector({}).empty(), true);
  assert.equal(labelSelectorAsSelector({}).matches({ a: "b" }), true);
  assert.equal(labelSelectorAsSelector({ matchLabels }).toString(), "foo=bar");
  assert.equal(labelSelectorAsSelector({ matchExpressions }).toString(), "baz in (norf,qux)");
  assert.equal(
    labelSelectorAsSelector({ matchLabels, matchExpressions }).toString(),
    "baz in (norf,qux),foo=bar",
  );
  const sel = labelSelectorAsSelector({
    matchLabels: { app: "web" },
    matchExpressions: [
      { key: "tier", operator: "NotIn", values: ["db"] },
      { key: "env", operator: "Exists" },
      { key: "legacy", operator: "DoesNotExist" },
    ],
  });
  assert.equal(sel.matches({ app: "web", env: "prod", tier: "front" }), true);
  assert.equal(sel.matches({ app: "web", env: "prod", tier: "db" }), false);
  assert.equal(sel.matches({ app: "web", env: "prod", legacy: "1" }), false);
  assert.equal(sel.matches({ app: "web" }), false);
  assert.throws(
    () =>
      labelSelectorAsSelector({
        matchExpressions: [{ key: "baz", operator: "Exists", values: ["qux", "norf"] }],
      }),
    {
      message:
        'values: Invalid value: []string{"qux", "norf"}: values set must be empty for exists and does not exist',
    },
  );
  assert.throws(
    () => labelSelectorAsSelector({ matchExpressions: [{ key: "baz", operator: "In", values: [] }] }),
    {
      message: "values: Invalid value: []string(nil): for 'in', 'notin' operators, values set can't be empty",
    },
  );
  assert.throws(() => labelSelectorAsSelector({ matchExpressions: [{ key: "baz", operator: "Foo" }] }), {
    message: '"Foo" is not a valid label selector operator',
  });
  assert.throws(
    () => labelSelectorAsSelector({ matchLabels: { "bad key": "x" } }),
    /^Error|key: Invalid value: "bad key"/,
  );
});
