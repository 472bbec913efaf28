// ValidatingAdmissionPolicy through a real apiserver: policies and bindings
// are created over the API and enforced on the requests that follow, with
// upstream's Status for a denial, warnings for Warn, params from ConfigMaps,
// matchConditions, variables, namespaceObject, and failurePolicy.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { apiCall } from "../support/api-call.ts";
import { apiServerForFile } from "../support/apiserver.ts";
import { eventually } from "../support/eventually.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies
type Obj = Record<string, any>;

const ADMREG = "/apis/admissionregistration.k8s.io/v1";

const server = apiServerForFile("vap");

const call = (method: string, path: string, body?: unknown) => apiCall(server.admin, method, path, body);

async function created(path: string, body: Obj): Promise<Obj> {
  const r = await call("POST", path, body);
  assert.equal(r.code, 201, `${path}: ${r.text}`);
  return r.body;
}

/** A policy on the given resources of apps/v1 (or core v1 when group is ""). */
function policy(name: string, spec: Obj, resources = ["deployments"], group = "apps"): Obj {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicy",
    metadata: { name },
    spec: {
      matchConstraints: {
        resourceRules: [
          {
            apiGroups: [group],
            apiVersions: ["v1"],
            operations: ["CREATE", "UPDATE"],
            resources,
          },
        ],
      },
      ...spec,
    },
  };
}

function binding(name: string, policyName: string, spec: Obj = {}): Obj {
  return {
    apiVersion: "admissionregistration.k8s.io/v1",
    kind: "ValidatingAdmissionPolicyBinding",
    metadata: { name },
    spec: { policyName, validationActions: ["Deny"], ...spec },
  };
}

function deployment(name: string, replicas: number, namespace = "default", labels: Obj = {}): Obj {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name, namespace, labels: { app: name, ...labels } },
    spec: {
      replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels: { app: name } },
        spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
      },
    },
  };
}

const createDeployment = (d: Obj, dryRun = true) =>
  call(
    "POST",
    `/apis/apps/v1/namespaces/${d.metadata.namespace}/deployments${dryRun ? "?dryRun=All" : ""}`,
    d,
  );

