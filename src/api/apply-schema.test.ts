import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FieldSet } from "../machinery/apply/field-set.ts";
import { fieldSetToFieldsV1 } from "../machinery/apply/fields-v1.ts";
import { type Atom, resolveType, type TypeRef } from "../machinery/apply/schema.ts";
import { TypedValue } from "../machinery/apply/typed.ts";
import {
  applySchemaFor,
  applySchemaFromDefinitions,
  applySchemaOrDeduced,
  emptyObjectFor,
  resetFieldsFor,
} from "./apply-schema.ts";
import type { Schema } from "./openapi.ts";

const deployment = applySchemaFor({ group: "apps", version: "v1", kind: "Deployment" })!;

// The atom at a path of field names, stepping through list items.
function atomAt(path: string[], root: TypeRef = deployment.root): Atom {
  let atom = resolveType(deployment.schema, root)!;
  for (const name of path) {
    while (atom.list) atom = resolveType(deployment.schema, atom.list.elementType)!;
    const m = atom.map!;
    atom = resolveType(deployment.schema, m.fields.get(name)?.type ?? m.elementType!)!;
  }
  return atom;
}

describe("apply schema from the OpenAPI document", () => {
  it("is cached per kind and undefined for unknown kinds", () => {
    assert.equal(applySchemaFor({ group: "apps", version: "v1", kind: "Deployment" }), deployment);
    assert.deepEqual(deployment.root, { named: "io.k8s.api.apps.v1.Deployment" });
    assert.equal(applySchemaFor({ group: "example.com", version: "v1", kind: "Widget" }), undefined);
    assert.equal(
      applySchemaOrDeduced({ group: "example.com", version: "v1", kind: "Widget" }).root.named,
      "__untyped_deduced_",
    );
  });

  it("reads list types and keys, with the key defaults the document leaves out", () => {
    const containers = atomAt(["spec", "template", "spec", "containers"]).list!;
    assert.deepEqual([containers.elementRelationship, containers.keys], ["associative", ["name"]]);
    const ports = atomAt(["spec", "template", "spec", "containers", "ports"]).list!;
    assert.deepEqual(ports.keys, ["containerPort", "protocol"]);
    const port = resolveType(deployment.schema, ports.elementType)!.map!;
    assert.equal(port.fields.get("protocol")!.default, "TCP");
    const finalizers = atomAt(["metadata", "finalizers"]).list!;
    assert.deepEqual([finalizers.elementRelationship, finalizers.keys], ["associative", []]);
    assert.equal(atomAt(["spec", "template", "spec", "tolerations"]).list!.elementRelationship, "atomic");
  });

  it("reads map types: atomic structs, granular maps, and untyped scalars", () => {
    assert.equal(atomAt(["spec", "selector"]).map!.elementRelationship, "atomic");
    assert.equal(atomAt(["metadata", "labels"]).map!.elementRelationship, "");
    assert.deepEqual(atomAt(["spec", "strategy", "rollingUpdate", "maxSurge"]), { scalar: "untyped" });
    assert.deepEqual(atomAt(["metadata", "creationTimestamp"]), { scalar: "untyped" });
    assert.deepEqual(atomAt(["spec", "replicas"]), { scalar: "numeric" });
    assert.deepEqual(atomAt(["spec", "template", "spec", "containers", "resources", "limits", "cpu"]), {
      scalar: "untyped",
    });
  });

  it("applies a field's map-type over the type it refers to (PersistentVolumeSpec.claimRef)", () => {
    const pv = applySchemaFor({ group: "", version: "v1", kind: "PersistentVolume" })!;
    const spec = resolveType(pv.schema, resolveType(pv.schema, pv.root)!.map!.fields.get("spec")!.type)!.map!;
    const claimRef = spec.fields.get("claimRef")!.type;
    assert.equal(claimRef.elementRelationship, "separable");
    assert.equal(resolveType(pv.schema, claimRef)!.map!.elementRelationship, "separable");
    assert.equal(resolveType(pv.schema, { named: claimRef.named })!.map!.elementRelationship, "atomic");
  });

  it("makes lists with a patch merge key and no list type associative lists keyed by it", () => {
    const defs: Record<string, Schema> = {
      thing: {
        type: "object",
        properties: {
          byKey: {
            type: "array",
            items: { $ref: "#/definitions/item" },
            "x-kubernetes-patch-strategy": "merge",
            "x-kubernetes-patch-merge-key": "id",
          },
          bySet: { type: "array", items: { type: "string" }, "x-kubernetes-patch-strategy": "merge" },
          plain: { type: "array", items: { type: "string" } },
          free: { type: "object" },
        },
      },
      item: { type: "object", properties: { id: { type: "string" }, v: { type: "integer" } } },
    };
    const schema = applySchemaFromDefinitions((n) => defs[n]);
    const thing = schema.namedType("thing")!.map!;
    const list = (name: string) => resolveType(schema, thing.fields.get(name)!.type)!.list!;
    assert.deepEqual([list("byKey").elementRelationship, list("byKey").keys], ["associative", ["id"]]);
    assert.deepEqual([list("bySet").elementRelationship, list("bySet").keys], ["associative", []]);
    assert.equal(list("plain").elementRelationship, "atomic");
    assert.equal(
      resolveType(schema, thing.fields.get("free")!.type)!.map!.elementType!.named,
      "__untyped_deduced_",
    );
    const typed = { schema, root: { named: "thing" } };
    const set = new TypedValue(typed, {
      byKey: [{ id: "a", v: 1 }],
      bySet: ["x"],
      plain: ["y"],
      free: { k: 1 },
    }).toFieldSet();
    assert.deepEqual(fieldSetToFieldsV1(set), {
      "f:byKey": { 'k:{"id":"a"}': { "f:id": {}, "f:v": {}, ".": {} } },
      "f:bySet": { 'v:"x"': {} },
      "f:free": { "f:k": {} },
      "f:plain": {},
    });
  });

  it("field sets of a Deployment: atomic selector, keyed containers and ports with a defaulted key", () => {
    const obj = {
      spec: {
        selector: { matchLabels: { app: "x" } },
        template: { spec: { containers: [{ name: "c", ports: [{ containerPort: 80 }] }] } },
      },
    };
    const set = new TypedValue(deployment, obj).toFieldSet();
    assert.equal(
      set.toString(),
      [
        ".spec.selector",
        '.spec.template.spec.containers[name="c"]',
        '.spec.template.spec.containers[name="c"].name',
        '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"]',
        '.spec.template.spec.containers[name="c"].ports[containerPort=80,protocol="TCP"].containerPort',
      ].join("\n"),
    );
    assert.ok(set.equals(FieldSet.of(...set.paths())));
  });
});

