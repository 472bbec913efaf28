// Pod create validation: cases after pkg/apis/core/validation's
// TestValidatePodSpec / TestValidateContainers / TestValidateVolumes tables,
// asserting the exact messages kubectl shows.

import assert from "node:assert/strict";
import { test } from "node:test";
import { createErrors, pod } from "./test-helpers.ts";

const podErrors = (spec: Record<string, unknown> = {}, meta: Record<string, unknown> = {}) =>
  createErrors("", "Pod", pod(spec, meta));

const dns1123Label =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";
const dns1123Subdomain =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";

test("a minimal pod is valid", () => {
  assert.deepEqual(podErrors(), []);
});

test("a full-featured pod is valid", () => {
  const errs = podErrors({
    volumes: [
      { name: "data", emptyDir: { sizeLimit: "1Gi" } },
      { name: "cfg", configMap: { name: "cfg", items: [{ key: "a", path: "a.conf", mode: 0o644 }] } },
      { name: "sec", secret: { secretName: "s", defaultMode: 0o400 } },
      { name: "host", hostPath: { path: "/var/log", type: "Directory" } },
      { name: "claim", persistentVolumeClaim: { claimName: "c" } },
      {
        name: "down",
        downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] },
      },
    ],
    initContainers: [{ name: "init", image: "busybox", command: ["true"] }],
    containers: [
      {
        name: "app",
        image: "nginx:1.27",
        ports: [
          { name: "http", containerPort: 80 },
          { containerPort: 53, protocol: "UDP", hostPort: 53 },
        ],
        env: [
          { name: "A", value: "1" },
          { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "CPU", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "1m" } } },
          { name: "K", valueFrom: { configMapKeyRef: { name: "cfg", key: "k" } } },
        ],
        envFrom: [{ prefix: "P_", secretRef: { name: "s" } }],
        volumeMounts: [
          { name: "data", mountPath: "/data", subPath: "sub" },
          { name: "cfg", mountPath: "/etc/cfg", readOnly: true },
        ],
        resources: { requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "500m", memory: "128Mi" } },
        livenessProbe: { httpGet: { path: "/healthz", port: "http" }, periodSeconds: 5 },
        readinessProbe: { tcpSocket: { port: 80 } },
        startupProbe: { exec: { command: ["cat", "/tmp/ready"] } },
        lifecycle: { preStop: { sleep: { seconds: 5 } } },
        securityContext: {
          runAsUser: 1000,
          allowPrivilegeEscalation: false,
          capabilities: { drop: ["ALL"] },
        },
      },
    ],
    nodeSelector: { "kubernetes.io/os": "linux" },
    tolerations: [
      {
        key: "node.kubernetes.io/not-ready",
        operator: "Exists",
        effect: "NoExecute",
        tolerationSeconds: 300,
      },
    ],
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: {
          nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] }],
        },
      },
      podAntiAffinity: {
        preferredDuringSchedulingIgnoredDuringExecution: [
          {
            weight: 100,
            podAffinityTerm: {
              labelSelector: { matchLabels: { app: "x" } },
              topologyKey: "kubernetes.io/hostname",
            },
          },
        ],
      },
    },
    securityContext: { fsGroup: 2000, sysctls: [{ name: "net.core.somaxconn", value: "1024" }] },
    dnsPolicy: "None",
    dnsConfig: {
      nameservers: ["10.0.0.10"],
      searches: ["svc.cluster.local."],
      options: [{ name: "ndots", value: "2" }],
    },
    hostAliases: [{ ip: "10.1.2.3", hostnames: ["foo.local"] }],
    serviceAccountName: "builder",
    hostname: "web-0",
    subdomain: "web",
    priorityClassName: "high",
    activeDeadlineSeconds: 60,
    topologySpreadConstraints: [
      {
        maxSkew: 1,
        topologyKey: "zone",
        whenUnsatisfiable: "ScheduleAnyway",
        labelSelector: { matchLabels: { app: "x" } },
      },
    ],
  });
  assert.deepEqual(errs, []);
});