describe("ValidatingAdmissionPolicy", () => {
  it("denies with upstream's Status: 422 Invalid, the message naming policy and binding, the message as the one cause", async () => {
    await created(
      `${ADMREG}/validatingadmissionpolicies`,
      policy("max-replicas", {
        validations: [{ expression: "object.spec.replicas <= 5" }],
        matchConditions: [
          {
            name: "labelled",
            expression: "has(object.metadata.labels) && 'vap-max' in object.metadata.labels",
          },
        ],
      }),
    );
    await created(
      `${ADMREG}/validatingadmissionpolicybindings`,
      binding("max-replicas-binding", "max-replicas"),
    );
    const msg =
      "ValidatingAdmissionPolicy 'max-replicas' with binding 'max-replicas-binding' denied request: failed expression: object.spec.replicas <= 5";
    await eventually(async () => {
      const r = await createDeployment(deployment("big", 6, "default", { "vap-max": "y" }));
      assert.equal(r.code, 422, r.text);
      assert.deepEqual(r.body, {
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: `deployments.apps "big" is forbidden: ${msg}`,
        reason: "Invalid",
        details: { name: "big", group: "apps", kind: "deployments", causes: [{ message: msg }] },
        code: 422,
      });
    });
    assert.equal((await createDeployment(deployment("small", 5, "default", { "vap-max": "y" }))).code, 201);
    // matchConditions: without the label the policy has nothing to say.
    assert.equal((await createDeployment(deployment("unlabelled", 50))).code, 201);
    // An update is checked too, and nothing stored changes.
    await created(
      "/apis/apps/v1/namespaces/default/deployments",
      deployment("grow", 2, "default", { "vap-max": "y" }),
    );
    const patched = await apiCall(
      server.admin,
      "PATCH",
      "/apis/apps/v1/namespaces/default/deployments/grow",
      { spec: { replicas: 9 } },
      { "content-type": "application/merge-patch+json" },
    );
    assert.equal(patched.code, 422, patched.text);
    assert.equal(
      (await call("GET", "/apis/apps/v1/namespaces/default/deployments/grow")).body.spec.replicas,
      2,
    );
  });

  it("Warn and Audit bindings let the request through with a warning; messageExpression and reason shape the denial", async () => {
    await created(
      `${ADMREG}/validatingadmissionpolicies`,
      policy("named", {
        validations: [
          {
            expression: "object.metadata.name.startsWith('web-')",
            messageExpression: "'name ' + object.metadata.name + ' does not start with web-'",
            reason: "Forbidden",
          },
        ],
      }),
    );
    await created(
      `${ADMREG}/validatingadmissionpolicybindings`,
      binding("named-warn", "named", {
        validationActions: ["Warn", "Audit"],
        matchResources: { namespaceSelector: { matchLabels: { "vap-named": "warn" } } },
      }),
    );
    await created(
      `${ADMREG}/validatingadmissionpolicybindings`,
      binding("named-deny", "named", {
        matchResources: { namespaceSelector: { matchLabels: { "vap-named": "deny" } } },
      }),
    );
    for (const [name, mode] of [
      ["vap-warn", "warn"],
      ["vap-deny", "deny"],
    ]) {
      await created("/api/v1/namespaces", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: { "vap-named": mode } },
      });
    }
    await eventually(async () => {
      const r = await createDeployment(deployment("api", 1, "vap-deny"));
      assert.equal(r.code, 403, r.text);
      assert.equal(r.body.reason, "Forbidden");
      assert.equal(
        r.body.message,
        "deployments.apps \"api\" is forbidden: ValidatingAdmissionPolicy 'named' with binding 'named-deny' denied request: name api does not start with web-",
      );
    });
    const warned = await createDeployment(deployment("api", 1, "vap-warn"));
    assert.equal(warned.code, 201, warned.text);
    assert.equal(
      warned.headers.warning,
      "299 - \"Validation failed for ValidatingAdmissionPolicy 'named' with binding 'named-warn': name api does not start with web-\"",
    );
    assert.equal((await createDeployment(deployment("web-api", 1, "vap-deny"))).code, 201);
    // The default namespace matches neither binding's namespaceSelector.
    assert.equal((await createDeployment(deployment("api", 1))).code, 201);
  });

  it("params from a ConfigMap by name, per request namespace; a missing param fails under Deny, passes under Allow", async () => {
    await created(
      `${ADMREG}/validatingadmissionpolicies`,
      policy(
        "max-from-params",
        {
          paramKind: { apiVersion: "v1", kind: "ConfigMap" },
          variables: [{ name: "limit", expression: "int(params.data.maxReplicas)" }],
          validations: [
            {
              expression: "object.spec.replicas <= variables.limit",
              messageExpression:
                "'replicas must be at most ' + string(variables.limit) + ' in ' + namespaceObject.metadata.name",
            },
          ],
        },
        ["statefulsets"],
      ),
    );
    await created(
      `${ADMREG}/validatingadmissionpolicybindings`,
      binding("max-from-params-binding", "max-from-params", {
        paramRef: { name: "limits", parameterNotFoundAction: "Deny" },
        matchResources: { namespaceSelector: { matchLabels: { "vap-params": "deny" } } },
      }),
    );
    await created(
      `${ADMREG}/validatingadmissionpolicybindings`,
      binding("max-from-params-allow", "max-from-params", {
        paramRef: { name: "limits", parameterNotFoundAction: "Allow" },
        matchResources: { namespaceSelector: { matchLabels: { "vap-params": "allow" } } },
      }),
    );
    for (const [name, mode] of [
      ["params-deny", "deny"],
      ["params-allow", "allow"],
    ]) {
      await created("/api/v1/namespaces", {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name, labels: { "vap-params": mode } },
      });
    }
    const sts = (name: string, namespace: string, replicas: number) => {
      const d = deployment(name, replicas, namespace);
      return { ...d, kind: "StatefulSet", spec: { ...d.spec, serviceName: name } };
    };
    const createSts = (s: Obj) =>
      call("POST", `/apis/apps/v1/namespaces/${s.metadata.namespace}/statefulsets?dryRun=All`, s);
    await eventually(async () => {
      const missing = await createSts(sts("db", "params-deny", 3));
      assert.equal(missing.code, 422, missing.text);
      assert.equal(
        missing.body.message,
        "statefulsets.apps \"db\" is forbidden: ValidatingAdmissionPolicy 'max-from-params' with binding 'max-from-params-binding' denied request: failed to configure binding: no params found for policy binding with `Deny` parameterNotFoundAction",
      );
    });
    assert.equal((await createSts(sts("db", "params-allow", 30))).code, 201);
    await created("/api/v1/namespaces/params-deny/configmaps", {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "limits", namespace: "params-deny" },
      data: { maxReplicas: "2" },
    });
    const over = await createSts(sts("db", "params-deny", 3));
    assert.equal(over.code, 422);
    assert.equal(
      over.body.details.causes[0].message,
      "ValidatingAdmissionPolicy 'max-from-params' with binding 'max-from-params-binding' denied request: replicas must be at most 2 in params-deny",
    );
    assert.equal((await createSts(sts("db", "params-deny", 2))).code, 201);
  });

  it("failurePolicy: an expression that fails denies under Fail and is ignored under Ignore; DELETE sees oldObject", async () => {
    await created(
      `${ADMREG}/validatingadmissionpolicies`,
      policy(
        "broken",
        {
          failurePolicy: "Fail",
          validations: [{ expression: "object.data.missing == 'x'" }],
          matchConditions: [
            {
              name: "marked",
              expression: "has(object.metadata.labels) && 'broken' in object.metadata.labels",
            },
          ],
        },
        ["configmaps"],
        "",
      ),
    );
    await created(
      `${ADMREG}/validatingadmissionpolicies`,
      policy(
        "broken-ignored",
        {
          failurePolicy: "Ignore",
          validations: [{ expression: "object.data.missing == 'x'" }],
          matchConditions: [
            {
              name: "marked",
              expression: "has(object.metadata.labels) && 'ignored' in object.metadata.labels",
            },
          ],
        },
        ["configmaps"],
        "",
      ),
    );
    const keep = policy(
      "keep",
      {
        validations: [
          {
            expression: "!has(oldObject.metadata.labels) || !('keep' in oldObject.metadata.labels)",
            message: "labelled keep",
          },
        ],
      },
      ["configmaps"],
      "",
    );
    keep.spec.matchConstraints.resourceRules[0].operations = ["DELETE"];
    await created(`${ADMREG}/validatingadmissionpolicies`, keep);
    for (const p of ["broken", "broken-ignored", "keep"]) {
      await created(`${ADMREG}/validatingadmissionpolicybindings`, binding(`${p}-binding`, p));
    }
    const cm = (name: string, labels: Obj) => ({
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name, namespace: "default", labels },
      data: { a: "1" },
    });
    await eventually(async () => {
      const r = await call("POST", "/api/v1/namespaces/default/configmaps", cm("b", { broken: "y" }));
      assert.equal(r.code, 422, r.text);
      assert.equal(
        r.body.details.causes[0].message,
        "ValidatingAdmissionPolicy 'broken' with binding 'broken-binding' denied request: expression 'object.data.missing == 'x'' resulted in error: no such key: missing",
      );
    });
    assert.equal(
      (await call("POST", "/api/v1/namespaces/default/configmaps", cm("i", { ignored: "y" }))).code,
      201,
    );
    await created("/api/v1/namespaces/default/configmaps", cm("kept", { keep: "y" }));
    const del = await call("DELETE", "/api/v1/namespaces/default/configmaps/kept");
    assert.equal(del.code, 422, del.text);
    assert.match(del.body.message, /denied request: labelled keep$/);
    assert.equal((await call("GET", "/api/v1/namespaces/default/configmaps/kept")).code, 200);
  });

  it("authorizer asks the apiserver's RBAC about the requesting user, a service account, and the request's own resource", async () => {
    await created(
      `${ADMREG}/validatingadmissionpolicies`,
      policy(
        "authz",
        {
          matchConditions: [
            {
              name: "marked",
              expression: "has(object.metadata.labels) && 'authz' in object.metadata.labels",
            },
          ],
          validations: [
            { expression: "authorizer.requestResource.check('create').allowed()", message: "may not create" },
            {
              expression:
                "authorizer.group('').resource('secrets').namespace('kube-system').check('get').allowed()",
              message: "must be able to read kube-system secrets",
            },
            {
              expression:
                "authorizer.serviceAccount('default', 'nobody').group('').resource('pods').namespace('default').check('list').allowed()",
              messageExpression:
                "'default/nobody may not list pods: ' + authorizer.serviceAccount('default', 'nobody').group('').resource('pods').namespace('default').check('list').reason()",
            },
          ],
        },
        ["configmaps"],
        "",
      ),
    );
    await created(`${ADMREG}/validatingadmissionpolicybindings`, binding("authz-binding", "authz"));
    const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "authz", labels: { authz: "y" } } };
    await eventually(async () => {
      const r = await call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", cm);
      assert.equal(r.code, 422, r.text);
      // The admin passes the first two; the service account has no RBAC rule to list pods (and RBAC gives no reason).
      assert.equal(
        r.body.details.causes[0].message,
        "ValidatingAdmissionPolicy 'authz' with binding 'authz-binding' denied request: default/nobody may not list pods:",
      );
    });
    await created("/apis/rbac.authorization.k8s.io/v1/namespaces/default/roles", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "pod-lister", namespace: "default" },
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }],
    });
    await created("/apis/rbac.authorization.k8s.io/v1/namespaces/default/rolebindings", {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "nobody-lists-pods", namespace: "default" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-lister" },
      subjects: [{ kind: "ServiceAccount", name: "nobody", namespace: "default" }],
    });
    await eventually(async () => {
      const r = await call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", cm);
      assert.equal(r.code, 201, r.text);
    });
  });

  it("a policy never applies to policies and bindings, so a broken one can always be removed", async () => {
    const everything = policy("deny-everything", { validations: [{ expression: "false" }] }, ["*"], "*");
    everything.spec.matchConstraints.resourceRules[0].apiVersions = ["*"];
    everything.spec.matchConstraints.resourceRules[0].operations = ["*"];
    await created(`${ADMREG}/validatingadmissionpolicies`, everything);
    await created(
      `${ADMREG}/validatingadmissionpolicybindings`,
      binding("deny-everything-binding", "deny-everything"),
    );
    await eventually(async () => {
      assert.equal(
        (
          await call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "x" },
          })
        ).code,
        422,
      );
    });
    assert.equal(
      (await call("DELETE", `${ADMREG}/validatingadmissionpolicybindings/deny-everything-binding`)).code,
      200,
    );
    await eventually(async () => {
      assert.equal(
        (
          await call("POST", "/api/v1/namespaces/default/configmaps?dryRun=All", {
            apiVersion: "v1",
            kind: "ConfigMap",
            metadata: { name: "x" },
          })
        ).code,
        201,
      );
    });
  });
});
