// Cases ported from structured-merge-diff merge/multiple_appliers_test.go,
// merge/set_test.go, merge/key_test.go and merge/leaf_test.go (single API
// version: this port does no version conversion).

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Conflicts } from "./conflict.ts";
import { FieldSet } from "./field-set.ts";
import {
  fieldElement,
  keyElement,
  type Path,
  type PathElement,
  pathString,
  valueElement,
} from "./path-element.ts";
import type { ApplySchema, Atom, TypedSchema } from "./schema.ts";
import { TypedValue } from "./typed.ts";
import { type ManagedFields, Updater } from "./updater.ts";
import type { JsonObject, JsonValue } from "./value.ts";

function schemaOf(types: Record<string, Atom>, root: string): TypedSchema {
  const schema: ApplySchema = { namedType: (n) => types[n] };
  return { schema, root: { named: root } };
}

const str: Atom = { scalar: "string" };
const num: Atom = { scalar: "numeric" };

// associativeListParser / nestedTypeParser of the upstream tests.
const listSchema = schemaOf(
  {
    type: {
      map: {
        fields: new Map([
          ["list", { type: { named: "associativeList" } }],
          ["listOfLists", { type: { named: "listOfLists" } }],
        ]),
        elementRelationship: "",
      },
    },
    associativeList: {
      list: { elementType: { named: "myElement" }, elementRelationship: "associative", keys: ["name"] },
    },
    myElement: {
      map: {
        fields: new Map([
          ["name", { type: { inlined: str } }],
          ["value", { type: { inlined: num } }],
        ]),
        elementRelationship: "",
      },
    },
    listOfLists: {
      list: {
        elementType: { named: "listOfListsElement" },
        elementRelationship: "associative",
        keys: ["name"],
      },
    },
    listOfListsElement: {
      map: {
        fields: new Map([
          ["name", { type: { inlined: str } }],
          [
            "value",
            {
              type: {
                inlined: {
                  list: { elementType: { inlined: str }, elementRelationship: "associative", keys: [] },
                },
              },
            },
          ],
        ]),
        elementRelationship: "",
      },
    },
  },
  "type",
);

// structMultiversionParser's v1, with a field of each kind.
const structSchema = schemaOf(
  {
    v1: {
      map: {
        fields: new Map([
          ["struct", { type: { named: "struct" } }],
          [
            "atomicList",
            {
              type: {
                inlined: { list: { elementType: { inlined: str }, elementRelationship: "atomic", keys: [] } },
              },
            },
          ],
          [
            "labels",
            {
              type: {
                inlined: {
                  map: { fields: new Map(), elementType: { inlined: str }, elementRelationship: "" },
                },
              },
            },
          ],
        ]),
        elementRelationship: "",
      },
    },
    struct: {
      map: {
        fields: new Map([
          ["name", { type: { inlined: str } }],
          ["scalarField", { type: { inlined: str } }],
          ["complexField", { type: { named: "complex" } }],
        ]),
        elementRelationship: "",
      },
    },
    complex: { map: { fields: new Map([["name", { type: { inlined: str } }]]), elementRelationship: "" } },
  },
  "v1",
);

const P = (...parts: (string | PathElement)[]): Path =>
  parts.map((p) => (typeof p === "string" ? fieldElement(p) : p));
const KBF = (name: string, value: JsonValue) => keyElement([{ name, value }]);
const V = (value: JsonValue) => valueElement(value);
const NS = (...paths: Path[]) => FieldSet.of(...paths);

class State {
  live: JsonValue = {};
  managers: ManagedFields = new Map();
  private readonly updater = new Updater();

  constructor(readonly typed: TypedSchema) {}

  apply(manager: string, config: JsonObject, apiVersion = "v1", force = false): void {
    const r = this.updater.apply(
      new TypedValue(this.typed, this.live),
      TypedValue.asTyped(this.typed, config),
      apiVersion,
      this.managers,
      manager,
      force,
    );
    if (r.object) this.live = r.object.value;
    this.managers = r.managers;
  }

