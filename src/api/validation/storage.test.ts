// storage.k8s.io/v1 CSIDriver, CSINode, VolumeAttachment and CSIStorageCapacity validation, as the
// v1.32 strategies run it (after pkg/apis/storage/validation/validation_test.go), on defaulted objects.
import assert from "node:assert/strict";
import { test } from "node:test";
import { createErrors, defaulted, type J, statusErrors, stored, updateErrors } from "./test-helpers.ts";

const S = "storage.k8s.io";
const dns1123Subdomain =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const qualifiedNamePart =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const labelValue =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

// --- CSIDriver -------------------------------------------------------------------------------

const driver = (spec: J = {}, meta: J = {}): J => ({
  apiVersion: `${S}/v1`,
  kind: "CSIDriver",
  metadata: { name: "io.kubernetes.storage.csi.driver", ...meta },
  spec,
});

test("CSIDriver defaults: every pointer set as SetDefaults_CSIDriver does", () => {
  assert.deepEqual(defaulted(S, "CSIDriver", driver()).spec, {
    attachRequired: true,
    podInfoOnMount: false,
    storageCapacity: false,
    fsGroupPolicy: "ReadWriteOnceWithFSType",
    volumeLifecycleModes: ["Persistent"],
    requiresRepublish: false,
    seLinuxMount: false,
  });
  const set = { attachRequired: false, fsGroupPolicy: "File", volumeLifecycleModes: ["Ephemeral"] };
  assert.deepEqual(defaulted(S, "CSIDriver", driver(set)).spec.volumeLifecycleModes, ["Ephemeral"]);
  assert.equal(defaulted(S, "CSIDriver", driver(set)).spec.attachRequired, false);
});

test("CSIDriver: a valid driver, and a name that is not a DNS subdomain", () => {
  assert.deepEqual(
    createErrors(S, "CSIDriver", driver({ volumeLifecycleModes: ["Persistent", "Ephemeral"] })),
    [],
  );
  assert.deepEqual(createErrors(S, "CSIDriver", driver({}, { name: "Bad_Driver" })), [
    `metadata.name: Invalid value: "Bad_Driver": ${dns1123Subdomain}`,
  ]);
});

test("CSIDriver: fsGroupPolicy must be one of the known policies", () => {
  assert.deepEqual(createErrors(S, "CSIDriver", driver({ fsGroupPolicy: "invalidMode" })), [
    'spec.fsGroupPolicy: Unsupported value: "invalidMode": supported values: "File", "None", "ReadWriteOnceWithFSType"',
  ]);
  assert.deepEqual(createErrors(S, "CSIDriver", driver({ fsGroupPolicy: "None" })), []);
});

test("CSIDriver: unknown volume lifecycle modes", () => {
  assert.deepEqual(
    createErrors(S, "CSIDriver", driver({ volumeLifecycleModes: ["Persistent", "no-such-mode"] })),
    [
      'spec.volumeLifecycleModes: Unsupported value: "no-such-mode": supported values: "Persistent", "Ephemeral"',
    ],
  );
});

test("CSIDriver: token requests need distinct audiences and a sane expiration", () => {
  assert.deepEqual(
    createErrors(
      S,
      "CSIDriver",
      driver({
        tokenRequests: [
          { audience: "gcp", expirationSeconds: 599 },
          { audience: "gcp" },
          { audience: "", expirationSeconds: 2 ** 32 + 1 },
          { audience: "aws", expirationSeconds: 600 },
        ],
      }),
    ),
    [
      "spec.tokenRequests[0].expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes",
      'spec.tokenRequests[1].audience: Duplicate value: "gcp"',
      "spec.tokenRequests[2].expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds",
    ],
  );
});

test("CSIDriver update: attachRequired (reported as attachedRequired) and modes are immutable", () => {
  const old = driver({}, stored());
  assert.deepEqual(updateErrors(S, "CSIDriver", driver({ attachRequired: false }, stored()), old), [
    "spec.attachedRequired: Invalid value: false: field is immutable",
  ]);
  assert.deepEqual(
    updateErrors(S, "CSIDriver", driver({ volumeLifecycleModes: ["Ephemeral"] }, stored()), old),
    [
      'spec.volumeLifecycleModes: Invalid value: []storage.VolumeLifecycleMode{"Ephemeral"}: field is immutable',
    ],
  );
});

