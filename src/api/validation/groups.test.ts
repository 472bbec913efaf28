// Validation of the smaller API groups: rbac, storage, policy, scheduling,
// coordination, discovery, certificates, admissionregistration and events,
// after each group's upstream validation_test.go.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createErrors, type J, statusErrors, stored, updateErrors } from "./test-helpers.ts";

const qualifiedNamePart =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const dns1123Subdomain =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const dns1123Label =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

// --- RBAC --------------------------------------------------------------------------

const R = "rbac.authorization.k8s.io";
const role = (rules: J[], meta: J = {}) => ({
  apiVersion: `${R}/v1`,
  kind: "Role",
  metadata: { name: "r", namespace: "default", ...meta },
  rules,
});
const clusterRole = (rules: J[], extra: J = {}) => ({
  apiVersion: `${R}/v1`,
  kind: "ClusterRole",
  metadata: { name: "r" },
  rules,
  ...extra,
});

test("RBAC roles: rules need verbs and either resources or non-resource URLs", () => {
  assert.deepEqual(
    createErrors(R, "Role", role([{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }])),
    [],
  );
  assert.deepEqual(createErrors(R, "Role", role([{ apiGroups: [""], resources: ["pods"], verbs: [] }])), [
    "rules[0].verbs: Required value: verbs must contain at least one value",
  ]);
  assert.deepEqual(createErrors(R, "Role", role([{ resources: ["pods"], verbs: ["get"] }])), [
    "rules[0].apiGroups: Required value: resource rules must supply at least one api group",
  ]);
  assert.deepEqual(createErrors(R, "Role", role([{ apiGroups: [""], verbs: ["get"] }])), [
    "rules[0].resources: Required value: resource rules must supply at least one resource",
  ]);
  assert.deepEqual(createErrors(R, "Role", role([{ nonResourceURLs: ["/healthz"], verbs: ["get"] }])), [
    'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: namespaced rules cannot apply to non-resource URLs',
  ]);
  assert.deepEqual(
    createErrors(
      R,
      "ClusterRole",
      clusterRole([{ nonResourceURLs: ["/healthz", "/api/*"], verbs: ["get"] }]),
    ),
    [],
  );
  assert.deepEqual(
    createErrors(
      R,
      "ClusterRole",
      clusterRole([{ nonResourceURLs: ["/healthz"], resources: ["pods"], apiGroups: [""], verbs: ["get"] }]),
    ),
    [
      'rules[0].nonResourceURLs: Invalid value: []string{"/healthz"}: rules cannot apply to both regular resources and non-resource URLs',
    ],
  );
  assert.deepEqual(
    createErrors(
      R,
      "ClusterRole",
      clusterRole([], { aggregationRule: { clusterRoleSelectors: [{ matchLabels: { a: "b" } }] } }),
    ),
    [],
  );
  assert.deepEqual(
    createErrors(R, "ClusterRole", clusterRole([], { aggregationRule: { clusterRoleSelectors: [] } })),
    [
      "aggregationRule.clusterRoleSelectors: Required value: at least one clusterRoleSelector required if aggregationRule is non-nil",
    ],
  );
  // RBAC names are path segments, so "system:" names are fine.
  assert.deepEqual(createErrors(R, "Role", role([], { name: "system:foo" })), []);
  assert.deepEqual(createErrors(R, "Role", role([], { name: "a/b" })), [
    "metadata.name: Invalid value: \"a/b\": may not contain '/'",
  ]);
});

const roleRef = { apiGroup: R, kind: "Role", name: "r" };
const binding = (ref: J, subjects: J[], meta: J = {}) => ({
  apiVersion: `${R}/v1`,
  kind: "RoleBinding",
  metadata: { name: "rb", namespace: "default", ...meta },
  roleRef: ref,
  subjects,
});
const clusterBinding = (ref: J, subjects: J[], meta: J = {}) => ({
  apiVersion: `${R}/v1`,
  kind: "ClusterRoleBinding",
  metadata: { name: "rb", ...meta },
  roleRef: ref,
  subjects,
});

