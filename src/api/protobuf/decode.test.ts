import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeProtobufMessage } from "./decode.ts";
import { ProtobufDecodeError } from "./errors.ts";
import { encodeMessage } from "./test-encoder.ts";
import type { JsonValue } from "./well-known.ts";

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex"));
const cat = (...parts: Uint8Array[]) => Uint8Array.from(parts.flatMap((p) => [...p]));

/**
 * Encodes `json` as client-go would and decodes it again. For JSON in the
 * form Go's json.Marshal prints (zero non-omitempty fields present, empty
 * structs as {}), the round trip gives the same JSON back.
 */
function roundTrip(message: string, json: unknown): unknown {
  return decodeProtobufMessage(message, encodeMessage(message, json as JsonValue));
}

describe("Go presence rules", () => {
  it("drops omitempty zero values gogo writes for non-pointer fields", () => {
    // ObjectMeta as kubectl sends it: every string field written, empty.
    const meta = hex("0a 0378 7878 1200 1a00 2200 2a00 3200 3800 4200");
    assert.deepEqual(decodeProtobufMessage("meta.v1.ObjectMeta", meta), {
      name: "xxx",
      creationTimestamp: null,
    });
  });

  it("prints absent non-pointer structs as {} and absent non-omitempty fields as zero or null", () => {
    // A Container with only a name: resources is a struct (always printed).
    assert.deepEqual(decodeProtobufMessage("core.v1.Container", hex("0a 03 617070")), {
      name: "app",
      resources: {},
    });
    // A DeploymentSpec with nothing on the wire: selector is a pointer
    // without omitempty (null), template a struct, strategy a struct.
    assert.deepEqual(decodeProtobufMessage("apps.v1.DeploymentSpec", new Uint8Array(0)), {
      selector: null,
      template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
      strategy: {},
    });
    // ServicePort.port has no omitempty: a zero port prints as 0.
    assert.deepEqual(decodeProtobufMessage("core.v1.ServicePort", new Uint8Array(0)), {
      port: 0,
      targetPort: 0,
    });
    // PolicyRule.verbs has no omitempty: a nil slice prints as null.
    assert.deepEqual(decodeProtobufMessage("rbac.v1.PolicyRule", new Uint8Array(0)), { verbs: null });
  });

  it("keeps zero values of pointer fields that are on the wire", () => {
    const spec = {
      replicas: 0,
      selector: null,
      template: {},
      strategy: {},
      revisionHistoryLimit: 0,
      paused: false,
    };
    assert.deepEqual(roundTrip("apps.v1.DeploymentSpec", spec), {
      replicas: 0,
      selector: null,
      template: { metadata: { creationTimestamp: null }, spec: { containers: null } },
      strategy: {},
      revisionHistoryLimit: 0,
    });
    const sc = { privileged: false, runAsNonRoot: false, allowPrivilegeEscalation: false, runAsUser: 0 };
    assert.deepEqual(roundTrip("core.v1.SecurityContext", sc), {
      privileged: false,
      runAsUser: 0,
      runAsNonRoot: false,
      allowPrivilegeEscalation: false,
    });
  });

  it("prints `resources: {}` and `strategy: {}` for kubectl create deployment", () => {
    const deployment = {
      metadata: { name: "web", labels: { app: "web" }, creationTimestamp: null },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { labels: { app: "web" }, creationTimestamp: null },
          spec: {
            containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80 }], resources: {} }],
          },
        },
        strategy: {},
      },
      status: {},
    };
    assert.deepEqual(roundTrip("apps.v1.Deployment", deployment), {
      metadata: { name: "web", creationTimestamp: null, labels: { app: "web" } },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "web" } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: "web" } },
          spec: {
            containers: [{ name: "nginx", image: "nginx", ports: [{ containerPort: 80 }], resources: {} }],
          },
        },
        strategy: {},
      },
      status: {},
    });
  });
});