describe("emptyObjectFor", () => {
  it("gives the Go zero value of common kinds, and metadata/spec/status otherwise", () => {
    assert.deepEqual(emptyObjectFor({ group: "apps", version: "v1", kind: "Deployment" }), {
      metadata: { creationTimestamp: null },
      spec: {
        selector: null,
        template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
        strategy: {},
      },
      status: {},
    });
    assert.deepEqual(emptyObjectFor({ group: "", version: "v1", kind: "ConfigMap" }), {
      metadata: { creationTimestamp: null },
    });
    assert.deepEqual(emptyObjectFor({ group: "", version: "v1", kind: "Namespace" }), {
      metadata: { creationTimestamp: null },
      spec: {},
      status: {},
    });
    // FlowSchemaSpec's priorityLevelConfiguration and matchingPrecedence are not omitempty.
    assert.deepEqual(
      emptyObjectFor({ group: "flowcontrol.apiserver.k8s.io", version: "v1", kind: "FlowSchema" }),
      {
        metadata: { creationTimestamp: null },
        spec: { priorityLevelConfiguration: { name: "" }, matchingPrecedence: 0 },
        status: {},
      },
    );
  });
});

describe("resetFieldsFor", () => {
  it("resets status on the main resource and spec (plus kind extras) on the status subresource", () => {
    const d = { group: "apps", version: "v1", kind: "Deployment" };
    assert.equal(resetFieldsFor(d)!.toString(), ".status");
    assert.equal(resetFieldsFor(d, "status")!.toString(), ".spec\n.metadata.labels");
    assert.equal(
      resetFieldsFor({ group: "batch", version: "v1", kind: "Job" }, "status")!.toString(),
      ".spec",
    );
    assert.equal(
      resetFieldsFor({ group: "", version: "v1", kind: "Pod" }, "status")!.toString(),
      ".spec\n.metadata.deletionTimestamp\n.metadata.ownerReferences",
    );
    const fs = { group: "flowcontrol.apiserver.k8s.io", version: "v1", kind: "FlowSchema" };
    assert.equal(resetFieldsFor(fs)!.toString(), ".status");
    assert.equal(resetFieldsFor(fs, "status")!.toString(), ".metadata\n.spec");
    assert.equal(resetFieldsFor({ group: "", version: "v1", kind: "ConfigMap" }), undefined);
  });
});