test("RBAC bindings: roleRef and subjects", () => {
  assert.deepEqual(
    createErrors(
      R,
      "RoleBinding",
      binding(roleRef, [
        { kind: "ServiceAccount", name: "default", namespace: "default" },
        { kind: "User", name: "alice", apiGroup: R },
        { kind: "Group", name: "devs", apiGroup: R },
      ]),
    ),
    [],
  );
  assert.deepEqual(createErrors(R, "RoleBinding", binding({ ...roleRef, kind: "Bogus" }, [])), [
    'roleRef.kind: Unsupported value: "Bogus": supported values: "Role", "ClusterRole"',
  ]);
  assert.deepEqual(createErrors(R, "RoleBinding", binding({ ...roleRef, apiGroup: "x" }, [])), [
    'roleRef.apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io"',
  ]);
  assert.deepEqual(createErrors(R, "RoleBinding", binding({ ...roleRef, name: "" }, [])), [
    "roleRef.name: Required value",
  ]);
  assert.deepEqual(
    createErrors(
      R,
      "RoleBinding",
      binding(roleRef, [
        { kind: "Bogus", name: "x" },
        { kind: "ServiceAccount", name: "" },
        { kind: "User", name: "", apiGroup: R },
        { kind: "User", name: "bob", apiGroup: "x" },
        { kind: "ServiceAccount", name: "Bad_Name", apiGroup: "x" },
      ]),
    ),
    [
      'subjects[0].kind: Unsupported value: "Bogus": supported values: "ServiceAccount", "User", "Group"',
      "subjects[1].name: Required value",
      "subjects[2].name: Required value",
      'subjects[2].name: Invalid value: "": user name cannot be empty',
      'subjects[3].apiGroup: Unsupported value: "x": supported values: "rbac.authorization.k8s.io"',
      `subjects[4].name: Invalid value: "Bad_Name": ${dns1123Subdomain}`,
      'subjects[4].apiGroup: Unsupported value: "x": supported values: ""',
    ],
  );
  assert.deepEqual(createErrors(R, "ClusterRoleBinding", clusterBinding(roleRef, [])), [
    'roleRef.kind: Unsupported value: "Role": supported values: "ClusterRole"',
  ]);
  assert.deepEqual(
    createErrors(
      R,
      "ClusterRoleBinding",
      clusterBinding({ ...roleRef, kind: "ClusterRole" }, [{ kind: "ServiceAccount", name: "default" }]),
    ),
    ["subjects[0].namespace: Required value"],
  );
});

test("RBAC bindings: roleRef is immutable", () => {
  assert.deepEqual(
    updateErrors(
      R,
      "RoleBinding",
      binding({ ...roleRef, name: "other" }, [], stored()),
      binding(roleRef, [], stored()),
    ),
    [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"Role", Name:"other"}: cannot change roleRef',
    ],
  );
  const cr = { ...roleRef, kind: "ClusterRole" };
  assert.deepEqual(
    updateErrors(
      R,
      "ClusterRoleBinding",
      clusterBinding({ ...cr, name: "other" }, [], stored()),
      clusterBinding(cr, [], stored()),
    ),
    [
      'roleRef: Invalid value: rbac.RoleRef{APIGroup:"rbac.authorization.k8s.io", Kind:"ClusterRole", Name:"other"}: cannot change roleRef',
    ],
  );
  assert.deepEqual(
    updateErrors(
      R,
      "RoleBinding",
      binding(roleRef, [{ kind: "User", name: "carol", apiGroup: R }], stored()),
      binding(roleRef, [], stored()),
    ),
    [],
  );
});

// --- StorageClass ------------------------------------------------------------------

const S = "storage.k8s.io";
const sc = (extra: J = {}, meta: J = {}) => ({
  apiVersion: `${S}/v1`,
  kind: "StorageClass",
  metadata: { name: "std", ...meta },
  provisioner: "kubernetes.io/no-provisioner",
  ...extra,
});

test("StorageClass: provisioner, policies, topologies; most fields immutable", () => {
  assert.deepEqual(
    createErrors(
      S,
      "StorageClass",
      sc({
        reclaimPolicy: "Retain",
        volumeBindingMode: "WaitForFirstConsumer",
        parameters: { a: "b" },
        allowedTopologies: [{ matchLabelExpressions: [{ key: "zone", values: ["a"] }] }],
      }),
    ),
    [],
  );
  assert.deepEqual(createErrors(S, "StorageClass", sc({ provisioner: "" })), ["provisioner: Required value"]);
  assert.deepEqual(createErrors(S, "StorageClass", sc({ provisioner: "bad provisioner!" })), [
    `provisioner: Invalid value: "bad provisioner!": ${qualifiedNamePart}`,
  ]);
  assert.deepEqual(createErrors(S, "StorageClass", sc({ reclaimPolicy: "Recycle" })), [
    'reclaimPolicy: Unsupported value: "Recycle": supported values: "Delete", "Retain"',
  ]);
  assert.deepEqual(createErrors(S, "StorageClass", sc({ volumeBindingMode: "Bogus" })), [
    'volumeBindingMode: Unsupported value: "Bogus": supported values: "Immediate", "WaitForFirstConsumer"',
  ]);
  assert.deepEqual(
    createErrors(
      S,
      "StorageClass",
      sc({ allowedTopologies: [{ matchLabelExpressions: [{ key: "zone", values: [] }] }] }),
    ),
    ["allowedTopologies[0].matchLabelExpressions[0].values: Required value"],
  );
  assert.deepEqual(
    updateErrors(
      S,
      "StorageClass",
      sc(
        {
          parameters: { a: "c" },
          provisioner: "x.io/y",
          reclaimPolicy: "Retain",
          volumeBindingMode: "WaitForFirstConsumer",
        },
        stored(),
      ),
      sc({}, stored()),
    ),
    [
      "parameters: Forbidden: updates to parameters are forbidden.",
      "provisioner: Forbidden: updates to provisioner are forbidden.",
      "reclaimPolicy: Forbidden: updates to reclaimPolicy are forbidden.",
      'volumeBindingMode: Invalid value: "WaitForFirstConsumer": field is immutable',
    ],
  );
  assert.deepEqual(
    updateErrors(S, "StorageClass", sc({ allowVolumeExpansion: true }, stored()), sc({}, stored())),
    [],
  );
});

