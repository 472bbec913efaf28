import assert from "node:assert/strict";
import { test } from "node:test";
import { formatLabelSelector, formatLabels, labelSelectorString } from "./labels.ts";

test("labels.FormatLabels sorts by key and prints <none> when empty", () => {
  assert.equal(formatLabels({ foo: "bar" }), "foo=bar");
  assert.equal(formatLabels({ tier: "web", app: "nginx" }), "app=nginx,tier=web");
  assert.equal(formatLabels({}), "<none>");
  assert.equal(formatLabels(undefined), "<none>");
});

test("FormatLabelSelector follows labels.Selector.String()", () => {
  assert.equal(formatLabelSelector({ matchLabels: { foo: "bar" } }), "foo=bar");
  assert.equal(formatLabelSelector({}), "<none>");
  assert.equal(formatLabelSelector(undefined), "<none>");
  assert.equal(
    formatLabelSelector({
      matchLabels: { tier: "web" },
      matchExpressions: [
        { key: "env", operator: "In", values: ["qa", "prod"] },
        { key: "zone", operator: "NotIn", values: ["b"] },
        { key: "canary", operator: "DoesNotExist" },
        { key: "app", operator: "Exists" },
      ],
    }),
    "app,!canary,env in (prod,qa),tier=web,zone notin (b)",
  );
  assert.equal(formatLabelSelector({ matchExpressions: [{ key: "a", operator: "Bogus" }] }), "<error>");
  assert.equal(
    formatLabelSelector({ matchExpressions: [{ key: "a", operator: "In", values: [] }] }),
    "<error>",
  );
});

test("LabelSelectorAsSelector(nil) and an empty selector both print as an empty string", () => {
  assert.equal(labelSelectorString(undefined), "");
  assert.equal(labelSelectorString({}), "");
  assert.equal(labelSelectorString({ matchLabels: { b: "2", a: "1" } }), "a=1,b=2");
});
