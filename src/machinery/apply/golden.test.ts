// The results of updateManagedFields and apply on varied objects and write
// sequences, checked against golden outputs recorded from the original,
// unoptimised port (the straight transcription of structured-merge-diff's
// walks, commit 4a6f9d8). Any change in ownership, FieldsV1 bytes, key order
// of applied objects or error text fails here.
//
// To re-record after a deliberate change of behaviour (then format the file
// with biome):
//   GOLDEN_WRITE=1 node --import tsx --test src/machinery/apply/golden.test.ts

import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { applySchemaFor, emptyObjectFor, resetFieldsFor } from "../../api/apply-schema.ts";
import type { GroupVersionKind } from "../../api/openapi.ts";
import { apply, type FieldManagerOptions, updateManagedFields } from "./field-manager.ts";
import type { JsonObject, JsonValue } from "./value.ts";

const goldenFile = join(import.meta.dirname, "testdata", "golden.json");
const writing = process.env.GOLDEN_WRITE === "1";
const golden: Record<string, JsonValue[]> = writing
  ? {}
  : (JSON.parse(readFileSync(goldenFile, "utf8")) as Record<string, JsonValue[]>);

after(() => {
  if (writing) writeFileSync(goldenFile, `${JSON.stringify(golden, null, 2)}\n`);
});

const pod: GroupVersionKind = { group: "", version: "v1", kind: "Pod" };
const service: GroupVersionKind = { group: "", version: "v1", kind: "Service" };
const configMap: GroupVersionKind = { group: "", version: "v1", kind: "ConfigMap" };
const deployment: GroupVersionKind = { group: "apps", version: "v1", kind: "Deployment" };
const widget: GroupVersionKind = { group: "example.com", version: "v1", kind: "Widget" };

const minute = (m: number) => new Date(Date.UTC(2025, 0, 2, 3, m, 7));