test("CSIDriver update: podInfoOnMount, fsGroupPolicy, storageCapacity and tokenRequests may change", () => {
  assert.deepEqual(
    updateErrors(
      S,
      "CSIDriver",
      driver(
        {
          podInfoOnMount: true,
          fsGroupPolicy: "File",
          storageCapacity: true,
          requiresRepublish: true,
          tokenRequests: [{ audience: "a" }],
        },
        stored(),
      ),
      driver({}, stored()),
    ),
    [],
  );
  // The spec is still validated.
  assert.deepEqual(
    updateErrors(S, "CSIDriver", driver({ fsGroupPolicy: "Bad" }, stored()), driver({}, stored())),
    [
      'spec.fsGroupPolicy: Unsupported value: "Bad": supported values: "File", "None", "ReadWriteOnceWithFSType"',
    ],
  );
});

// --- CSINode ---------------------------------------------------------------------------------

const csiNode = (drivers: J[], meta: J = {}): J => ({
  apiVersion: `${S}/v1`,
  kind: "CSINode",
  metadata: { name: "node1", ...meta },
  spec: { drivers },
});
const nodeDriver = (extra: J = {}): J => ({
  name: "io.kubernetes.storage.csi.driver",
  nodeID: "nodeA",
  topologyKeys: ["company.com/zone1", "company.com/zone2"],
  ...extra,
});

test("CSINode: valid drivers, allocatable and a node ID of 256 characters", () => {
  assert.deepEqual(
    createErrors(
      S,
      "CSINode",
      csiNode([
        nodeDriver({ allocatable: { count: 0 } }),
        nodeDriver({ name: "io.kubernetes.storage.csi.driver-2", nodeID: "a".repeat(256) }),
      ]),
    ),
    [],
  );
});

test("CSINode: a node ID is required and at most 256 characters", () => {
  assert.deepEqual(createErrors(S, "CSINode", csiNode([nodeDriver({ nodeID: "" })])), [
    "spec.drivers[0].nodeID: Required value",
  ]);
  const long = "a".repeat(257);
  assert.deepEqual(createErrors(S, "CSINode", csiNode([nodeDriver({ nodeID: long })])), [
    `spec.drivers[0].nodeID: Invalid value: "${long}": must be 256 characters or less`,
  ]);
});

test("CSINode: driver names are CSI driver names and unique", () => {
  assert.deepEqual(
    createErrors(
      S,
      "CSINode",
      csiNode([nodeDriver({ name: "Bad_Driver" }), nodeDriver({ name: "d" }), nodeDriver({ name: "d" })]),
    ),
    [
      `spec.drivers[0].name: Invalid value: "Bad_Driver": ${dns1123Subdomain}`,
      'spec.drivers[2].name: Duplicate value: "d"',
    ],
  );
  assert.deepEqual(createErrors(S, "CSINode", csiNode([nodeDriver({ name: "x".repeat(64) })])), [
    "spec.drivers[0].name: Too long: may not be more than 63 bytes",
  ]);
});

test("CSINode: topology keys are non-empty, unique qualified names (reported on the driver)", () => {
  assert.deepEqual(
    createErrors(S, "CSINode", csiNode([nodeDriver({ topologyKeys: ["zone", "zone", "-bad"] })])),
    [
      'spec.drivers[0]: Duplicate value: "zone"',
      `spec.drivers[0]: Invalid value: "-bad": ${qualifiedNamePart}`,
    ],
  );
  assert.deepEqual(createErrors(S, "CSINode", csiNode([nodeDriver({ topologyKeys: [""] })])), [
    "spec.drivers[0]: Required value",
    'spec.drivers[0]: Invalid value: "": name part must be non-empty',
    `spec.drivers[0]: Invalid value: "": ${qualifiedNamePart}`,
  ]);
});

test("CSINode: allocatable count must not be negative", () => {
  assert.deepEqual(createErrors(S, "CSINode", csiNode([nodeDriver({ allocatable: { count: -1 } })])), [
    "spec.drivers[0].allocatable.count: Invalid value: -1: must be greater than or equal to 0",
  ]);
});