describe("objects as clients send them", () => {
  it("a Pod with probes, volumes, security contexts, affinity and ephemeral containers", () => {
    const pod = {
      metadata: {
        name: "web-0",
        namespace: "default",
        uid: "5f0c7d7e-0000-4000-8000-000000000001",
        resourceVersion: "17",
        generation: 1,
        creationTimestamp: "2024-01-02T03:04:05Z",
        deletionTimestamp: "2024-01-02T04:00:00Z",
        deletionGracePeriodSeconds: 30,
        labels: { app: "web", "apps.kubernetes.io/pod-index": "0" },
        annotations: { note: "x" },
        ownerReferences: [
          {
            apiVersion: "apps/v1",
            kind: "StatefulSet",
            name: "web",
            uid: "u1",
            controller: true,
            blockOwnerDeletion: true,
          },
        ],
        finalizers: ["example.com/hold"],
        managedFields: [
          {
            manager: "kubectl-create",
            operation: "Update",
            apiVersion: "v1",
            time: "2024-01-02T03:04:05Z",
            fieldsType: "FieldsV1",
            fieldsV1: { "f:metadata": { "f:labels": { ".": {}, "f:app": {} } } },
          },
        ],
      },
      spec: {
        volumes: [
          {
            name: "config",
            configMap: { name: "app-config", items: [{ key: "a", path: "a.txt" }], defaultMode: 420 },
          },
          { name: "scratch", emptyDir: { medium: "Memory", sizeLimit: "64Mi" } },
          {
            name: "token",
            projected: {
              sources: [{ serviceAccountToken: { audience: "api", expirationSeconds: 3600, path: "token" } }],
              defaultMode: 420,
            },
          },
        ],
        initContainers: [
          { name: "init", image: "busybox", command: ["true"], resources: {}, restartPolicy: "Always" },
        ],
        containers: [
          {
            name: "app",
            image: "nginx:1.27",
            command: ["nginx"],
            args: ["-g", "daemon off;"],
            ports: [{ name: "http", containerPort: 80, protocol: "TCP" }],
            env: [
              { name: "POD_NAME", valueFrom: { fieldRef: { apiVersion: "v1", fieldPath: "metadata.name" } } },
              { name: "MODE", value: "prod" },
            ],
            resources: {
              limits: { cpu: "500m", memory: "128Mi" },
              requests: { cpu: "250m", memory: "64Mi" },
            },
            volumeMounts: [{ name: "config", readOnly: true, mountPath: "/etc/app" }],
            livenessProbe: {
              httpGet: {
                path: "/healthz",
                port: "http",
                scheme: "HTTP",
                httpHeaders: [{ name: "X", value: "1" }],
              },
              initialDelaySeconds: 5,
              periodSeconds: 10,
            },
            readinessProbe: { tcpSocket: { port: 80 }, failureThreshold: 3 },
            startupProbe: { grpc: { port: 9090, service: null }, terminationGracePeriodSeconds: 0 },
            lifecycle: {
              preStop: { sleep: { seconds: 5 } },
              postStart: { exec: { command: ["sh", "-c", "true"] } },
            },
            imagePullPolicy: "IfNotPresent",
            securityContext: {
              capabilities: { add: ["NET_BIND_SERVICE"], drop: ["ALL"] },
              privileged: false,
              runAsUser: 1000,
              readOnlyRootFilesystem: true,
              allowPrivilegeEscalation: false,
              seccompProfile: { type: "RuntimeDefault" },
            },
            stdin: true,
          },
        ],
        ephemeralContainers: [
          {
            name: "debug",
            image: "busybox",
            resources: {},
            stdin: true,
            tty: true,
            targetContainerName: "app",
          },
        ],
        restartPolicy: "Always",
        terminationGracePeriodSeconds: 30,
        dnsPolicy: "ClusterFirst",
        nodeSelector: { "kubernetes.io/os": "linux" },
        serviceAccountName: "robot",
        automountServiceAccountToken: false,
        hostname: "web-0",
        subdomain: "web",
        securityContext: {
          runAsNonRoot: true,
          supplementalGroups: [1000, 2000],
          fsGroup: 2000,
          sysctls: [{ name: "net.ipv4.ip_local_port_range", value: "1024 65535" }],
          seccompProfile: { type: "Localhost", localhostProfile: "profiles/audit.json" },
        },
        affinity: {
          nodeAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: {
              nodeSelectorTerms: [
                { matchExpressions: [{ key: "zone", operator: "In", values: ["a", "b"] }] },
              ],
            },
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                weight: 100,
                podAffinityTerm: {
                  labelSelector: { matchExpressions: [{ key: "app", operator: "In", values: ["web"] }] },
                  topologyKey: "kubernetes.io/hostname",
                },
              },
            ],
          },
        },
        schedulerName: "default-scheduler",
        tolerations: [
          {
            key: "node.kubernetes.io/not-ready",
            operator: "Exists",
            effect: "NoExecute",
            tolerationSeconds: 300,
          },
        ],
        hostAliases: [{ ip: "10.0.0.1", hostnames: ["db"] }],
        priority: -5,
        dnsConfig: { nameservers: ["1.1.1.1"], options: [{ name: "ndots", value: "2" }] },
        readinessGates: [{ conditionType: "example.com/ready" }],
        enableServiceLinks: false,
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: "zone",
            whenUnsatisfiable: "DoNotSchedule",
            labelSelector: { matchLabels: { app: "web" } },
            minDomains: 2,
          },
        ],
        os: { name: "linux" },
        schedulingGates: [{ name: "example.com/gate" }],
      },
      status: {},
    };
    const got = roundTrip("core.v1.Pod", pod) as typeof pod;
    assert.deepEqual(got, {
      ...pod,
      spec: {
        ...pod.spec,
        containers: [
          {
            ...pod.spec.containers[0],
            // GRPCAction.service is a pointer without omitempty.
            startupProbe: { grpc: { port: 9090, service: null }, terminationGracePeriodSeconds: 0 },
          },
        ],
      },
    });
    // Inline (embedded) structs are promoted into the parent object.
    assert.deepEqual(got.spec.volumes[0], pod.spec.volumes[0]);
    assert.deepEqual(got.spec.ephemeralContainers[0], pod.spec.ephemeralContainers[0]);
  });

  it("a Job with a pod failure policy and a success policy", () => {
    const job = {
      metadata: { name: "pi", creationTimestamp: null },
      spec: {
        parallelism: 2,
        completions: 4,
        activeDeadlineSeconds: 600,
        podFailurePolicy: {
          rules: [
            { action: "FailJob", onExitCodes: { containerName: "main", operator: "In", values: [42, -1] } },
            { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
          ],
        },
        successPolicy: { rules: [{ succeededIndexes: "0-2", succeededCount: 1 }] },
        backoffLimitPerIndex: 1,
        maxFailedIndexes: 0,
        template: {
          metadata: { creationTimestamp: null },
          spec: {
            containers: [{ name: "pi", image: "busybox", command: ["echo", "hi"], resources: {} }],
            restartPolicy: "Never",
          },
        },
        ttlSecondsAfterFinished: 100,
        completionMode: "Indexed",
        suspend: false,
        podReplacementPolicy: "Failed",
      },
      status: {},
    };
    assert.deepEqual(roundTrip("batch.v1.Job", job), job);
  });

  it("a CronJob", () => {
    const cronJob = {
      metadata: { name: "tick", creationTimestamp: null },
      spec: {
        schedule: "*/5 * * * *",
        timeZone: "Etc/UTC",
        concurrencyPolicy: "Forbid",
        jobTemplate: {
          metadata: { name: "tick", creationTimestamp: null },
          spec: {
            template: {
              metadata: { creationTimestamp: null },
              spec: {
                containers: [{ name: "tick", image: "busybox", command: ["date"], resources: {} }],
                restartPolicy: "OnFailure",
              },
            },
          },
        },
        successfulJobsHistoryLimit: 0,
      },
      status: {},
    };
    assert.deepEqual(roundTrip("batch.v1.CronJob", cronJob), cronJob);
  });

  it("a Service with integer and named target ports", () => {
    const service = {
      metadata: { name: "web", labels: { app: "web" }, creationTimestamp: null },
      spec: {
        ports: [
          { name: "http", protocol: "TCP", port: 80, targetPort: 8080, nodePort: 30080 },
          { name: "https", protocol: "TCP", appProtocol: "https", port: 443, targetPort: "https" },
        ],
        selector: { app: "web" },
        type: "NodePort",
        sessionAffinity: "ClientIP",
        sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } },
        ipFamilyPolicy: "SingleStack",
        internalTrafficPolicy: "Cluster",
      },
      status: { loadBalancer: {} },
    };
    assert.deepEqual(roundTrip("core.v1.Service", service), service);
    // IntOrString on the wire: {type = 1, intVal = 2, strVal = 3}.
    assert.equal(decodeProtobufMessage("intstr.IntOrString", hex("0800 1050 1a00")), 80);
    assert.equal(decodeProtobufMessage("intstr.IntOrString", hex("0801 1000 1a05 6874747073")), "https");
  });

  it("a Secret with binary data and stringData", () => {
    const secret = {
      metadata: { name: "creds", creationTimestamp: null },
      immutable: true,
      data: { bin: Buffer.from([0, 0xff, 0xfe, 1]).toString("base64"), empty: "" },
      stringData: { user: "admin" },
      type: "Opaque",
    };
    assert.deepEqual(roundTrip("core.v1.Secret", secret), secret);
  });

  it("a TokenRequest", () => {
    const tokenRequest = {
      metadata: { creationTimestamp: null },
      spec: {
        audiences: ["api"],
        expirationSeconds: 3600,
        boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web-0", uid: "u-1" },
      },
      status: { token: "", expirationTimestamp: null },
    };
    assert.deepEqual(roundTrip("authentication.v1.TokenRequest", tokenRequest), tokenRequest);
  });

  it("a SelfSubjectAccessReview with field and label selector attributes", () => {
    const review = {
      metadata: { creationTimestamp: null },
      spec: {
        resourceAttributes: {
          namespace: "default",
          verb: "list",
          group: "apps",
          version: "v1",
          resource: "deployments",
          fieldSelector: {
            rawSelector: "metadata.name=web",
            requirements: [{ key: "metadata.name", operator: "In", values: ["web"] }],
          },
          labelSelector: { requirements: [{ key: "app", operator: "Exists" }] },
        },
      },
      status: { allowed: false },
    };
    assert.deepEqual(roundTrip("authorization.v1.SelfSubjectAccessReview", review), review);
  });

  it("a SubjectAccessReview with extra values (a protobuf-only wrapper message)", () => {
    const review = {
      metadata: { creationTimestamp: null },
      spec: {
        nonResourceAttributes: { path: "/healthz", verb: "get" },
        user: "alice",
        groups: ["devs"],
        extra: { "scopes.example.com": ["read", "write"], empty: null },
        uid: "u-1",
      },
      status: { allowed: false },
    };
    assert.deepEqual(roundTrip("authorization.v1.SubjectAccessReview", review), review);
    // ExtraValue is `repeated string items = 1`; JSON is a plain array.
    assert.deepEqual(decodeProtobufMessage("authorization.v1.ExtraValue", hex("0a01 61 0a01 62")), [
      "a",
      "b",
    ]);
  });

  it("DeleteOptions with a propagation policy and preconditions", () => {
    const options = {
      gracePeriodSeconds: 0,
      preconditions: { uid: "5f0c7d7e-0000-4000-8000-000000000001", resourceVersion: "42" },
      propagationPolicy: "Foreground",
      dryRun: ["All"],
    };
    assert.deepEqual(roundTrip("meta.v1.DeleteOptions", options), options);
    // Wire: gracePeriodSeconds = 1 (varint), preconditions = 2, propagationPolicy = 4.
    assert.deepEqual(
      decodeProtobufMessage("meta.v1.DeleteOptions", hex("0800 1203 0a01 75 2206 4f727068616e")),
      {
        gracePeriodSeconds: 0,
        preconditions: { uid: "u" },
        propagationPolicy: "Orphan",
      },
    );
  });

  it("an Eviction carrying DeleteOptions", () => {
    const eviction = {
      metadata: { name: "web-0", namespace: "default", creationTimestamp: null },
      deleteOptions: { gracePeriodSeconds: 30, preconditions: { uid: "u-1" } },
    };
    assert.deepEqual(roundTrip("policy.v1.Eviction", eviction), eviction);
  });

  it("a CertificateSigningRequest being approved", () => {
    const csr = {
      metadata: { name: "csr1", resourceVersion: "42", creationTimestamp: "2024-01-02T03:04:05Z" },
      spec: {
        request: Buffer.from("-----BEGIN CERTIFICATE REQUEST-----\n").toString("base64"),
        signerName: "kubernetes.io/kube-apiserver-client",
        expirationSeconds: 86400,
        usages: ["client auth"],
        username: "alice",
        groups: ["devs"],
        extra: { "scopes.example.com": ["a"] },
      },
      status: {
        conditions: [
          {
            type: "Approved",
            status: "True",
            reason: "KubectlApprove",
            message: "This CSR was approved by kubectl certificate approve.",
            lastUpdateTime: "2024-01-02T03:05:00Z",
            lastTransitionTime: null,
          },
        ],
        certificate: Buffer.from("cert").toString("base64"),
      },
    };
    assert.deepEqual(roundTrip("certificates.v1.CertificateSigningRequest", csr), csr);
  });

  it("a ResourceQuota with a scope selector", () => {
    const quota = {
      metadata: { name: "q1", creationTimestamp: null },
      spec: {
        hard: { cpu: "1500m", memory: "1Gi", pods: "10" },
        scopes: ["BestEffort"],
        scopeSelector: {
          matchExpressions: [{ scopeName: "PriorityClass", operator: "In", values: ["high"] }],
        },
      },
      status: {},
    };
    assert.deepEqual(roundTrip("core.v1.ResourceQuota", quota), quota);
  });

  it("a Lease and an events/v1 Event (MicroTime)", () => {
    const lease = {
      metadata: { name: "kube-scheduler", namespace: "kube-system", creationTimestamp: null },
      spec: {
        holderIdentity: "node-1_abc",
        leaseDurationSeconds: 15,
        acquireTime: "2024-01-02T03:04:05.123456Z",
        renewTime: "2024-01-02T03:04:20.000001Z",
        leaseTransitions: 0,
      },
    };
    assert.deepEqual(roundTrip("coordination.v1.Lease", lease), lease);
    const event = {
      metadata: { name: "web.17a", namespace: "default", creationTimestamp: null },
      eventTime: "2024-01-02T03:04:05.500000Z",
      series: { count: 2, lastObservedTime: "2024-01-02T03:05:05.000000Z" },
      reportingController: "k8ts.io/kubelet",
      reportingInstance: "kubelet-node-1",
      action: "Pulling",
      reason: "Pulling",
      regarding: {
        kind: "Pod",
        namespace: "default",
        name: "web",
        apiVersion: "v1",
        fieldPath: "spec.containers{app}",
      },
      note: "Pulling image",
      type: "Normal",
      deprecatedSource: {},
      deprecatedFirstTimestamp: null,
      deprecatedLastTimestamp: null,
    };
    assert.deepEqual(roundTrip("events.v1.Event", event), event);
  });

  it("a ControllerRevision (RawExtension holds the embedded JSON)", () => {
    const revision = {
      metadata: { name: "web-5d8f", creationTimestamp: null },
      data: { spec: { template: { spec: { containers: [{ name: "app" }] } } } },
      revision: 3,
    };
    assert.deepEqual(roundTrip("apps.v1.ControllerRevision", revision), revision);
    assert.deepEqual(roundTrip("apps.v1.ControllerRevision", { revision: 1 }), {
      metadata: { creationTimestamp: null },
      data: null,
      revision: 1,
    });
  });

  it("a PodDisruptionBudget, a PriorityClass, an Ingress and RBAC objects", () => {
    const pdb = {
      metadata: { name: "pdb1", creationTimestamp: null },
      spec: {
        minAvailable: "50%",
        selector: { matchLabels: { app: "web" } },
        unhealthyPodEvictionPolicy: "AlwaysAllow",
      },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    };
    assert.deepEqual(roundTrip("policy.v1.PodDisruptionBudget", pdb), pdb);
    const pc = {
      metadata: { name: "high", creationTimestamp: null },
      value: -10,
      globalDefault: true,
      description: "important",
      preemptionPolicy: "Never",
    };
    assert.deepEqual(roundTrip("scheduling.v1.PriorityClass", pc), pc);
    const ingress = {
      metadata: { name: "ing", creationTimestamp: null },
      spec: {
        ingressClassName: "nginx",
        defaultBackend: { resource: { apiGroup: "example.com", kind: "Bucket", name: "static" } },
        tls: [{ hosts: ["foo.com"], secretName: "my-cert" }],
        rules: [
          {
            host: "foo.com",
            http: {
              paths: [
                {
                  path: "/bar",
                  pathType: "Prefix",
                  backend: { service: { name: "svc1", port: { number: 8080 } } },
                },
                {
                  path: "/",
                  pathType: "Exact",
                  backend: { service: { name: "svc2", port: { name: "http" } } },
                },
              ],
            },
          },
        ],
      },
      status: { loadBalancer: {} },
    };
    assert.deepEqual(roundTrip("networking.v1.Ingress", ingress), ingress);
    const role = {
      metadata: { name: "aggregate", creationTimestamp: null },
      rules: [
        { verbs: ["get"], apiGroups: [""], resources: ["pods"], resourceNames: ["a"] },
        { verbs: ["get"], nonResourceURLs: ["/healthz"] },
      ],
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "rbac.example.com/aggregate": "true" } }] },
    };
    assert.deepEqual(roundTrip("rbac.v1.ClusterRole", role), role);
    const binding = {
      metadata: { name: "rb", creationTimestamp: null },
      subjects: [
        { kind: "ServiceAccount", name: "robot", namespace: "default" },
        { kind: "User", apiGroup: "rbac.authorization.k8s.io", name: "alice" },
      ],
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "reader" },
    };
    assert.deepEqual(roundTrip("rbac.v1.RoleBinding", binding), binding);
  });
});

