// The two update policies of upstream's registry strategies, through the real
// HTTP API: AllowUnconditionalUpdate (a PUT without metadata.resourceVersion
// replaces what is stored, or gets Store.Update's 422) and AllowCreateOnUpdate
// (a PUT of a missing object creates it, or gets 404). Whether the object
// exists is decided first, so a missing one is created or not found whatever
// its body says of resourceVersions.
import assert from "node:assert/strict";
import { test } from "node:test";
import { apiCall } from "../support/api-call.ts";
import { apiServerForFile } from "../support/apiserver.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies of many kinds
type Obj = Record<string, any>;

const server = apiServerForFile("update-policies");

/** One request with a JSON body; the answer's code and parsed body. */
const call = (method: string, path: string, body?: unknown, contentType = "application/json") =>
  apiCall(server.admin, method, path, body, { "content-type": contentType });

interface Kind {
  group: string;
  version: string;
  resource: string;
  kind: string;
  namespaced: boolean;
  /** Upstream v1.32's AllowUnconditionalUpdate(). */
  unconditional: boolean;
  /** Upstream v1.32's AllowCreateOnUpdate(). */
  createOnUpdate: boolean;
  /** The object's content besides apiVersion, kind and metadata. */
  body: (name: string) => Obj;
  name?: (base: string) => string;
}

