// core/v1 kinds other than Pod and Service: cases after upstream's
// pkg/apis/core/validation/validation_test.go tables.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createErrors, type J, statusErrors, stored, template, updateErrors } from "./test-helpers.ts";

const obj = (kind: string, meta: J = {}, rest: J = {}, namespaced = true): J => ({
  apiVersion: "v1",
  kind,
  metadata: { name: "x", ...(namespaced ? { namespace: "default" } : {}), ...meta },
  ...rest,
});
const c = (kind: string, o: J) => createErrors("", kind, o);
const u = (kind: string, o: J, old: J) => updateErrors("", kind, o, old);
const s = (kind: string, o: J, old: J) => statusErrors("", kind, o, old);

const dns1123Label =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1123Subdomain =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const qualifiedNamePart =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const configKey =
  "a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')";

// --- Namespace -------------------------------------------------------------------

const ns = (meta: J = {}, rest: J = {}) => obj("Namespace", meta, rest, false);

test("Namespace: DNS label names, cluster-scoped, qualified finalizers", () => {
  assert.deepEqual(c("Namespace", ns()), []);
  assert.deepEqual(c("Namespace", ns({ name: "a.b" })), [
    `metadata.name: Invalid value: "a.b": ${dns1123Label}`,
  ]);
  assert.deepEqual(c("Namespace", ns({ namespace: "foo" })), [
    "metadata.namespace: Forbidden: not allowed on this type",
  ]);
  assert.deepEqual(
    c("Namespace", ns({}, { spec: { finalizers: ["kubernetes", "example.com/cleanup"] } })),
    [],
  );
  assert.deepEqual(c("Namespace", ns({}, { spec: { finalizers: ["foo"] } })), [
    'spec.finalizers: Invalid value: "foo": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  assert.deepEqual(c("Namespace", ns({}, { spec: { finalizers: ["bad finalizer"] } })), [
    `spec.finalizers: Invalid value: "bad finalizer": ${qualifiedNamePart}`,
    'spec.finalizers: Invalid value: "bad finalizer": name is neither a standard finalizer name nor is it fully qualified',
  ]);
  assert.deepEqual(u("Namespace", ns(stored({ labels: { a: "b" } })), ns(stored())), []);
});

test("Namespace status: phase follows deletionTimestamp", () => {
  assert.deepEqual(s("Namespace", ns(stored(), { status: { phase: "Terminating" } }), ns(stored())), [
    "status.Phase: Invalid value: \"Terminating\": may only be 'Active' if `deletionTimestamp` is empty",
  ]);
  const deleting = stored({ deletionTimestamp: "2024-01-02T00:00:00Z" });
  assert.deepEqual(s("Namespace", ns(deleting, { status: { phase: "Active" } }), ns(deleting)), [
    "status.Phase: Invalid value: \"Active\": may only be 'Terminating' if `deletionTimestamp` is not empty",
  ]);
  assert.deepEqual(s("Namespace", ns(deleting, { status: { phase: "Terminating" } }), ns(deleting)), []);
});

// --- ConfigMap / Secret / ServiceAccount -----------------------------------------

const cm = (rest: J = {}, meta: J = {}) => obj("ConfigMap", meta, rest);
const secret = (rest: J = {}, meta: J = {}) => obj("Secret", meta, rest);
const b64 = (s: string) => Buffer.from(s).toString("base64");

test("ConfigMap: keys, key overlap, size limit", () => {
  assert.deepEqual(
    c("ConfigMap", cm({ data: { "a.conf": "x", "b_c-d": "y" }, binaryData: { bin: "AAEC" } })),
    [],
  );
  assert.deepEqual(c("ConfigMap", cm({ data: { "a/b": "x", "..": "y", "": "z" } })), [
    `data[a/b]: Invalid value: "a/b": ${configKey}`,
    "data[..]: Invalid value: \"..\": must not be '..'",
    `data[]: Invalid value: "": ${configKey}`,
  ]);
  assert.deepEqual(c("ConfigMap", cm({ data: { a: "x" }, binaryData: { a: "AAEC" } })), [
    'data[a]: Invalid value: "a": duplicate of key present in binaryData',
  ]);
  // Upstream reports the size on field.NewPath(""), which renders as "[]".
  assert.deepEqual(c("ConfigMap", cm({ data: { a: "x".repeat(1024 * 1024 + 1) } })), [
    "[]: Too long: may not be more than 1048576 bytes",
  ]);
});