// --- PodDisruptionBudget --------------------------------------------------------------

const pdb = (spec: J, meta: J = {}) => ({
  apiVersion: "policy/v1",
  kind: "PodDisruptionBudget",
  metadata: { name: "p", namespace: "default", ...meta },
  spec,
});
const pdbErrors = (spec: J) => createErrors("policy", "PodDisruptionBudget", pdb(spec));

test("PodDisruptionBudget: minAvailable and maxUnavailable", () => {
  assert.deepEqual(pdbErrors({ minAvailable: 1, selector: { matchLabels: { a: "b" } } }), []);
  assert.deepEqual(pdbErrors({ maxUnavailable: "25%" }), []);
  const both = pdbErrors({ minAvailable: 1, maxUnavailable: 1 });
  assert.equal(both.length, 1);
  assert.match(
    both[0],
    /^spec: Invalid value: policy\.PodDisruptionBudgetSpec\{.*\}: minAvailable and maxUnavailable cannot be both set$/,
  );
  assert.deepEqual(pdbErrors({ minAvailable: -1 }), [
    "spec.minAvailable: Invalid value: -1: must be greater than or equal to 0",
  ]);
  assert.deepEqual(pdbErrors({ maxUnavailable: "150%" }), [
    'spec.maxUnavailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:"150%"}: must not be greater than 100%',
  ]);
  assert.deepEqual(pdbErrors({ minAvailable: "abc" }), [
    "spec.minAvailable: Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"abc\"}: a valid percent string must be a numeric string followed by an ending '%' (e.g. '1%',  or '93%', regex used for validation is '[0-9]+%')",
  ]);
  assert.deepEqual(pdbErrors({ minAvailable: 1, unhealthyPodEvictionPolicy: "Bogus" }), [
    'spec.unhealthyPodEvictionPolicy: Unsupported value: "Bogus": supported values: "AlwaysAllow", "IfHealthyBudget"',
  ]);
  assert.deepEqual(
    pdbErrors({
      minAvailable: 1,
      selector: { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] },
    }),
    [
      "spec.selector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    ],
  );
  // policy/v1 PDB specs are mutable.
  assert.deepEqual(
    updateErrors(
      "policy",
      "PodDisruptionBudget",
      pdb({ minAvailable: 2, selector: { matchLabels: { c: "d" } } }, stored()),
      pdb({ minAvailable: 1 }, stored()),
    ),
    [],
  );
});

test("PodDisruptionBudget status: conditions and counts", () => {
  const old = pdb({ minAvailable: 1 }, stored());
  const status = {
    disruptionsAllowed: -1,
    currentHealthy: -1,
    desiredHealthy: 0,
    expectedPods: 0,
    conditions: [
      {
        type: "DisruptionAllowed",
        status: "Bogus",
        reason: "",
        lastTransitionTime: "2024-01-01T00:00:00Z",
        message: "",
      },
    ],
  };
  assert.deepEqual(statusErrors("policy", "PodDisruptionBudget", { ...old, status }, old), [
    'status.conditions[0].status: Unsupported value: "Bogus": supported values: "False", "True", "Unknown"',
    "status.conditions[0].reason: Required value: must be set",
    "status.disruptionsAllowed: Invalid value: -1: must be greater than or equal to 0",
    "status.currentHealthy: Invalid value: -1: must be greater than or equal to 0",
  ]);
});

// --- PriorityClass -----------------------------------------------------------------

const P = "scheduling.k8s.io";
const pc = (extra: J = {}, name = "high", meta: J = {}) => ({
  apiVersion: `${P}/v1`,
  kind: "PriorityClass",
  metadata: { name, ...meta },
  value: 1000,
  ...extra,
});

