import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FieldSet } from "./field-set.ts";
import { fieldSetToFieldsV1, fieldsV1ToFieldSet } from "./fields-v1.ts";
import {
  deserializePathElement,
  fieldElement,
  indexElement,
  keyElement,
  type Path,
  type PathElement,
  pathString,
  serializePathElement,
  valueElement,
} from "./path-element.ts";

const P = (...parts: (string | PathElement)[]): Path =>
  parts.map((p) => (typeof p === "string" ? fieldElement(p) : p));

describe("path elements", () => {
  it("serialise as FieldsV1 keys, key fields sorted by name", () => {
    assert.equal(serializePathElement(fieldElement("image")), "f:image");
    assert.equal(
      serializePathElement(
        keyElement([
          { name: "protocol", value: "TCP" },
          { name: "containerPort", value: 80 },
        ]),
      ),
      'k:{"containerPort":80,"protocol":"TCP"}',
    );
    assert.equal(
      serializePathElement(valueElement("kubernetes.io/pv-protection")),
      'v:"kubernetes.io/pv-protection"',
    );
    assert.equal(serializePathElement(valueElement("<b>")), 'v:"\\u003cb\\u003e"');
    assert.equal(serializePathElement(indexElement(3)), "i:3");
  });

  it("print as upstream's Path.String", () => {
    const p = P(
      "spec",
      "template",
      "spec",
      "containers",
      keyElement([{ name: "name", value: "nginx" }]),
      "image",
    );
    assert.equal(pathString(p), '.spec.template.spec.containers[name="nginx"].image');
    assert.equal(pathString(P("metadata", "finalizers", valueElement("a"))), '.metadata.finalizers[="a"]');
    assert.equal(
      pathString(
        P(
          "ports",
          keyElement([
            { name: "protocol", value: "TCP" },
            { name: "port", value: 80 },
          ]),
        ),
      ),
      '.ports[port=80,protocol="TCP"]',
    );
    assert.equal(pathString(P("list", indexElement(2))), ".list[2]");
  });

  it("parse back, and reject malformed keys with upstream's messages", () => {
    assert.deepEqual(
      deserializePathElement('k:{"name":"a","id":1}'),
      keyElement([
        { name: "id", value: 1 },
        { name: "name", value: "a" },
      ]),
    );
    assert.deepEqual(deserializePathElement("i:7"), indexElement(7));
    assert.deepEqual(deserializePathElement('v:{"a":1}'), valueElement({ a: 1 }));
    assert.throws(() => deserializePathElement("f"), { message: "key must be 2 characters long:" });
    assert.throws(() => deserializePathElement("fx"), { message: "missing colon: fx" });
  });
});

describe("FieldSet", () => {
  const a = FieldSet.of(P("a", "b"), P("a", "c"), P("d"));
  const b = FieldSet.of(P("a", "c"), P("e"));

  it("union, intersection and difference work on leaves", () => {
    assert.equal(a.union(b).toString(), ".d\n.e\n.a.b\n.a.c");
    assert.equal(a.intersection(b).toString(), ".a.c");
    assert.equal(a.difference(b).toString(), ".d\n.a.b");
    assert.ok(
      a
        .union(b)
        .difference(a)
        .equals(FieldSet.of(P("e"))),
    );
  });

  it("difference: parent - child = parent, child - parent = nothing", () => {
    const parent = FieldSet.of(P("a"));
    const child = FieldSet.of(P("a", "b"));
    assert.ok(parent.difference(child).equals(parent));
    assert.ok(child.difference(parent).equals(child));
    assert.ok(child.recursiveDifference(parent).empty());
    assert.ok(
      FieldSet.of(P("a", "b", "c"))
        .recursiveDifference(FieldSet.of(P("a", "b")))
        .empty(),
    );
  });

  it("has, size, leaves and withPrefix", () => {
    const s = FieldSet.of(P("spec"), P("spec", "replicas"), P("metadata", "labels", "app"));
    assert.ok(s.has(P("spec")));
    assert.ok(!s.has(P("metadata")));
    assert.equal(s.size(), 3);
    assert.equal(s.leaves().toString(), ".metadata.labels.app\n.spec.replicas");
    assert.equal(s.withPrefix(fieldElement("metadata")).toString(), ".labels.app");
  });
});

describe("FieldsV1", () => {
  it("writes members as {}, members with children get '.' last, in path-element order", () => {
    const nginx = keyElement([{ name: "name", value: "nginx" }]);
    const s = FieldSet.of(
      P("metadata", "labels"),
      P("metadata", "labels", "app"),
      P("spec", "replicas"),
      P("spec", "containers", nginx),
      P("spec", "containers", nginx, "image"),
      P("spec", "containers", nginx, "name"),
      P("metadata", "finalizers", valueElement("b")),
      P("metadata", "finalizers", valueElement("a")),
    );
    const v1 = fieldSetToFieldsV1(s);
    assert.equal(
      JSON.stringify(v1),
      '{"f:metadata":{"f:finalizers":{"v:\\"a\\"":{},"v:\\"b\\"":{}},"f:labels":{"f:app":{},".":{}}},' +
        '"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{"f:image":{},"f:name":{},".":{}}},"f:replicas":{}}}',
    );
    assert.ok(fieldsV1ToFieldSet(JSON.parse(JSON.stringify(v1))).equals(s));
  });

  it("reads keys in any order, skips unknown element kinds and treats null as a member", () => {
    const s = fieldsV1ToFieldSet({
      "f:b": {},
      "z:future": {},
      "f:a": { ".": {}, "f:x": {} },
      "f:c": null as never,
    });
    assert.equal(s.toString(), ".a\n.b\n.c\n.a.x");
  });

  it("rejects keys that do not parse", () => {
    assert.throws(
      () => fieldsV1ToFieldSet({ "f:a": { "k:{bad": {} } }),
      /^Error: parsing key as path element/,
    );
  });
});