test("ConfigMap: immutable ones refuse data changes and cannot become mutable", () => {
  assert.deepEqual(
    u("ConfigMap", cm({ data: { a: "2" } }, stored()), cm({ data: { a: "1" } }, stored())),
    [],
  );
  assert.deepEqual(
    u("ConfigMap", cm({ immutable: true, data: { a: "1" } }, stored()), cm({ data: { a: "1" } }, stored())),
    [],
  );
  assert.deepEqual(
    u(
      "ConfigMap",
      cm({ immutable: true, data: { a: "2" } }, stored()),
      cm({ immutable: true, data: { a: "1" } }, stored()),
    ),
    ["data: Forbidden: field is immutable when `immutable` is set"],
  );
  assert.deepEqual(
    u(
      "ConfigMap",
      cm({ immutable: false, data: { a: "1" } }, stored()),
      cm({ immutable: true, data: { a: "1" } }, stored()),
    ),
    ["immutable: Forbidden: field is immutable when `immutable` is set"],
  );
});

test("Secret: keys (including stringData's) and size", () => {
  assert.deepEqual(c("Secret", secret({ data: { a: "eA==" }, stringData: { b: "y" } })), []);
  assert.deepEqual(c("Secret", secret({ data: { "a/b": "eA==" } })), [
    `data[a/b]: Invalid value: "a/b": ${configKey}`,
  ]);
  assert.deepEqual(c("Secret", secret({ stringData: { "a b": "x" } })), [
    `data[a b]: Invalid value: "a b": ${configKey}`,
  ]);
  assert.deepEqual(c("Secret", secret({ data: { a: Buffer.alloc(1024 * 1024 + 1).toString("base64") } })), [
    "data: Too long: may not be more than 1048576 bytes",
  ]);
});

test("Secret: typed secrets need their keys", () => {
  const typed = (type: string, data: J = {}, meta: J = {}) => c("Secret", secret({ type, data }, meta));
  assert.deepEqual(typed("kubernetes.io/dockerconfigjson"), ["data[.dockerconfigjson]: Required value"]);
  assert.deepEqual(typed("kubernetes.io/dockerconfigjson", { ".dockerconfigjson": b64('{"auths":{}}') }), []);
  assert.deepEqual(typed("kubernetes.io/dockerconfigjson", { ".dockerconfigjson": b64("{bad") }), [
    "data[.dockerconfigjson]: Invalid value: \"<secret contents redacted>\": invalid character 'b' looking for beginning of object key string",
  ]);
  assert.deepEqual(typed("kubernetes.io/dockercfg"), ["data[.dockercfg]: Required value"]);
  assert.deepEqual(typed("kubernetes.io/tls"), [
    "data[tls.crt]: Required value",
    "data[tls.key]: Required value",
  ]);
  assert.deepEqual(typed("kubernetes.io/tls", { "tls.crt": "", "tls.key": "" }), []);
  assert.deepEqual(typed("kubernetes.io/basic-auth"), [
    "data[username]: Required value",
    "data[password]: Required value",
  ]);
  assert.deepEqual(
    c("Secret", secret({ type: "kubernetes.io/basic-auth", stringData: { username: "u", password: "p" } })),
    [],
  );
  assert.deepEqual(typed("kubernetes.io/ssh-auth"), ["data[ssh-privatekey]: Required value"]);
  assert.deepEqual(typed("kubernetes.io/service-account-token"), [
    "metadata.annotations[kubernetes.io/service-account.name]: Required value",
  ]);
  assert.deepEqual(
    typed(
      "kubernetes.io/service-account-token",
      {},
      { annotations: { "kubernetes.io/service-account.name": "default" } },
    ),
    [],
  );
  assert.deepEqual(typed("example.com/custom"), []);
});