describe("well-known types", () => {
  it("metav1.Time: RFC 3339 in whole seconds; empty or year 1 is null", () => {
    // seconds = 1704164645 (2024-01-02T03:04:05Z), nanos = 500000000: dropped.
    const t = hex("08a5facdac06 1080cab5ee01");
    assert.equal(decodeProtobufMessage("meta.v1.Time", t), "2024-01-02T03:04:05Z");
    assert.equal(decodeProtobufMessage("meta.v1.Time", new Uint8Array(0)), null);
    assert.equal(
      decodeProtobufMessage("meta.v1.Time", encodeMessage("meta.v1.Time", "0001-01-01T00:00:00Z")),
      null,
    );
    assert.equal(decodeProtobufMessage("meta.v1.Time", hex("0800")), "1970-01-01T00:00:00Z");
    assert.equal(
      decodeProtobufMessage("meta.v1.Time", encodeMessage("meta.v1.Time", "0099-12-31T23:59:59Z")),
      "0099-12-31T23:59:59Z",
    );
  });

  it("metav1.MicroTime: six fraction digits, truncated", () => {
    assert.equal(
      decodeProtobufMessage("meta.v1.MicroTime", hex("08a5facdac06 10ffffff01")),
      "2024-01-02T03:04:05.004194Z",
    );
    assert.equal(
      decodeProtobufMessage("meta.v1.MicroTime", hex("08a5facdac06")),
      "2024-01-02T03:04:05.000000Z",
    );
    assert.equal(decodeProtobufMessage("meta.v1.MicroTime", new Uint8Array(0)), null);
  });

  it("metav1.Duration prints like Go's time.Duration.String()", () => {
    const d = (ns: bigint) => {
      const w = [0x08];
      let u = BigInt.asUintN(64, ns);
      while (u >= 0x80n) {
        w.push(Number(u & 0x7fn) | 0x80);
        u >>= 7n;
      }
      w.push(Number(u));
      return decodeProtobufMessage("meta.v1.Duration", Uint8Array.from(w));
    };
    assert.equal(d(0n), "0s");
    assert.equal(d(5400_000_000_000n), "1h30m0s");
    assert.equal(d(1_500_000n), "1.5ms");
    assert.equal(d(1_500n), "1.5µs");
    assert.equal(d(999n), "999ns");
    assert.equal(d(61_250_000_000n), "1m1.25s");
    assert.equal(d(-2_000_000_000n), "-2s");
  });

  it("resource.Quantity is parsed and printed in canonical form", () => {
    const q = (s: string) =>
      decodeProtobufMessage("resource.Quantity", cat(hex("0a"), Uint8Array.of(s.length), Buffer.from(s)));
    assert.equal(q("1Gi"), "1Gi");
    assert.equal(q("0.5Gi"), "512Mi");
    assert.equal(q("1.5"), "1500m");
    assert.equal(decodeProtobufMessage("resource.Quantity", new Uint8Array(0)), "0");
    assert.throws(() => q("x"), {
      name: "ProtobufDecodeError",
      message: "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    });
  });

  it("IntOrString with an impossible type fails as upstream's MarshalJSON does", () => {
    assert.throws(() => decodeProtobufMessage("intstr.IntOrString", hex("0802")), {
      message: "impossible IntOrString.Type",
    });
  });

  it("FieldsV1 and RawExtension must hold JSON", () => {
    assert.deepEqual(decodeProtobufMessage("meta.v1.FieldsV1", hex("0a02 7b7d")), {});
    assert.throws(() => decodeProtobufMessage("runtime.RawExtension", hex("0a02 0102")), {
      message: "RawExtension does not hold JSON",
    });
  });
});

describe("wire details", () => {
  const configMap = (extra: Uint8Array) =>
    cat(hex("0a07 0a03 636d31 4200"), hex("1206 0a01 61 1201 62"), extra);

  it("skips fields the table does not know (a newer client's additions)", () => {
    const unknown = hex("f806 01 8207 03 616263 8d07 01020304 8907 0102030405060708 fb07 0801 fc07");
    assert.deepEqual(decodeProtobufMessage("core.v1.ConfigMap", configMap(unknown)), {
      metadata: { name: "cm1", creationTimestamp: null },
      data: { a: "b" },
    });
  });

  it("merges a singular message that appears twice and lets the last scalar win", () => {
    const twice = cat(hex("0a05 0a03 616161"), hex("0a05 1a03 6e7331"), hex("0a05 0a03 626262"));
    assert.deepEqual(decodeProtobufMessage("core.v1.ConfigMap", twice), {
      metadata: { name: "bbb", namespace: "ns1", creationTimestamp: null },
    });
  });

  it("reads packed and unpacked repeated numbers alike", () => {
    const unpacked = hex("2001 20e807");
    const packed = hex("2203 01e807");
    for (const b of [unpacked, packed]) {
      assert.deepEqual(decodeProtobufMessage("core.v1.PodSecurityContext", b), {
        supplementalGroups: [1, 1000],
      });
    }
  });

  it("reads a negative int32 (a ten-byte varint)", () => {
    const pc = hex("0a00 10fbffffffffffffffff01");
    assert.deepEqual(decodeProtobufMessage("scheduling.v1.PriorityClass", pc), {
      metadata: { creationTimestamp: null },
      value: -5,
    });
  });

  it("fills a map entry's missing key or value with zero values", () => {
    assert.deepEqual(decodeProtobufMessage("core.v1.ConfigMap", hex("1203 0a01 61 1203 1201 62")), {
      metadata: { creationTimestamp: null },
      data: { "": "b", a: "" },
    });
  });

  it("reports malformed input with gogo-protobuf's messages", () => {
    const cases: [string, string][] = [
      ["0a05 0a03 61", "unexpected EOF"],
      ["f806", "unexpected EOF"],
      ["10", "proto: wrong wireType = 0 for field data"],
      ["0a01 0a", "unexpected EOF"],
      ["0800", "proto: wrong wireType = 0 for field metadata"],
      ["0001", "proto: ConfigMap: illegal tag 0 (wire type 0)"],
      ["0c", "proto: ConfigMap: wiretype end group for non-group"],
      ["9f06", "proto: illegal wireType 7"],
      ["0affffffffffffffffff01", "proto: negative length found during unmarshaling"],
      ["0affffffffffffffffffff01", "proto: integer overflow"],
    ];
    for (const [bytes, message] of cases) {
      assert.throws(
        () => decodeProtobufMessage("core.v1.ConfigMap", hex(bytes)),
        (err: unknown) =>
          err instanceof ProtobufDecodeError && err.reason === "Malformed" && err.message === message,
        bytes,
      );
    }
  });

  it("refuses a message name it does not know", () => {
    assert.throws(() => decodeProtobufMessage("core.v1.Nope", new Uint8Array(0)), { reason: "UnknownKind" });
  });
});