test("CSINode update: drivers may be added and removed, not changed", () => {
  const old = csiNode([nodeDriver()], stored());
  assert.deepEqual(
    updateErrors(S, "CSINode", csiNode([nodeDriver(), nodeDriver({ name: "other.driver" })], stored()), old),
    [],
  );
  assert.deepEqual(updateErrors(S, "CSINode", csiNode([], stored()), old), []);
  assert.deepEqual(updateErrors(S, "CSINode", csiNode([nodeDriver({ nodeID: "nodeB" })], stored()), old), [
    'CSINodeDriver: Invalid value: storage.CSINodeDriver{Name:"io.kubernetes.storage.csi.driver", NodeID:"nodeB", TopologyKeys:[]string{"company.com/zone1", "company.com/zone2"}, Allocatable:(*storage.VolumeNodeResources)(nil)}: field is immutable',
  ]);
  assert.deepEqual(
    updateErrors(S, "CSINode", csiNode([nodeDriver({ allocatable: { count: 5 } })], stored()), old),
    [
      'CSINodeDriver: Invalid value: storage.CSINodeDriver{Name:"io.kubernetes.storage.csi.driver", NodeID:"nodeA", TopologyKeys:[]string{"company.com/zone1", "company.com/zone2"}, Allocatable:(*storage.VolumeNodeResources)(0xc000000000)}: field is immutable',
    ],
  );
});

test("CSINode update: the spec is validated twice, as the strategy does", () => {
  assert.deepEqual(
    updateErrors(S, "CSINode", csiNode([nodeDriver({ nodeID: "" })], stored()), csiNode([], stored())),
    ["spec.drivers[0].nodeID: Required value", "spec.drivers[0].nodeID: Required value"],
  );
});

// --- VolumeAttachment ------------------------------------------------------------------------

const attachment = (spec: J, meta: J = {}, status?: J): J => ({
  apiVersion: `${S}/v1`,
  kind: "VolumeAttachment",
  metadata: { name: "foo", ...meta },
  spec,
  ...(status ? { status } : {}),
});
const pvSpec = (extra: J = {}): J => ({
  attacher: "myattacher",
  nodeName: "mynode",
  source: { persistentVolumeName: "myvolume" },
  ...extra,
});
const inlineSpec = (inline: J): J => ({
  attacher: "myattacher",
  nodeName: "mynode",
  source: { inlineVolumeSpec: inline },
});
const csiInline = (extra: J = {}): J => ({
  accessModes: ["ReadWriteOnce"],
  csi: { driver: "com.test.foo", volumeHandle: "foobar" },
  ...extra,
});

test("VolumeAttachment: a PV source and an inline CSI spec are valid", () => {
  assert.deepEqual(createErrors(S, "VolumeAttachment", attachment(pvSpec())), []);
  assert.deepEqual(createErrors(S, "VolumeAttachment", attachment(inlineSpec(csiInline()))), []);
});

test("VolumeAttachment: attacher, source and node name are all required", () => {
  assert.deepEqual(
    createErrors(S, "VolumeAttachment", attachment({ attacher: "", nodeName: "", source: {} })),
    [
      "spec.attacher: Required value",
      "spec.source: Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName",
      `spec.nodeName: Invalid value: "": ${dns1123Subdomain}`,
      // ValidateVolumeAttachmentV1 on the attacher as a CSI driver name.
      "spec.attacher: Required value",
      `spec.attacher: Invalid value: "": ${dns1123Subdomain}`,
    ],
  );
});

test("VolumeAttachment: exactly one source, and a non-empty PV name", () => {
  assert.deepEqual(
    createErrors(
      S,
      "VolumeAttachment",
      attachment({ ...pvSpec(), source: { persistentVolumeName: "pv", inlineVolumeSpec: csiInline() } }),
    ),
    ["spec.source: Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName"],
  );
  assert.deepEqual(
    createErrors(S, "VolumeAttachment", attachment(pvSpec({ source: { persistentVolumeName: "" } }))),
    [
      "spec.source.persistentVolumeName: Required value: must specify non empty persistentVolumeName",
      `spec.source.persistentVolumeName: Invalid value: "": ${dns1123Subdomain}`,
    ],
  );
});

test("VolumeAttachment v1: the attacher is a CSI driver name and the PV name a DNS subdomain", () => {
  assert.deepEqual(
    createErrors(
      S,
      "VolumeAttachment",
      attachment(
        pvSpec({ attacher: "invalid!@#$%^&*()", source: { persistentVolumeName: "invalid!@#$%^&*()" } }),
      ),
    ),
    [
      `spec.attacher: Invalid value: "invalid!@#$%^&*()": ${dns1123Subdomain}`,
      `spec.source.persistentVolumeName: Invalid value: "invalid!@#$%^&*()": ${dns1123Subdomain}`,
    ],
  );
});

