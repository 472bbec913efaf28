// Cases from upstream's predicates/rules/rules_test.go; each checks one part
// of a rule, the others being wildcards.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Operation } from "../../admission.ts";
import {
  isExemptAdmissionConfigurationResource,
  type Rule,
  type RuleAttributes,
  ruleMatches,
} from "./rules.ts";

function a(
  group: string,
  version: string,
  resource: string,
  subresource: string,
  operation: Operation = "CREATE",
  namespace = "ns",
): RuleAttributes {
  return { operation, resource: { group, version, resource }, subresource, namespace };
}
const cluster = (g: string, v: string, r: string, sub: string) => a(g, v, r, sub, "CREATE", "");

/** A rule matching everything except in the fields given. */
function rule(r: Rule): Rule {
  return { operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*/*"], ...r };
}

function check(r: Rule, match: RuleAttributes[], noMatch: RuleAttributes[]): void {
  for (const m of match) assert.equal(ruleMatches(rule(r), m), true, `expected match ${JSON.stringify(m)}`);
  for (const m of noMatch)
    assert.equal(ruleMatches(rule(r), m), false, `expected no match ${JSON.stringify(m)}`);
}

describe("webhook rules", () => {
  it("matches groups exactly or by wildcard", () => {
    check({ apiGroups: ["*"] }, [a("g", "v", "r", "")], []);
    check(
      { apiGroups: ["g1", "g2"] },
      [a("g1", "v", "r", ""), a("g2", "v2", "r3", "")],
      [a("g3", "v", "r", ""), a("g4", "v", "r", "")],
    );
  });

  it("matches versions exactly or by wildcard", () => {
    check({ apiVersions: ["*"] }, [a("g", "v", "r", "")], []);
    check(
      { apiVersions: ["v1", "v2"] },
      [a("g1", "v1", "r", ""), a("g2", "v2", "r", "")],
      [a("g1", "v3", "r", ""), a("g2", "v4", "r", "")],
    );
  });

  it("matches operations", () => {
    const all = (["CREATE", "UPDATE", "DELETE", "CONNECT"] as const).map((op) => a("g", "v", "r", "", op));
    check({ operations: ["*"] }, all, []);
    check({ operations: ["CREATE"] }, [all[0]], [all[1], all[2], all[3]]);
    check({ operations: ["UPDATE"] }, [all[1]], [all[0], all[2], all[3]]);
    check({ operations: ["DELETE"] }, [all[2]], [all[0], all[1], all[3]]);
    check({ operations: ["CONNECT"] }, [all[3]], [all[0], all[1], all[2]]);
    check({ operations: ["UPDATE", "DELETE"] }, [all[1], all[2]], [all[0], all[3]]);
  });

  it('matches resources: "*" means no subresources, "r/*" and "*/proxy" reach them', () => {
    check(
      { resources: ["*"] },
      [a("g", "v", "r", ""), a("2", "v", "r2", "")],
      [a("g", "v", "r", "exec"), a("2", "v", "r2", "proxy")],
    );
    check(
      { resources: ["r/*"] },
      [a("g", "v", "r", ""), a("g", "v", "r", "exec")],
      [a("2", "v", "r2", ""), a("2", "v", "r2", "proxy")],
    );
    check(
      { resources: ["r/*", "r2"] },
      [a("g", "v", "r", ""), a("g", "v", "r", "exec"), a("2", "v", "r2", "")],
      [a("2", "v", "r2", "proxy")],
    );
    check(
      { resources: ["*/proxy", "*/exec"] },
      [a("g", "v", "r", "exec"), a("2", "v", "r2", "proxy"), a("2", "v", "r3", "proxy")],
      [a("g", "v", "r", ""), a("2", "v", "r2", ""), a("2", "v", "r4", "scale")],
    );
    check({ resources: ["pods"] }, [a("", "v1", "pods", "")], [a("", "v1", "pods", "binding")]);
    check({ resources: ["pods/binding"] }, [a("", "v1", "pods", "binding")], [a("", "v1", "pods", "")]);
  });

  it("tells cluster-scoped from namespaced requests; a Namespace is cluster-scoped", () => {
    const nsCluster = cluster("", "v1", "namespaces", "");
    const nsFinalize = cluster("", "v1", "namespaces", "finalize");
    const nsNamespaced = a("", "v1", "namespaces", "");
    const nsNamespacedFinalize = a("", "v1", "namespaces", "finalize");
    check(
      { resources: ["*/*"], scope: "Cluster" },
      [
        cluster("g", "v", "r", ""),
        cluster("g", "v", "r", "exec"),
        nsCluster,
        nsFinalize,
        nsNamespaced,
        nsNamespacedFinalize,
      ],
      [a("g", "v", "r", ""), a("g", "v", "r", "exec")],
    );
    check(
      { resources: ["*/*"], scope: "Namespaced" },
      [a("g", "v", "r", ""), a("g", "v", "r", "exec")],
      [
        nsCluster,
        nsFinalize,
        nsNamespaced,
        nsNamespacedFinalize,
        cluster("g", "v", "r", ""),
        cluster("g", "v", "r", "exec"),
      ],
    );
    check(
      { resources: ["*/*"], scope: "*" },
      [a("g", "v", "r", ""), cluster("g", "v", "r", "exec"), nsCluster, nsNamespacedFinalize],
      [],
    );
  });

  it("exempts admission configuration objects", () => {
    const k = (group: string, kind: string) => ({ kind: { group, version: "v1", kind } });
    assert.equal(
      isExemptAdmissionConfigurationResource(
        k("admissionregistration.k8s.io", "ValidatingWebhookConfiguration"),
      ),
      true,
    );
    assert.equal(
      isExemptAdmissionConfigurationResource(
        k("admissionregistration.k8s.io", "MutatingWebhookConfiguration"),
      ),
      true,
    );
    assert.equal(
      isExemptAdmissionConfigurationResource(k("admissionregistration.k8s.io", "ValidatingAdmissionPolicy")),
      true,
    );
    assert.equal(isExemptAdmissionConfigurationResource(k("", "Pod")), false);
  });
});
