import assert from "node:assert/strict";
import { test } from "node:test";
import { parse as parseYaml } from "yaml";
import { openAPIDocument } from "./openapi.ts";
import { openAPIV2Proto } from "./openapi-v2-proto.ts";

// A reader of the protobuf wire format, enough to walk the document by field numbers: each message is a
// list of [field, value] with length-delimited values kept as bytes.
type Field = [number, number | Buffer];
function fields(b: Buffer): Field[] {
  const out: Field[] = [];
  let i = 0;
  const varint = () => {
    let n = 0;
    let shift = 0;
    for (;;) {
      const byte = b[i++];
      n += (byte & 0x7f) * 2 ** shift;
      if (byte < 0x80) return n;
      shift += 7;
    }
  };
  while (i < b.length) {
    const key = varint();
    const [field, wire] = [Math.floor(key / 8), key % 8];
    if (wire === 0) out.push([field, varint()]);
    else if (wire === 1) {
      out.push([field, b.readDoubleLE(i)]);
      i += 8;
    } else if (wire === 2) {
      const len = varint();
      out.push([field, b.subarray(i, i + len)]);
      i += len;
    } else throw new Error(`wire type ${wire}`);
  }
  return out;
}
const all = (b: Buffer | undefined, f: number): Buffer[] =>
  b === undefined
    ? []
    : fields(b)
        .filter(([n]) => n === f)
        .map(([, v]) => v as Buffer);
const one = (b: Buffer | undefined, f: number) => all(b, f)[0];
const str = (b: Buffer | undefined, f: number) => one(b, f)?.toString("utf8");
/** The value of a Named* pair list by name. */
const entry = (pairs: Buffer[], name: string) =>
  one(
    pairs.find((p) => str(p, 1) === name),
    2,
  );
/** A vendor extension's value, parsed from its YAML as kube-openapi parses it. */
const extension = (exts: Buffer[], name: string) => parseYaml(str(entry(exts, name)!, 2)!);

const doc = openAPIV2Proto(openAPIDocument() as unknown as Record<string, unknown>);

test("the document: swagger, info, security, and every definition in order", () => {
  assert.equal(str(doc, 1), "2.0");
  assert.equal(str(one(doc, 2), 1), "Kubernetes");
  assert.equal(str(one(doc, 2), 2), "unversioned");
  const requirement = all(doc, 12)[0];
  assert.equal(str(one(requirement, 1), 1), "BearerToken");
  const bearer = entry(all(one(doc, 13), 1), "BearerToken")!;
  const apiKey = one(bearer, 2); // SecurityDefinitionsItem.api_key_security
  assert.deepEqual([str(apiKey, 1), str(apiKey, 2), str(apiKey, 3)], ["apiKey", "authorization", "header"]);
  const names = all(one(doc, 9), 1).map((d) => str(d, 1));
  assert.deepEqual(names, Object.keys(openAPIDocument().definitions));
});

test("a schema: $ref, type, items, required, additionalProperties and the x-kubernetes extensions", () => {
  const defs = all(one(doc, 9), 1);
  const pod = entry(defs, "io.k8s.api.core.v1.Pod")!;
  assert.deepEqual(extension(all(pod, 31), "x-kubernetes-group-version-kind"), [
    { group: "", kind: "Pod", version: "v1" },
  ]);
  const props = all(one(pod, 25), 1);
  assert.deepEqual(
    props.map((p) => str(p, 1)),
    ["apiVersion", "kind", "metadata", "spec", "status"],
  );
  assert.equal(str(entry(props, "spec")!, 1), "#/definitions/io.k8s.api.core.v1.PodSpec");
  assert.deepEqual(
    all(one(entry(props, "kind")!, 22), 1).map((v) => v.toString()),
    ["string"],
  );

  const spec = entry(defs, "io.k8s.api.core.v1.PodSpec")!;
  assert.deepEqual(
    all(spec, 19).map((v) => v.toString()),
    ["containers"],
  );
  const containers = entry(all(one(spec, 25), 1), "containers")!;
  assert.equal(str(one(one(containers, 23), 1), 1), "#/definitions/io.k8s.api.core.v1.Container");
  assert.equal(extension(all(containers, 31), "x-kubernetes-patch-merge-key"), "name");
  assert.equal(extension(all(containers, 31), "x-kubernetes-list-type"), "map");
  const nodeSelector = entry(all(one(spec, 25), 1), "nodeSelector")!;
  const additional = one(nodeSelector, 21); // AdditionalPropertiesItem.schema
  assert.deepEqual(
    all(one(one(additional, 1), 22), 1).map((v) => v.toString()),
    ["string"],
  );
});

test("paths, operations and parameters: inline, by reference, in the query and the body", () => {
  const paths = all(one(doc, 8), 2);
  const pods = entry(paths, "/api/v1/namespaces/{namespace}/pods")!;
  const post = one(pods, 4);
  assert.equal(str(post, 5), "createCoreV1NamespacedPod");
  assert.deepEqual(extension(all(post, 13), "x-kubernetes-action"), "post");
  const params = all(post, 8);
  const body = one(one(params[0], 1), 1); // ParametersItem.parameter → Parameter.body_parameter
  assert.deepEqual([str(body, 2), str(body, 3), one(body, 4)], ["body", "body", 1]);
  assert.equal(str(one(body, 5), 1), "#/definitions/io.k8s.api.core.v1.Pod");
  const inline = params.map((p) => one(p, 1)).filter(Boolean); // the others are JsonReferences (field 2)
  assert.equal(str(one(params[2], 2), 1), "#/parameters/fieldManager-Qy4HdaTW");
  const query = inline.map((p) => one(one(p, 2), 3)).find((q) => q && str(q, 4) === "fieldValidation");
  assert.ok(query, "fieldValidation is a query parameter of the POST");
  assert.equal(str(query, 6), "string");
  const refs = all(pods, 9).map((p) => str(one(p, 2), 1)); // path-level JsonReferences
  assert.ok(refs.includes("#/parameters/namespace-vgWSWtn3"), refs.join(" "));
  const responses = all(one(post, 9), 1).map((r) => str(r, 1));
  assert.deepEqual(responses, ["200", "201", "202", "401"]);
  const shared = entry(all(one(doc, 10), 1), "allowWatchBookmarks-HC2hJt-J")!;
  const q = one(one(shared, 2), 3);
  assert.deepEqual(
    [str(q, 2), str(q, 4), str(q, 6), one(q, 20)],
    ["query", "allowWatchBookmarks", "boolean", 1],
  );
});
