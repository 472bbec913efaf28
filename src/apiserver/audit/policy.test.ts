import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { loadPolicyFile, parsePolicy } from "./policy.ts";

const head = "apiVersion: audit.k8s.io/v1\nkind: Policy\n";

describe("parsePolicy", () => {
  it("reads the policy of the Kubernetes auditing docs", () => {
    const p = parsePolicy(`${head}omitStages:
  - "RequestReceived"
rules:
  - level: RequestResponse
    resources:
    - group: ""
      resources: ["pods"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["pods/log", "pods/status"]
  - level: None
    resources:
    - group: ""
      resources: ["configmaps"]
      resourceNames: ["controller-leader"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
    resources:
    - group: ""
      resources: ["endpoints", "services"]
  - level: None
    userGroups: ["system:authenticated"]
    nonResourceURLs:
    - "/api*"
    - "/version"
  - level: Request
    resources:
    - group: ""
      resources: ["configmaps"]
    namespaces: ["kube-system"]
  - level: Metadata
    resources:
    - group: ""
      resources: ["secrets", "configmaps"]
  - level: Request
    resources:
    - group: ""
    - group: "extensions"
  - level: Metadata
    omitStages:
      - "RequestReceived"
`);
    assert.equal(p.rules.length, 9);
    assert.deepEqual(p.omitStages, ["RequestReceived"]);
  });

  it("refuses invalid rules with upstream's messages", () => {
    const cases: [string, string][] = [
      [
        "rules:\n  - level: Everything",
        'rules[0].level: Unsupported value: "Everything": supported values: "None", "Metadata", "Request", "RequestResponse"',
      ],
      ["rules:\n  - verbs: [get]", "rules[0].level: Required value"],
      [
        "rules:\n  - level: None\n    nonResourceURLs: [healthz]",
        `rules[0].nonResourceURLs[0]: Invalid value: "healthz": non-resource URL rules must begin with a '/' character`,
      ],
      [
        "rules:\n  - level: None\n    nonResourceURLs: ['/a*/b']",
        `rules[0].nonResourceURLs[0]: Invalid value: "/a*/b": non-resource URL wildcards '*' must be the final character of the rule`,
      ],
      [
        "rules:\n  - level: None\n    nonResourceURLs: [/metrics]\n    namespaces: [default]",
        `rules[0].nonResourceURLs: Invalid value: []string{"/metrics"}: rules cannot apply to both regular resources and non-resource URLs`,
      ],
      [
        "rules:\n  - level: None\n    resources: [{group: rbac.authorization.k8s.io/v1}]",
        `rules[0].resources.group: Invalid value: "rbac.authorization.k8s.io/v1": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')`,
      ],
      [
        "rules:\n  - level: None\n    resources: [{group: '', resourceNames: [x]}]",
        `rules[0].resources.resourceNames: Invalid value: []string{"x"}: using resourceNames requires at least one resource`,
      ],
      [
        "rules:\n  - level: None\n    omitStages: [Started]",
        `rules[0].omitStages[0]: Invalid value: "Started": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic`,
      ],
      [
        "omitStages: [Done]\nrules:\n  - level: None",
        `omitStages[0]: Invalid value: "Done": allowed stages are RequestReceived,ResponseStarted,ResponseComplete,Panic`,
      ],
      ["rules: []", "loaded illegal policy with 0 rules"],
      [
        "rules:\n  - level: Foo\n  - level: None\n    nonResourceURLs: [x]",
        `[rules[0].level: Unsupported value: "Foo": supported values: "None", "Metadata", "Request", "RequestResponse", rules[1].nonResourceURLs[0]: Invalid value: "x": non-resource URL rules must begin with a '/' character]`,
      ],
    ];
    for (const [body, message] of cases) assert.throws(() => parsePolicy(head + body), { message }, body);
  });

  it("refuses other kinds and versions", () => {
    assert.throws(
      () => parsePolicy("apiVersion: audit.k8s.io/v1beta1\nkind: Policy\nrules: [{level: None}]"),
      {
        message: 'failed decoding: no kind "Policy" is registered for version "audit.k8s.io/v1beta1"',
      },
    );
    assert.throws(() => parsePolicy("rules: [{level: None}]"), {
      message: "failed decoding: Object 'Kind' is missing",
    });
  });
});

describe("loadPolicyFile", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-audit-policy-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("names the file in its errors, as upstream", () => {
    const path = join(dir, "policy.yaml");
    writeFileSync(path, `${head}rules: []\n`);
    assert.throws(() => loadPolicyFile(path), {
      message: `loaded illegal policy with 0 rules: from file ${path}`,
    });
    assert.throws(
      () => loadPolicyFile(join(dir, "none.yaml")),
      (e: Error) => e.message.startsWith(`failed to read file path "${join(dir, "none.yaml")}": ENOENT`),
    );
    writeFileSync(path, `${head}rules: [{level: Metadata}]\n`);
    assert.equal(loadPolicyFile(path).rules[0].level, "Metadata");
  });
});