  update(manager: string, obj: JsonObject, apiVersion = "v1"): void {
    this.managers = this.updater.updateFields(
      new TypedValue(this.typed, this.live),
      new TypedValue(this.typed, obj),
      apiVersion,
      this.managers,
      manager,
    );
    this.live = obj;
  }

  assertManaged(expected: Record<string, FieldSet>): void {
    const got = Object.fromEntries([...this.managers].map(([m, vs]) => [m, vs.set.toString()]));
    const want = Object.fromEntries(Object.entries(expected).map(([m, s]) => [m, s.toString()]));
    assert.deepEqual(got, want);
  }
}

function conflictsOf(f: () => void): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof Conflicts) return e.conflicts.map((c) => `${c.manager} ${pathString(c.path)}`);
    throw e;
  }
  assert.fail("expected conflicts");
}

describe("multiple appliers on an associative list", () => {
  it("remove_one: an item one applier stops applying goes away", () => {
    const s = new State(listSchema);
    s.apply("apply-one", { list: [{ name: "a" }, { name: "b" }] });
    s.apply("apply-two", { list: [{ name: "c" }] }, "v2");
    s.apply("apply-one", { list: [{ name: "a" }] }, "v3");
    assert.deepEqual(s.live, { list: [{ name: "a" }, { name: "c" }] });
    s.assertManaged({
      "apply-one": NS(P("list", KBF("name", "a")), P("list", KBF("name", "a"), "name")),
      "apply-two": NS(P("list", KBF("name", "c")), P("list", KBF("name", "c"), "name")),
    });
    assert.equal(s.managers.get("apply-one")!.apiVersion, "v3");
    assert.equal(s.managers.get("apply-one")!.applied, true);
  });

  it("same_value_no_conflict: the same value is shared", () => {
    const s = new State(listSchema);
    s.apply("apply-one", { list: [{ name: "a", value: 0 }] });
    s.apply("apply-two", { list: [{ name: "a", value: 0 }] }, "v2");
    const both = NS(
      P("list", KBF("name", "a")),
      P("list", KBF("name", "a"), "name"),
      P("list", KBF("name", "a"), "value"),
    );
    s.assertManaged({ "apply-one": both, "apply-two": both });
  });

  it("change_value_yes_conflict: a different value conflicts and changes nothing", () => {
    const s = new State(listSchema);
    s.apply("apply-one", { list: [{ name: "a", value: 0 }] });
    assert.deepEqual(
      conflictsOf(() => s.apply("apply-two", { list: [{ name: "a", value: 1 }] }, "v2")),
      ['apply-one .list[name="a"].value'],
    );
    assert.deepEqual(s.live, { list: [{ name: "a", value: 0 }] });
    assert.deepEqual([...s.managers.keys()], ["apply-one"]);
  });

  it("force takes the field from the other applier", () => {
    const s = new State(listSchema);
    s.apply("apply-one", { list: [{ name: "a", value: 0 }] });
    s.apply("apply-two", { list: [{ name: "a", value: 1 }] }, "v2", true);
    assert.deepEqual(s.live, { list: [{ name: "a", value: 1 }] });
    s.assertManaged({
      "apply-one": NS(P("list", KBF("name", "a")), P("list", KBF("name", "a"), "name")),
      "apply-two": NS(
        P("list", KBF("name", "a")),
        P("list", KBF("name", "a"), "name"),
        P("list", KBF("name", "a"), "value"),
      ),
    });
  });

  it("remove_one_keep_one: items another applier owns stay", () => {
    const s = new State(listSchema);
    s.apply("apply-one", { list: [{ name: "a" }, { name: "b" }, { name: "c" }] });
    s.apply("apply-two", { list: [{ name: "c" }, { name: "d" }] }, "v2");
    s.apply("apply-one", { list: [{ name: "a" }] }, "v3");
    assert.deepEqual(s.live, { list: [{ name: "a" }, { name: "c" }, { name: "d" }] });
    s.assertManaged({
      "apply-one": NS(P("list", KBF("name", "a")), P("list", KBF("name", "a"), "name")),
      "apply-two": NS(
        P("list", KBF("name", "c")),
        P("list", KBF("name", "d")),
        P("list", KBF("name", "c"), "name"),
        P("list", KBF("name", "d"), "name"),
      ),
    });
  });
});

