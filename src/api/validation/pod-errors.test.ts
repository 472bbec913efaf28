// Exact field errors for a set of invalid pods, through validateCreate,
// validateUpdate and validateStatusUpdate: type, field path, bad value and
// detail of every error, in order. The validators memoize checks of strings
// that repeat across objects (names, label keys, quantities), so every case
// also runs a second time and must report the same list again.

import assert from "node:assert/strict";
import { test } from "node:test";
import { type FieldError, GoValue } from "../../machinery/field-errors.ts";
import { validateCreate, validateStatusUpdate, validateUpdate } from "./index.ts";
import { defaulted, type J, pod, stored } from "./test-helpers.ts";

const dns1123Subdomain =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const dns1123Label =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const qualifiedNamePart =
  "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const qualifiedNameSlashes =
  "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')";
const labelValue =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";
const quantityFormat =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

interface Case {
  name: string;
  obj: J;
  /** The stored object, for an update. */
  old?: J;
  /** An update through /status. */
  status?: boolean;
}

const cases: Case[] = [
  { name: "bad names", obj: pod({}, { name: "Bad_Name", namespace: "Not Valid" }) },
  {
    name: "duplicate container names",
    obj: pod({
      containers: [
        { name: "c", image: "a" },
        { name: "c", image: "b" },
      ],
      initContainers: [{ name: "c", image: "i" }],
    }),
  },
  {
    name: "bad ports",
    obj: pod({
      containers: [
        {
          name: "c",
          image: "a",
          ports: [
            { containerPort: 0 },
            { containerPort: 70000, hostPort: -1, name: "Bad_Port", protocol: "XYZ" },
            { containerPort: 80, name: "http" },
            { containerPort: 81, name: "http" },
          ],
        },
      ],
    }),
  },
  {
    name: "bad quantities",
    obj: pod({
      containers: [
        {
          name: "c",
          image: "a",
          resources: {
            requests: { cpu: "-1", memory: "2Gi", "example.com/gpu": "1.5", foo: "1" },
            limits: { memory: "1Gi", "example.com/gpu": "2" },
          },
        },
      ],
    }),
  },
  {
    name: "a quantity that does not parse",
    obj: pod({
      containers: [
        { name: "c", image: "a", resources: { requests: { cpu: "abc" }, limits: { memory: "1Zi" } } },
      ],
    }),
  },
  {
    name: "bad label keys and values",
    obj: pod(
      { nodeSelector: { "a/b/c": "x" } },
      {
        labels: { "bad key": "v", "example.com/": "v", ok: "not ok!", ["x".repeat(64)]: "y" },
        annotations: { "Bad/Key/Here": "v" },
      },
    ),
  },
  {
    name: "bad volumes",
    obj: pod({
      volumes: [
        { name: "v" },
        { name: "v", emptyDir: {}, hostPath: { path: "/x" } },
        { name: "Bad_Vol", configMap: { name: "c", items: [{ key: "k", path: "../up" }] } },
        {
          name: "proj",
          projected: {
            sources: [
              { serviceAccountToken: { path: "/abs", expirationSeconds: 10 } },
              { downwardAPI: { items: [{ path: "a", fieldRef: { fieldPath: "spec.nope" } }] } },
            ],
          },
        },
      ],
      containers: [
        {
          name: "c",
          image: "a",
          volumeMounts: [
            { name: "missing", mountPath: "/m" },
            { name: "v", mountPath: "rel", subPath: "../x" },
          ],
        },
      ],
    }),
  },
  {
    name: "wrong JSON types",
    obj: pod({
      containers: [
        {
          name: "c",
          image: "a",
          ports: [{ containerPort: "80" }],
          stdin: "yes",
          resources: { limits: { cpu: true } },
        },
      ],
      activeDeadlineSeconds: 1.5,
      nodeSelector: { a: 1 },
      tolerations: {},
    }),
  },
  {
    name: "not a list where a list belongs",
    obj: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "default", labels: "x" },
      spec: { containers: { name: "c" } },
    },
  },
  {
    name: "update: activeDeadlineSeconds may only go down, and validation stops there",
    obj: pod(
      { containers: [{ name: "c", image: " nginx:2" }], restartPolicy: "Never", activeDeadlineSeconds: 30 },
      stored({ labels: { "bad key": "v" } }),
    ),
    old: pod({ activeDeadlineSeconds: 10 }, stored()),
  },
  {
    name: "update: spec fields other than the mutable ones",
    obj: pod({ restartPolicy: "Never", containers: [{ name: "c", image: "nginx:2" }] }, stored()),
    old: pod({}, stored()),
  },
  {
    name: "update: tolerations only added",
    obj: pod({ tolerations: [{ key: "k", operator: "Equal", value: "w", effect: "NoSchedule" }] }, stored()),
    old: pod({ tolerations: [{ key: "k", operator: "Equal", value: "v", effect: "NoSchedule" }] }, stored()),
  },
  {
    name: "status update: node name, conditions, IPs",
    obj: {
      ...pod({ nodeName: "n2" }, stored()),
      status: {
        conditions: [
          { type: "Bad Type", status: "True" },
          { type: "Ready", status: "True" },
        ],
        podIPs: [{ ip: "10.0.0.1" }, { ip: "10.0.0.1" }, { ip: "nope" }],
        hostIP: "10.1.1.1",
        hostIPs: [{ ip: "10.1.1.2" }],
        qosClass: "Guaranteed",
      },
    },
    old: { ...pod({ nodeName: "n1" }, stored()), status: { qosClass: "BestEffort" } },
    status: true,
  },
];