test("Secret updates: type and immutable data", () => {
  assert.deepEqual(
    u(
      "Secret",
      secret({ type: "Foo", data: { a: "eA==" } }, stored()),
      secret({ data: { a: "eA==" } }, stored()),
    ),
    ['type: Invalid value: "Foo": field is immutable'],
  );
  assert.deepEqual(
    u(
      "Secret",
      secret({ immutable: true, data: { a: "eQ==" } }, stored()),
      secret({ immutable: true, data: { a: "eA==" } }, stored()),
    ),
    ["data: Forbidden: field is immutable when `immutable` is set"],
  );
  assert.deepEqual(
    u(
      "Secret",
      secret({ immutable: true, data: { a: "eA==" } }, stored()),
      secret({ immutable: true, data: { a: "eA==" } }, stored()),
    ),
    [],
  );
});

test("ServiceAccount", () => {
  const sa = (rest: J = {}, meta: J = {}) => obj("ServiceAccount", meta, rest);
  assert.deepEqual(
    c("ServiceAccount", sa({ secrets: [{ name: "s" }], imagePullSecrets: [{ name: "p" }] })),
    [],
  );
  assert.deepEqual(c("ServiceAccount", sa({}, { name: "Bad" })), [
    `metadata.name: Invalid value: "Bad": ${dns1123Subdomain}`,
  ]);
  assert.deepEqual(u("ServiceAccount", sa({ secrets: [{ name: "t" }] }, stored()), sa({}, stored())), []);
});

// --- Node ------------------------------------------------------------------------

const node = (rest: J = {}, meta: J = {}) => obj("Node", meta, rest, false);

test("Node: pod CIDRs and taints (reported under metadata, as upstream)", () => {
  assert.deepEqual(
    c(
      "Node",
      node({
        spec: {
          podCIDR: "10.244.0.0/24",
          podCIDRs: ["10.244.0.0/24"],
          taints: [{ key: "k", value: "v", effect: "NoSchedule" }],
        },
      }),
    ),
    [],
  );
  assert.deepEqual(c("Node", node({ spec: { podCIDRs: ["bad"] } })), [
    'spec.podCIDRs[0]: Invalid value: "bad": must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)',
  ]);
  assert.deepEqual(c("Node", node({ spec: { podCIDRs: ["10.0.0.0/24", "10.1.0.0/24"] } })), [
    'spec.podCIDRs: Invalid value: []string{"10.0.0.0/24", "10.1.0.0/24"}: may specify no more than one CIDR for each IP family',
  ]);
  assert.deepEqual(
    c(
      "Node",
      node({
        spec: {
          taints: [
            { key: "k", effect: "Bogus" },
            { key: "", effect: "NoSchedule" },
            { key: "k", effect: "NoSchedule" },
            { key: "k", effect: "NoSchedule", value: "x" },
          ],
        },
      }),
    ),
    [
      'metadata.taints[0].effect: Unsupported value: "Bogus": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
      'metadata.taints[1].key: Invalid value: "": name part must be non-empty',
      `metadata.taints[1].key: Invalid value: "": ${qualifiedNamePart}`,
      'metadata.taints[3]: Duplicate value: core.Taint{Key:"k", Value:"x", Effect:"NoSchedule", TimeAdded:(*v1.Time)(nil)}: taints must be unique by key and effect pair',
    ],
  );
});