test("PriorityClass: value range and reserved system- names", () => {
  assert.deepEqual(
    createErrors(P, "PriorityClass", pc({ preemptionPolicy: "Never", globalDefault: false })),
    [],
  );
  assert.deepEqual(createErrors(P, "PriorityClass", pc({}, "system-foo")), [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: system-foo is not a known system priority class",
  ]);
  assert.deepEqual(
    createErrors(P, "PriorityClass", pc({ value: 2000000000 }, "system-cluster-critical")),
    [],
  );
  assert.deepEqual(createErrors(P, "PriorityClass", pc({ value: 5 }, "system-cluster-critical")), [
    "metadata.name: Forbidden: priority class names with 'system-' prefix are reserved for system use only. error: value of system-cluster-critical PriorityClass must be 2000000000",
  ]);
  assert.deepEqual(createErrors(P, "PriorityClass", pc({ value: 1000000001 })), [
    "value: Forbidden: maximum allowed value of a user defined priority is 1000000000",
  ]);
  assert.deepEqual(createErrors(P, "PriorityClass", pc({ preemptionPolicy: "Bogus" })), [
    'preemptionPolicy: Unsupported value: "Bogus": supported values: "PreemptLowerPriority", "Never"',
  ]);
  assert.deepEqual(
    updateErrors(P, "PriorityClass", pc({ value: 5 }, "high", stored()), pc({}, "high", stored())),
    ["value: Forbidden: may not be changed in an update."],
  );
  assert.deepEqual(
    updateErrors(
      P,
      "PriorityClass",
      pc({ preemptionPolicy: "Never" }, "high", stored()),
      pc({}, "high", stored()),
    ),
    ['preemptionPolicy: Invalid value: "Never": field is immutable'],
  );
});

// --- RuntimeClass ------------------------------------------------------------------------

const N = "node.k8s.io";
const rc = (extra: J, meta: J = {}) => ({
  apiVersion: `${N}/v1`,
  kind: "RuntimeClass",
  metadata: { name: "gvisor", ...meta },
  handler: "runsc",
  ...extra,
});

test("RuntimeClass: a DNS-label handler, overhead, scheduling; the handler is immutable", () => {
  assert.deepEqual(
    createErrors(
      N,
      "RuntimeClass",
      rc({
        overhead: { podFixed: { cpu: "250m", memory: "64Mi" } },
        scheduling: {
          nodeSelector: { "sandbox.example.com/runtime": "gvisor" },
          tolerations: [{ key: "sandboxed", operator: "Exists", effect: "NoSchedule" }],
        },
      }),
    ),
    [],
  );
  assert.deepEqual(createErrors(N, "RuntimeClass", rc({ handler: "Run_SC" })), [
    `handler: Invalid value: "Run_SC": ${dns1123Label}`,
  ]);
  assert.deepEqual(createErrors(N, "RuntimeClass", rc({ handler: "" })), [
    `handler: Invalid value: "": ${dns1123Label}`,
  ]);
  assert.deepEqual(createErrors(N, "RuntimeClass", rc({ overhead: { podFixed: { cpu: "-1" } } })), [
    'overhead.limits[cpu]: Invalid value: "-1": must be greater than or equal to 0',
  ]);
  assert.deepEqual(
    createErrors(
      N,
      "RuntimeClass",
      rc({
        scheduling: {
          nodeSelector: { "bad key": "x" },
          tolerations: [{ key: "k", operator: "Exists", value: "v" }],
        },
      }),
    ),
    [
      `scheduling.nodeSelector: Invalid value: "bad key": ${qualifiedNamePart}`,
      "scheduling.tolerations[0].operator: Invalid value: \"v\": value must be empty when `operator` is 'Exists'",
    ],
  );
  assert.deepEqual(updateErrors(N, "RuntimeClass", rc({ handler: "kata" }, stored()), rc({}, stored())), [
    'handler: Invalid value: "kata": field is immutable',
  ]);
});

// --- Lease / EndpointSlice -------------------------------------------------------------

test("Lease", () => {
  const C = "coordination.k8s.io";
  const lease = (spec: J) => ({
    apiVersion: `${C}/v1`,
    kind: "Lease",
    metadata: { name: "l", namespace: "default" },
    spec,
  });
  assert.deepEqual(
    createErrors(
      C,
      "Lease",
      lease({
        holderIdentity: "a",
        leaseDurationSeconds: 15,
        leaseTransitions: 0,
        acquireTime: "2024-01-01T00:00:00.000000Z",
        renewTime: "2024-01-01T00:00:00.000000Z",
      }),
    ),
    [],
  );
  assert.deepEqual(createErrors(C, "Lease", lease({ leaseDurationSeconds: 0, leaseTransitions: -1 })), [
    "spec.leaseDurationSeconds: Invalid value: 0: must be greater than 0",
    "spec.leaseTransitions: Invalid value: -1: must be greater than or equal to 0",
  ]);
});

const D = "discovery.k8s.io";
const slice = (extra: J, meta: J = {}) => ({
  apiVersion: `${D}/v1`,
  kind: "EndpointSlice",
  metadata: { name: "e", namespace: "default", ...meta },
  addressType: "IPv4",
  endpoints: [],
  ...extra,
});

