import assert from "node:assert/strict";
import { test } from "node:test";
import {
  validatingAdmissionPolicyBindingPrinter,
  validatingAdmissionPolicyPrinter,
} from "./validatingadmissionpolicy.ts";

const now = new Date("2024-06-01T12:00:00Z");
const metadata = { name: "replicas", creationTimestamp: "2024-06-01T11:00:00Z" };

test("VALIDATIONS counts the policy's validations; PARAMKIND is apiVersion/kind or <unset>", () => {
  assert.deepEqual(
    validatingAdmissionPolicyPrinter.columns.map((c) => [c.name, c.type]),
    [
      ["Name", "string"],
      ["Validations", "integer"],
      ["ParamKind", "string"],
      ["Age", "string"],
    ],
  );
  assert.deepEqual(
    validatingAdmissionPolicyPrinter.print(
      {
        metadata,
        spec: {
          paramKind: { apiVersion: "v1", kind: "ConfigMap" },
          validations: [{ expression: "true" }, { expression: "false" }],
        },
      },
      { now },
    ).cells,
    ["replicas", 2, "v1/ConfigMap", "60m"],
  );
  assert.deepEqual(validatingAdmissionPolicyPrinter.print({ metadata: { name: "bare" } }, { now }).cells, [
    "bare",
    0,
    "<unset>",
    "<unknown>",
  ]);
});

test("PARAMREF is namespace/name, */name, the selector's String() or <unset>", () => {
  assert.deepEqual(
    validatingAdmissionPolicyBindingPrinter.columns.map((c) => c.name),
    ["Name", "PolicyName", "ParamRef", "Age"],
  );
  const cell = (paramRef?: object) =>
    validatingAdmissionPolicyBindingPrinter.print({ metadata, spec: { policyName: "p", paramRef } }, { now })
      .cells;
  assert.deepEqual(cell({ name: "limits", namespace: "default" }), [
    "replicas",
    "p",
    "default/limits",
    "60m",
  ]);
  assert.deepEqual(cell({ name: "limits" })[2], "*/limits");
  assert.deepEqual(cell()[2], "<unset>");
  assert.deepEqual(cell({ parameterNotFoundAction: "Deny" })[2], "<unset>");
  assert.equal(
    cell({
      selector: {
        matchLabels: { tier: "web", app: "x" },
        matchExpressions: [{ key: "env", operator: "In", values: ["a", "b"] }],
      },
    })[2],
    "&LabelSelector{MatchLabels:map[string]string{app: x,tier: web,},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:env,Operator:In,Values:[a b],},},}",
  );
});