describe("multiple appliers on nested lists", () => {
  it("remove_one_keep_one_with_two_sub_items", () => {
    const s = new State(listSchema);
    s.apply("apply-one", { listOfLists: [{ name: "a" }, { name: "b", value: ["c"] }] });
    s.apply("apply-two", { listOfLists: [{ name: "b", value: ["d"] }] }, "v2");
    s.apply("apply-one", { listOfLists: [{ name: "a" }] }, "v3");
    assert.deepEqual(s.live, { listOfLists: [{ name: "a" }, { name: "b", value: ["d"] }] });
    s.assertManaged({
      "apply-one": NS(P("listOfLists", KBF("name", "a")), P("listOfLists", KBF("name", "a"), "name")),
      "apply-two": NS(
        P("listOfLists", KBF("name", "b")),
        P("listOfLists", KBF("name", "b"), "name"),
        P("listOfLists", KBF("name", "b"), "value", V("d")),
      ),
    });
  });

  it("remove_one_keep_one_with_dangling_subitem: what an updater added stays", () => {
    const s = new State(listSchema);
    s.apply("apply-one", { listOfLists: [{ name: "a" }, { name: "b", value: ["c"] }] });
    s.apply("apply-two", { listOfLists: [{ name: "b", value: ["d"] }] }, "v2");
    s.update("controller", { listOfLists: [{ name: "a" }, { name: "b", value: ["c", "d", "e"] }] }, "v2");
    s.apply("apply-one", { listOfLists: [{ name: "a" }] }, "v3");
    assert.deepEqual(s.live, { listOfLists: [{ name: "a" }, { name: "b", value: ["d", "e"] }] });
    s.assertManaged({
      "apply-one": NS(P("listOfLists", KBF("name", "a")), P("listOfLists", KBF("name", "a"), "name")),
      "apply-two": NS(
        P("listOfLists", KBF("name", "b")),
        P("listOfLists", KBF("name", "b"), "name"),
        P("listOfLists", KBF("name", "b"), "value", V("d")),
      ),
      controller: NS(P("listOfLists", KBF("name", "b"), "value", V("e"))),
    });
  });
});