test("EndpointSlice: address type, addresses, ports, names", () => {
  assert.deepEqual(
    createErrors(
      D,
      "EndpointSlice",
      slice({
        endpoints: [{ addresses: ["10.0.0.1"], conditions: { ready: true }, nodeName: "n1", zone: "a" }],
        ports: [{ name: "http", port: 80, protocol: "TCP" }],
      }),
    ),
    [],
  );
  assert.deepEqual(createErrors(D, "EndpointSlice", slice({ addressType: "Bogus" })), [
    'addressType: Unsupported value: "Bogus": supported values: "FQDN", "IPv4", "IPv6"',
  ]);
  assert.deepEqual(
    createErrors(
      D,
      "EndpointSlice",
      slice({
        endpoints: [{ addresses: [] }, { addresses: ["bad"] }, { addresses: ["10.0.0.1", "10.0.0.2"] }],
      }),
    ),
    [
      "endpoints[0].addresses: Required value: must contain at least 1 address",
      'endpoints[1].addresses[0]: Invalid value: "bad": must be a valid IPv4 address',
      'endpoints[1].addresses[0]: Invalid value: "bad": must be a valid IP address',
    ],
  );
  assert.deepEqual(createErrors(D, "EndpointSlice", slice({ endpoints: [{ addresses: ["fd00::1"] }] })), [
    'endpoints[0].addresses[0]: Invalid value: "fd00::1": must be a valid IPv4 address',
  ]);
  assert.deepEqual(
    createErrors(
      D,
      "EndpointSlice",
      slice({ addressType: "FQDN", endpoints: [{ addresses: ["Bad_Name"] }] }),
    ),
    [`endpoints[0].addresses[0]: Invalid value: "Bad_Name": ${dns1123Subdomain}`],
  );
  assert.deepEqual(
    createErrors(
      D,
      "EndpointSlice",
      slice({
        ports: [
          { name: "a", port: 0 },
          { name: "a", port: 80 },
          { name: "Bad_Name", protocol: "Bogus" },
        ],
      }),
    ),
    [
      'ports[1].name: Duplicate value: "a"',
      `ports[2].name: Invalid value: "Bad_Name": ${dns1123Label}`,
      'ports[2].protocol: Unsupported value: "Bogus": supported values: "SCTP", "TCP", "UDP"',
    ],
  );
  assert.deepEqual(
    createErrors(
      D,
      "EndpointSlice",
      slice({ endpoints: [{ addresses: ["10.0.0.1"], nodeName: "Bad_Name", hostname: "Bad_Name" }] }),
    ),
    [
      `endpoints[0].nodeName: Invalid value: "Bad_Name": ${dns1123Subdomain}`,
      `endpoints[0].hostname: Invalid value: "Bad_Name": ${dns1123Label}`,
    ],
  );
  assert.deepEqual(
    updateErrors(D, "EndpointSlice", slice({ addressType: "IPv6" }, stored()), slice({}, stored())),
    ['addressType: Invalid value: "IPv6": field is immutable'],
  );
});

// --- CertificateSigningRequest ---------------------------------------------------------

const CSR_PEM = `-----BEGIN CERTIFICATE REQUEST-----
MIHZMIGBAgEAMB8xDjAMBgNVBAMMBWFsaWNlMQ0wCwYDVQQKDARkZXZzMFkwEwYH
KoZIzj0CAQYIKoZIzj0DAQcDQgAEWLn3mtdizlTGKWdnLdNB6pDzdSrE4M5+YgHD
SUu32Vt3x5uxoLjGmF/A1e0LboP9H/6SxEhL9jmiG2hvGJJ3I6AAMAoGCCqGSM49
BAMCA0cAMEQCIH9qgAYRSoZ1hUu3pKIOmkQ1mEBzoey55s02ARyIt+CvAiBYrPIT
wc7m9geHVXs7hLk+amkwlI6D6s0D2leUwTWEMg==
-----END CERTIFICATE REQUEST-----
`;
const CERT_PEM = `-----BEGIN CERTIFICATE-----
MIIBbzCCARWgAwIBAgIUBhzXuGY9SAqN6WYVIFf7adH9OaIwCgYIKoZIzj0EAwIw
DTELMAkGA1UEAwwCY2EwHhcNMjYxMTI2MTgzNDQ3WhcNMjYxMTI3MTgzNDQ3WjAN
MQswCQYDVQQDDAJjYTBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABIaitBgiTy7c
yd7q6PxgaDpmsAi/bIAXrajwJdqr8RmOPsldafXE4t9FFw1qb/jXupfEyZjJqbCR
LhFwYA+S/HijUzBRMB0GA1UdDgQWBBQQrizM7GpAIvAIwG7r5hnc99HlGTAfBgNV
HSMEGDAWgBQQrizM7GpAIvAIwG7r5hnc99HlGTAPBgNVHRMBAf8EBTADAQH/MAoG
CCqGSM49BAMCA0gAMEUCIB8HOziurtaCgeSI2zdcT3P39C+cmpl8I5WYsG/pV9vS
AiEA4ZKv6OjA5FWrvyqR0YAmA8mGzvEzKa2eHttmqzw0uBA=
-----END CERTIFICATE-----
`;
const G = "certificates.k8s.io";
const b64 = (s: string) => Buffer.from(s).toString("base64");
const csr = (spec: J = {}, status?: J, meta: J = {}) => ({
  apiVersion: `${G}/v1`,
  kind: "CertificateSigningRequest",
  metadata: { name: "c", ...meta },
  spec: {
    request: b64(CSR_PEM),
    signerName: "kubernetes.io/kube-apiserver-client",
    usages: ["client auth"],
    ...spec,
  },
  ...(status ? { status } : {}),
});
const csrErrors = (spec: J) => createErrors(G, "CertificateSigningRequest", csr(spec));

