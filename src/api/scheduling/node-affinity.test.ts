import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type {
  Node,
  NodeSelectorRequirement,
  Pod,
  PreferredSchedulingTerm,
  NodeSelector as V1NodeSelector,
} from "kubernetes-types/core/v1.d.ts";
import { newPath } from "../../machinery/field-errors.ts";
import {
  getRequiredNodeAffinity,
  LazyErrorNodeSelector,
  matchNodeSelectorTerms,
  newNodeSelector,
  newPreferredSchedulingTerms,
} from "./node-affinity.ts";

const node = (name: string, labels?: Record<string, string>): Node => ({ metadata: { name, labels } });

const nameKeyErr =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";

const invalidTerms: V1NodeSelector = {
  nodeSelectorTerms: [
    { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1", "host_2"] }] },
    {
      matchExpressions: [{ key: "label_1", operator: "In", values: ["label_1_val"] }],
      matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1"] }],
    },
    { matchExpressions: [{ key: "invalid key", operator: "In", values: ["label_value"] }] },
  ],
};

// Upstream: component-helpers/scheduling/corev1/nodeaffinity/nodeaffinity_test.go TestNodeSelectorMatch.
describe("NodeSelector", () => {
  test("invalid field selector and label selector: flattened errors with term paths", () => {
    assert.throws(
      () => newNodeSelector(invalidTerms),
      (e: Error) => {
        assert.equal(
          e.message,
          `[nodeSelectorTerms[0].matchFields[0].values: Invalid value: []string{"host_1", "host_2"}: must have one element, ` +
            `nodeSelectorTerms[2].matchExpressions[0].key: Invalid value: "invalid key": ${nameKeyErr}]`,
        );
        return true;
      },
    );
  });

  test("a path option prefixes the field paths", () => {
    assert.throws(
      () =>
        newNodeSelector(
          { nodeSelectorTerms: [{ matchExpressions: [{ key: "a", operator: "Foo" }] }] },
          newPath("addedAffinity", "requiredDuringSchedulingIgnoredDuringExecution"),
        ),
      {
        message:
          'addedAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].operator: Unsupported value: "Foo": supported values: "In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"',
      },
    );
  });

  test("matchFields supports only In and NotIn", () => {
    assert.throws(
      () =>
        newNodeSelector({
          nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "Exists" }] }],
        }),
      {
        message:
          'nodeSelectorTerms[0].matchFields[0].operator: Unsupported value: "Exists": supported values: "In", "NotIn"',
      },
    );
  });

  const cases: Array<{ name: string; ns: V1NodeSelector; node?: Node; want: boolean }> = [
    { name: "nil node", ns: { nodeSelectorTerms: [] }, want: false },
    {
      name: "node matches field selector, but not labels",
      ns: {
        nodeSelectorTerms: [
          {
            matchExpressions: [{ key: "label_1", operator: "In", values: ["label_1_val"] }],
            matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1"] }],
          },
        ],
      },
      node: node("host_1"),
      want: false,
    },
    {
      name: "node matches field selector and label selector",
      ns: {
        nodeSelectorTerms: [
          {
            matchExpressions: [{ key: "label_1", operator: "In", values: ["label_1_val"] }],
            matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1"] }],
          },
        ],
      },
      node: node("host_1", { label_1: "label_1_val" }),
      want: true,
    },
    {
      name: "second term matches",
      ns: {
        nodeSelectorTerms: [
          { matchExpressions: [{ key: "label_1", operator: "In", values: ["label_1_val"] }] },
          { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1"] }] },
        ],
      },
      node: node("host_1"),
      want: true,
    },
    {
      name: "NotIn on metadata.name",
      ns: {
        nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "NotIn", values: ["a"] }] }],
      },
      node: node("b"),
      want: true,
    },
    {
      name: "a field other than metadata.name reads as empty",
      ns: { nodeSelectorTerms: [{ matchFields: [{ key: "spec.foo", operator: "In", values: ["x"] }] }] },
      node: node("b"),
      want: false,
    },
    {
      name: "a node without a name ignores matchFields, as upstream",
      ns: { nodeSelectorTerms: [{ matchFields: [{ key: "metadata.name", operator: "In", values: ["a"] }] }] },
      node: node(""),
      want: true,
    },
    {
      name: "empty terms match nothing",
      ns: { nodeSelectorTerms: [{}, { matchExpressions: [] }] },
      node: node("a", { foo: "bar" }),
      want: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      assert.equal(newNodeSelector(c.ns).match(c.node), c.want);
    });
  }
});