const selector = { matchLabels: { app: "policies" } };
const kinds: Kind[] = [
  {
    group: "",
    version: "v1",
    resource: "configmaps",
    kind: "ConfigMap",
    namespaced: true,
    unconditional: true,
    createOnUpdate: false,
    body: () => ({ data: { a: "1" } }),
  },
  {
    group: "",
    version: "v1",
    resource: "limitranges",
    kind: "LimitRange",
    namespaced: true,
    unconditional: true,
    createOnUpdate: true,
    body: () => ({ spec: { limits: [{ type: "Container", max: { cpu: "1" } }] } }),
  },
  {
    group: "",
    version: "v1",
    resource: "services",
    kind: "Service",
    namespaced: true,
    unconditional: true,
    createOnUpdate: true,
    body: () => ({ spec: { selector: selector.matchLabels, ports: [{ port: 80 }] } }),
  },
  {
    group: "",
    version: "v1",
    resource: "endpoints",
    kind: "Endpoints",
    namespaced: true,
    unconditional: true,
    createOnUpdate: true,
    body: () => ({ subsets: [{ addresses: [{ ip: "10.1.2.3" }], ports: [{ port: 80 }] }] }),
  },
  {
    group: "apps",
    version: "v1",
    resource: "deployments",
    kind: "Deployment",
    namespaced: true,
    unconditional: true,
    createOnUpdate: false,
    body: () => ({
      spec: {
        selector,
        template: {
          metadata: { labels: selector.matchLabels },
          spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
        },
      },
    }),
  },
  {
    group: "rbac.authorization.k8s.io",
    version: "v1",
    resource: "roles",
    kind: "Role",
    namespaced: true,
    unconditional: true,
    createOnUpdate: true,
    body: () => ({ rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get"] }] }),
  },
  {
    group: "coordination.k8s.io",
    version: "v1",
    resource: "leases",
    kind: "Lease",
    namespaced: true,
    unconditional: false,
    createOnUpdate: true,
    body: () => ({ spec: { holderIdentity: "me", leaseDurationSeconds: 10 } }),
  },
  {
    group: "node.k8s.io",
    version: "v1",
    resource: "runtimeclasses",
    kind: "RuntimeClass",
    namespaced: false,
    unconditional: false,
    createOnUpdate: true,
    body: () => ({ handler: "runc" }),
  },
  {
    group: "policy",
    version: "v1",
    resource: "poddisruptionbudgets",
    kind: "PodDisruptionBudget",
    namespaced: true,
    unconditional: false,
    createOnUpdate: false,
    body: () => ({ spec: { minAvailable: 1, selector } }),
  },
  {
    group: "admissionregistration.k8s.io",
    version: "v1",
    resource: "validatingwebhookconfigurations",
    kind: "ValidatingWebhookConfiguration",
    namespaced: false,
    unconditional: false,
    createOnUpdate: false,
    body: () => ({ webhooks: [] }),
  },
  {
    group: "storage.k8s.io",
    version: "v1",
    resource: "csidrivers",
    kind: "CSIDriver",
    namespaced: false,
    unconditional: false,
    createOnUpdate: false,
    body: () => ({ spec: {} }),
    name: (base) => `${base}.policies.example.com`,
  },
];

function pathOf(k: Kind, name?: string): string {
  const root = k.group === "" ? `/api/${k.version}` : `/apis/${k.group}/${k.version}`;
  const ns = k.namespaced ? "/namespaces/default" : "";
  return `${root}${ns}/${k.resource}${name === undefined ? "" : `/${name}`}`;
}

function manifest(k: Kind, name: string, labels?: Record<string, string>): Obj {
  return {
    apiVersion: k.group === "" ? k.version : `${k.group}/${k.version}`,
    kind: k.kind,
    metadata: { name, ...(labels ? { labels } : {}) },
    ...k.body(name),
  };
}

/** Upstream's Store.Update refusal: the resource stands in for the kind, and the bad value is the uint64 0. */
function resourceVersionRequired(k: Kind, name: string): Obj {
  const qualified = k.group === "" ? k.resource : `${k.resource}.${k.group}`;
  const detail = "Invalid value: 0x0: must be specified for an update";
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `${qualified} ${JSON.stringify(name)} is invalid: metadata.resourceVersion: ${detail}`,
    reason: "Invalid",
    details: {
      name,
      ...(k.group === "" ? {} : { group: k.group }),
      kind: k.resource,
      causes: [{ reason: "FieldValueInvalid", message: detail, field: "metadata.resourceVersion" }],
    },
    code: 422,
  };
}

function notFound(k: Kind, name: string): Obj {
  const qualified = k.group === "" ? k.resource : `${k.resource}.${k.group}`;
  return {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: `${qualified} ${JSON.stringify(name)} not found`,
    reason: "NotFound",
    details: { name, ...(k.group === "" ? {} : { group: k.group }), kind: k.resource },
    code: 404,
  };
}

for (const k of kinds) {
  const label = `${k.group || "core"}/${k.resource}`;
  const nameOf = (base: string) => (k.name ? k.name(base) : base);

  test(`${label}: a PUT without resourceVersion ${k.unconditional ? "replaces the object" : "gets 422"}`, async () => {
    const name = nameOf("replaced");
    const created = await call("POST", pathOf(k), manifest(k, name));
    assert.equal(created.code, 201, JSON.stringify(created.body));
    // The stored object as read, without its resourceVersion and with a new label.
    const body = structuredClone(created.body);
    delete body.metadata.resourceVersion;
    body.metadata.labels = { ...body.metadata.labels, changed: "yes" };
    const put = await call("PUT", pathOf(k, name), body);
    if (k.unconditional) {
      assert.equal(put.code, 200, JSON.stringify(put.body));
      assert.equal(put.body.metadata.labels.changed, "yes");
      assert.notEqual(put.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
    } else {
      assert.deepEqual(put.body, resourceVersionRequired(k, name));
      // Naming the stored version, the same write goes through.
      body.metadata.resourceVersion = created.body.metadata.resourceVersion;
      const named = await call("PUT", pathOf(k, name), body);
      assert.equal(named.code, 200, JSON.stringify(named.body));
      assert.equal(named.body.metadata.labels.changed, "yes");
    }
  });

  test(`${label}: a PUT of a missing object ${k.createOnUpdate ? "creates it" : "gets 404"}`, async () => {
    const name = nameOf("put-created");
    // No resourceVersion: existence decides first, even where updates need one.
    const put = await call("PUT", pathOf(k, name), manifest(k, name, { via: "put" }));
    if (k.createOnUpdate) {
      assert.equal(put.code, 201, JSON.stringify(put.body));
      assert.equal(put.body.metadata.name, name);
      assert.equal(put.body.metadata.labels.via, "put");
      assert.ok(put.body.metadata.uid);
      const got = await call("GET", pathOf(k, name));
      assert.equal(got.code, 200);
      assert.equal(got.body.metadata.uid, put.body.metadata.uid);
    } else {
      assert.deepEqual(put.body, notFound(k, name));
      const got = await call("GET", pathOf(k, name));
      assert.equal(got.code, 404);
    }
  });
}

test("a Service created by PUT gets its cluster IP, as one created by POST", async () => {
  const svc = kinds.find((k) => k.resource === "services")!;
  const put = await call("PUT", pathOf(svc, "put-allocated"), manifest(svc, "put-allocated"));
  assert.equal(put.code, 201, JSON.stringify(put.body));
  assert.match(put.body.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
  assert.deepEqual(put.body.spec.clusterIPs, [put.body.spec.clusterIP]);
  // Its address is taken: another Service asking for it is refused.
  const again = manifest(svc, "wants-same-ip");
  again.spec.clusterIP = put.body.spec.clusterIP;
  const clash = await call("POST", pathOf(svc), again);
  assert.equal(clash.code, 422, JSON.stringify(clash.body));
});

// A subresource's strategy embeds the main one (upstream's serviceStatusStrategy), so its PUT of a
// missing Service creates it too.
test("a PUT of a missing Service's status creates the Service", async () => {
  const svc = kinds.find((k) => k.resource === "services")!;
  const put = await call("PUT", `${pathOf(svc, "via-status")}/status`, manifest(svc, "via-status"));
  assert.equal(put.code, 201, JSON.stringify(put.body));
  assert.match(put.body.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
  const pod = await call("PUT", "/api/v1/namespaces/default/pods/missing/status", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "missing" },
    spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
  });
  assert.deepEqual(pod.body, notFound({ ...svc, resource: "pods" }, "missing"));
});

test("a patch that drops the resourceVersion is an update without one", async () => {
  const merge = "application/merge-patch+json";
  const drop = { metadata: { resourceVersion: null, labels: { patched: "yes" } } };
  const lease = kinds.find((k) => k.resource === "leases")!;
  assert.equal((await call("POST", pathOf(lease), manifest(lease, "patched"))).code, 201);
  const refused = await call("PATCH", pathOf(lease, "patched"), drop, merge);
  assert.deepEqual(refused.body, resourceVersionRequired(lease, "patched"));
  const cm = kinds.find((k) => k.resource === "configmaps")!;
  assert.equal((await call("POST", pathOf(cm), manifest(cm, "patched"))).code, 201);
  const patched = await call("PATCH", pathOf(cm, "patched"), drop, merge);
  assert.equal(patched.code, 200, JSON.stringify(patched.body));
  assert.equal(patched.body.metadata.labels.patched, "yes");
});