test("CSR: request PEM, signer name, usages, expiration", () => {
  assert.deepEqual(csrErrors({}), []);
  assert.deepEqual(csrErrors({ request: "" }), [
    "spec.request: Invalid value: []byte(nil): PEM block type must be CERTIFICATE REQUEST",
  ]);
  assert.deepEqual(csrErrors({ request: b64("garbage") }), [
    "spec.request: Invalid value: []byte{0x67, 0x61, 0x72, 0x62, 0x61, 0x67, 0x65}: PEM block type must be CERTIFICATE REQUEST",
  ]);
  const certAsRequest = csrErrors({ request: b64(CERT_PEM) });
  assert.equal(certAsRequest.length, 1);
  assert.match(
    certAsRequest[0],
    /^spec\.request: Invalid value: \[\]byte\{0x2d, .*\}: PEM block type must be CERTIFICATE REQUEST$/,
  );
  assert.deepEqual(csrErrors({ signerName: "" }), ["spec.signerName: Required value"]);
  assert.deepEqual(csrErrors({ signerName: "foo" }), [
    "spec.signerName: Invalid value: \"foo\": must be a fully qualified domain and path of the form 'example.com/signer-name'",
  ]);
  assert.deepEqual(csrErrors({ signerName: "kubernetes.io/legacy-unknown" }), [
    'spec.signerName: Invalid value: "kubernetes.io/legacy-unknown": the legacy signerName is not allowed via this API version',
  ]);
  assert.deepEqual(csrErrors({ usages: [] }), ["spec.usages: Required value"]);
  const usages = csrErrors({ usages: ["bogus", "client auth", "client auth"] });
  assert.equal(usages.length, 2);
  assert.match(
    usages[0],
    /^spec\.usages\[0\]: Unsupported value: "bogus": supported values: "any", "cert sign", "client auth", /,
  );
  assert.equal(usages[1], 'spec.usages[2]: Duplicate value: "client auth"');
  assert.deepEqual(csrErrors({ expirationSeconds: 100 }), [
    "spec.expirationSeconds: Invalid value: 100: may not specify a duration less than 600 seconds (10 minutes)",
  ]);
});

test("CSR status: conditions and certificate", () => {
  const old = csr({}, undefined, stored());
  const status = (st: J) => statusErrors(G, "CertificateSigningRequest", csr({}, st, stored()), old);
  // Approval goes through the /approval subresource.
  assert.deepEqual(status({ conditions: [{ type: "Approved", status: "True", reason: "ok" }] }), [
    'status.conditions: Forbidden: updates may not add a condition of type "Approved"',
  ]);
  assert.deepEqual(
    status({
      conditions: [
        { type: "Bogus", status: "Maybe" },
        { type: "", status: "True" },
      ],
    }),
    [
      'status.conditions[0].status: Unsupported value: "Maybe": supported values: "False", "True", "Unknown"',
      "status.conditions[1].type: Required value",
    ],
  );
  const approvedStatus = {
    conditions: [
      {
        type: "Approved",
        status: "True",
        reason: "ok",
        lastUpdateTime: "2024-01-01T00:00:00Z",
        lastTransitionTime: "2024-01-01T00:00:00Z",
      },
    ],
  };
  const approved = csr({}, approvedStatus, stored());
  const fromApproved = (st: J) =>
    statusErrors(G, "CertificateSigningRequest", csr({}, { ...approvedStatus, ...st }, stored()), approved);
  assert.deepEqual(fromApproved({ certificate: b64(CERT_PEM) }), []);
  assert.deepEqual(fromApproved({ certificate: b64("garbage") }), [
    'status.certificate: Invalid value: "<certificate data>": must contain at least one CERTIFICATE PEM block',
  ]);
});

// --- Admission webhooks -----------------------------------------------------------------

const A = "admissionregistration.k8s.io";
const hook = (extra: J = {}): J => ({
  name: "hook.example.com",
  clientConfig: { service: { namespace: "default", name: "svc", path: "/validate" } },
  rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] }],
  sideEffects: "None",
  admissionReviewVersions: ["v1"],
  ...extra,
});
const vwc = (webhooks: J[], meta: J = {}) => ({
  apiVersion: `${A}/v1`,
  kind: "ValidatingWebhookConfiguration",
  metadata: { name: "v", ...meta },
  webhooks,
});
const mwc = (webhooks: J[]) => ({
  apiVersion: `${A}/v1`,
  kind: "MutatingWebhookConfiguration",
  metadata: { name: "m" },
  webhooks,
});
const hookErrors = (extra: J) => createErrors(A, "ValidatingWebhookConfiguration", vwc([hook(extra)]));