describe("unsetting fields", () => {
  it("unset_scalar_sole_owner: a field only its applier owned is removed", () => {
    const s = new State(structSchema);
    s.apply("apply-one", { struct: { name: "a", scalarField: "a" } });
    s.apply("apply-one", { struct: { name: "a" } });
    assert.deepEqual(s.live, { struct: { name: "a" } });
    s.assertManaged({ "apply-one": NS(P("struct", "name")) });
  });

  it("unset_scalar_shared_with_applier: a field another applier owns stays", () => {
    const s = new State(structSchema);
    s.apply("apply-one", { struct: { name: "a", scalarField: "a" } });
    s.apply("apply-two", { struct: { scalarField: "a" } });
    s.apply("apply-one", { struct: { name: "a" } });
    assert.deepEqual(s.live, { struct: { name: "a", scalarField: "a" } });
    s.assertManaged({ "apply-one": NS(P("struct", "name")), "apply-two": NS(P("struct", "scalarField")) });
  });

  it("unset_scalar_shared_with_updater: a field an updater also set stays", () => {
    const s = new State(structSchema);
    s.update("updater", { struct: { name: "a", scalarField: "a" } });
    s.apply("applier", { struct: { name: "a", scalarField: "a" } });
    s.apply("applier", { struct: { name: "a" } });
    assert.deepEqual(s.live, { struct: { name: "a", scalarField: "a" } });
    s.assertManaged({
      updater: NS(P("struct"), P("struct", "name"), P("struct", "scalarField")),
      applier: NS(P("struct", "name")),
    });
  });

  it("updater_claims_field: an update takes a field from the applier", () => {
    const s = new State(structSchema);
    s.apply("applier", { struct: { name: "a", scalarField: "a" } });
    s.update("updater", { struct: { name: "a", scalarField: "b" } });
    s.assertManaged({ updater: NS(P("struct", "scalarField")), applier: NS(P("struct", "name")) });
  });

  it("unset_complex_sole_owner: a struct field is removed as a whole", () => {
    const s = new State(structSchema);
    s.apply("apply-one", { struct: { name: "a", complexField: { name: "b" } } });
    s.apply("apply-one", { struct: { name: "a" } });
    assert.deepEqual(s.live, { struct: { name: "a" } });
    s.assertManaged({ "apply-one": NS(P("struct", "name")) });
  });

  it("unset_complex_shared_with_applier", () => {
    const s = new State(structSchema);
    s.apply("apply-one", { struct: { name: "a", complexField: { name: "b" } } });
    s.apply("apply-two", { struct: { complexField: { name: "b" } } });
    s.apply("apply-one", { struct: { name: "a" } });
    assert.deepEqual(s.live, { struct: { name: "a", complexField: { name: "b" } } });
    s.assertManaged({
      "apply-one": NS(P("struct", "name")),
      "apply-two": NS(P("struct", "complexField", "name")),
    });
  });

  it("a map key the applier stops applying is removed", () => {
    const s = new State(structSchema);
    s.apply("apply-one", { labels: { app: "x", tier: "web" } });
    s.apply("apply-one", { labels: { app: "x" } });
    assert.deepEqual(s.live, { labels: { app: "x" } });
  });
});

describe("atomic lists and leaves", () => {
  it("an atomic list is replaced and owned whole", () => {
    const s = new State(structSchema);
    s.apply("apply-one", { atomicList: ["a", "b"] });
    s.apply("apply-one", { atomicList: ["c"] });
    assert.deepEqual(s.live, { atomicList: ["c"] });
    s.assertManaged({ "apply-one": NS(P("atomicList")) });
    assert.deepEqual(
      conflictsOf(() => s.apply("apply-two", { atomicList: ["d"] })),
      ["apply-one .atomicList"],
    );
  });

  it("an update on a leaf another manager applied conflicts for that applier next time", () => {
    const s = new State(structSchema);
    s.apply("apply-one", { struct: { name: "a", scalarField: "a" } });
    s.update("controller", { struct: { name: "a", scalarField: "b" } });
    assert.deepEqual(
      conflictsOf(() => s.apply("apply-one", { struct: { name: "a", scalarField: "a" } })),
      ["controller .struct.scalarField"],
    );
  });

  it("applying what is already there changes nothing but ownership", () => {
    const s = new State(structSchema);
    s.apply("apply-one", { struct: { name: "a" } });
    const u = new Updater();
    const r = u.apply(
      new TypedValue(structSchema, s.live),
      TypedValue.asTyped(structSchema, { struct: { name: "a" } }),
      "v1",
      s.managers,
      "apply-two",
      false,
    );
    assert.equal(r.object, undefined);
    assert.deepEqual([...r.managers.keys()].sort(), ["apply-one", "apply-two"]);
  });
});

describe("list order on merge", () => {
  it("keeps live order for untouched items and applied order for the items it sets", () => {
    const s = new State(listSchema);
    s.update("updater", { list: [{ name: "a" }, { name: "b" }, { name: "c" }] });
    s.apply("applier", { list: [{ name: "c" }, { name: "a" }, { name: "d" }] });
    assert.deepEqual(s.live, { list: [{ name: "b" }, { name: "c" }, { name: "a" }, { name: "d" }] });
  });
});