test("Node updates: podCIDR and providerID only from empty; status quantities", () => {
  const withCIDR = (cidr: string) => ({ spec: { podCIDR: cidr, podCIDRs: [cidr] } });
  assert.deepEqual(u("Node", node(withCIDR("10.244.0.0/24"), stored()), node({}, stored())), []);
  assert.deepEqual(
    u("Node", node(withCIDR("10.244.1.0/24"), stored()), node(withCIDR("10.244.0.0/24"), stored())),
    ['spec.podCIDRs: Forbidden: node updates may not change podCIDR except from "" to valid'],
  );
  assert.deepEqual(
    u("Node", node({ spec: { providerID: "b" } }, stored()), node({ spec: { providerID: "a" } }, stored())),
    ['spec.providerID: Forbidden: node updates may not change providerID except from "" to valid'],
  );
  assert.deepEqual(u("Node", node({ spec: { unschedulable: true } }, stored()), node({}, stored())), []);
  assert.deepEqual(
    s(
      "Node",
      node(
        {
          status: {
            capacity: { cpu: "4", memory: "8Gi", pods: "110" },
            allocatable: { cpu: "-1" },
            addresses: [{ type: "InternalIP", address: "10.0.0.1" }],
          },
        },
        stored(),
      ),
      node({}, stored()),
    ),
    ['status.allocatable.cpu: Invalid value: "-1": must be greater than or equal to 0'],
  );
});

// --- PersistentVolume / PersistentVolumeClaim -------------------------------------

const pv = (spec: J = {}, meta: J = {}) =>
  obj(
    "PersistentVolume",
    meta,
    {
      spec: {
        capacity: { storage: "1Gi" },
        accessModes: ["ReadWriteOnce"],
        hostPath: { path: "/tmp/x" },
        ...spec,
      },
    },
    false,
  );

test("PersistentVolume: one source, storage capacity, access modes, policies", () => {
  assert.deepEqual(c("PersistentVolume", pv()), []);
  assert.deepEqual(c("PersistentVolume", pv({ hostPath: undefined })), [
    "spec: Required value: must specify a volume type",
  ]);
  assert.deepEqual(c("PersistentVolume", pv({ nfs: { server: "s", path: "/p" } })), [
    "spec.nfs: Forbidden: may not specify more than 1 volume type",
  ]);
  assert.deepEqual(c("PersistentVolume", pv({ capacity: undefined })), [
    "spec.capacity: Required value",
    'spec.capacity: Unsupported value: core.ResourceList(nil): supported values: "storage"',
  ]);
  assert.deepEqual(c("PersistentVolume", pv({ capacity: { storage: "0" } })), [
    'spec.capacity[storage]: Invalid value: "0": must be greater than zero',
  ]);
  assert.deepEqual(c("PersistentVolume", pv({ accessModes: [] })), ["spec.accessModes: Required value"]);
  assert.deepEqual(c("PersistentVolume", pv({ accessModes: ["Bogus"] })), [
    'spec.accessModes: Unsupported value: "Bogus": supported values: "ReadOnlyMany", "ReadWriteMany", "ReadWriteOnce", "ReadWriteOncePod"',
  ]);
  assert.deepEqual(c("PersistentVolume", pv({ persistentVolumeReclaimPolicy: "Bogus" })), [
    'spec.persistentVolumeReclaimPolicy: Unsupported value: "Bogus": supported values: "Delete", "Recycle", "Retain"',
  ]);
  assert.deepEqual(
    c("PersistentVolume", pv({ persistentVolumeReclaimPolicy: "Recycle", hostPath: { path: "/" } })),
    ["spec.persistentVolumeReclaimPolicy: Forbidden: may not be 'recycle' for a hostPath mount of '/'"],
  );
  assert.deepEqual(c("PersistentVolume", pv({ hostPath: undefined, local: { path: "/mnt/x" } })), [
    "spec.nodeAffinity: Required value: Local volume requires node affinity",
  ]);
  assert.deepEqual(c("PersistentVolume", pv({ volumeMode: "Bogus" })), [
    'spec.volumeMode: Unsupported value: "Bogus": supported values: "Block", "Filesystem"',
  ]);
});