test("webhooks: names, side effects, review versions", () => {
  assert.deepEqual(hookErrors({}), []);
  assert.deepEqual(
    createErrors(A, "MutatingWebhookConfiguration", mwc([hook({ reinvocationPolicy: "IfNeeded" })])),
    [],
  );
  assert.deepEqual(hookErrors({ name: "hook" }), [
    'webhooks[0].name: Invalid value: "hook": should be a domain with at least three segments separated by dots',
  ]);
  assert.deepEqual(createErrors(A, "ValidatingWebhookConfiguration", vwc([hook(), hook()])), [
    'webhooks[1].name: Duplicate value: "hook.example.com"',
  ]);
  assert.deepEqual(hookErrors({ sideEffects: undefined }), [
    "webhooks[0].sideEffects: Required value: must specify one of None, NoneOnDryRun",
  ]);
  assert.deepEqual(hookErrors({ sideEffects: "Unknown" }), [
    'webhooks[0].sideEffects: Unsupported value: "Unknown": supported values: "None", "NoneOnDryRun"',
  ]);
  assert.deepEqual(hookErrors({ admissionReviewVersions: [] }), [
    "webhooks[0].admissionReviewVersions: Required value: must specify one of v1, v1beta1",
  ]);
  assert.deepEqual(hookErrors({ admissionReviewVersions: ["v2"] }), [
    'webhooks[0].admissionReviewVersions: Invalid value: []string{"v2"}: must include at least one of v1, v1beta1',
  ]);
  assert.deepEqual(
    createErrors(A, "MutatingWebhookConfiguration", mwc([hook({ reinvocationPolicy: "Bogus" })])),
    ['webhooks[0].reinvocationPolicy: Unsupported value: "Bogus": supported values: "IfNeeded", "Never"'],
  );
});

test("webhooks: client config", () => {
  const exactlyOne = "webhooks[0].clientConfig: Required value: exactly one of url or service is required";
  assert.deepEqual(
    hookErrors({ clientConfig: { url: "https://x", service: { namespace: "a", name: "b" } } }),
    [exactlyOne],
  );
  assert.deepEqual(hookErrors({ clientConfig: {} }), [exactlyOne]);
  assert.deepEqual(hookErrors({ clientConfig: { url: "http://x/y" } }), [
    "webhooks[0].clientConfig.url: Invalid value: \"http\": 'https' is the only allowed URL scheme; desired format: https://host[/path]",
  ]);
  assert.deepEqual(hookErrors({ clientConfig: { url: "https://x/y#f" } }), [
    'webhooks[0].clientConfig.url: Invalid value: "f": fragments are not permitted in the URL',
  ]);
  assert.deepEqual(hookErrors({ clientConfig: { url: "https://u@x/y?q=1" } }), [
    'webhooks[0].clientConfig.url: Invalid value: "u": user information is not permitted in the URL',
    'webhooks[0].clientConfig.url: Invalid value: "q=1": query parameters are not permitted in the URL',
  ]);
  assert.deepEqual(
    hookErrors({
      clientConfig: { service: { namespace: "default", name: "svc", path: "validate", port: 70000 } },
    }),
    [
      "webhooks[0].clientConfig.service.port: Invalid value: 70000: port is not valid: must be between 1 and 65535, inclusive",
      "webhooks[0].clientConfig.service.path: Invalid value: \"validate\": must start with a '/'",
    ],
  );
});

