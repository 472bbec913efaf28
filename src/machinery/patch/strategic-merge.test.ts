// Cases ported from apimachinery/pkg/util/strategicpatch/patch_test.go: the
// `mergeItem` test type with its patch metadata, and the YAML tables of
// (original, twoWay → modified) and (current, threeWay → result).

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { parse } from "yaml";
import { PatchError } from "./patch-error.ts";
import type { PatchField, PatchSchema } from "./patch-schema.ts";
import { type JSONObject, strategicMergePatch } from "./strategic-merge.ts";

// testdata/swagger-merge-item.json
const fields = (m: Record<string, PatchField>): PatchSchema => ({ field: (n) => m[n] });
const plain: PatchField = { strategies: [], mergeKey: "", schema: undefined };
const mergeItemFields: Record<string, PatchField> = {};
const mergeItem = fields(mergeItemFields);
const retainKeysMergeItem = fields({
  name: plain,
  value: plain,
  other: plain,
  simpleMap: plain,
  mergingIntList: { strategies: ["merge"], mergeKey: "", schema: undefined },
  mergingList: { strategies: ["merge"], mergeKey: "name", schema: mergeItem },
  nonMergingList: { strategies: [], mergeKey: "", schema: mergeItem },
});
Object.assign(mergeItemFields, {
  name: plain,
  value: plain,
  other: plain,
  mergingList: { strategies: ["merge"], mergeKey: "name", schema: mergeItem },
  nonMergingList: { strategies: [], mergeKey: "", schema: mergeItem },
  mergingIntList: { strategies: ["merge"], mergeKey: "", schema: undefined },
  nonMergingIntList: plain,
  mergeItemPtr: { strategies: ["merge"], mergeKey: "name", schema: mergeItem },
  simpleMap: plain,
  replacingItem: { strategies: ["replace"], mergeKey: "", schema: undefined },
  retainKeysMap: { strategies: ["retainKeys"], mergeKey: "", schema: retainKeysMergeItem },
  retainKeysMergingList: { strategies: ["merge", "retainKeys"], mergeKey: "name", schema: mergeItem },
} satisfies Record<string, PatchField>);

const y = (s: string) => (parse(s) ?? {}) as JSONObject;

interface TableCase {
  description: string;
  original?: JSONObject;
  twoWay?: JSONObject;
  modified?: JSONObject;
  twoWayResult?: JSONObject;
  current?: JSONObject;
  threeWay?: JSONObject;
  result?: JSONObject;
}

function runTable(table: string) {
  const { testCases } = parse(table) as { testCases: TableCase[] };
  for (const c of testCases) {
    test(c.description, () => {
      if (c.twoWay) {
        const got = strategicMergePatch(c.original ?? {}, c.twoWay, mergeItem);
        assert.deepEqual(got, c.twoWayResult ?? c.modified);
      }
      if (c.threeWay) {
        assert.deepEqual(strategicMergePatch(c.current ?? {}, c.threeWay, mergeItem), c.result);
      }
    });
  }
}