test("VolumeAttachment: an inline spec needs CSI and may not have claimRef or capacity", () => {
  assert.deepEqual(
    createErrors(
      S,
      "VolumeAttachment",
      attachment(
        inlineSpec({
          accessModes: ["ReadWriteOnce"],
          capacity: { storage: "1Gi" },
          claimRef: { name: "claim", namespace: "default" },
          nfs: { server: "nfs.example.com", path: "/exports" },
        }),
      ),
    ),
    [
      "spec.source.inlineVolumeSpec.claimRef: Forbidden: may not be specified in the context of inline volumes",
      "spec.source.inlineVolumeSpec.capacity: Forbidden: may not be specified in the context of inline volumes",
      "spec.source.inlineVolumeSpec.csi: Required value: has to be specified in the context of inline volumes",
    ],
  );
});

test("VolumeAttachment: the inline spec gets the PersistentVolumeSpec checks under its path", () => {
  assert.deepEqual(
    createErrors(
      S,
      "VolumeAttachment",
      attachment(inlineSpec({ csi: { driver: "com.test.foo", volumeHandle: "" } })),
    ),
    [
      "spec.source.inlineVolumeSpec.accessModes: Required value",
      "spec.source.inlineVolumeSpec.csi.volumeHandle: Required value",
    ],
  );
  assert.deepEqual(
    createErrors(
      S,
      "VolumeAttachment",
      attachment(
        inlineSpec(csiInline({ hostPath: { path: "/tmp" }, persistentVolumeReclaimPolicy: "Sometimes" })),
      ),
    ),
    [
      'spec.source.inlineVolumeSpec.persistentVolumeReclaimPolicy: Unsupported value: "Sometimes": supported values: "Delete", "Recycle", "Retain"',
      "spec.source.inlineVolumeSpec.csi: Forbidden: may not specify more than 1 volume type",
    ],
  );
});

test("VolumeAttachment status: metadata and error message sizes", () => {
  const status = {
    attached: true,
    attachmentMetadata: { key: "v".repeat(256 * 1024) },
    detachError: { message: "m".repeat(1025), time: "2024-01-01T00:00:00Z" },
  };
  assert.deepEqual(
    statusErrors(
      S,
      "VolumeAttachment",
      attachment(pvSpec(), stored(), status),
      attachment(pvSpec(), stored()),
    ),
    [
      "status.attachmentMetadata: Too long: may not be more than 262144 bytes",
      // Upstream checks 1024 bytes but reports the metadata limit.
      "status.detachError.message: Too long: may not be more than 262144 bytes",
      "status.attachmentMetadata: Too long: may not be more than 262144 bytes",
      "status.detachError.message: Too long: may not be more than 262144 bytes",
    ],
  );
  assert.deepEqual(
    statusErrors(
      S,
      "VolumeAttachment",
      attachment(pvSpec(), stored(), { attached: true, attachError: { message: "e".repeat(1024) } }),
      attachment(pvSpec(), stored()),
    ),
    [],
  );
});

test("VolumeAttachment update: the spec is read-only", () => {
  const old = attachment(pvSpec(), stored());
  assert.deepEqual(
    updateErrors(S, "VolumeAttachment", attachment(pvSpec(), stored(), { attached: true }), old),
    [],
  );
  assert.deepEqual(
    updateErrors(S, "VolumeAttachment", attachment(pvSpec({ nodeName: "othernode" }), stored()), old),
    [
      'spec: Invalid value: storage.VolumeAttachmentSpec{Attacher:"myattacher", Source:storage.VolumeAttachmentSource{PersistentVolumeName:(*string)(0xc000000000), InlineVolumeSpec:(*core.PersistentVolumeSpec)(nil)}, NodeName:"othernode"}: field is immutable',
    ],
  );
});

test("VolumeAttachment update: the v1-only attacher check does not run on update", () => {
  const spec = pvSpec({ attacher: "Legacy_Attacher" });
  assert.deepEqual(
    updateErrors(S, "VolumeAttachment", attachment(spec, stored()), attachment(spec, stored())),
    [],
  );
});