test("object metadata: namespace required, name rules, generateName", () => {
  assert.deepEqual(
    createErrors("", "Pod", { metadata: { name: "p" }, spec: { containers: [{ name: "c", image: "x" }] } }),
    ["metadata.namespace: Required value"],
  );
  assert.deepEqual(podErrors({}, { name: "Bad_Name" }), [
    `metadata.name: Invalid value: "Bad_Name": ${dns1123Subdomain}`,
  ]);
  assert.deepEqual(podErrors({}, { name: "", generateName: "web-" }), [
    "metadata.name: Required value: name or generateName is required",
  ]);
  assert.deepEqual(podErrors({}, { labels: { "a/b/c": "x" } }), [
    "metadata.labels: Invalid value: \"a/b/c\": a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
  ]);
  assert.deepEqual(podErrors({}, { finalizers: ["custom"] }), [
    'metadata.finalizers[0]: Invalid value: "custom": name is neither a standard finalizer name nor is it fully qualified',
  ]);
});

test("containers are required, named and unique", () => {
  assert.deepEqual(podErrors({ containers: [] }), ["spec.containers: Required value"]);
  assert.deepEqual(podErrors({ containers: [{ image: "nginx" }] }), [
    "spec.containers[0].name: Required value",
  ]);
  assert.deepEqual(podErrors({ containers: [{ name: "Bad_Name", image: "nginx" }] }), [
    `spec.containers[0].name: Invalid value: "Bad_Name": ${dns1123Label}`,
  ]);
  assert.deepEqual(
    podErrors({
      containers: [
        { name: "a", image: "x" },
        { name: "a", image: "y" },
      ],
    }),
    ['spec.containers[1].name: Duplicate value: "a"'],
  );
});

test("image is required and may not be padded", () => {
  assert.deepEqual(podErrors({ containers: [{ name: "c" }] }), ["spec.containers[0].image: Required value"]);
  assert.deepEqual(podErrors({ containers: [{ name: "c", image: " nginx " }] }), [
    'spec.containers[0].image: Invalid value: " nginx ": must not have leading or trailing whitespace',
  ]);
});

test("container policies: pull policy and termination message policy", () => {
  assert.deepEqual(podErrors({ containers: [{ name: "c", image: "x", imagePullPolicy: "Sometimes" }] }), [
    'spec.containers[0].imagePullPolicy: Unsupported value: "Sometimes": supported values: "Always", "IfNotPresent", "Never"',
  ]);
  assert.deepEqual(
    podErrors({ containers: [{ name: "c", image: "x", terminationMessagePolicy: "Bogus" }] }),
    [
      'spec.containers[0].terminationMessagePolicy: Unsupported value: "Bogus": supported values: "File", "FallbackToLogsOnError"',
    ],
  );
});

test("container ports: range, names, protocols", () => {
  const errs = podErrors({
    containers: [
      {
        name: "c",
        image: "x",
        ports: [
          { containerPort: 0 },
          { containerPort: 80, hostPort: 99999, name: "toolongportname1" },
          { containerPort: 81, protocol: "HTTP", name: "http" },
          { containerPort: 82, name: "http" },
          { containerPort: 70000, name: "a--b" },
        ],
      },
    ],
  });
  assert.deepEqual(errs, [
    "spec.containers[0].ports[0].containerPort: Required value",
    'spec.containers[0].ports[1].name: Invalid value: "toolongportname1": must be no more than 15 characters',
    "spec.containers[0].ports[1].hostPort: Invalid value: 99999: must be between 1 and 65535, inclusive",
    'spec.containers[0].ports[2].protocol: Unsupported value: "HTTP": supported values: "SCTP", "TCP", "UDP"',
    'spec.containers[0].ports[3].name: Duplicate value: "http"',
    'spec.containers[0].ports[4].name: Invalid value: "a--b": must not contain consecutive hyphens',
    "spec.containers[0].ports[4].containerPort: Invalid value: 70000: must be between 1 and 65535, inclusive",
  ]);
});

test("host ports may not collide across containers", () => {
  const errs = podErrors({
    containers: [
      { name: "a", image: "x", ports: [{ containerPort: 80, hostPort: 8080 }] },
      { name: "b", image: "x", ports: [{ containerPort: 81, hostPort: 8080 }] },
    ],
  });
  assert.deepEqual(errs, ['spec.containers[1].ports[0].hostPort: Duplicate value: "TCP//8080"']);
  // Different protocols or host IPs do not collide.
  assert.deepEqual(
    podErrors({
      containers: [
        { name: "a", image: "x", ports: [{ containerPort: 80, hostPort: 8080 }] },
        { name: "b", image: "x", ports: [{ containerPort: 81, hostPort: 8080, protocol: "UDP" }] },
        { name: "d", image: "x", ports: [{ containerPort: 82, hostPort: 8080, hostIP: "10.0.0.1" }] },
      ],
    }),
    [],
  );
});