describe("customStrategicMergePatchTestCaseData", () => {
  runTable(`
testCases:
  - description: unique scalars when merging lists
    original:
      mergingIntList:
        - 1
        - 2
    twoWay:
      mergingIntList:
        - 2
        - 3
    modified:
      mergingIntList:
        - 1
        - 2
        - 3
  - description: delete map from nested map
    original:
      simpleMap:
        key1: 1
        key2: 1
    twoWay:
      simpleMap:
        $patch: delete
    modified:
      simpleMap:
        {}
  - description: delete all items from merging list
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      mergingList:
        - $patch: replace
    modified:
      mergingList: []
  - description: merge empty merging lists
    original:
      mergingList: []
    twoWay:
      mergingList: []
    modified:
      mergingList: []
  - description: delete all keys from map
    original:
      name: 1
      value: 1
    twoWay:
      $patch: replace
    modified: {}
  - description: add key and delete all keys from map
    original:
      name: 1
      value: 1
    twoWay:
      other: a
      $patch: replace
    modified:
      other: a
  - description: de-duplicate entries in a merging list
    original:
      mergingList:
        - name: 1
        - name: 1
        - name: 2
          value: a
        - name: 3
        - name: 3
    twoWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 3
          $patch: delete
    modified:
      mergingList:
        - name: 2
          value: a
  - description: retainKeys map can add a field when no retainKeys directive present
    original:
      retainKeysMap:
        name: foo
    twoWay:
      retainKeysMap:
        value: bar
    modified:
      retainKeysMap:
        name: foo
        value: bar
  - description: retainKeys map can change a field when no retainKeys directive present
    original:
      retainKeysMap:
        name: foo
        value: a
    twoWay:
      retainKeysMap:
        value: b
    modified:
      retainKeysMap:
        name: foo
        value: b
  - description: retainKeys map can delete a field when no retainKeys directive present
    original:
      retainKeysMap:
        name: foo
        value: a
    twoWay:
      retainKeysMap:
        value: null
    modified:
      retainKeysMap:
        name: foo
  - description: retainKeys map merge an empty map
    original:
      retainKeysMap:
        name: foo
        value: a
    twoWay:
      retainKeysMap: {}
    modified:
      retainKeysMap:
        name: foo
        value: a
  - description: retainKeys list can add a field when no retainKeys directive present
    original:
      retainKeysMergingList:
      - name: bar
      - name: foo
    twoWay:
      retainKeysMergingList:
      - name: foo
        value: a
    modified:
      retainKeysMergingList:
      - name: bar
      - name: foo
        value: a
  - description: retainKeys list can delete a field when no retainKeys directive present
    original:
      retainKeysMergingList:
      - name: bar
      - name: foo
        value: a
    twoWay:
      retainKeysMergingList:
      - name: foo
        value: null
    modified:
      retainKeysMergingList:
      - name: bar
      - name: foo
  - description: preserve the order from the patch in a merging list
    original:
      mergingList:
        - name: 1
        - name: 2
          value: b
        - name: 3
    twoWay:
      mergingList:
        - name: 3
          value: c
        - name: 1
          value: a
        - name: 2
          other: x
    modified:
      mergingList:
        - name: 3
          value: c
        - name: 1
          value: a
        - name: 2
          value: b
          other: x
  - description: preserve the order from the patch in a merging list 2
    original:
      mergingList:
        - name: 1
        - name: 2
          value: b
        - name: 3
    twoWay:
      mergingList:
        - name: 3
          value: c
        - name: 1
          value: a
    modified:
      mergingList:
        - name: 2
          value: b
        - name: 3
          value: c
        - name: 1
          value: a
  - description: preserve the order from the patch in a merging int list
    original:
      mergingIntList:
        - 1
        - 2
        - 3
    twoWay:
      mergingIntList:
        - 3
        - 1
        - 2
    modified:
      mergingIntList:
        - 3
        - 1
        - 2
  - description: preserve the order from the patch in a merging int list 2
    original:
      mergingIntList:
        - 1
        - 2
        - 3
    twoWay:
      mergingIntList:
        - 3
        - 1
    modified:
      mergingIntList:
        - 2
        - 3
        - 1
`);
});

describe("createStrategicMergePatchTestCaseData", () => {
  runTable(`
testCases:
  - description: nil original
    twoWay:
      name: 1
      value: 1
    modified:
      name: 1
      value: 1
    current:
      name: 1
      other: a
    threeWay:
      value: 1
    result:
      name: 1
      value: 1
      other: a
  - description: add field and delete field from map with conflict
    original:
      name: 1
    twoWay:
      name: null
      value: 1
    modified:
      value: 1
    current:
      name: a
      other: a
    threeWay:
      name: null
      value: 1
    result:
      value: 1
      other: a
  - description: delete field from nested map with conflict
    original:
      simpleMap:
        key1: 1
        key2: 1
    twoWay:
      simpleMap:
        key2: null
    modified:
      simpleMap:
        key1: 1
    current:
      simpleMap:
        key1: a
        key2: 1
        other: a
    threeWay:
      simpleMap:
        key1: 1
        key2: null
    result:
      simpleMap:
        key1: 1
        other: a
  - description: replace list of scalars with conflict
    original:
      nonMergingIntList:
        - 1
        - 2
    twoWay:
      nonMergingIntList:
        - 2
        - 3
    modified:
      nonMergingIntList:
        - 2
        - 3
    current:
      nonMergingIntList:
        - 1
        - 4
    threeWay:
      nonMergingIntList:
        - 2
        - 3
    result:
      nonMergingIntList:
        - 2
        - 3
  - description: delete all maps from merging list with conflict
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    modified:
      mergingList: []
    current:
      mergingList:
        - name: 1
          other: a
        - name: 2
          other: b
    threeWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    result:
      mergingList: []
  - description: delete all maps from empty merging list
    original:
      mergingList:
        - name: 1
        - name: 2
    twoWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    modified:
      mergingList: []
    current:
      mergingList: []
    threeWay:
      mergingList:
        - name: 1
          $patch: delete
        - name: 2
          $patch: delete
    result:
      mergingList: []
  - description: defined null values should propagate overwrite current fields (with conflict)
    original:
      name: 2
    twoWay:
      name: 1
      value: 1
      other: null
    twoWayResult:
      name: 1
      value: 1
    modified:
      name: 1
      value: 1
      other: null
    current:
      name: a
      other: a
    threeWay:
      name: 1
      value: 1
      other: null
    result:
      name: 1
      value: 1
  - description: retainKeys map with no change should not be present
    original:
      name: a
      retainKeysMap:
        name: foo
    current:
      name: a
      other: c
      retainKeysMap:
        name: foo
    modified:
      name: a
      value: b
      retainKeysMap:
        name: foo
    twoWay:
      value: b
    threeWay:
      value: b
    result:
      name: a
      value: b
      other: c
      retainKeysMap:
        name: foo
`);
});

