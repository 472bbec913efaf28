// Validation of FlowSchema and PriorityLevelConfiguration, after upstream's
// pkg/apis/flowcontrol/validation/validation_test.go: objects are defaulted as
// the apiserver defaults v1 bodies, then run through the strategies' checks.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { newPath } from "../../machinery/field-errors.ts";
import { requiredEntropyBits, validateNonResourceURLPath } from "./flowcontrol.ts";
import { createErrors, type J, statusErrors, stored, updateErrors } from "./test-helpers.ts";

const G = "flowcontrol.apiserver.k8s.io";
const dns1123Subdomain =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const dns1123Label =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

const everyone = [
  { kind: "Group", group: { name: "system:unauthenticated" } },
  { kind: "Group", group: { name: "system:authenticated" } },
];
const allResources = {
  verbs: ["*"],
  apiGroups: ["*"],
  resources: ["*"],
  clusterScope: true,
  namespaces: ["*"],
};
const allNonResources = { verbs: ["*"], nonResourceURLs: ["*"] };

const fs = (spec: J = {}, name = "fs", meta: J = {}): J => ({
  apiVersion: `${G}/v1`,
  kind: "FlowSchema",
  metadata: { name, ...meta },
  spec: {
    priorityLevelConfiguration: { name: "global-default" },
    rules: [{ subjects: everyone, resourceRules: [allResources] }],
    ...spec,
  },
});

const rule = (r: J): J => fs({ rules: [{ subjects: everyone, ...r }] });

const pl = (spec: J, name = "pl", meta: J = {}): J => ({
  apiVersion: `${G}/v1`,
  kind: "PriorityLevelConfiguration",
  metadata: { name, ...meta },
  spec,
});

const limited = (limitedSpec: J, name = "pl"): J => pl({ type: "Limited", limited: limitedSpec }, name);
const queuing = (q: J): J => limited({ limitResponse: { type: "Queue", queuing: q } });