test("with hostNetwork a pod's host ports must equal its container ports", () => {
  assert.deepEqual(
    podErrors({
      hostNetwork: true,
      containers: [{ name: "c", image: "x", ports: [{ containerPort: 80, hostPort: 81 }] }],
    }),
    [
      "spec.containers[0].ports[0].hostPort: Invalid value: 81: must match `containerPort` when `hostNetwork` is true",
    ],
  );
});

test("env: names, valueFrom sources and selectors", () => {
  const errs = podErrors({
    containers: [
      {
        name: "c",
        image: "x",
        env: [
          { name: "" },
          { name: "a=b" },
          { name: "X", value: "v", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
          { name: "Y", valueFrom: {} },
          { name: "Z", valueFrom: { fieldRef: { fieldPath: "metadata.labels" } } },
          { name: "W", valueFrom: { secretKeyRef: { name: "s", key: "a b" } } },
          {
            name: "V",
            valueFrom: {
              fieldRef: { fieldPath: "metadata.labels['app']" },
              configMapKeyRef: { name: "c", key: "k" },
            },
          },
          { name: "U", valueFrom: { resourceFieldRef: { resource: "limits.gpu" } } },
          { name: "T", valueFrom: { resourceFieldRef: { resource: "limits.cpu", divisor: "2" } } },
        ],
      },
    ],
  });
  assert.deepEqual(errs, [
    "spec.containers[0].env[0].name: Required value",
    "spec.containers[0].env[1].name: Invalid value: \"a=b\": a valid environment variable name must consist only of printable ASCII characters other than '='",
    'spec.containers[0].env[2].valueFrom: Invalid value: "": may not be specified when `value` is not empty',
    'spec.containers[0].env[3].valueFrom: Invalid value: "": must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`',
    'spec.containers[0].env[4].valueFrom.fieldRef.fieldPath: Unsupported value: "metadata.labels": supported values: "metadata.name", "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.serviceAccountName", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs"',
    "spec.containers[0].env[5].valueFrom.secretKeyRef.key: Invalid value: \"a b\": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')",
    'spec.containers[0].env[6].valueFrom: Invalid value: "": may not have more than one field specified at a time',
    'spec.containers[0].env[7].valueFrom.resourceFieldRef.resource: Unsupported value: "limits.gpu": supported values: "limits.cpu", "limits.ephemeral-storage", "limits.memory", "requests.cpu", "requests.ephemeral-storage", "requests.memory"',
    'spec.containers[0].env[8].valueFrom.resourceFieldRef.divisor: Invalid value: "limits.cpu": only divisor\'s values 1m and 1 are supported with the cpu resource',
  ]);
});

test("env: an unsupported downward API field path", () => {
  assert.deepEqual(
    podErrors({
      containers: [
        { name: "c", image: "x", env: [{ name: "A", valueFrom: { fieldRef: { fieldPath: "spec.bogus" } } }] },
      ],
    }),
    [
      'spec.containers[0].env[0].valueFrom.fieldRef.fieldPath: Invalid value: "spec.bogus": error converting fieldPath: field label not supported: spec.bogus',
    ],
  );
});

test("envFrom needs exactly one source", () => {
  assert.deepEqual(podErrors({ containers: [{ name: "c", image: "x", envFrom: [{ prefix: "1=" }] }] }), [
    "spec.containers[0].envFrom[0].prefix: Invalid value: \"1=\": a valid environment variable name must consist only of printable ASCII characters other than '='",
    'spec.containers[0].envFrom: Invalid value: "": must specify one of: `configMapRef` or `secretRef`',
  ]);
  assert.deepEqual(
    podErrors({
      containers: [
        { name: "c", image: "x", envFrom: [{ configMapRef: { name: "a" }, secretRef: { name: "b" } }] },
      ],
    }),
    ['spec.containers[0].envFrom: Invalid value: "": may not have more than one field specified at a time'],
  );
});

test("volumes: unique names, sources, and mounts that reference them", () => {
  const errs = podErrors({
    volumes: [
      { name: "v", emptyDir: {} },
      { name: "v", emptyDir: {} },
      { name: "Bad", hostPath: { path: "/x", type: "Bogus" } },
      { name: "two", emptyDir: {}, hostPath: { path: "/y" } },
    ],
    containers: [
      {
        name: "c",
        image: "x",
        volumeMounts: [
          { name: "v", mountPath: "/a" },
          { name: "missing", mountPath: "/a" },
          { name: "v", mountPath: "/b", subPath: "../x" },
          { name: "v", mountPath: "" },
        ],
      },
    ],
  });
  assert.deepEqual(errs, [
    'spec.volumes[1].name: Duplicate value: "v"',
    'spec.volumes[2].hostPath.type: Unsupported value: "Bogus": supported values: "", "BlockDevice", "CharDevice", "Directory", "DirectoryOrCreate", "File", "FileOrCreate", "Socket"',
    `spec.volumes[2].name: Invalid value: "Bad": ${dns1123Label}`,
    "spec.volumes[3].hostPath: Forbidden: may not specify more than 1 volume type",
    'spec.containers[0].volumeMounts[1].name: Not found: "missing"',
    'spec.containers[0].volumeMounts[1].mountPath: Invalid value: "/a": must be unique',
    "spec.containers[0].volumeMounts.subPath: Invalid value: \"../x\": must not contain '..'",
    "spec.containers[0].volumeMounts[3].mountPath: Required value",
  ]);
});

test("volume sources: configMap, secret, downward API, projected, nfs", () => {
  assert.deepEqual(
    podErrors({
      volumes: [{ name: "c", configMap: { name: "", defaultMode: 1000, items: [{ key: "", path: "..x" }] } }],
    }),
    [
      "spec.volumes[0].configMap.name: Required value",
      "spec.volumes[0].configMap.defaultMode: Invalid value: 1000: must be a number between 0 and 0777 (octal), both inclusive",
      "spec.volumes[0].configMap.items[0].key: Required value",
      "spec.volumes[0].configMap.items[0].path: Invalid value: \"..x\": must not start with '..'",
    ],
  );
  assert.deepEqual(podErrors({ volumes: [{ name: "s", secret: { secretName: "" } }] }), [
    "spec.volumes[0].secret.secretName: Required value",
  ]);
  assert.deepEqual(
    podErrors({
      volumes: [
        { name: "d", downwardAPI: { items: [{ path: "/abs", fieldRef: { fieldPath: "spec.nodeName" } }] } },
      ],
    }),
    [
      'spec.volumes[0].downwardAPI.path: Invalid value: "/abs": must be a relative path',
      'spec.volumes[0].downwardAPI.fieldRef.fieldPath: Unsupported value: "spec.nodeName": supported values: "metadata.annotations", "metadata.labels", "metadata.name", "metadata.namespace", "metadata.uid"',
    ],
  );
  assert.deepEqual(podErrors({ volumes: [{ name: "n", nfs: { server: "", path: "rel" } }] }), [
    "spec.volumes[0].nfs.server: Required value",
    'spec.volumes[0].nfs.path: Invalid value: "rel": must be an absolute path',
  ]);
  assert.deepEqual(
    podErrors({
      volumes: [
        {
          name: "t",
          projected: { sources: [{ serviceAccountToken: { path: "token", expirationSeconds: 100 } }] },
        },
      ],
    }),
    [
      "spec.volumes[0].projected.sources[0].serviceAccountToken.expirationSeconds: Invalid value: 100: may not specify a duration less than 10 minutes",
      "spec.volumes[0].projected.sources[0].serviceAccountToken: Forbidden: must not be specified when serviceAccountName is not set",
    ],
  );
  assert.deepEqual(
    podErrors({
      volumes: [
        {
          name: "p",
          projected: {
            sources: [
              { configMap: { name: "a", items: [{ key: "k", path: "same" }] } },
              { secret: { name: "b", items: [{ key: "k", path: "same" }] } },
            ],
          },
        },
      ],
    }),
    ['spec.volumes[0].projected: Invalid value: "b": conflicting duplicate paths'],
  );
});

test("block devices need a PVC and may not overlap mounts", () => {
  const errs = podErrors({
    volumes: [
      { name: "claim", persistentVolumeClaim: { claimName: "c" } },
      { name: "empty", emptyDir: {} },
    ],
    containers: [
      {
        name: "c",
        image: "x",
        volumeDevices: [
          { name: "empty", devicePath: "/dev/a" },
          { name: "claim", devicePath: "/mnt" },
        ],
        volumeMounts: [{ name: "empty", mountPath: "/mnt" }],
      },
    ],
  });
  assert.deepEqual(errs, [
    'spec.containers[0].volumeMounts[0].name: Invalid value: "empty": must not already exist in volumeDevices',
    'spec.containers[0].volumeMounts[0].mountPath: Invalid value: "/mnt": must not already exist as a path in volumeDevices',
    'spec.containers[0].volumeDevices[0].name: Invalid value: "empty": can only use volume source type of PersistentVolumeClaim or Ephemeral for block mode',
    'spec.containers[0].volumeDevices[0].name: Invalid value: "empty": must not already exist in volumeMounts',
    'spec.containers[0].volumeDevices[1].devicePath: Invalid value: "/mnt": must not already exist as a path in volumeMounts',
  ]);
});

test("resources: valid quantities and names, requests <= limits", () => {
  const errs = podErrors({
    containers: [
      {
        name: "c",
        image: "x",
        resources: {
          requests: { cpu: "1", memory: "-1", foo: "1", "example.com/gpu": "1" },
          limits: { cpu: "500m" },
        },
      },
    ],
  });
  assert.deepEqual(errs, [
    'spec.containers[0].resources.requests: Invalid value: "1": must be less than or equal to cpu limit of 500m',
    'spec.containers[0].resources.requests[memory]: Invalid value: "-1": must be greater than or equal to 0',
    'spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource type or fully qualified',
    'spec.containers[0].resources.requests[foo]: Invalid value: "foo": must be a standard resource for containers',
    "spec.containers[0].resources.limits: Required value: Limit must be set for non overcommitable resources",
  ]);
});

test("resources: extended resources must have equal requests and limits; hugepages need cpu or memory", () => {
  assert.deepEqual(
    podErrors({
      containers: [
        {
          name: "c",
          image: "x",
          resources: { requests: { "example.com/gpu": "1" }, limits: { "example.com/gpu": "2" } },
        },
      ],
    }),
    [
      'spec.containers[0].resources.requests: Invalid value: "1": must be equal to example.com/gpu limit of 2',
    ],
  );
  assert.deepEqual(
    podErrors({
      containers: [
        {
          name: "c",
          image: "x",
          resources: { requests: { "hugepages-2Mi": "3Mi" }, limits: { "hugepages-2Mi": "3Mi" } },
        },
      ],
    }),
    [
      'spec.containers[0].resources.limits[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi',
      'spec.containers[0].resources.requests[hugepages-2Mi]: Invalid value: "3Mi": 3Mi is not positive integer multiple of hugepages-2Mi',
      "spec.containers[0].resources: Forbidden: HugePages require cpu or memory",
    ],
  );
});

test("restart and DNS policies", () => {
  assert.deepEqual(podErrors({ restartPolicy: "Sometimes", dnsPolicy: "Bogus" }), [
    'spec.restartPolicy: Unsupported value: "Sometimes": supported values: "Always", "OnFailure", "Never"',
    'spec.dnsPolicy: Unsupported value: "Bogus": supported values: "ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"',
  ]);
  assert.deepEqual(podErrors({ dnsPolicy: "None" }), [
    "spec.dnsConfig: Required value: must provide `dnsConfig` when `dnsPolicy` is None",
  ]);
  assert.deepEqual(
    podErrors({ dnsConfig: { nameservers: ["1.1.1.1", "2.2.2.2", "3.3.3.3", "bad"], searches: ["Bad."] } }),
    [
      'spec.dnsConfig.nameservers: Invalid value: []string{"1.1.1.1", "2.2.2.2", "3.3.3.3", "bad"}: must not have more than 3 nameservers',
      'spec.dnsConfig.nameservers[3]: Invalid value: "bad": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
      `spec.dnsConfig.searches[0]: Invalid value: "Bad": ${dns1123Subdomain}`,
    ],
  );
});

test("probes: a handler, thresholds, grace periods", () => {
  const errs = podErrors({
    containers: [
      {
        name: "c",
        image: "x",
        livenessProbe: { successThreshold: 2 },
        readinessProbe: { httpGet: { port: 0 }, terminationGracePeriodSeconds: 5 },
        startupProbe: { exec: { command: ["x"] }, tcpSocket: { port: 80 }, initialDelaySeconds: -1 },
      },
    ],
  });
  assert.deepEqual(errs, [
    "spec.containers[0].livenessProbe: Required value: must specify a handler type",
    "spec.containers[0].livenessProbe.successThreshold: Invalid value: 2: must be 1",
    "spec.containers[0].readinessProbe.httpGet.port: Invalid value: 0: must be between 1 and 65535, inclusive",
    "spec.containers[0].readinessProbe.terminationGracePeriodSeconds: Invalid value: 5: must not be set for readinessProbes",
    "spec.containers[0].startupProbe.tcpSocket: Forbidden: may not specify more than 1 handler type",
    "spec.containers[0].startupProbe.initialDelaySeconds: Invalid value: -1: must be greater than or equal to 0",
  ]);
  assert.deepEqual(
    podErrors({
      containers: [
        {
          name: "c",
          image: "x",
          livenessProbe: { httpGet: { port: "Bad-Name" }, terminationGracePeriodSeconds: 0 },
        },
      ],
    }),
    [
      'spec.containers[0].livenessProbe.httpGet.port: Invalid value: "Bad-Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)',
      "spec.containers[0].livenessProbe.terminationGracePeriodSeconds: Invalid value: 0: must be greater than 0",
    ],
  );
});

test("lifecycle sleep must fit in the grace period", () => {
  assert.deepEqual(
    podErrors({
      containers: [{ name: "c", image: "x", lifecycle: { preStop: { sleep: { seconds: 100 } } } }],
    }),
    [
      "spec.containers[0].lifecycle.preStop.sleep: Invalid value: 100: must be greater than 0 and less than terminationGracePeriodSeconds (30). Enable AllowPodLifecycleSleepActionZeroValue feature gate for zero sleep.",
    ],
  );
  assert.deepEqual(podErrors({ containers: [{ name: "c", image: "x", lifecycle: { postStart: {} } }] }), [
    "spec.containers[0].lifecycle.postStart: Required value: must specify a handler type",
  ]);
});

test("init containers: names shared with containers, probes only for sidecars", () => {
  const errs = podErrors({
    initContainers: [
      { name: "c", image: "busybox", livenessProbe: { exec: { command: ["x"] } } },
      { name: "i2", image: "busybox", restartPolicy: "OnFailure" },
      {
        name: "sidecar",
        image: "busybox",
        restartPolicy: "Always",
        readinessProbe: { exec: { command: ["x"] } },
      },
    ],
  });
  assert.deepEqual(errs, [
    'spec.initContainers[0].name: Duplicate value: "c"',
    "spec.initContainers[0].livenessProbe: Forbidden: may not be set for init containers without restartPolicy=Always",
    'spec.initContainers[1].restartPolicy: Unsupported value: "OnFailure": supported values: "Always"',
  ]);
  assert.deepEqual(podErrors({ containers: [{ name: "c", image: "x", restartPolicy: "Always" }] }), [
    "spec.containers[0].restartPolicy: Forbidden: may not be set for non-init containers",
  ]);
});

test("tolerations", () => {
  const errs = podErrors({
    tolerations: [
      { operator: "Equal", value: "x" },
      { key: "a", operator: "Exists", value: "x" },
      { key: "b", effect: "NoSchedule", tolerationSeconds: 5 },
      { key: "c", operator: "Foo" },
      { key: "d", effect: "Never" },
      { key: "e", value: "bad value!" },
    ],
  });
  assert.deepEqual(errs, [
    'spec.tolerations[0].operator: Invalid value: "Equal": operator must be Exists when `key` is empty, which means "match all values and all keys"',
    "spec.tolerations[1].operator: Invalid value: \"x\": value must be empty when `operator` is 'Exists'",
    "spec.tolerations[2].effect: Invalid value: \"NoSchedule\": effect must be 'NoExecute' when `tolerationSeconds` is set",
    'spec.tolerations[3].operator: Unsupported value: "Foo": supported values: "Equal", "Exists"',
    'spec.tolerations[4].effect: Unsupported value: "Never": supported values: "NoSchedule", "PreferNoSchedule", "NoExecute"',
    "spec.tolerations[5].operator: Invalid value: \"bad value!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
});

test("node selector and affinity syntax", () => {
  assert.deepEqual(podErrors({ nodeSelector: { k: "bad value!" } }), [
    "spec.nodeSelector: Invalid value: \"bad value!\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')",
  ]);
  const errs = podErrors({
    affinity: {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [] },
        preferredDuringSchedulingIgnoredDuringExecution: [
          { weight: 0, preference: { matchExpressions: [{ key: "k", operator: "In" }] } },
        ],
      },
      podAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          {
            labelSelector: { matchExpressions: [{ key: "a", operator: "Exists", values: ["x"] }] },
            topologyKey: "zone",
            namespaces: ["Bad"],
          },
        ],
      },
    },
  });
  assert.deepEqual(errs, [
    "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms: Required value: must have at least one node selector term",
    "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight: Invalid value: 0: must be in the range 1-100",
    "spec.affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].preference.matchExpressions[0].values: Required value: must be specified when `operator` is 'In' or 'NotIn'",
    "spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].labelSelector.matchExpressions[0].values: Forbidden: may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
    `spec.affinity.podAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].namespace: Invalid value: "Bad": ${dns1123Label}`,
  ]);
  assert.deepEqual(
    podErrors({
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [
              {
                matchExpressions: [{ key: "k", operator: "Gt", values: ["1", "2"] }],
                matchFields: [{ key: "spec.nodeName", operator: "In", values: ["n"] }],
              },
            ],
          },
        },
      },
    }),
    [
      "spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[0].values: Required value: must be specified single value when `operator` is 'Lt' or 'Gt'",
      'spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].key: Invalid value: "spec.nodeName": not a valid field selector key',
    ],
  );
});

