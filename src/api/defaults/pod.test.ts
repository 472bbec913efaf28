import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { applyDefaults } from "./index.ts";

function defaulted(pod: Pod): Pod {
  const obj = structuredClone(pod) as unknown as Record<string, unknown>;
  applyDefaults("", "Pod", obj);
  return obj as unknown as Pod;
}

describe("Pod defaults", () => {
  it("fills a minimal pod as `kubectl run nginx --image=nginx` comes back (before admission)", () => {
    const got = defaulted({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "nginx", labels: { run: "nginx" } },
      spec: { containers: [{ name: "nginx", image: "nginx" }] },
    });
    const want: Pod = {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "nginx", labels: { run: "nginx" } },
      spec: {
        containers: [
          {
            name: "nginx",
            image: "nginx",
            imagePullPolicy: "Always",
            resources: {},
            terminationMessagePath: "/dev/termination-log",
            terminationMessagePolicy: "File",
          },
        ],
        dnsPolicy: "ClusterFirst",
        enableServiceLinks: true,
        restartPolicy: "Always",
        schedulerName: "default-scheduler",
        securityContext: {},
        terminationGracePeriodSeconds: 30,
      },
    };
    assert.deepEqual(got, want);
    // Admission, not defaulting, sets these.
    assert.equal(got.spec?.priority, undefined);
    assert.equal(got.spec?.preemptionPolicy, undefined);
  });

  it("keeps stated values, including explicit zero pointers", () => {
    const got = defaulted({
      spec: {
        containers: [{ name: "c", image: "busybox:1.36", imagePullPolicy: "Never" }],
        restartPolicy: "Never",
        dnsPolicy: "Default",
        terminationGracePeriodSeconds: 0,
        enableServiceLinks: false,
        schedulerName: "mine",
      },
    });
    assert.equal(got.spec?.restartPolicy, "Never");
    assert.equal(got.spec?.dnsPolicy, "Default");
    assert.equal(got.spec?.terminationGracePeriodSeconds, 0);
    assert.equal(got.spec?.enableServiceLinks, false);
    assert.equal(got.spec?.schedulerName, "mine");
    assert.equal(got.spec?.containers[0].imagePullPolicy, "Never");
  });

  it("copies limits into absent requests per resource, for app and init containers only", () => {
    // TestSetDefaultRequestsPod / TestDefaultRequestIsNotSetForReplicationController upstream.
    const got = defaulted({
      spec: {
        containers: [
          { name: "a", image: "i:1", resources: { limits: { cpu: "100m", memory: "1Gi" } } },
          { name: "b", image: "i:1", resources: { limits: { cpu: "2" }, requests: { cpu: "1" } } },
          {
            name: "c",
            image: "i:1",
            resources: { limits: { cpu: "2", memory: "1Gi" }, requests: { cpu: "1" } },
          },
        ],
        initContainers: [{ name: "init", image: "i:1", resources: { limits: { memory: "64Mi" } } }],
        ephemeralContainers: [{ name: "debug", image: "i:1", resources: { limits: { cpu: "1" } } }],
      },
    });
    const c = got.spec?.containers ?? [];
    assert.deepEqual(c[0].resources, {
      limits: { cpu: "100m", memory: "1Gi" },
      requests: { cpu: "100m", memory: "1Gi" },
    });
    assert.deepEqual(c[1].resources, { limits: { cpu: "2" }, requests: { cpu: "1" } });
    assert.deepEqual(c[2].resources, {
      limits: { cpu: "2", memory: "1Gi" },
      requests: { cpu: "1", memory: "1Gi" },
    });
    assert.deepEqual(got.spec?.initContainers?.[0].resources, {
      limits: { memory: "64Mi" },
      requests: { memory: "64Mi" },
    });
    assert.deepEqual(got.spec?.ephemeralContainers?.[0].resources, { limits: { cpu: "1" } });
  });

  it("defaults container ports to TCP and, under hostNetwork, hostPort to containerPort", () => {
    const got = defaulted({
      spec: {
        hostNetwork: true,
        containers: [
          {
            name: "c",
            image: "i:1",
            ports: [{ containerPort: 8080 }, { containerPort: 53, protocol: "UDP", hostPort: 53 }],
          },
        ],
        initContainers: [{ name: "i", image: "i:1", ports: [{ containerPort: 9090 }] }],
      },
    });
    assert.deepEqual(got.spec?.containers[0].ports, [
      { containerPort: 8080, protocol: "TCP", hostPort: 8080 },
      { containerPort: 53, protocol: "UDP", hostPort: 53 },
    ]);
    assert.deepEqual(got.spec?.initContainers?.[0].ports, [
      { containerPort: 9090, protocol: "TCP", hostPort: 9090 },
    ]);

    const noHostNetwork = defaulted({
      spec: { containers: [{ name: "c", image: "i:1", ports: [{ containerPort: 80 }] }] },
    });
    assert.deepEqual(noHostNetwork.spec?.containers[0].ports, [{ containerPort: 80, protocol: "TCP" }]);
  });

  it("defaults probes, their handlers and lifecycle HTTP hooks", () => {
    const got = defaulted({
      spec: {
        containers: [
          {
            name: "c",
            image: "i:1",
            livenessProbe: { httpGet: { port: 8080 } },
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5, timeoutSeconds: 0 },
            startupProbe: { grpc: { port: 9000 } },
            lifecycle: {
              preStop: { httpGet: { port: "http", path: "/stop" } },
              postStart: { exec: { command: ["x"] } },
            },
          },
        ],
      },
    });
    const c = got.spec?.containers[0];
    assert.deepEqual(c?.livenessProbe, {
      httpGet: { port: 8080, path: "/", scheme: "HTTP" },
      timeoutSeconds: 1,
      periodSeconds: 10,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(c?.readinessProbe, {
      tcpSocket: { port: 8080 },
      timeoutSeconds: 1,
      periodSeconds: 5,
      successThreshold: 1,
      failureThreshold: 3,
    });
    assert.deepEqual(c?.startupProbe?.grpc, { port: 9000, service: "" });
    assert.deepEqual(c?.lifecycle, {
      preStop: { httpGet: { port: "http", path: "/stop", scheme: "HTTP" } },
      postStart: { exec: { command: ["x"] } },
    });
  });

  it("defaults env fieldRef apiVersion in containers and downward API volumes", () => {
    const got = defaulted({
      spec: {
        containers: [
          {
            name: "c",
            image: "i:1",
            env: [
              { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName" } } },
              { name: "PLAIN", value: "x" },
            ],
          },
        ],
        volumes: [
          {
            name: "podinfo",
            downwardAPI: { items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels" } }] },
          },
        ],
      },
    });
    assert.deepEqual(got.spec?.containers[0].env, [
      { name: "NODE", valueFrom: { fieldRef: { fieldPath: "spec.nodeName", apiVersion: "v1" } } },
      { name: "PLAIN", value: "x" },
    ]);
    assert.deepEqual(got.spec?.volumes?.[0], {
      name: "podinfo",
      downwardAPI: {
        defaultMode: 420,
        items: [{ path: "labels", fieldRef: { fieldPath: "metadata.labels", apiVersion: "v1" } }],
      },
    });
  });

  it("defaults volumes: emptyDir for a sourceless volume, modes 0644, hostPath type, token expiry", () => {
    const got = defaulted({
      spec: {
        containers: [{ name: "c", image: "i:1" }],
        volumes: [
          { name: "scratch" },
          { name: "s", secret: { secretName: "s" } },
          { name: "cm", configMap: { name: "cm", defaultMode: 256 } },
          { name: "hp", hostPath: { path: "/var/log" } },
          {
            name: "proj",
            projected: {
              sources: [
                { serviceAccountToken: { path: "token" } },
                { downwardAPI: { items: [{ path: "ns", fieldRef: { fieldPath: "metadata.namespace" } }] } },
              ],
            },
          },
          { name: "pvc", persistentVolumeClaim: { claimName: "data" } },
          {
            name: "eph",
            ephemeral: {
              volumeClaimTemplate: {
                spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
              },
            },
          },
          { name: "rbd", rbd: { monitors: ["m"], image: "img" } },
          { name: "iscsi", iscsi: { targetPortal: "t", iqn: "q", lun: 0 } },
          { name: "az", azureDisk: { diskName: "d", diskURI: "u" } },
        ],
      },
    });
    assert.deepEqual(got.spec?.volumes, [
      { name: "scratch", emptyDir: {} },
      { name: "s", secret: { secretName: "s", defaultMode: 420 } },
      { name: "cm", configMap: { name: "cm", defaultMode: 256 } },
      { name: "hp", hostPath: { path: "/var/log", type: "" } },
      {
        name: "proj",
        projected: {
          defaultMode: 420,
          sources: [
            { serviceAccountToken: { path: "token", expirationSeconds: 3600 } },
            {
              downwardAPI: {
                items: [{ path: "ns", fieldRef: { fieldPath: "metadata.namespace", apiVersion: "v1" } }],
              },
            },
          ],
        },
      },
      { name: "pvc", persistentVolumeClaim: { claimName: "data" } },
      {
        name: "eph",
        ephemeral: {
          volumeClaimTemplate: {
            spec: {
              accessModes: ["ReadWriteOnce"],
              resources: { requests: { storage: "1Gi" } },
              volumeMode: "Filesystem",
            },
          },
        },
      },
      {
        name: "rbd",
        rbd: { monitors: ["m"], image: "img", pool: "rbd", user: "admin", keyring: "/etc/ceph/keyring" },
      },
      { name: "iscsi", iscsi: { targetPortal: "t", iqn: "q", lun: 0, iscsiInterface: "default" } },
      {
        name: "az",
        azureDisk: {
          diskName: "d",
          diskURI: "u",
          cachingMode: "ReadWrite",
          kind: "Shared",
          fsType: "ext4",
          readOnly: false,
        },
      },
    ]);
  });

  it("defaults ephemeral containers like containers", () => {
    const got = defaulted({
      spec: {
        containers: [{ name: "c", image: "i:1" }],
        ephemeralContainers: [{ name: "debugger", image: "busybox" }],
      },
    });
    assert.deepEqual(got.spec?.ephemeralContainers, [
      {
        name: "debugger",
        image: "busybox",
        imagePullPolicy: "Always",
        resources: {},
        terminationMessagePath: "/dev/termination-log",
        terminationMessagePolicy: "File",
      },
    ]);
  });

  it("does not touch status", () => {
    const got = defaulted({ spec: { containers: [] }, status: { phase: "Running" } });
    assert.deepEqual(got.status, { phase: "Running" });
  });
});
