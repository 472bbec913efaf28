// Encoding a decoded set reuses the FieldsV1 it came from where that is
// exactly what encoding writes, and writes upstream's form everywhere else.

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { FieldSet } from "./field-set.ts";
import { type FieldsV1, fieldSetToFieldsV1, fieldsV1ToFieldSet } from "./fields-v1.ts";
import { fieldPath } from "./path-element.ts";

const roundTrip = (v: unknown) => fieldSetToFieldsV1(fieldsV1ToFieldSet(v));

describe("FieldsV1 of decoded sets", () => {
  it("encodes a set in upstream's form to the FieldsV1 it was decoded from", () => {
    const v1: FieldsV1 = {
      "f:metadata": { "f:labels": { "f:app": {}, ".": {} } },
      "f:spec": {
        "f:ports": {
          'k:{"port":53,"protocol":"TCP"}': { "f:port": {}, ".": {} },
          'k:{"port":80,"protocol":"TCP"}': { "f:port": {}, ".": {} },
        },
        "f:replicas": {},
      },
    };
    assert.equal(roundTrip(v1), v1);
  });

  it("writes anything else in upstream's form", () => {
    const cases: [unknown, FieldsV1][] = [
      // Out of order, as another writer may send it.
      [
        { "f:b": {}, "f:a": {} },
        { "f:a": {}, "f:b": {} },
      ],
      // Numbers order by value, not by text.
      [
        { 'k:{"port":100}': {}, 'k:{"port":80}': {} },
        { 'k:{"port":80}': {}, 'k:{"port":100}': {} },
      ],
      // "." first, "." alone, null members, "." with content.
      [{ "f:a": { ".": {}, "f:b": {} } }, { "f:a": { "f:b": {}, ".": {} } }],
      [{ "f:a": { ".": {} } }, { "f:a": {} }],
      [{ "f:a": null }, { "f:a": {} }],
      [{ "f:a": { "f:b": {}, ".": { "f:c": {} } } }, { "f:a": { "f:b": {}, ".": {} } }],
      // Key fields in another order, unknown element kinds, a top-level ".".
      [{ 'k:{"b":2,"a":1}': {} }, { 'k:{"a":1,"b":2}': {} }],
      [{ "x:y": {}, "f:a": {} }, { "f:a": {} }],
      [{ "f:a": {}, ".": {} }, { "f:a": {} }],
    ];
    for (const [input, want] of cases) {
      const got = roundTrip(input);
      assert.equal(JSON.stringify(got), JSON.stringify(want), JSON.stringify(input));
      assert.notEqual(got, input);
    }
  });

  it("reuses what a set operation left alone and rewrites what it changed", () => {
    const v1: FieldsV1 = {
      "f:metadata": { "f:labels": { "f:app": {}, "f:tier": {}, ".": {} } },
      "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:hostname": {} } } },
    };
    const set = fieldsV1ToFieldSet(v1);
    const out = fieldSetToFieldsV1(set.difference(FieldSet.of(fieldPath("metadata", "labels", "tier"))));
    assert.deepEqual(out, {
      "f:metadata": { "f:labels": { "f:app": {}, ".": {} } },
      "f:spec": { "f:replicas": {}, "f:template": { "f:spec": { "f:hostname": {} } } },
    });
    assert.notEqual(out, v1);
    assert.equal(out["f:spec"], v1["f:spec"]);
    // labels is no longer a member: its "." goes, though nothing below it changed.
    const noLabels = fieldSetToFieldsV1(set.difference(FieldSet.of(fieldPath("metadata", "labels"))));
    assert.equal(JSON.stringify(noLabels["f:metadata"]), '{"f:labels":{"f:app":{},"f:tier":{}}}');
  });
});