test("pod affinity terms need a topology key", () => {
  const errs = podErrors({
    affinity: {
      podAntiAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: [
          { labelSelector: { matchLabels: { a: "b" } }, topologyKey: "" },
        ],
      },
    },
  });
  assert.deepEqual(errs, [
    "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Required value: can not be empty",
    'spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: "": name part must be non-empty',
    "spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey: Invalid value: \"\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
});

test("security contexts", () => {
  const errs = podErrors({
    securityContext: {
      runAsUser: -1,
      sysctls: [
        { name: "net.core.somaxconn", value: "1" },
        { name: "Bad/Name", value: "1" },
      ],
    },
    hostNetwork: true,
    containers: [
      {
        name: "c",
        image: "x",
        securityContext: { allowPrivilegeEscalation: false, privileged: true, runAsGroup: -2 },
      },
    ],
  });
  assert.deepEqual(errs, [
    "spec.containers[0].securityContext.runAsGroup: Invalid value: -2: must be between 0 and 2147483647, inclusive",
    "spec.containers[0].securityContext: Invalid value: core.SecurityContext{AllowPrivilegeEscalation:false, Privileged:true, RunAsGroup:-2}: cannot set `allowPrivilegeEscalation` to false and `privileged` to true",
    "spec.securityContext.runAsUser: Invalid value: -1: must be between 0 and 2147483647, inclusive",
    "spec.securityContext.sysctls[0].name: Invalid value: \"net.core.somaxconn\": may not be specified when 'hostNetwork' is true",
    'spec.securityContext.sysctls[1].name: Invalid value: "Bad/Name": must have at most 253 characters and match regex ^([a-z0-9]([-_a-z0-9]*[a-z0-9])?[\\./])*[a-z0-9]([-_a-z0-9]*[a-z0-9])?$',
  ]);
  assert.deepEqual(
    podErrors({
      containers: [{ name: "c", image: "x", securityContext: { seccompProfile: { type: "Localhost" } } }],
    }),
    [
      "spec.containers[0].securityContext.seccompProfile.localhostProfile: Required value: must be set when seccomp type is Localhost",
    ],
  );
  assert.deepEqual(podErrors({ securityContext: { fsGroupChangePolicy: "Sometimes" } }), [
    'spec.securityContext.fsGroupChangePolicy: Unsupported value: "Sometimes": supported values: "Always", "OnRootMismatch"',
  ]);
  assert.deepEqual(podErrors({ shareProcessNamespace: true, hostPID: true }), [
    "spec.securityContext.shareProcessNamespace: Invalid value: true: ShareProcessNamespace and HostPID cannot both be enabled",
  ]);
});

test("OS-specific fields", () => {
  assert.deepEqual(podErrors({ os: { name: "plan9" } }), [
    'spec.os: Unsupported value: "plan9": supported values: "linux", "windows"',
  ]);
  assert.deepEqual(podErrors({ os: { name: "windows" }, hostPID: true, securityContext: { runAsUser: 1 } }), [
    "spec.hostPID: Forbidden: cannot be set for a windows pod",
    "spec.securityContext.runAsUser: Forbidden: cannot be set for a windows pod",
  ]);
  assert.deepEqual(
    podErrors({ os: { name: "linux" }, securityContext: { windowsOptions: { runAsUserName: "u" } } }),
    ["spec.securityContext.windowsOptions: Forbidden: windows options cannot be set for a linux pod"],
  );
});

test("pod-level scalar fields", () => {
  assert.deepEqual(
    podErrors({
      activeDeadlineSeconds: 0,
      hostname: "Bad",
      serviceAccountName: "Bad_SA",
      nodeName: "Bad_Node",
      priorityClassName: "Bad_PC",
      preemptionPolicy: "Sometimes",
    }),
    [
      `spec.serviceAccountName: Invalid value: "Bad_SA": ${dns1123Subdomain}`,
      `spec.nodeName: Invalid value: "Bad_Node": ${dns1123Subdomain}`,
      "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive",
      `spec.hostname: Invalid value: "Bad": ${dns1123Label}`,
      `spec.priorityClassName: Invalid value: "Bad_PC": ${dns1123Subdomain}`,
      'spec.preemptionPolicy: Unsupported value: "Sometimes": supported values: "PreemptLowerPriority", "Never"',
    ],
  );
  assert.deepEqual(podErrors({ terminationGracePeriodSeconds: -5 }), []);
});

test("topology spread constraints and scheduling gates", () => {
  assert.deepEqual(
    podErrors({
      topologySpreadConstraints: [
        { maxSkew: 0, topologyKey: "", whenUnsatisfiable: "Foo", labelSelector: {} },
        { maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule" },
        { maxSkew: 1, topologyKey: "zone", whenUnsatisfiable: "DoNotSchedule", minDomains: 0 },
      ],
    }),
    [
      "spec.topologySpreadConstraints[0].maxSkew: Invalid value: 0: must be greater than zero",
      "spec.topologySpreadConstraints[0].topologyKey: Required value: can not be empty",
      'spec.topologySpreadConstraints[0].whenUnsatisfiable: Unsupported value: "Foo": supported values: "DoNotSchedule", "ScheduleAnyway"',
      'spec.topologySpreadConstraints[1].{topologyKey, whenUnsatisfiable}: Duplicate value: "{zone, DoNotSchedule}"',
      "spec.topologySpreadConstraints[2].minDomains: Invalid value: 0: must be greater than zero",
    ],
  );
  assert.deepEqual(podErrors({ schedulingGates: [{ name: "a" }, { name: "a" }] }), [
    'spec.schedulingGates[1]: Duplicate value: "a"',
  ]);
  assert.deepEqual(podErrors({ schedulingGates: [{ name: "a" }], nodeName: "n1" }), [
    "spec.nodeName: Forbidden: cannot be set until all schedulingGates have been cleared",
  ]);
});

test("ephemeral containers cannot be set on create", () => {
  assert.deepEqual(podErrors({ ephemeralContainers: [{ name: "e", image: "x" }] }), [
    "spec.ephemeralContainers: Forbidden: cannot be set on create",
  ]);
});

test("pod annotations: mirror pods, deletion cost, seccomp and AppArmor", () => {
  assert.deepEqual(podErrors({}, { annotations: { "kubernetes.io/config.mirror": "x" } }), [
    'metadata.annotations[kubernetes.io/config.mirror]: Invalid value: "x": must set spec.nodeName if mirror pod annotation is set',
  ]);
  assert.deepEqual(podErrors({}, { annotations: { "controller.kubernetes.io/pod-deletion-cost": "+10" } }), [
    'metadata.annotations[controller.kubernetes.io/pod-deletion-cost]: Invalid value: "+10": must be a 32bit integer',
  ]);
  assert.deepEqual(podErrors({}, { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "bogus" } }), [
    'metadata.annotations.seccomp.security.alpha.kubernetes.io/pod: Invalid value: "bogus": must be a valid seccomp profile',
  ]);
  assert.deepEqual(
    podErrors({}, { annotations: { "container.apparmor.security.beta.kubernetes.io/other": "bogus" } }),
    [
      'metadata.annotations[container.apparmor.security.beta.kubernetes.io/other]: Invalid value: "other": container not found',
      'metadata.annotations[container.apparmor.security.beta.kubernetes.io/other]: Invalid value: "bogus": invalid AppArmor profile name: "bogus"',
    ],
  );
});