type Shape = [string, string, unknown, string];

const expected: Record<string, Shape[]> = {
  "bad names": [
    ["FieldValueInvalid", "metadata.name", "Bad_Name", dns1123Subdomain],
    ["FieldValueInvalid", "metadata.namespace", "Not Valid", dns1123Label],
  ],
  "duplicate container names": [
    ["FieldValueDuplicate", "spec.containers[1].name", "c", ""],
    ["FieldValueDuplicate", "spec.initContainers[0].name", "c", ""],
  ],
  "bad ports": [
    ["FieldValueRequired", "spec.containers[0].ports[0].containerPort", "", ""],
    [
      "FieldValueInvalid",
      "spec.containers[0].ports[1].name",
      "Bad_Port",
      "must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)",
    ],
    [
      "FieldValueInvalid",
      "spec.containers[0].ports[1].containerPort",
      70000,
      "must be between 1 and 65535, inclusive",
    ],
    [
      "FieldValueInvalid",
      "spec.containers[0].ports[1].hostPort",
      -1,
      "must be between 1 and 65535, inclusive",
    ],
    [
      "FieldValueNotSupported",
      "spec.containers[0].ports[1].protocol",
      "XYZ",
      'supported values: "SCTP", "TCP", "UDP"',
    ],
    ["FieldValueDuplicate", "spec.containers[0].ports[3].name", "http", ""],
  ],
  "bad quantities": [
    [
      "FieldValueInvalid",
      "spec.containers[0].resources.requests[cpu]",
      "-1",
      "must be greater than or equal to 0",
    ],
    [
      "FieldValueInvalid",
      "spec.containers[0].resources.requests",
      "2Gi",
      "must be less than or equal to memory limit of 1Gi",
    ],
    [
      "FieldValueInvalid",
      "spec.containers[0].resources.requests[example.com/gpu]",
      new GoValue(
        'resource.Quantity{i:resource.int64Amount{value:15, scale:-1}, d:resource.infDecAmount{Dec:(*inf.Dec)(nil)}, s:"", Format:"DecimalSI"}',
      ),
      "must be an integer",
    ],
    [
      "FieldValueInvalid",
      "spec.containers[0].resources.requests",
      "1500m",
      "must be equal to example.com/gpu limit of 2",
    ],
    [
      "FieldValueInvalid",
      "spec.containers[0].resources.requests[foo]",
      "foo",
      "must be a standard resource type or fully qualified",
    ],
    [
      "FieldValueInvalid",
      "spec.containers[0].resources.requests[foo]",
      "foo",
      "must be a standard resource for containers",
    ],
  ],
  "a quantity that does not parse": [
    ["FieldValueInvalid", "spec.containers[0].resources.requests[cpu]", "abc", quantityFormat],
    ["FieldValueInvalid", "spec.containers[0].resources.requests[memory]", "1Zi", quantityFormat],
    ["FieldValueInvalid", "spec.containers[0].resources.limits[memory]", "1Zi", quantityFormat],
  ],
  "bad label keys and values": [
    ["FieldValueInvalid", "metadata.labels", "bad key", qualifiedNamePart],
    ["FieldValueInvalid", "metadata.labels", "example.com/", "name part must be non-empty"],
    ["FieldValueInvalid", "metadata.labels", "example.com/", qualifiedNamePart],
    ["FieldValueInvalid", "metadata.labels", "not ok!", labelValue],
    [
      "FieldValueInvalid",
      "metadata.labels",
      "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
      "name part must be no more than 63 characters",
    ],
    ["FieldValueInvalid", "metadata.annotations", "Bad/Key/Here", qualifiedNameSlashes],
    ["FieldValueInvalid", "spec.nodeSelector", "a/b/c", qualifiedNameSlashes],
  ],
  "bad volumes": [
    ["FieldValueForbidden", "spec.volumes[1].hostPath", "", "may not specify more than 1 volume type"],
    ["FieldValueDuplicate", "spec.volumes[1].name", "v", ""],
    ["FieldValueInvalid", "spec.volumes[2].configMap.items[0].path", "../up", "must not contain '..'"],
    ["FieldValueInvalid", "spec.volumes[2].name", "Bad_Vol", dns1123Label],
    [
      "FieldValueInvalid",
      "spec.volumes[3].projected.sources[0].serviceAccountToken.expirationSeconds",
      10,
      "may not specify a duration less than 10 minutes",
    ],
    ["FieldValueInvalid", "spec.volumes[3].projected.path", "/abs", "must be a relative path"],
    [
      "FieldValueInvalid",
      "spec.volumes[3].projected.sources[1].downwardAPI.fieldRef.fieldPath",
      "spec.nope",
      "error converting fieldPath: field label not supported: spec.nope",
    ],
    ["FieldValueNotFound", "spec.containers[0].volumeMounts[0].name", "missing", ""],
    ["FieldValueInvalid", "spec.containers[0].volumeMounts.subPath", "../x", "must not contain '..'"],
    [
      "FieldValueForbidden",
      "spec.volumes[3].projected.sources[0].serviceAccountToken",
      "",
      "must not be specified when serviceAccountName is not set",
    ],
  ],
  "wrong JSON types": [
    ["FieldValueInvalid", "spec.containers[0].ports[0].containerPort", "80", "must be of type int32"],
    ["FieldValueInvalid", "spec.containers[0].stdin", "yes", "must be of type bool"],
    [
      "FieldValueInvalid",
      "spec.containers[0].resources.limits[cpu]",
      true,
      "must be of type resource.Quantity",
    ],
    [
      "FieldValueInvalid",
      "spec.containers[0].resources.requests[cpu]",
      true,
      "must be of type resource.Quantity",
    ],
    ["FieldValueInvalid", "spec.activeDeadlineSeconds", 1.5, "must be of type int64"],
    ["FieldValueInvalid", "spec.nodeSelector[a]", 1, "must be of type string"],
    ["FieldValueInvalid", "spec.tolerations", new GoValue("{}"), "must be of type []v1.Toleration"],
  ],
  "not a list where a list belongs": [
    ["FieldValueInvalid", "metadata.labels", "x", "must be of type map[string]string"],
    ["FieldValueInvalid", "spec.containers", new GoValue('{"name":"c"}'), "must be of type []v1.Container"],
  ],
  "update: activeDeadlineSeconds may only go down, and validation stops there": [
    ["FieldValueInvalid", "metadata.labels", "bad key", qualifiedNamePart],
    ["FieldValueInvalid", "metadata.labels", "bad key", qualifiedNamePart],
    ["FieldValueInvalid", "metadata.labels", "bad key", qualifiedNamePart],
    ["FieldValueInvalid", "metadata.labels", "bad key", qualifiedNamePart],
    [
      "FieldValueInvalid",
      "spec.containers[0].image",
      " nginx:2",
      "must not have leading or trailing whitespace",
    ],
    [
      "FieldValueInvalid",
      "spec.containers[0].image",
      " nginx:2",
      "must not have leading or trailing whitespace",
    ],
    ["FieldValueInvalid", "spec.activeDeadlineSeconds", 30, "must be less than or equal to previous value"],
  ],
  "update: spec fields other than the mutable ones": [
    [
      "FieldValueForbidden",
      "spec",
      "",
      'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)\n  core.PodSpec{\n- \tContainers: {{Name: "c", Image: "nginx", ImagePullPolicy: "Always", TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: "File", Resources: {}}},\n+ \tContainers: {{Name: "c", Image: "nginx", ImagePullPolicy: "IfNotPresent", TerminationMessagePath: "/dev/termination-log", TerminationMessagePolicy: "File", Resources: {}}},\n  \t... // 2 identical fields\n- \tRestartPolicy: "Always",\n+ \tRestartPolicy: "Never",\n  \t... // 6 identical fields\n  }\n',
    ],
  ],
  "update: tolerations only added": [
    [
      "FieldValueForbidden",
      "spec.tolerations",
      "",
      "existing toleration can not be modified except its tolerationSeconds",
    ],
  ],
  "status update: node name, conditions, IPs": [
    ["FieldValueInvalid", "metadata.conditions[0].Type", "Bad Type", qualifiedNamePart],
    ["FieldValueForbidden", "status.nodeName", "", "may not be changed directly"],
    ["FieldValueInvalid", "status.qosClass", "Guaranteed", "field is immutable"],
    [
      "FieldValueInvalid",
      "status.podIPs[2]",
      "nope",
      "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)",
    ],
    [
      "InternalError",
      "status.podIPs",
      null,
      'failed to check for dual stack with error:failed to parse IP "nope"',
    ],
    [
      "FieldValueInvalid",
      "status.podIPs",
      new GoValue(
        '[]core.PodIP{core.PodIP{IP:"10.0.0.1"}, core.PodIP{IP:"10.0.0.1"}, core.PodIP{IP:"nope"}}',
      ),
      "may specify no more than one IP for each IP family",
    ],
    ["FieldValueDuplicate", "status.podIPs[1]", new GoValue('core.PodIP{IP:"10.0.0.1"}'), ""],
    ["FieldValueInvalid", "status.hostIPs[0].ip", "10.1.1.2", "must be equal to `hostIP`"],
  ],
};

function shape(errs: readonly FieldError[]): Shape[] {
  return errs.map((e) => [e.type, e.field, e.badValue, e.detail]);
}

function run(c: Case): FieldError[] {
  const obj = defaulted("", "Pod", c.obj);
  if (!c.old) return validateCreate("", "Pod", obj);
  const old = defaulted("", "Pod", c.old);
  return c.status ? validateStatusUpdate("", "Pod", obj, old) : validateUpdate("", "Pod", obj, old);
}

for (const c of cases) {
  test(`invalid pod: ${c.name}`, () => {
    assert.deepEqual(shape(run(c)), expected[c.name]);
    // Again, now that the names and quantities it saw are memoized.
    assert.deepEqual(shape(run(c)), expected[c.name]);
  });
}