interface RawCase {
  description: string;
  original: string;
  twoWay: string;
  modified?: string;
  current?: string;
  threeWay?: string;
  result?: string;
  expectedError?: string;
}

const rawCases: RawCase[] = [
  {
    description: "$setElementOrder contains item that is not present in the list to be merged",
    original: "mergingList:\n  - name: 1\n  - name: 3\n",
    twoWay:
      "$setElementOrder/mergingList:\n  - name: 3\n  - name: 2\n  - name: 1\nmergingList:\n  - name: 3\n    value: 3\n  - name: 1\n    value: 1\n",
    modified: "mergingList:\n  - name: 3\n    value: 3\n  - name: 1\n    value: 1\n",
  },
  {
    description: "$setElementOrder contains item that is not present in the int list to be merged",
    original: "mergingIntList:\n  - 1\n  - 3\n",
    twoWay: "$setElementOrder/mergingIntList:\n  - 3\n  - 2\n  - 1\n",
    modified: "mergingIntList:\n  - 3\n  - 1\n",
  },
  {
    description: "should check if order in $setElementOrder and patch list match",
    original: "mergingList:\n  - name: 1\n  - name: 3\n  - name: 2\n",
    twoWay:
      "$setElementOrder/mergingList:\n  - name: 1\n  - name: 2\n  - name: 3\nmergingList:\n  - name: 3\n    value: 3\n  - name: 1\n    value: 1\n",
    expectedError: "doesn't match",
  },
  {
    description: "should check if order in $setElementOrder and patch int list match",
    original: "mergingIntList:\n  - 1\n  - 3\n  - 2\n",
    twoWay: "$setElementOrder/mergingIntList:\n  - 1\n  - 2\n  - 3\nmergingIntList:\n  - 3\n  - 1\n",
    expectedError: "doesn't match",
  },
  {
    description: "missing merge key should error out",
    original: "mergingList:\n  - name: 1\n    value: a\n",
    twoWay: "mergingList:\n  - value: b\n",
    expectedError: "does not contain declared merge key",
  },
  {
    description: "delete items in lists of scalars",
    original: "mergingIntList:\n  - 1\n  - 2\n  - 3\n",
    twoWay:
      "$setElementOrder/mergingIntList:\n  - 1\n  - 2\n$deleteFromPrimitiveList/mergingIntList:\n  - 3\n",
    modified: "mergingIntList:\n  - 1\n  - 2\n",
    current: "mergingIntList:\n  - 1\n  - 2\n  - 3\n  - 4\n",
    threeWay:
      "$setElementOrder/mergingIntList:\n  - 1\n  - 2\n$deleteFromPrimitiveList/mergingIntList:\n  - 3\n",
    result: "mergingIntList:\n  - 1\n  - 2\n  - 4\n",
  },
  {
    description: "delete all duplicate items in lists of scalars",
    original: "mergingIntList:\n  - 1\n  - 2\n  - 3\n  - 3\n",
    twoWay:
      "$setElementOrder/mergingIntList:\n  - 1\n  - 2\n$deleteFromPrimitiveList/mergingIntList:\n  - 3\n",
    modified: "mergingIntList:\n  - 1\n  - 2\n",
    current: "mergingIntList:\n  - 1\n  - 2\n  - 3\n  - 3\n  - 4\n",
    threeWay:
      "$setElementOrder/mergingIntList:\n  - 1\n  - 2\n$deleteFromPrimitiveList/mergingIntList:\n  - 3\n",
    result: "mergingIntList:\n  - 1\n  - 2\n  - 4\n",
  },
  {
    description: "add and delete items in lists of scalars",
    original: "mergingIntList:\n  - 1\n  - 2\n  - 3\n",
    twoWay:
      "$setElementOrder/mergingIntList:\n  - 1\n  - 2\n  - 4\n$deleteFromPrimitiveList/mergingIntList:\n  - 3\nmergingIntList:\n  - 4\n",
    modified: "mergingIntList:\n  - 1\n  - 2\n  - 4\n",
    current: "mergingIntList:\n  - 1\n  - 2\n  - 3\n  - 4\n",
    threeWay:
      "$setElementOrder/mergingIntList:\n  - 1\n  - 2\n  - 4\n$deleteFromPrimitiveList/mergingIntList:\n  - 3\n",
    result: "mergingIntList:\n  - 1\n  - 2\n  - 4\n",
  },
  {
    description: "merge lists of maps",
    original: "mergingList:\n  - name: 1\n  - name: 2\n    value: 2\n",
    twoWay:
      "$setElementOrder/mergingList:\n  - name: 4\n  - name: 1\n  - name: 2\n  - name: 3\nmergingList:\n  - name: 4\n    value: 4\n  - name: 3\n    value: 3\n",
    modified:
      "mergingList:\n  - name: 4\n    value: 4\n  - name: 1\n  - name: 2\n    value: 2\n  - name: 3\n    value: 3\n",
    current: "mergingList:\n  - name: 1\n    other: a\n  - name: 2\n    value: 2\n    other: b\n",
    threeWay:
      "$setElementOrder/mergingList:\n  - name: 4\n  - name: 1\n  - name: 2\n  - name: 3\nmergingList:\n  - name: 4\n    value: 4\n  - name: 3\n    value: 3\n",
    result:
      "mergingList:\n  - name: 4\n    value: 4\n  - name: 1\n    other: a\n  - name: 2\n    value: 2\n    other: b\n  - name: 3\n    value: 3\n",
  },
  {
    description: "merge lists of maps with conflict",
    original: "mergingList:\n  - name: 1\n  - name: 2\n    value: 2\n",
    twoWay:
      "$setElementOrder/mergingList:\n  - name: 1\n  - name: 2\n  - name: 3\nmergingList:\n  - name: 3\n    value: 3\n",
    modified: "mergingList:\n  - name: 1\n  - name: 2\n    value: 2\n  - name: 3\n    value: 3\n",
    current: "mergingList:\n  - name: 1\n    other: a\n  - name: 2\n    value: 3\n    other: b\n",
    threeWay:
      "$setElementOrder/mergingList:\n  - name: 1\n  - name: 2\n  - name: 3\nmergingList:\n  - name: 2\n    value: 2\n  - name: 3\n    value: 3\n",
    result:
      "mergingList:\n  - name: 1\n    other: a\n  - name: 2\n    value: 2\n    other: b\n  - name: 3\n    value: 3\n",
  },
  {
    description: "retainKeys map deletes nested merging int list",
    original: "retainKeysMap:\n  name: foo\n  mergingIntList:\n  - 1\n  - 2\n  - 3\n",
    twoWay: "retainKeysMap:\n  $retainKeys:\n    - name\n  mergingIntList: null\n",
    modified: "retainKeysMap:\n  name: foo\n",
    current: "retainKeysMap:\n  name: foo\n  mergingIntList:\n  - 1\n  - 2\n  - 3\n",
    threeWay: "retainKeysMap:\n  $retainKeys:\n    - name\n  mergingIntList: null\n",
    result: "retainKeysMap:\n  name: foo\n",
  },
  {
    description: "retainKeys map nested merging list with no change",
    original: "retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: b\n",
    twoWay: "retainKeysMap:\n  $retainKeys:\n    - mergingList\n    - name\n    - value\n  value: bar\n",
    modified: "retainKeysMap:\n  name: foo\n  value: bar\n  mergingList:\n  - name: a\n  - name: b\n",
    current: "retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: b\n  - name: c\n",
    threeWay:
      "retainKeysMap:\n  $retainKeys:\n    - mergingList\n    - name\n    - value\n  $setElementOrder/mergingList:\n    - name: a\n    - name: b\n  value: bar\n",
    result:
      "retainKeysMap:\n  name: foo\n  value: bar\n  mergingList:\n  - name: a\n  - name: b\n  - name: c\n",
  },
  {
    description: "retainKeys map adds an item in nested merging list",
    original: "retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: b\n",
    twoWay:
      "retainKeysMap:\n  $retainKeys:\n    - mergingList\n    - name\n  $setElementOrder/mergingList:\n    - name: a\n    - name: b\n    - name: c\n  mergingList:\n  - name: c\n",
    modified: "retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: b\n  - name: c\n",
    current: "retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: b\n  - name: x\n",
    threeWay:
      "retainKeysMap:\n  $retainKeys:\n    - mergingList\n    - name\n  $setElementOrder/mergingList:\n    - name: a\n    - name: b\n    - name: c\n  mergingList:\n  - name: c\n",
    result:
      "retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: b\n  - name: c\n  - name: x\n",
  },
  {
    description: "retainKeys map deletes an item in nested merging list",
    original: "retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: b\n",
    twoWay:
      "retainKeysMap:\n  $retainKeys:\n    - mergingList\n    - name\n  $setElementOrder/mergingList:\n    - name: a\n  mergingList:\n  - name: b\n    $patch: delete\n",
    modified: "retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n",
    current: "retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: b\n  - name: x\n",
    threeWay:
      "retainKeysMap:\n  $retainKeys:\n    - mergingList\n    - name\n  $setElementOrder/mergingList:\n    - name: a\n  mergingList:\n  - name: b\n    $patch: delete\n",
    result: "retainKeysMap:\n  name: foo\n  mergingList:\n  - name: a\n  - name: x\n",
  },
  {
    description: "retainKeys list of maps clears a field",
    original: "retainKeysMergingList:\n- name: bar\n- name: foo\n  value: a\n",
    twoWay: "{}",
    modified: "retainKeysMergingList:\n- name: bar\n- name: foo\n  value: a\n",
    current: "retainKeysMergingList:\n- name: bar\n- name: foo\n  value: a\n  other: x\n",
    threeWay:
      "$setElementOrder/retainKeysMergingList:\n  - name: bar\n  - name: foo\nretainKeysMergingList:\n- $retainKeys:\n    - name\n    - value\n  name: foo\n",
    result: "retainKeysMergingList:\n- name: bar\n- name: foo\n  value: a\n",
  },
  {
    description: "retainKeys list of maps deletes a field and clear a field",
    original: "retainKeysMergingList:\n- name: bar\n- name: foo\n  value: a\n",
    twoWay:
      "$setElementOrder/retainKeysMergingList:\n  - name: bar\n  - name: foo\nretainKeysMergingList:\n- $retainKeys:\n    - name\n  name: foo\n  value: null\n",
    modified: "retainKeysMergingList:\n- name: bar\n- name: foo\n",
    current: "retainKeysMergingList:\n- name: bar\n- name: foo\n  value: a\n  other: x\n",
    threeWay:
      "$setElementOrder/retainKeysMergingList:\n  - name: bar\n  - name: foo\nretainKeysMergingList:\n- $retainKeys:\n    - name\n  name: foo\n  value: null\n",
    result: "retainKeysMergingList:\n- name: bar\n- name: foo\n",
  },
  {
    description: "delete and reorder in one list, reorder in another",
    original:
      "mergingList:\n- name: a\n  value: a\n- name: b\n  value: b\nmergeItemPtr:\n- name: c\n  value: c\n- name: d\n  value: d\n",
    twoWay:
      "$setElementOrder/mergingList:\n- name: b\n$setElementOrder/mergeItemPtr:\n- name: d\n- name: c\nmergingList:\n- $patch: delete\n  name: a\n",
    modified:
      "mergingList:\n- name: b\n  value: b\nmergeItemPtr:\n- name: d\n  value: d\n- name: c\n  value: c\n",
    current:
      "mergingList:\n- name: a\n  value: a\n- name: b\n  value: b\nmergeItemPtr:\n- name: c\n  value: c\n- name: d\n  value: d\n",
    threeWay:
      "$setElementOrder/mergingList:\n- name: b\n$setElementOrder/mergeItemPtr:\n- name: d\n- name: c\nmergingList:\n- $patch: delete\n  name: a\n",
    result:
      "mergingList:\n- name: b\n  value: b\nmergeItemPtr:\n- name: d\n  value: d\n- name: c\n  value: c\n",
  },
];

