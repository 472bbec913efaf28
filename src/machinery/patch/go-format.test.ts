import assert from "node:assert/strict";
import { test } from "node:test";
import { goFormat, goTypeName } from "./go-format.ts";

test("%v of decoded JSON, as fmt prints map[string]interface{}", () => {
  assert.equal(
    goFormat({ b: [1, 2.5, "x", null, true], a: { z: 1234567.5, y: 0.00001 } }),
    "map[a:map[y:1e-05 z:1.2345675e+06] b:[1 2.5 x <nil> true]]",
  );
  assert.equal(
    goFormat({ image: "nginx", ports: [{ containerPort: 80 }] }),
    "map[image:nginx ports:[map[containerPort:80]]]",
  );
  assert.equal(goFormat(123456.5), "123456.5");
});

test("reflect type names as %s prints them", () => {
  assert.equal(goTypeName("a"), "string");
  assert.equal(goTypeName(1), "int64");
  assert.equal(goTypeName(1.5), "float64");
  assert.equal(goTypeName([]), "[]interface {}");
  assert.equal(goTypeName({}), "map[string]interface {}");
  assert.equal(goTypeName(null), "%!s(<nil>)");
});