// fieldManagerOptions (src/apiserver/handlers/rest.ts).
function opts(gvk: GroupVersionKind, manager: string, m: number, subresource?: string): FieldManagerOptions {
  return {
    manager,
    apiVersion: gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`,
    kind: gvk.kind,
    subresource,
    now: minute(m),
    schema: applySchemaFor(gvk),
    resetFields: resetFieldsFor(gvk, subresource),
    emptyObject: emptyObjectFor(gvk),
  };
}

function persist(obj: JsonObject, n: number): JsonObject {
  const md = obj.metadata as JsonObject;
  md.uid ??= `00000000-0000-4000-8000-00000000000${n}`;
  md.creationTimestamp ??= "2025-01-02T03:00:00Z";
  md.resourceVersion = String(100 + n);
  return obj;
}

const clone = <T extends JsonValue>(v: T): T => structuredClone(v);
const at = (obj: JsonValue, ...path: (string | number)[]): JsonObject => {
  let v = obj;
  for (const p of path) v = (v as Record<string | number, JsonValue>)[p];
  return v as JsonObject;
};

// Records (or checks) each step's result: the object for apply, managedFields
// and the untouched rest for updates, or the error text.
class Recorder {
  private readonly results: JsonValue[] = [];
  constructor(private readonly name: string) {}

  update(old: JsonObject | undefined, next: JsonObject, o: FieldManagerOptions): JsonObject {
    const input = clone(next);
    const out = updateManagedFields(old, next, o);
    assert.deepEqual(next, input, "the request body is not changed");
    const { managedFields, ...rest } = out.metadata as JsonObject;
    const { managedFields: _sent, ...inputMeta } = input.metadata as JsonObject;
    assert.deepEqual({ ...out, metadata: rest }, { ...input, metadata: inputMeta });
    this.record(managedFields ?? null);
    return out;
  }

  apply(live: JsonObject | undefined, config: JsonObject, o: FieldManagerOptions & { force?: boolean }) {
    let object: JsonObject;
    try {
      object = apply(live, config, { name: String(at(config, "metadata").name), ...o }).object;
    } catch (e) {
      this.record({ error: (e as Error).message, status: JSON.parse(JSON.stringify(e)) });
      return undefined;
    }
    this.record(object);
    return object;
  }

  private record(v: JsonValue): void {
    const i = this.results.length;
    this.results.push(clone(v));
    if (writing) golden[this.name] = this.results;
    else assert.deepEqual(v, golden[this.name]?.[i], `${this.name}: step ${i}`);
    // Byte order matters too: FieldsV1 keys and object keys are written in insertion order.
    if (!writing) assert.equal(JSON.stringify(v), JSON.stringify(golden[this.name]?.[i]));
  }
}

function benchPod(): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p", namespace: "default", labels: { app: "bench", tier: "web" } },
    spec: {
      containers: [
        {
          name: "app",
          image: "k8ts.local/busybox:latest",
          command: ["sh", "-c", "httpd -f -p 8080"],
          ports: [{ containerPort: 8080, name: "http", protocol: "TCP" }],
          env: [
            { name: "MODE", value: "bench" },
            { name: "POD_NAME", valueFrom: { fieldRef: { fieldPath: "metadata.name", apiVersion: "v1" } } },
          ],
          resources: { requests: { cpu: "100m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
          readinessProbe: {
            httpGet: { path: "/", port: 8080, scheme: "HTTP" },
            periodSeconds: 5,
            timeoutSeconds: 1,
            successThreshold: 1,
            failureThreshold: 3,
          },
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          imagePullPolicy: "Always",
        },
      ],
      restartPolicy: "Always",
      terminationGracePeriodSeconds: 30,
      dnsPolicy: "ClusterFirst",
      nodeSelector: { "kubernetes.io/os": "linux" },
      securityContext: {},
      schedulerName: "default-scheduler",
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
      enableServiceLinks: true,
      preemptionPolicy: "PreemptLowerPriority",
      priority: 0,
    },
    status: {},
  };
}

// A defaulted Deployment with init and three containers, ports of two
// protocols, several kinds of volume, affinity and tolerations.
function bigDeployment(): JsonObject {
  const port = (containerPort: number, name?: string, protocol = "TCP"): JsonObject =>
    name ? { containerPort, name, protocol } : { containerPort, protocol };
  const common = {
    terminationMessagePath: "/dev/termination-log",
    terminationMessagePolicy: "File",
  };
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "shop",
      labels: { app: "web", team: "a" },
      annotations: { note: "x" },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" }, creationTimestamp: null },
        spec: {
          initContainers: [
            {
              name: "init",
              image: "busybox",
              command: ["sh", "-c", "true"],
              volumeMounts: [{ name: "work", mountPath: "/work" }],
              imagePullPolicy: "Always",
              ...common,
              resources: {},
            },
          ],
          containers: [
            {
              name: "app",
              image: "example/app:1",
              ports: [port(8080, "http"), port(8443, "https"), port(53, "dns", "UDP")],
              env: [
                { name: "A", value: "1" },
                { name: "B", valueFrom: { secretKeyRef: { name: "s", key: "b" } } },
              ],
              volumeMounts: [
                { name: "config", mountPath: "/etc/app" },
                { name: "work", mountPath: "/work" },
              ],
              resources: { requests: { cpu: "100m" } },
              livenessProbe: {
                tcpSocket: { port: "http" },
                timeoutSeconds: 1,
                periodSeconds: 10,
                successThreshold: 1,
                failureThreshold: 3,
              },
              imagePullPolicy: "IfNotPresent",
              ...common,
            },
            {
              name: "sidecar",
              image: "example/sidecar:2",
              args: ["--verbose"],
              volumeMounts: [{ name: "data", mountPath: "/data", readOnly: true }],
              securityContext: { runAsNonRoot: true, capabilities: { drop: ["ALL"] } },
              imagePullPolicy: "IfNotPresent",
              ...common,
              resources: {},
            },
            {
              name: "metrics",
              image: "example/metrics",
              ports: [port(9090)],
              imagePullPolicy: "Always",
              ...common,
              resources: {},
            },
          ],
          volumes: [
            {
              name: "config",
              configMap: { name: "app-config", items: [{ key: "a", path: "a.conf" }], defaultMode: 420 },
            },
            { name: "secret", secret: { secretName: "app-secret", defaultMode: 420 } },
            { name: "work", emptyDir: {} },
            { name: "data", persistentVolumeClaim: { claimName: "data" } },
          ],
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: 100,
                  podAffinityTerm: {
                    topologyKey: "kubernetes.io/hostname",
                    labelSelector: { matchLabels: { app: "web" } },
                  },
                },
              ],
            },
          },
          imagePullSecrets: [{ name: "regcred" }],
          tolerations: [{ key: "k", operator: "Equal", value: "v", effect: "NoSchedule" }],
          dnsPolicy: "ClusterFirst",
          restartPolicy: "Always",
          securityContext: {},
          terminationGracePeriodSeconds: 30,
          schedulerName: "default-scheduler",
        },
      },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
  };
}

function webService(): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
    spec: {
      selector: { app: "web" },
      ports: [
        { name: "http", port: 80, targetPort: "http", protocol: "TCP" },
        { name: "dns", port: 53, protocol: "UDP", targetPort: 53 },
        { name: "dns-tcp", port: 53, protocol: "TCP", targetPort: 53 },
      ],
      clusterIP: "10.96.0.20",
      clusterIPs: ["10.96.0.20"],
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
      sessionAffinity: "None",
      type: "ClusterIP",
      internalTrafficPolicy: "Cluster",
    },
    status: { loadBalancer: {} },
  };
}

describe("golden results of the original port", () => {
  it("Pod create (the benchmark's body), then status through the main resource and the status subresource", () => {
    const r = new Recorder("pod");
    const created = persist(r.update(undefined, benchPod(), opts(pod, "kubectl-create", 0)), 1);
    const bound = clone(created);
    at(bound, "spec").nodeName = "node-1";
    at(bound, "status").phase = "Pending";
    const b = persist(r.update(created, bound, opts(pod, "kube-scheduler", 1)), 2);
    const running = clone(b);
    running.status = {
      phase: "Running",
      conditions: [
        { type: "Ready", status: "True", lastProbeTime: null, lastTransitionTime: "2025-01-02T03:02:00Z" },
        {
          type: "PodScheduled",
          status: "True",
          lastProbeTime: null,
          lastTransitionTime: "2025-01-02T03:01:00Z",
        },
      ],
      podIP: "10.244.0.5",
      podIPs: [{ ip: "10.244.0.5" }],
      containerStatuses: [
        { name: "app", ready: true, restartCount: 0, image: "busybox", imageID: "", state: {} },
      ],
    };
    at(running, "metadata").labels = { app: "bench", tier: "web", extra: "status-writes-cannot-set-me" };
    r.update(b, running, opts(pod, "kubelet", 2, "status"));
  });

  it("Pod with finalizers (a set) and a second manager removing one", () => {
    const r = new Recorder("pod-finalizers");
    const p = benchPod();
    at(p, "metadata").finalizers = ["example.com/a", "example.com/b", "example.com/c"];
    const created = persist(r.update(undefined, p, opts(pod, "kubectl-create", 0)), 1);
    const next = clone(created);
    at(next, "metadata").finalizers = ["example.com/a", "example.com/c", "example.com/d"];
    r.update(created, next, opts(pod, "finalizer-controller", 1));
  });

  it("Deployment with several containers and volumes: create, updates removing fields, a second manager", () => {
    const r = new Recorder("deployment");
    const d0 = persist(r.update(undefined, bigDeployment(), opts(deployment, "kubectl-create", 0)), 1);
    // kubectl edit: drops a container, a volume, a label and a port; adds an annotation.
    const edited = clone(d0);
    const spec = at(edited, "spec", "template", "spec");
    spec.containers = (spec.containers as JsonObject[]).filter((c) => c.name !== "sidecar");
    spec.volumes = (spec.volumes as JsonObject[]).filter((v) => v.name !== "data");
    delete at(edited, "metadata", "labels").team;
    at(edited, "metadata", "annotations")["example.com/edited"] = "yes";
    const app = at(spec, "containers", 0);
    app.ports = (app.ports as JsonObject[]).slice(0, 2);
    app.image = "example/app:2";
    const d1 = persist(r.update(d0, edited, opts(deployment, "kubectl-edit", 1)), 2);
    // A second manager scales it and sets an annotation; status is reset on the main resource.
    const scaled = clone(d1);
    at(scaled, "spec").replicas = 5;
    at(scaled, "metadata", "annotations")["deployment.kubernetes.io/revision"] = "2";
    scaled.status = { replicas: 5 };
    const d2 = persist(r.update(d1, scaled, opts(deployment, "kube-controller-manager", 2)), 3);
    // Status through the subresource: spec and labels are reset there.
    const status = clone(d2);
    status.status = {
      observedGeneration: 2,
      replicas: 5,
      updatedReplicas: 5,
      conditions: [
        { type: "Available", status: "True", reason: "MinimumReplicasAvailable" },
        { type: "Progressing", status: "True", reason: "NewReplicaSetAvailable" },
      ],
    };
    at(status, "spec").replicas = 7;
    const d3 = persist(r.update(d2, status, opts(deployment, "kube-controller-manager", 3, "status")), 4);
    // The first manager again: its new fields join its entry; a field another owns moves to it.
    const again = clone(d3);
    at(again, "spec").replicas = 2;
    at(again, "spec", "template", "spec", "containers", 0).image = "example/app:3";
    at(again, "spec", "template", "spec").hostNetwork = true;
    const d4 = persist(r.update(d3, again, opts(deployment, "kubectl-create", 4)), 5);
    // Nothing changes: managedFields stay as they are.
    r.update(d4, clone(d4), opts(deployment, "kubectl-edit", 5));
    // The client resets managedFields, then sends garbage (the stored ones are kept).
    const reset = clone(d4);
    at(reset, "metadata").managedFields = [];
    r.update(d4, reset, opts(deployment, "kubectl-edit", 6));
    const garbage = clone(d4);
    at(garbage, "metadata").managedFields = [{ manager: "x", operation: "Bogus" }];
    at(garbage, "spec").paused = true;
    r.update(d4, garbage, opts(deployment, "kubectl-edit", 7));
  });

  it("Service: create, then another manager adds a port and changes the selector", () => {
    const r = new Recorder("service");
    const s0 = persist(r.update(undefined, webService(), opts(service, "kubectl-create", 0)), 1);
    const next = clone(s0);
    (at(next, "spec").ports as JsonObject[]).push({
      name: "metrics",
      port: 9090,
      protocol: "TCP",
      targetPort: 9090,
    });
    at(next, "spec").selector = { app: "web", track: "stable" };
    at(next, "spec", "ports", 1).targetPort = 5353;
    r.update(s0, next, opts(service, "kubectl-edit", 1));
  });

  it("ConfigMap: create, then a second manager removes a key and adds another", () => {
    const r = new Recorder("configmap");
    const cm: JsonObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: "default", labels: { a: "1" }, annotations: { b: "2" } },
      data: { "a.conf": "x=1\n", "b.conf": "y=2\n", "": "empty key" },
      binaryData: { "c.bin": "AAEC" },
      immutable: false,
    };
    const c0 = persist(r.update(undefined, cm, opts(configMap, "kubectl-create", 0)), 1);
    const next = clone(c0);
    delete at(next, "data")["a.conf"];
    at(next, "data")["d.conf"] = "z=3\n";
    delete next.binaryData;
    r.update(c0, next, opts(configMap, "kubectl-edit", 1));
  });

  it("more than 10 updaters: the oldest are merged into ancient-changes", () => {
    const r = new Recorder("ancient-changes");
    const cm: JsonObject = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "cfg", namespace: "default", labels: { a: "1" } },
      data: { k: "v" },
    };
    let obj = persist(r.update(undefined, cm, opts(configMap, "m0", 0)), 1);
    for (let i = 1; i <= 11; i++) {
      const next = clone(obj);
      at(next, "metadata", "labels")[`k${i}`] = "v";
      obj = persist(r.update(obj, next, opts(configMap, `m${i}`, i)), i + 1);
    }
  });

  it("server-side apply: create, conflicts, force, pruning what the applier dropped, then an update", () => {
    const r = new Recorder("apply");
    const config = (image: string, replicas?: number, labels: Record<string, string> = { app: "web" }) => {
      const d = bigDeployment();
      delete at(d, "spec").strategy;
      delete at(d, "spec").revisionHistoryLimit;
      delete at(d, "spec").progressDeadlineSeconds;
      if (replicas === undefined) delete at(d, "spec").replicas;
      else at(d, "spec").replicas = replicas;
      at(d, "metadata").labels = labels;
      at(d, "spec", "template", "spec", "containers", 0).image = image;
      return d;
    };
    const a0 = persist(r.apply(undefined, config("example/app:1", 2), opts(deployment, "kubectl", 0))!, 1);
    const a1 = persist(
      r.apply(a0, config("example/app:1", 3, { app: "web", extra: "1" }), opts(deployment, "kubectl", 1))!,
      2,
    );
    // Another applier sets replicas and the image: conflicts, then forced.
    const other: JsonObject = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "web", namespace: "shop" },
      spec: {
        replicas: 4,
        template: { spec: { containers: [{ name: "app", image: "example/app:9" }] } },
      },
    };
    r.apply(a1, other, opts(deployment, "helm", 2));
    const a3 = persist(r.apply(a1, other, { ...opts(deployment, "helm", 3), force: true })!, 3);
    // The first applier drops a container, a volume and a label, and no longer sets replicas.
    const smaller = config("example/app:9", undefined, { app: "web" });
    const spec = at(smaller, "spec", "template", "spec");
    spec.containers = (spec.containers as JsonObject[]).filter((c) => c.name !== "metrics");
    spec.volumes = (spec.volumes as JsonObject[]).filter((v) => v.name !== "secret");
    const a4 = persist(r.apply(a3, smaller, opts(deployment, "kubectl", 4))!, 4);
    const labelled = clone(a4);
    at(labelled, "metadata", "labels").tier = "api";
    r.update(a4, labelled, opts(deployment, "kubectl-label", 5));
    // A body that does not fit the schema.
    const bad = config("example/app:1");
    at(bad, "spec").replicas = "three";
    r.apply(a4, bad, opts(deployment, "kubectl", 6));
  });

  it("kubectl's first server-side apply takes over what its client-side apply set", () => {
    const r = new Recorder("last-applied");
    const svc = webService();
    const lastApplied = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "shop", labels: { app: "web" } },
      spec: { selector: { app: "web" }, ports: [{ name: "http", port: 80, targetPort: "http" }] },
    };
    at(svc, "metadata").annotations = {
      "kubectl.kubernetes.io/last-applied-configuration": `${JSON.stringify(lastApplied)}\n`,
    };
    const s0 = persist(r.update(undefined, svc, opts(service, "kubectl-client-side-apply", 0)), 1);
    const config: JsonObject = {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "shop", labels: { app: "web", tier: "edge" } },
      spec: { selector: { app: "web2" }, ports: [{ name: "http", port: 80, targetPort: "web" }] },
    };
    r.apply(s0, config, opts(service, "kubectl", 1));
  });

  it("a kind without a schema is deduced: maps granular, lists atomic", () => {
    const r = new Recorder("deduced");
    const w: JsonObject = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w", namespace: "default", labels: { a: "b" } },
      spec: { size: 3, parts: [{ name: "x" }, { name: "y" }], nested: { deep: { value: true }, empty: {} } },
      status: { ready: false },
    };
    const o: FieldManagerOptions = {
      manager: "kubectl-create",
      apiVersion: "example.com/v1",
      kind: "Widget",
      now: minute(0),
    };
    const w0 = persist(r.update(undefined, w, o), 1);
    const next = clone(w0);
    at(next, "spec").parts = [{ name: "x" }];
    delete at(next, "spec", "nested").deep;
    at(next, "spec").color = "blue";
    const w1 = persist(r.update(w0, next, { ...o, manager: "widget-controller", now: minute(1) }), 2);
    const config: JsonObject = {
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: { size: 4, parts: [{ name: "z" }], nested: { other: 1 } },
    };
    r.apply(w1, config, { ...o, manager: "applier", now: minute(2) });
    r.apply(w1, config, { ...o, manager: "applier", now: minute(2), force: true });
    assert.equal(applySchemaFor(widget), undefined);
  });
});