describe("strategicMergePatchRawTestCases", () => {
  for (const c of rawCases) {
    test(c.description, () => {
      if (c.expectedError) {
        assert.throws(
          () => strategicMergePatch(y(c.original), y(c.twoWay), mergeItem),
          (e: unknown) => e instanceof PatchError && e.message.includes(c.expectedError!),
        );
        return;
      }
      assert.deepEqual(strategicMergePatch(y(c.original), y(c.twoWay), mergeItem), y(c.modified!));
      if (c.threeWay) {
        assert.deepEqual(strategicMergePatch(y(c.current!), y(c.threeWay), mergeItem), y(c.result!));
      }
    });
  }
});

describe("directives and errors", () => {
  test("replace patch strategy replaces the whole map", () => {
    const got = strategicMergePatch(
      { replacingItem: { a: 1, b: 2 } },
      { replacingItem: { c: 3 } },
      mergeItem,
    );
    assert.deepEqual(got, { replacingItem: { c: 3 } });
  });

  test("$patch: replace inside a nested map", () => {
    const got = strategicMergePatch(
      { simpleMap: { a: "1", b: "2" }, name: "x" },
      { simpleMap: { $patch: "replace", c: "3" } },
      mergeItem,
    );
    assert.deepEqual(got, { simpleMap: { c: "3" }, name: "x" });
  });

  test("$patch: delete at the top level empties the object", () => {
    assert.deepEqual(strategicMergePatch({ name: "a" }, { $patch: "delete" }, mergeItem), {});
  });

  test("unknown $patch value in a map is a 500 with upstream's text", () => {
    assert.throws(
      () =>
        strategicMergePatch({ simpleMap: { a: "1" } }, { simpleMap: { $patch: "merge", b: "2" } }, mergeItem),
      (e: unknown) =>
        e instanceof PatchError &&
        e.code === 500 &&
        e.message === "unknown patch type: merge in map: map[$patch:merge b:2]",
    );
  });

  test("$patch: merge in a list is refused", () => {
    assert.throws(
      () =>
        strategicMergePatch(
          { mergingList: [{ name: "a" }] },
          { mergingList: [{ $patch: "merge" }] },
          mergeItem,
        ),
      { message: "merging lists cannot yet be specified in the patch" },
    );
  });

  test("missing merge key quotes the map as Go prints it", () => {
    assert.throws(
      () =>
        strategicMergePatch(
          { mergingList: [{ name: "a" }] },
          { mergingList: [{ value: "b", other: 1 }] },
          mergeItem,
        ),
      { message: "map: map[other:1 value:b] does not contain declared merge key: name" },
    );
  });

  test("$retainKeys that does not list a patched key is a 400", () => {
    assert.throws(
      () =>
        strategicMergePatch(
          { retainKeysMap: { name: "a" } },
          { retainKeysMap: { $retainKeys: ["name"], value: "v" } },
          mergeItem,
        ),
      (e: unknown) =>
        e instanceof PatchError && e.code === 400 && e.message === "invalid patch format of retainKeys",
    );
  });

  test("bad $deleteFromPrimitiveList key is a 400", () => {
    assert.throws(
      () => strategicMergePatch({}, { $deleteFromPrimitiveListmergingIntList: [1] }, mergeItem),
      (e: unknown) =>
        e instanceof PatchError && e.code === 400 && e.message === "invalid patch format of primitive list",
    );
  });

  test("lists of lists are a 422", () => {
    assert.throws(
      () => strategicMergePatch({ mergingIntList: [[1]] }, { mergingIntList: [[2]] }, mergeItem),
      (e: unknown) =>
        e instanceof PatchError && e.code === 422 && e.message === "lists of lists are not supported",
    );
  });

  test("a patch that is not an object is a 400", () => {
    assert.throws(
      () => strategicMergePatch({}, [1], mergeItem),
      (e: unknown) =>
        e instanceof PatchError &&
        e.code === 400 &&
        e.message === "json: cannot unmarshal array into Go value of type map[string]interface {}",
    );
  });

  test("inputs are not modified", () => {
    const original = { mergingList: [{ name: "a", value: "1" }] };
    const patch = { mergingList: [{ name: "a", value: "2" }] };
    strategicMergePatch(original, patch, mergeItem);
    assert.deepEqual(original, { mergingList: [{ name: "a", value: "1" }] });
    assert.deepEqual(patch, { mergingList: [{ name: "a", value: "2" }] });
  });

  test("without schema, maps merge and lists replace", () => {
    const got = strategicMergePatch({ a: { b: 1, c: [1, 2] } }, { a: { d: 2, c: [3] } }, undefined);
    assert.deepEqual(got, { a: { b: 1, c: [3], d: 2 } });
  });
});