test("PersistentVolume updates: the source is immutable, capacity is not", () => {
  assert.deepEqual(
    u("PersistentVolume", pv({ capacity: { storage: "2Gi" } }, stored()), pv({}, stored())),
    [],
  );
  assert.deepEqual(u("PersistentVolume", pv({ hostPath: { path: "/tmp/y" } }, stored()), pv({}, stored())), [
    'spec.persistentvolumesource: Forbidden: spec.persistentvolumesource is immutable after creation\n  core.PersistentVolumeSource{\n- \tHostPath: {Path: "/tmp/x", Type: ""},\n+ \tHostPath: {Path: "/tmp/y", Type: ""},\n  }\n',
  ]);
});

const pvc = (spec: J = {}, meta: J = {}, status?: J) =>
  obj("PersistentVolumeClaim", meta, {
    spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } }, ...spec },
    ...(status ? { status } : {}),
  });

test("PersistentVolumeClaim: access modes, storage request, selector, class, data source", () => {
  assert.deepEqual(c("PersistentVolumeClaim", pvc()), []);
  assert.deepEqual(c("PersistentVolumeClaim", pvc({ accessModes: [] })), [
    "spec.accessModes: Required value: at least 1 access mode is required",
  ]);
  assert.deepEqual(c("PersistentVolumeClaim", pvc({ accessModes: ["ReadWriteOncePod", "ReadWriteOnce"] })), [
    "spec.accessModes: Forbidden: may not use ReadWriteOncePod with other access modes",
  ]);
  assert.deepEqual(c("PersistentVolumeClaim", pvc({ resources: { requests: {} } })), [
    "spec.resources[storage]: Required value",
  ]);
  assert.deepEqual(c("PersistentVolumeClaim", pvc({ resources: { requests: { storage: "0" } } })), [
    'spec.resources[storage]: Invalid value: "0": must be greater than zero',
  ]);
  assert.deepEqual(
    c("PersistentVolumeClaim", pvc({ selector: { matchExpressions: [{ key: "a", operator: "In" }] } })),
    [
      "spec.selector.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    ],
  );
  assert.deepEqual(c("PersistentVolumeClaim", pvc({ storageClassName: "Bad_Name" })), [
    `spec.storageClassName: Invalid value: "Bad_Name": ${dns1123Subdomain}`,
  ]);
  assert.deepEqual(c("PersistentVolumeClaim", pvc({ dataSource: { kind: "", name: "" } })), [
    "spec.dataSource.name: Required value",
    "spec.dataSource.kind: Required value",
    "spec.dataSource: Invalid value: \"\": must be 'PersistentVolumeClaim' when referencing the default apiGroup",
  ]);
});

test("PersistentVolumeClaim updates: only a bound claim may grow", () => {
  const boundStatus = { phase: "Bound", capacity: { storage: "1Gi" } };
  const bound = (spec: J = {}) =>
    pvc({ volumeName: "pv1", storageClassName: "std", ...spec }, stored(), boundStatus);
  assert.deepEqual(
    u("PersistentVolumeClaim", bound({ resources: { requests: { storage: "2Gi" } } }), bound()),
    [],
  );
  assert.deepEqual(
    u("PersistentVolumeClaim", bound({ resources: { requests: { storage: "500Mi" } } }), bound()),
    ["spec.resources.requests.storage: Forbidden: field can not be less than status.capacity"],
  );
  const modes = u("PersistentVolumeClaim", bound({ accessModes: ["ReadWriteMany"] }), bound());
  assert.equal(modes.length, 1);
  assert.ok(
    modes[0].startsWith(
      "spec: Forbidden: spec is immutable after creation except resources.requests and volumeAttributesClassName for bound claims\n  core.PersistentVolumeClaimSpec{\n",
    ),
  );
  const unbound = u(
    "PersistentVolumeClaim",
    pvc({ resources: { requests: { storage: "2Gi" } } }, stored()),
    pvc({}, stored()),
  );
  assert.match(unbound[0], /^spec: Forbidden: spec is immutable after creation/);
  // The binder sets volumeName once.
  assert.deepEqual(u("PersistentVolumeClaim", pvc({ volumeName: "pv1" }, stored()), pvc({}, stored())), []);
  assert.deepEqual(
    s(
      "PersistentVolumeClaim",
      pvc({}, stored(), { phase: "Bound", capacity: { storage: "-1" } }),
      pvc({}, stored()),
    ),
    ["status.capacity[storage]: Invalid value: -1: must be a valid resource quantity"],
  );
});

// --- ResourceQuota / LimitRange -----------------------------------------------------

const rq = (spec: J = {}, status?: J, meta: J = {}) =>
  obj("ResourceQuota", meta, { spec, ...(status ? { status } : {}) });
const q = (value: number, scale: number, s: string, format = "DecimalSI") =>
  `resource.Quantity{i:resource.int64Amount{value:${value}, scale:${scale}}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"${s}", Format:"${format}"}`;

test("ResourceQuota: resource names, quantities and scopes", () => {
  assert.deepEqual(
    c(
      "ResourceQuota",
      rq({
        hard: {
          cpu: "10",
          "requests.memory": "1Gi",
          pods: "10",
          "count/deployments.apps": "5",
          "requests.nvidia.com/gpu": "2",
        },
      }),
    ),
    [],
  );
  assert.deepEqual(c("ResourceQuota", rq({ hard: { cpu: "-1" } })), [
    'spec.hard[cpu]: Invalid value: "-1": must be greater than or equal to 0',
  ]);
  assert.deepEqual(c("ResourceQuota", rq({ hard: { "bad name!": "1" } })), [
    `spec.hard[bad name!]: Invalid value: "bad name!": ${qualifiedNamePart}`,
    'spec.hard[bad name!]: Invalid value: "bad name!": must be a standard resource for quota',
  ]);
  assert.deepEqual(c("ResourceQuota", rq({ hard: { pods: "1.5" } })), [
    `spec.hard[pods]: Invalid value: ${q(15, -1, "")}: must be an integer`,
  ]);
  assert.deepEqual(c("ResourceQuota", rq({ hard: { pods: "1" }, scopes: ["Bogus"] })), [
    'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Bogus"}: unsupported scope',
  ]);
  assert.deepEqual(
    c("ResourceQuota", rq({ hard: { pods: "1" }, scopes: ["Terminating", "NotTerminating"] })),
    [
      'spec.scopes: Invalid value: []core.ResourceQuotaScope{"Terminating", "NotTerminating"}: conflicting scopes',
    ],
  );
  assert.deepEqual(c("ResourceQuota", rq({ hard: { "requests.storage": "1Gi" }, scopes: ["BestEffort"] })), [
    'spec.scopes: Invalid value: []core.ResourceQuotaScope{"BestEffort"}: unsupported scope applied to resource',
  ]);
  assert.deepEqual(
    s(
      "ResourceQuota",
      rq({ hard: { pods: "1" } }, { hard: { pods: "1" }, used: { pods: "-1" } }, stored()),
      rq({ hard: { pods: "1" } }, undefined, stored()),
    ),
    ['status.used[pods]: Invalid value: "-1": must be greater than or equal to 0'],
  );
});

test("LimitRange: types and the ordering of min, defaults and max", () => {
  const lr = (limits: J[]) => obj("LimitRange", {}, { spec: { limits } });
  assert.deepEqual(
    c(
      "LimitRange",
      lr([
        {
          type: "Container",
          max: { cpu: "2" },
          min: { cpu: "100m" },
          default: { cpu: "500m" },
          defaultRequest: { cpu: "200m" },
          maxLimitRequestRatio: { cpu: "10" },
        },
      ]),
    ),
    [],
  );
  assert.deepEqual(c("LimitRange", lr([{ type: "Bogus" }])), [
    'spec.limits[0].type: Invalid value: "Bogus": must be a standard limit type or fully qualified',
  ]);
  // Defaulting copies max into default and default into defaultRequest.
  assert.deepEqual(c("LimitRange", lr([{ type: "Container", max: { cpu: "100m" }, min: { cpu: "1" } }])), [
    `spec.limits[0].min[cpu]: Invalid value: ${q(1, 0, "1")}: min value 1 is greater than max value 100m`,
    `spec.limits[0].defaultRequest[cpu]: Invalid value: ${q(100, -3, "100m")}: min value 1 is greater than default request value 100m`,
    `spec.limits[0].default[cpu]: Invalid value: ${q(1, 0, "1")}: min value 1 is greater than default value 100m`,
  ]);
  assert.deepEqual(
    c(
      "LimitRange",
      lr([{ type: "Container", max: { cpu: "1" }, default: { cpu: "2" }, defaultRequest: { cpu: "3" } }]),
    ),
    [
      `spec.limits[0].defaultRequest[cpu]: Invalid value: ${q(3, 0, "3")}: default request value 3 is greater than max value 1`,
      `spec.limits[0].defaultRequest[cpu]: Invalid value: ${q(3, 0, "3")}: default request value 3 is greater than default limit value 2`,
      `spec.limits[0].default[cpu]: Invalid value: ${q(1, 0, "1")}: default value 2 is greater than max value 1`,
    ],
  );
  assert.deepEqual(c("LimitRange", lr([{ type: "Pod", default: { cpu: "1" } }])), [
    "spec.limits[0].default: Forbidden: may not be specified when `type` is 'Pod'",
  ]);
  assert.deepEqual(
    c(
      "LimitRange",
      lr([
        { type: "Pod", max: { cpu: "1" } },
        { type: "Pod", max: { cpu: "2" } },
      ]),
    ),
    ['spec.limits[1].type: Duplicate value: "Pod"'],
  );
  assert.deepEqual(c("LimitRange", lr([{ type: "Container", maxLimitRequestRatio: { cpu: "500m" } }])), [
    `spec.limits[0].maxLimitRequestRatio[cpu]: Invalid value: ${q(500, -3, "500m")}: ratio 500m is less than 1`,
  ]);
});

// --- ReplicationController ---------------------------------------------------------

const rc = (spec: J = {}, meta: J = {}) =>
  obj("ReplicationController", meta, {
    spec: { selector: { app: "x" }, template: template({ app: "x" }), ...spec },
  });

test("ReplicationController: selector, template, restart policy, counts", () => {
  assert.deepEqual(c("ReplicationController", rc()), []);
  // The selector defaults to the template's labels.
  assert.deepEqual(c("ReplicationController", rc({ selector: undefined })), []);
  assert.deepEqual(c("ReplicationController", rc({ selector: { app: "y" } })), [
    'spec.template.metadata.labels: Invalid value: map[string]string{"app":"x"}: `selector` does not match template `labels`',
  ]);
  assert.deepEqual(c("ReplicationController", rc({ template: undefined })), [
    "spec.template: Required value",
  ]);
  assert.deepEqual(
    c("ReplicationController", rc({ template: template({ app: "x" }, { restartPolicy: "Never" }) })),
    ['spec.template.spec.restartPolicy: Unsupported value: "Never": supported values: "Always"'],
  );
  assert.deepEqual(c("ReplicationController", rc({ replicas: -1, minReadySeconds: -1 })), [
    "spec.minReadySeconds: Invalid value: -1: must be greater than or equal to 0",
    "spec.replicas: Invalid value: -1: must be greater than or equal to 0",
  ]);
  // Unlike apps/v1, the selector of a ReplicationController may change.
  assert.deepEqual(
    u(
      "ReplicationController",
      rc({ selector: { app: "x", b: "c" }, template: template({ app: "x", b: "c" }) }, stored()),
      rc({}, stored()),
    ),
    [],
  );
  assert.deepEqual(
    s(
      "ReplicationController",
      { ...rc({}, stored()), status: { replicas: 1, readyReplicas: 2 } },
      rc({}, stored()),
    ),
    ["status.readyReplicas: Invalid value: 2: cannot be greater than status.replicas"],
  );
});

// --- Endpoints / Event / PodTemplate ---------------------------------------------

test("Endpoints: addresses and ports", () => {
  const ep = (subsets: J[]) => obj("Endpoints", {}, { subsets });
  assert.deepEqual(
    c(
      "Endpoints",
      ep([
        {
          addresses: [{ ip: "10.1.2.3", targetRef: { kind: "Pod", name: "p", namespace: "default" } }],
          notReadyAddresses: [{ ip: "10.1.2.4" }],
          ports: [{ name: "http", port: 80, protocol: "TCP" }],
        },
      ]),
    ),
    [],
  );
  assert.deepEqual(c("Endpoints", ep([{ ports: [{ port: 80 }] }])), [
    "subsets[0]: Required value: must specify `addresses` or `notReadyAddresses`",
  ]);
  assert.deepEqual(
    c(
      "Endpoints",
      ep([
        {
          addresses: [{ ip: "bad" }, { ip: "127.0.0.1" }, { ip: "169.254.1.1" }, { ip: "224.0.0.1" }],
          ports: [{ port: 80 }],
        },
      ]),
    ),
    [
      'subsets[0].addresses[0].ip: Invalid value: "bad": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      'subsets[0].addresses[0].ip: Invalid value: "bad": must be a valid IP address',
      'subsets[0].addresses[1].ip: Invalid value: "127.0.0.1": may not be in the loopback range (127.0.0.0/8, ::1/128)',
      'subsets[0].addresses[2].ip: Invalid value: "169.254.1.1": may not be in the link-local range (169.254.0.0/16, fe80::/10)',
      'subsets[0].addresses[3].ip: Invalid value: "224.0.0.1": may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)',
    ],
  );
  assert.deepEqual(
    c(
      "Endpoints",
      ep([{ addresses: [{ ip: "10.1.2.3" }], ports: [{ port: 0, protocol: "Bogus" }, { port: 80 }] }]),
    ),
    [
      "subsets[0].ports[0].name: Required value",
      "subsets[0].ports[0].port: Invalid value: 0: must be between 1 and 65535, inclusive",
      'subsets[0].ports[0].protocol: Unsupported value: "Bogus": supported values: "SCTP", "TCP", "UDP"',
      "subsets[0].ports[1].name: Required value",
    ],
  );
  assert.deepEqual(
    c("Endpoints", ep([{ addresses: [{ ip: "10.1.2.3", hostname: "Bad_Name" }], ports: [{ port: 80 }] }])),
    [`subsets[0].addresses[0].hostname: Invalid value: "Bad_Name": ${dns1123Label}`],
  );
});

test("core/v1 Event: only the legacy namespace checks, as upstream", () => {
  const ev = (rest: J = {}, meta: J = {}) =>
    obj("Event", meta, {
      involvedObject: { kind: "Pod", name: "p", namespace: "default" },
      reason: "Started",
      message: "m",
      type: "Normal",
      ...rest,
    });
  assert.deepEqual(c("Event", ev()), []);
  assert.deepEqual(c("Event", ev({ involvedObject: { kind: "Pod", name: "p", namespace: "other" } })), [
    'involvedObject.namespace: Invalid value: "other": does not match event.namespace',
  ]);
  assert.deepEqual(c("Event", ev({}, { name: "pod.17a0b2c3d4e5f6a7" })), []);
  assert.deepEqual(u("Event", ev({ message: "n", count: 2 }, stored()), ev({}, stored())), []);
  assert.deepEqual(
    u(
      "Event",
      ev({ involvedObject: { kind: "Pod", name: "q", namespace: "default" } }, stored()),
      ev({}, stored()),
    ),
    [],
  );
});

test("PodTemplate", () => {
  const pt = (tpl: J, meta: J = {}) => obj("PodTemplate", meta, { template: tpl });
  assert.deepEqual(c("PodTemplate", pt(template({ a: "b" }))), []);
  assert.deepEqual(c("PodTemplate", pt(template({ a: "b" }, { containers: [] }))), [
    "template.spec.containers: Required value",
  ]);
  assert.deepEqual(
    u(
      "PodTemplate",
      pt(template({ a: "b" }, { containers: [{ name: "c", image: "x:2" }] }), stored()),
      pt(template({ a: "b" }), stored()),
    ),
    [],
  );
});