describe("FlowSchema", () => {
  test("a schema with the defaults is valid", () => {
    assert.deepEqual(createErrors(G, "FlowSchema", fs()), []);
    assert.deepEqual(
      createErrors(
        G,
        "FlowSchema",
        fs({
          matchingPrecedence: 50,
          distinguisherMethod: { type: "ByNamespace" },
          rules: [
            {
              subjects: [
                { kind: "User", user: { name: "alice" } },
                { kind: "ServiceAccount", serviceAccount: { namespace: "kube-system", name: "*" } },
              ],
              resourceRules: [
                {
                  verbs: ["get", "list", "proxy"],
                  apiGroups: [""],
                  resources: ["pods"],
                  namespaces: ["default"],
                },
              ],
              nonResourceRules: [{ verbs: ["get"], nonResourceURLs: ["/healthz", "/apis/*", "/"] }],
            },
          ],
        }),
      ),
      [],
    );
  });

  test("metadata.name is a DNS subdomain", () => {
    assert.deepEqual(createErrors(G, "FlowSchema", fs({}, "Bad_Name")), [
      `metadata.name: Invalid value: "Bad_Name": ${dns1123Subdomain}`,
    ]);
  });

  test("matchingPrecedence is in [1, 10000], and 1 is for 'exempt' only", () => {
    // 0 is unset in Go: it defaults to 1000.
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ matchingPrecedence: 0 })), []);
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ matchingPrecedence: -1 })), [
      "spec.matchingPrecedence: Invalid value: -1: must be a positive value",
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ matchingPrecedence: 10001 })), [
      "spec.matchingPrecedence: Invalid value: 10001: must not be greater than 10000",
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ matchingPrecedence: 10000 })), []);
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ matchingPrecedence: 1 })), [
      "spec.matchingPrecedence: Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1",
    ]);
  });

  test("distinguisherMethod.type is ByUser or ByNamespace", () => {
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ distinguisherMethod: { type: "ByUser" } })), []);
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ distinguisherMethod: { type: "ByCookie" } })), [
      'spec.distinguisherMethod.type: Unsupported value: flowcontrol.FlowDistinguisherMethod{Type:"ByCookie"}: supported values: "ByNamespace", "ByUser"',
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ distinguisherMethod: null })), []);
  });

  test("priorityLevelConfiguration.name is required and a DNS subdomain", () => {
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ priorityLevelConfiguration: {} })), [
      "spec.priorityLevelConfiguration.name: Required value: must reference a priority level",
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ priorityLevelConfiguration: { name: "A" } })), [
      `spec.priorityLevelConfiguration.name: Invalid value: "A": ${dns1123Subdomain}`,
    ]);
  });

  test("rules need subjects and at least one resource or non-resource rule", () => {
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ rules: [] })), []);
    assert.deepEqual(createErrors(G, "FlowSchema", fs({ rules: [{ subjects: [] }] })), [
      "spec.rules[0].subjects: Required value: subjects must contain at least one value",
      "spec.rules[0]: Required value: at least one of resourceRules and nonResourceRules has to be non-empty",
    ]);
  });

  test("subjects: the member of the kind is required, the others forbidden", () => {
    const subject = (s: J) => rule({ subjects: [s], nonResourceRules: [allNonResources] });
    assert.deepEqual(createErrors(G, "FlowSchema", subject({ kind: "User" })), [
      "spec.rules[0].subjects[0].user: Required value: user is required when subject kind is 'User'",
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", subject({ kind: "User", user: {} })), [
      "spec.rules[0].subjects[0].user.name: Required value",
    ]);
    assert.deepEqual(
      createErrors(G, "FlowSchema", subject({ kind: "User", user: { name: "u" }, group: { name: "g" } })),
      ["spec.rules[0].subjects[0].group: Forbidden: group is forbidden when subject kind is not 'Group'"],
    );
    assert.deepEqual(createErrors(G, "FlowSchema", subject({ kind: "Group" })), [
      "spec.rules[0].subjects[0].group: Required value: group is required when subject kind is 'Group'",
    ]);
    assert.deepEqual(
      createErrors(
        G,
        "FlowSchema",
        subject({
          kind: "Group",
          group: { name: "g" },
          user: { name: "u" },
          serviceAccount: { namespace: "n", name: "s" },
        }),
      ),
      [
        "spec.rules[0].subjects[0].serviceAccount: Forbidden: serviceAccount is forbidden when subject kind is not 'ServiceAccount'",
        "spec.rules[0].subjects[0].user: Forbidden: user is forbidden when subject kind is not 'User'",
      ],
    );
    assert.deepEqual(createErrors(G, "FlowSchema", subject({ kind: "ServiceAccount" })), [
      "spec.rules[0].subjects[0].serviceAccount: Required value: serviceAccount is required when subject kind is 'ServiceAccount'",
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", subject({ kind: "ServiceAccount", serviceAccount: {} })), [
      "spec.rules[0].subjects[0].serviceAccount.name: Required value",
      "spec.rules[0].subjects[0].serviceAccount.namespace: Required value: must specify namespace for service account",
    ]);
    assert.deepEqual(
      createErrors(
        G,
        "FlowSchema",
        subject({ kind: "ServiceAccount", serviceAccount: { namespace: "Bad.NS", name: "Bad_SA" } }),
      ),
      [
        `spec.rules[0].subjects[0].serviceAccount.name: Invalid value: "Bad_SA": ${dns1123Subdomain}`,
        `spec.rules[0].subjects[0].serviceAccount.namespace: Invalid value: "Bad.NS": ${dns1123Label}`,
      ],
    );
    assert.deepEqual(createErrors(G, "FlowSchema", subject({ kind: "Robot" })), [
      'spec.rules[0].subjects[0].kind: Unsupported value: "Robot": supported values: "Group", "ServiceAccount", "User"',
    ]);
  });

  test("resource rules: verbs, apiGroups, resources, namespaces and '*' alone", () => {
    const rr = (r: J) => rule({ resourceRules: [{ ...allResources, ...r }] });
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ verbs: [] })), [
      "spec.rules[0].resourceRules[0].verbs: Required value: verbs must contain at least one value",
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ verbs: ["*", "get"] })), [
      'spec.rules[0].resourceRules[0].verbs: Invalid value: []string{"*", "get"}: if \'*\' is present, must not specify other verbs',
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ verbs: ["get", "escalate"] })), [
      'spec.rules[0].resourceRules[0].verbs: Unsupported value: []string{"get", "escalate"}: supported values: "create", "delete", "deletecollection", "get", "list", "patch", "proxy", "update", "watch"',
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ apiGroups: [] })), [
      "spec.rules[0].resourceRules[0].apiGroups: Required value: resource rules must supply at least one api group",
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ apiGroups: ["apps", "*"] })), [
      'spec.rules[0].resourceRules[0].apiGroups: Invalid value: []string{"apps", "*"}: if \'*\' is present, must not specify other api groups',
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ resources: null })), [
      "spec.rules[0].resourceRules[0].resources: Required value: resource rules must supply at least one resource",
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ resources: ["*", "pods"] })), [
      'spec.rules[0].resourceRules[0].resources: Invalid value: []string{"*", "pods"}: if \'*\' is present, must not specify other resources',
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ clusterScope: false, namespaces: [] })), [
      "spec.rules[0].resourceRules[0].namespaces: Required value: resource rules that are not cluster scoped must supply at least one namespace",
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ clusterScope: true, namespaces: [] })), []);
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ namespaces: ["*", "default"] })), [
      'spec.rules[0].resourceRules[0].namespaces: Invalid value: []string{"*", "default"}: if \'*\' is present, must not specify other namespaces',
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", rr({ namespaces: ["default", "Foo"] })), [
      `spec.rules[0].resourceRules[0].namespaces[1]: Invalid value: "Foo": each member of this list must be '*' or a DNS-1123 label; ${dns1123Label}`,
    ]);
  });

  test("non-resource rules: verbs and URL paths", () => {
    const nr = (r: J) => rule({ nonResourceRules: [{ ...allNonResources, ...r }] });
    assert.deepEqual(createErrors(G, "FlowSchema", nr({ verbs: ["*", "get"] })), [
      'spec.rules[0].nonResourceRules[0].verbs: Invalid value: []string{"*", "get"}: if \'*\' is present, must not specify other verbs',
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", nr({ nonResourceURLs: [] })), [
      "spec.rules[0].nonResourceRules[0].nonResourceURLs: Required value: nonResourceURLs must contain at least one value",
    ]);
    assert.deepEqual(createErrors(G, "FlowSchema", nr({ nonResourceURLs: ["*", "/healthz"] })), [
      'spec.rules[0].nonResourceRules[0].nonResourceURLs: Invalid value: []string{"*", "/healthz"}: if \'*\' is present, must not specify other non-resource URLs',
    ]);
    assert.deepEqual(
      createErrors(G, "FlowSchema", nr({ nonResourceURLs: ["healthz", "/a b", "/a//b", "/a*"] })),
      [
        'spec.rules[0].nonResourceRules[0].nonResourceURLs[0]: Invalid value: "healthz": must start with slash',
        'spec.rules[0].nonResourceRules[0].nonResourceURLs[1]: Invalid value: "/a b": must not contain white-space',
        'spec.rules[0].nonResourceRules[0].nonResourceURLs[2]: Invalid value: "/a//b": must not contain double slash',
        'spec.rules[0].nonResourceRules[0].nonResourceURLs[3]: Invalid value: "/a*": wildcard can only do suffix matching',
      ],
    );
  });

  test("ValidateNonResourceURLPath", () => {
    const p = newPath("u");
    const check = (url: string) => validateNonResourceURLPath(url, p)?.error() ?? null;
    assert.equal(check(""), 'u: Invalid value: "": must not be empty');
    assert.equal(check("/"), null);
    assert.equal(check("/apis/*"), null);
    assert.equal(check("/*"), null);
    assert.equal(check("/a/*/b/*"), 'u: Invalid value: "/a/*/b/*": wildcard can only do suffix matching');
    assert.equal(check("/a/*/b"), 'u: Invalid value: "/a/*/b": wildcard can only do suffix matching');
  });

  test("the mandatory schemas keep their fixed spec", () => {
    const exempt = {
      priorityLevelConfiguration: { name: "exempt" },
      matchingPrecedence: 1,
      rules: [
        {
          subjects: [{ kind: "Group", group: { name: "system:masters" } }],
          resourceRules: [allResources],
          nonResourceRules: [allNonResources],
        },
      ],
    };
    assert.deepEqual(createErrors(G, "FlowSchema", { ...fs({}, "exempt"), spec: exempt }), []);
    const catchAll = {
      priorityLevelConfiguration: { name: "catch-all" },
      matchingPrecedence: 10000,
      distinguisherMethod: { type: "ByUser" },
      rules: [{ subjects: everyone, resourceRules: [allResources], nonResourceRules: [allNonResources] }],
    };
    assert.deepEqual(createErrors(G, "FlowSchema", { ...fs({}, "catch-all"), spec: catchAll }), []);
    assert.deepEqual(
      createErrors(G, "FlowSchema", {
        ...fs({}, "catch-all"),
        spec: { ...catchAll, distinguisherMethod: { type: "ByNamespace" } },
      }),
      [
        'spec: Invalid value: flowcontrol.FlowSchemaSpec{PriorityLevelConfiguration:flowcontrol.PriorityLevelConfigurationReference{Name:"catch-all"}, MatchingPrecedence:10000, DistinguisherMethod:(*flowcontrol.FlowDistinguisherMethod)(0xc000000000), Rules:[]flowcontrol.PolicyRulesWithSubjects{flowcontrol.PolicyRulesWithSubjects{Subjects:[]flowcontrol.Subject{flowcontrol.Subject{Kind:"Group", User:(*flowcontrol.UserSubject)(nil), Group:(*flowcontrol.GroupSubject)(0xc000000000), ServiceAccount:(*flowcontrol.ServiceAccountSubject)(nil)}, flowcontrol.Subject{Kind:"Group", User:(*flowcontrol.UserSubject)(nil), Group:(*flowcontrol.GroupSubject)(0xc000000000), ServiceAccount:(*flowcontrol.ServiceAccountSubject)(nil)}}, ResourceRules:[]flowcontrol.ResourcePolicyRule{flowcontrol.ResourcePolicyRule{Verbs:[]string{"*"}, APIGroups:[]string{"*"}, Resources:[]string{"*"}, ClusterScope:true, Namespaces:[]string{"*"}}}, NonResourceRules:[]flowcontrol.NonResourcePolicyRule{flowcontrol.NonResourcePolicyRule{Verbs:[]string{"*"}, NonResourceURLs:[]string{"*"}}}}}}: spec of \'catch-all\' must equal the fixed value',
      ],
    );
    // Another priority level for "exempt": the spec errors do not hide the mismatch.
    const changed = createErrors(G, "FlowSchema", {
      ...fs({}, "exempt"),
      spec: { ...exempt, priorityLevelConfiguration: { name: "global-default" }, rules: null },
    });
    assert.equal(changed.length, 1);
    assert.match(
      changed[0],
      /^spec: Invalid value: flowcontrol\.FlowSchemaSpec\{PriorityLevelConfiguration:flowcontrol\.PriorityLevelConfigurationReference\{Name:"global-default"\}, MatchingPrecedence:1, DistinguisherMethod:\(\*flowcontrol\.FlowDistinguisherMethod\)\(nil\), Rules:\[\]flowcontrol\.PolicyRulesWithSubjects\(nil\)\}: spec of 'exempt' must equal the fixed value$/,
    );
  });

  test("updates check the new object; status updates its conditions only", () => {
    const old = fs({}, "fs", stored());
    assert.deepEqual(updateErrors(G, "FlowSchema", fs({ matchingPrecedence: 20 }, "fs", stored()), old), []);
    assert.deepEqual(updateErrors(G, "FlowSchema", fs({ matchingPrecedence: 20000 }, "fs", stored()), old), [
      "spec.matchingPrecedence: Invalid value: 20000: must not be greater than 10000",
    ]);
    const withStatus = (conditions: J[]) => ({ ...fs({}, "fs", stored()), status: { conditions } });
    assert.deepEqual(
      statusErrors(G, "FlowSchema", withStatus([{ type: "Dangling", status: "False" }]), old),
      [],
    );
    assert.deepEqual(
      statusErrors(
        G,
        "FlowSchema",
        withStatus([{ type: "Dangling", status: "False" }, { type: "Dangling" }, { status: "True" }]),
        old,
      ),
      [
        'status.conditions[1].type: Duplicate value: "Dangling"',
        "status.conditions[2].type: Required value: must not be empty",
      ],
    );
    // A status update does not look at the spec.
    assert.deepEqual(
      statusErrors(G, "FlowSchema", { ...withStatus([]), spec: { matchingPrecedence: -5 } }, old),
      [],
    );
  });
});