test("VolumeAttachment defaults: the inline spec's volume sources", () => {
  const got = defaulted(
    S,
    "VolumeAttachment",
    attachment(inlineSpec(csiInline({ iscsi: { targetPortal: "p" } }))),
  );
  assert.equal(got.spec.source.inlineVolumeSpec.iscsi.iscsiInterface, "default");
  assert.equal(got.spec.source.inlineVolumeSpec.persistentVolumeReclaimPolicy, undefined);
});

// --- CSIStorageCapacity ----------------------------------------------------------------------

const capacity = (extra: J = {}, meta: J = {}): J => ({
  apiVersion: `${S}/v1`,
  kind: "CSIStorageCapacity",
  metadata: { name: "foo", namespace: "default", ...meta },
  storageClassName: "bar",
  nodeTopology: { matchLabels: { "topology.kubernetes.io/zone": "zone1" } },
  capacity: "1Gi",
  ...extra,
});

test("CSIStorageCapacity: a valid object, with and without topology and capacity", () => {
  assert.deepEqual(createErrors(S, "CSIStorageCapacity", capacity()), []);
  assert.deepEqual(
    createErrors(S, "CSIStorageCapacity", capacity({ nodeTopology: undefined, capacity: undefined })),
    [],
  );
});

test("CSIStorageCapacity: namespaced, DNS subdomain name", () => {
  assert.deepEqual(createErrors(S, "CSIStorageCapacity", capacity({}, { namespace: undefined })), [
    "metadata.namespace: Required value",
  ]);
  assert.deepEqual(createErrors(S, "CSIStorageCapacity", capacity({}, { name: "Foo" })), [
    `metadata.name: Invalid value: "Foo": ${dns1123Subdomain}`,
  ]);
});

test("CSIStorageCapacity: storage class name, capacity and topology selector", () => {
  assert.deepEqual(
    createErrors(
      S,
      "CSIStorageCapacity",
      capacity({
        storageClassName: "",
        capacity: "-1Gi",
        nodeTopology: { matchExpressions: [{ key: "zone", operator: "In", values: ["a b"] }] },
      }),
    ),
    [
      `nodeTopology.matchExpressions[0].values[0]: Invalid value: "a b": ${labelValue}`,
      `storageClassName: Invalid value: "": ${dns1123Subdomain}`,
      'capacity: Invalid value: "-1Gi": must be greater than or equal to 0',
    ],
  );
});

test("CSIStorageCapacity update: topology and storage class are immutable, capacity is not", () => {
  const old = capacity({}, stored());
  assert.deepEqual(
    updateErrors(
      S,
      "CSIStorageCapacity",
      capacity({ capacity: "2Gi", maximumVolumeSize: "1Gi" }, stored()),
      old,
    ),
    [],
  );
  assert.deepEqual(
    updateErrors(
      S,
      "CSIStorageCapacity",
      capacity({ storageClassName: "baz", nodeTopology: { matchLabels: { zone: "z2" } } }, stored()),
      old,
    ),
    [
      'nodeTopology: Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"zone":"z2"}, MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable',
      'storageClassName: Invalid value: "baz": field is immutable',
    ],
  );
  assert.deepEqual(
    updateErrors(S, "CSIStorageCapacity", capacity({ nodeTopology: undefined }, stored()), old),
    ['nodeTopology: Invalid value: "null": field is immutable'],
  );
});

test("CSIStorageCapacity update: invalid selector values already stored are tolerated", () => {
  const badTopology = { matchExpressions: [{ key: "zone", operator: "In", values: ["a b"] }] };
  const old = capacity({ nodeTopology: badTopology }, stored());
  assert.deepEqual(
    updateErrors(
      S,
      "CSIStorageCapacity",
      capacity({ nodeTopology: badTopology, capacity: "3Gi" }, stored()),
      old,
    ),
    [],
  );
  assert.deepEqual(
    updateErrors(
      S,
      "CSIStorageCapacity",
      capacity({ nodeTopology: badTopology }, stored()),
      capacity({}, stored()),
    ),
    [
      `nodeTopology.matchExpressions[0].values[0]: Invalid value: "a b": ${labelValue}`,
      'nodeTopology: Invalid value: v1.LabelSelector{MatchLabels:map[string]string(nil), MatchExpressions:[]v1.LabelSelectorRequirement{v1.LabelSelectorRequirement{Key:"zone", Operator:"In", Values:[]string{"a b"}}}}: field is immutable',
    ],
  );
});