describe("LazyErrorNodeSelector", () => {
  test("reports parse errors only when no valid term matches", () => {
    const lazy = new LazyErrorNodeSelector(invalidTerms);
    const ok = lazy.matchWithError(node("host_1", { label_1: "label_1_val" }));
    assert.deepEqual(ok, { matches: true, error: null });
    const miss = lazy.matchWithError(node("host_2"));
    assert.equal(miss.matches, false);
    assert.match(miss.error!.message, /^\[nodeSelectorTerms\[0\]\.matchFields\[0\]\.values: Invalid value/);
    assert.equal(lazy.match(node("host_2")), false);
    assert.equal(lazy.parseErrors().length, 2);
  });

  test("matchNodeSelectorTerms ORs the terms", () => {
    const ns: V1NodeSelector = {
      nodeSelectorTerms: [
        { matchExpressions: [{ key: "zone", operator: "In", values: ["a"] }] },
        { matchExpressions: [{ key: "zone", operator: "In", values: ["b"] }] },
      ],
    };
    assert.equal(matchNodeSelectorTerms(node("n", { zone: "b" }), ns), true);
    assert.equal(matchNodeSelectorTerms(node("n", { zone: "c" }), ns), false);
    assert.equal(matchNodeSelectorTerms(undefined, ns), false);
  });
});

// Upstream: TestPreferredSchedulingTermsScore.
describe("PreferredSchedulingTerms", () => {
  test("invalid field selector and label selector", () => {
    const terms: PreferredSchedulingTerm[] = invalidTerms.nodeSelectorTerms.map((preference) => ({
      weight: 1,
      preference,
    }));
    assert.throws(() => newPreferredSchedulingTerms(terms), {
      message:
        `[[0].matchFields[0].values: Invalid value: []string{"host_1", "host_2"}: must have one element, ` +
        `[2].matchExpressions[0].key: Invalid value: "invalid key": ${nameKeyErr}]`,
    });
  });

  test("invalid field selector but no weight, error not reported", () => {
    const t = newPreferredSchedulingTerms([
      {
        weight: 0,
        preference: { matchFields: [{ key: "metadata.name", operator: "In", values: ["a", "b"] }] },
      },
    ]);
    assert.equal(t.score(node("host_1")), 0);
  });

  test("first and third term match", () => {
    const t = newPreferredSchedulingTerms([
      {
        weight: 5,
        preference: { matchFields: [{ key: "metadata.name", operator: "In", values: ["host_1"] }] },
      },
      {
        weight: 7,
        preference: {
          matchExpressions: [{ key: "unknown_label", operator: "In", values: ["unknown_label_val"] }],
        },
      },
      {
        weight: 11,
        preference: { matchExpressions: [{ key: "label_1", operator: "In", values: ["label_1_val"] }] },
      },
    ]);
    assert.equal(t.score(node("host_1", { label_1: "label_1_val" })), 16);
  });
});

const requiredAffinity = (...matchExpressions: NodeSelectorRequirement[]): Pod => ({
  spec: {
    containers: [],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions }] },
      },
    },
  },
});