describe("PriorityLevelConfiguration", () => {
  test("a limited level with defaults, and one that rejects, are valid", () => {
    assert.deepEqual(createErrors(G, "PriorityLevelConfiguration", queuing({})), []);
    assert.deepEqual(
      createErrors(G, "PriorityLevelConfiguration", limited({ limitResponse: { type: "Reject" } })),
      [],
    );
    assert.deepEqual(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        limited({
          nominalConcurrencyShares: 0,
          lendablePercent: 100,
          borrowingLimitPercent: 300,
          limitResponse: { type: "Reject" },
        }),
      ),
      [],
    );
  });

  test("metadata.name and the v1beta3 round-trip annotation", () => {
    assert.deepEqual(
      createErrors(G, "PriorityLevelConfiguration", { ...queuing({}), metadata: { name: "x_y" } }),
      [`metadata.name: Invalid value: "x_y": ${dns1123Subdomain}`],
    );
    assert.deepEqual(
      createErrors(G, "PriorityLevelConfiguration", {
        ...queuing({}),
        metadata: {
          name: "pl",
          annotations: { "flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares": "" },
        },
      }),
      [
        "metadata.annotations: Forbidden: annotation 'flowcontrol.k8s.io/v1beta3-preserve-zero-concurrency-shares' is forbidden",
      ],
    );
  });

  test("type: Limited or Exempt, Exempt exactly for 'exempt', the matching member only", () => {
    assert.deepEqual(createErrors(G, "PriorityLevelConfiguration", pl({ type: "Unlimited" })), [
      'spec.type: Unsupported value: "Unlimited": supported values: "Exempt", "Limited"',
    ]);
    assert.deepEqual(createErrors(G, "PriorityLevelConfiguration", pl({})), [
      'spec.type: Unsupported value: "": supported values: "Exempt", "Limited"',
    ]);
    assert.deepEqual(createErrors(G, "PriorityLevelConfiguration", pl({ type: "Exempt" })), [
      "spec.type: Invalid value: \"Exempt\": type must be 'Exempt' if and only if name is 'exempt'",
    ]);
    assert.deepEqual(createErrors(G, "PriorityLevelConfiguration", pl({ type: "Limited" })), [
      "spec.limited: Required value: must not be empty when type is Limited",
    ]);
    assert.deepEqual(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        pl({ type: "Limited", limited: { limitResponse: { type: "Reject" } }, exempt: {} }),
      ),
      ["spec.exempt: Forbidden: must be nil if the type is Limited"],
    );
    assert.deepEqual(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        pl({ type: "Exempt", limited: { limitResponse: { type: "Reject" } } }, "exempt"),
      ),
      [
        "spec.limited: Forbidden: must be nil if the type is not Limited",
        "spec: Invalid value: flowcontrol.PriorityLevelConfigurationSpec{Type:\"Exempt\", Limited:(*flowcontrol.LimitedPriorityLevelConfiguration)(0xc000000000), Exempt:(*flowcontrol.ExemptPriorityLevelConfiguration)(nil)}: spec of 'exempt' except the 'spec.exempt' field must equal the fixed value",
      ],
    );
    assert.deepEqual(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        pl({ type: "Limited", limited: { limitResponse: { type: "Reject" } } }, "exempt"),
      ),
      [
        "spec.type: Invalid value: \"Limited\": type must be 'Exempt' if and only if name is 'exempt'",
        "spec: Invalid value: flowcontrol.PriorityLevelConfigurationSpec{Type:\"Limited\", Limited:(*flowcontrol.LimitedPriorityLevelConfiguration)(0xc000000000), Exempt:(*flowcontrol.ExemptPriorityLevelConfiguration)(nil)}: spec of 'exempt' except the 'spec.exempt' field must equal the fixed value",
      ],
    );
  });

  test("the exempt level: spec.exempt may be tuned, within range", () => {
    assert.deepEqual(createErrors(G, "PriorityLevelConfiguration", pl({ type: "Exempt" }, "exempt")), []);
    assert.deepEqual(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        pl({ type: "Exempt", exempt: { nominalConcurrencyShares: 10, lendablePercent: 50 } }, "exempt"),
      ),
      [],
    );
    assert.deepEqual(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        pl({ type: "Exempt", exempt: { nominalConcurrencyShares: -1, lendablePercent: 101 } }, "exempt"),
      ),
      [
        "spec.exempt.nominalConcurrencyShares: Invalid value: -1: must be a non-negative integer",
        "spec.exempt.lendablePercent: Invalid value: 101: must be between 0 and 100, inclusive",
      ],
    );
  });

  test("the catch-all level keeps its whole spec", () => {
    const catchAll = { nominalConcurrencyShares: 5, limitResponse: { type: "Reject" } };
    assert.deepEqual(createErrors(G, "PriorityLevelConfiguration", limited(catchAll, "catch-all")), []);
    assert.deepEqual(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        limited({ ...catchAll, lendablePercent: 10 }, "catch-all"),
      ),
      [
        "spec: Invalid value: flowcontrol.PriorityLevelConfigurationSpec{Type:\"Limited\", Limited:(*flowcontrol.LimitedPriorityLevelConfiguration)(0xc000000000), Exempt:(*flowcontrol.ExemptPriorityLevelConfiguration)(nil)}: spec of 'catch-all' must equal the fixed value",
      ],
    );
    assert.equal(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        limited({ limitResponse: { type: "Reject" } }, "catch-all"),
      ).length,
      1,
      "30 shares by default, not 5",
    );
  });

  test("limited: shares, lendable and borrowing percentages", () => {
    assert.deepEqual(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        limited({
          nominalConcurrencyShares: -1,
          lendablePercent: -1,
          borrowingLimitPercent: -1,
          limitResponse: { type: "Reject" },
        }),
      ),
      [
        "spec.limited.nominalConcurrencyShares: Invalid value: -1: must be a non-negative integer",
        "spec.limited.lendablePercent: Invalid value: -1: must be between 0 and 100, inclusive",
        "spec.limited.borrowingLimitPercent: Invalid value: -1: if specified, must be a non-negative integer",
      ],
    );
  });

  test("limitResponse: Queue needs queuing, Reject forbids it", () => {
    assert.deepEqual(createErrors(G, "PriorityLevelConfiguration", limited({})), [
      'spec.limited.limitResponse.type: Unsupported value: "": supported values: "Queue", "Reject"',
    ]);
    assert.deepEqual(
      createErrors(G, "PriorityLevelConfiguration", limited({ limitResponse: { type: "Queue" } })),
      [
        "spec.limited.limitResponse.queuing: Required value: must not be empty if limited.limitResponse.type is Limited",
      ],
    );
    assert.deepEqual(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        limited({ limitResponse: { type: "Reject", queuing: {} } }),
      ),
      [
        "spec.limited.limitResponse.queuing: Forbidden: must be nil if limited.limitResponse.type is not Limited",
      ],
    );
  });

  test("queuing: positive sizes, hand no larger than the deck, entropy within 60 bits", () => {
    const q = "spec.limited.limitResponse.queuing";
    assert.deepEqual(
      createErrors(
        G,
        "PriorityLevelConfiguration",
        queuing({ queues: -1, handSize: -1, queueLengthLimit: -1 }),
      ),
      [
        `${q}.queueLengthLimit: Invalid value: -1: must be positive`,
        `${q}.queues: Invalid value: -1: must be positive`,
        `${q}.handSize: Invalid value: -1: must be positive`,
      ],
    );
    assert.deepEqual(
      createErrors(G, "PriorityLevelConfiguration", queuing({ queues: 10000001, handSize: 1 })),
      [`${q}.queues: Invalid value: 10000001: must not be greater than 10000000`],
    );
    assert.deepEqual(createErrors(G, "PriorityLevelConfiguration", queuing({ queues: 4, handSize: 5 })), [
      `${q}.handSize: Invalid value: 5: should not be greater than queues (4)`,
    ]);
    assert.deepEqual(createErrors(G, "PriorityLevelConfiguration", queuing({ queues: 128, handSize: 10 })), [
      `${q}.handSize: Invalid value: 10: required entropy bits of deckSize 128 and handSize 10 should not be greater than 60`,
    ]);
    assert.deepEqual(
      createErrors(G, "PriorityLevelConfiguration", queuing({ queues: 1024, handSize: 6 })),
      [],
    );
  });

  test("RequiredEntropyBits as Go computes it", () => {
    assert.equal(requiredEntropyBits(64, 8), 48);
    assert.equal(requiredEntropyBits(128, 10), 70);
    assert.equal(requiredEntropyBits(1, 1), 0);
    assert.equal(requiredEntropyBits(100, 9), 60);
    assert.equal(requiredEntropyBits(10000000, 3), 70);
  });

  test("updates check the new object; status updates its conditions only", () => {
    const old = { ...queuing({}), metadata: stored({ name: "pl" }) };
    assert.deepEqual(
      updateErrors(
        G,
        "PriorityLevelConfiguration",
        { ...queuing({ handSize: 100 }), metadata: stored({ name: "pl" }) },
        old,
      ),
      [
        "spec.limited.limitResponse.queuing.handSize: Invalid value: 100: should not be greater than queues (64)",
      ],
    );
    assert.deepEqual(
      statusErrors(
        G,
        "PriorityLevelConfiguration",
        {
          ...old,
          spec: {},
          status: { conditions: [{ type: "ConcurrencyShared" }, { type: "ConcurrencyShared" }] },
        },
        old,
      ),
      ['status.conditions[1].type: Duplicate value: "ConcurrencyShared"'],
    );
  });
});