test("webhooks: rules, policies, selectors, match conditions", () => {
  assert.deepEqual(
    hookErrors({
      rules: [
        { operations: [], apiGroups: [], apiVersions: [], resources: [] },
        {
          operations: ["BOGUS", "*", "CREATE"],
          apiGroups: ["*", "apps"],
          apiVersions: ["v1"],
          resources: ["pods/*", "*/status"],
          scope: "Bogus",
        },
      ],
    }),
    [
      "webhooks[0].rules[0].operations: Required value",
      "webhooks[0].rules[0].apiGroups: Required value",
      "webhooks[0].rules[0].apiVersions: Required value",
      "webhooks[0].rules[0].resources: Required value",
      'webhooks[0].rules[1].operations: Invalid value: []admissionregistration.OperationType{"BOGUS", "*", "CREATE"}: if \'*\' is present, must not specify other operations',
      'webhooks[0].rules[1].operations[0]: Unsupported value: "BOGUS": supported values: "*", "CONNECT", "CREATE", "DELETE", "UPDATE"',
      'webhooks[0].rules[1].apiGroups: Invalid value: []string{"*", "apps"}: if \'*\' is present, must not specify other API groups',
      'webhooks[0].rules[1].scope: Unsupported value: "Bogus": supported values: "*", "Cluster", "Namespaced"',
    ],
  );
  assert.deepEqual(hookErrors({ failurePolicy: "Bogus", matchPolicy: "Bogus", timeoutSeconds: 31 }), [
    'webhooks[0].failurePolicy: Unsupported value: "Bogus": supported values: "Fail", "Ignore"',
    'webhooks[0].matchPolicy: Unsupported value: "Bogus": supported values: "Equivalent", "Exact"',
    "webhooks[0].timeoutSeconds: Invalid value: 31: the timeout value must be between 1 and 30 seconds",
  ]);
  assert.deepEqual(
    hookErrors({
      namespaceSelector: { matchExpressions: [{ key: "a", operator: "Bogus" }] },
      objectSelector: { matchLabels: { "bad key!": "x" } },
    }),
    [
      'webhooks[0].namespaceSelector.matchExpressions[0].operator: Invalid value: "Bogus": not a valid selector operator',
      `webhooks[0].objectSelector.matchLabels: Invalid value: "bad key!": ${qualifiedNamePart}`,
    ],
  );
  assert.deepEqual(
    hookErrors({
      matchConditions: [
        { name: "a", expression: "true" },
        { name: "a", expression: "" },
        { name: "Bad Name!", expression: "true" },
      ],
    }),
    [
      "webhooks[0].matchConditions[1].expression: Required value",
      'webhooks[0].matchConditions[1].name: Duplicate value: "a"',
      `webhooks[0].matchConditions[2].name: Invalid value: "Bad Name!": ${qualifiedNamePart}`,
    ],
  );
  assert.deepEqual(
    updateErrors(
      A,
      "ValidatingWebhookConfiguration",
      vwc([hook({ timeoutSeconds: 5 })], stored()),
      vwc([hook()], stored()),
    ),
    [],
  );
});

// --- events.k8s.io/v1 Event ---------------------------------------------------------------

const E = "events.k8s.io";
const event = (extra: J = {}, meta: J = {}) => ({
  apiVersion: `${E}/v1`,
  kind: "Event",
  metadata: { name: "e", namespace: "default", ...meta },
  eventTime: "2024-01-01T00:00:00.000000Z",
  reportingController: "example.com/ctl",
  reportingInstance: "ctl-1",
  action: "Create",
  reason: "Created",
  type: "Normal",
  regarding: { kind: "Pod", name: "p", namespace: "default" },
  note: "hi",
  ...extra,
});

test("events.k8s.io Event: strict create checks, with upstream's internal field names", () => {
  assert.deepEqual(createErrors(E, "Event", event()), []);
  assert.deepEqual(createErrors(E, "Event", event({ eventTime: undefined })), ["eventTime: Required value"]);
  assert.deepEqual(
    createErrors(
      E,
      "Event",
      event({ reportingController: "", reportingInstance: "", action: "", reason: "", type: "Bogus" }),
    ),
    [
      "reportingController: Required value",
      'reportingController: Invalid value: "": name part must be non-empty',
      `reportingController: Invalid value: "": ${qualifiedNamePart}`,
      "reportingInstance: Required value",
      "action: Required value",
      "reason: Required value",
      'type: Invalid value: "": has invalid value: Bogus',
    ],
  );
  assert.deepEqual(createErrors(E, "Event", event({ note: "x".repeat(1025) })), [
    'message: Invalid value: "": can have at most 1024 characters',
  ]);
  assert.deepEqual(
    createErrors(
      E,
      "Event",
      event({ series: { count: 1, lastObservedTime: "2024-01-01T00:00:00.000000Z" } }),
    ),
    ['series.count: Invalid value: "": should be at least 2'],
  );
});

test("events.k8s.io Event updates: only the series may change", () => {
  assert.deepEqual(
    updateErrors(
      E,
      "Event",
      event({ series: { count: 2, lastObservedTime: "2024-01-01T00:00:01.000000Z" } }, stored()),
      event({}, stored()),
    ),
    [],
  );
  assert.deepEqual(updateErrors(E, "Event", event({ note: "changed" }, stored()), event({}, stored())), [
    'message: Invalid value: "changed": field is immutable',
  ]);
  assert.deepEqual(
    updateErrors(
      E,
      "Event",
      event(
        { reason: "Other", action: "Delete", regarding: { kind: "Pod", name: "q", namespace: "default" } },
        stored(),
      ),
      event({}, stored()),
    ),
    [
      'involvedObject: Invalid value: core.ObjectReference{Kind:"Pod", Namespace:"default", Name:"q", UID:"", APIVersion:"", ResourceVersion:"", FieldPath:""}: field is immutable',
      'reason: Invalid value: "Other": field is immutable',
      'reason: Invalid value: "Other": field is immutable',
      'action: Invalid value: "Delete": field is immutable',
    ],
  );
});