// Upstream: TestPodMatchesNodeSelectorAndAffinityTerms.
describe("getRequiredNodeAffinity", () => {
  const cases: Array<{
    name: string;
    pod: Pod;
    labels?: Record<string, string>;
    nodeName?: string;
    want: boolean;
  }> = [
    { name: "no selector", pod: { spec: { containers: [] } }, want: true },
    {
      name: "missing labels",
      pod: { spec: { containers: [], nodeSelector: { foo: "bar" } } },
      want: false,
    },
    {
      name: "same labels",
      pod: { spec: { containers: [], nodeSelector: { foo: "bar" } } },
      labels: { foo: "bar" },
      want: true,
    },
    {
      name: "node labels are superset",
      pod: { spec: { containers: [], nodeSelector: { foo: "bar" } } },
      labels: { foo: "bar", baz: "blah" },
      want: true,
    },
    {
      name: "node labels are subset",
      pod: { spec: { containers: [], nodeSelector: { foo: "bar", baz: "blah" } } },
      labels: { foo: "bar" },
      want: false,
    },
    {
      name: "In operator that matches",
      pod: requiredAffinity({ key: "foo", operator: "In", values: ["bar", "value2"] }),
      labels: { foo: "bar" },
      want: true,
    },
    {
      name: "Gt operator that matches",
      pod: requiredAffinity({ key: "kernel-version", operator: "Gt", values: ["0204"] }),
      labels: { "kernel-version": "0206" },
      want: true,
    },
    {
      name: "Lt operator that does not match",
      pod: requiredAffinity({ key: "kernel-version", operator: "Lt", values: ["0204"] }),
      labels: { "kernel-version": "0206" },
      want: false,
    },
    {
      name: "NotIn operator that matches",
      pod: requiredAffinity({ key: "mem-type", operator: "NotIn", values: ["DDR", "DDR2"] }),
      labels: { "mem-type": "DDR3" },
      want: true,
    },
    {
      name: "Exists operator that matches",
      pod: requiredAffinity({ key: "GPU", operator: "Exists" }),
      labels: { GPU: "NVIDIA-GRID-K1" },
      want: true,
    },
    {
      name: "DoesNotExist operator on a node that has the label",
      pod: requiredAffinity({ key: "GPU", operator: "DoesNotExist" }),
      labels: { GPU: "NVIDIA-GRID-K1" },
      want: false,
    },
    {
      name: "affinity that doesn't match node's labels",
      pod: requiredAffinity({ key: "foo", operator: "In", values: ["value1", "value2"] }),
      labels: { foo: "bar" },
      want: false,
    },
    {
      name: "an empty []NodeSelectorTerm matches nothing",
      pod: {
        spec: {
          containers: [],
          affinity: {
            nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] } },
          },
        },
      },
      labels: { foo: "bar" },
      want: false,
    },
    {
      name: "multiple matchExpressions ANDed that match",
      pod: requiredAffinity(
        { key: "GPU", operator: "Exists" },
        { key: "GPU", operator: "NotIn", values: ["AMD", "INTER"] },
      ),
      labels: { GPU: "NVIDIA-GRID-K1" },
      want: true,
    },
    {
      name: "multiple matchExpressions ANDed that don't match",
      pod: requiredAffinity(
        { key: "GPU", operator: "Exists" },
        { key: "GPU", operator: "In", values: ["AMD", "INTER"] },
      ),
      labels: { GPU: "NVIDIA-GRID-K1" },
      want: false,
    },
    {
      name: "an affinity and a nodeSelector both satisfied",
      pod: { ...requiredAffinity({ key: "foo", operator: "Exists" }) },
      labels: { foo: "bar" },
      want: true,
    },
    {
      name: "an invalid value in the affinity term won't match",
      pod: requiredAffinity({ key: "foo", operator: "NotIn", values: ["invalid value: ___@#$%^"] }),
      labels: { foo: "bar" },
      want: false,
    },
    {
      name: "matchFields In operator that matches the node",
      pod: {
        spec: {
          containers: [],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchFields: [{ key: "metadata.name", operator: "In", values: ["node_1"] }] },
                ],
              },
            },
          },
        },
      },
      nodeName: "node_1",
      want: true,
    },
    {
      name: "matchFields In operator that does not match the node",
      pod: {
        spec: {
          containers: [],
          affinity: {
            nodeAffinity: {
              requiredDuringSchedulingIgnoredDuringExecution: {
                nodeSelectorTerms: [
                  { matchFields: [{ key: "metadata.name", operator: "In", values: ["node_1"] }] },
                ],
              },
            },
          },
        },
      },
      nodeName: "node_2",
      want: false,
    },
  ];
  for (const c of cases) {
    test(c.name, () => {
      const n = node(c.nodeName ?? "node", c.labels);
      assert.equal(getRequiredNodeAffinity(c.pod).match(n), c.want);
    });
  }

  test("the nodeSelector is checked before the affinity", () => {
    const pod: Pod = { ...requiredAffinity({ key: "foo", operator: "Exists" }) };
    pod.spec!.nodeSelector = { foo: "bar" };
    const r = getRequiredNodeAffinity(pod);
    assert.equal(r.match(node("n", { foo: "barrrrrr" })), false);
    assert.equal(r.match(node("n", { foo: "bar" })), true);
  });

  test("matchWithError surfaces the parse error of an unmatched invalid term", () => {
    const r = getRequiredNodeAffinity(
      requiredAffinity({ key: "foo", operator: "NotIn", values: ["invalid value: ___@#$%^"] }),
    );
    const res = r.matchWithError(node("n", { foo: "bar" }));
    assert.equal(res.matches, false);
    assert.match(
      res.error!.message,
      // labels.NewRequirement keys the value's path by the label key, as upstream does.
      /^nodeSelectorTerms\[0\]\.matchExpressions\[0\]\.values\[0\]\[foo\]: Invalid value: "invalid value: ___@#\$%\^": a valid label must be/,
    );
  });
});
