// updateManagedFields takes shortcuts (createdFields for creates); this
// checks that it returns exactly what the general path (updateManagedFieldsSlow)
// returns, deep-equal and byte for byte, over varied objects and writes and over
// seeded random mutations of them (nulls, empty and changed-form values, list
// items repeated or without their key, odd map keys, managedFields sent by the
// client, subresource writes). Updates take one shortcut inside compare (the
// reset fields' unchanged values are not walked): compareTyped with and without
// it must give the same sets after excludeFields, or the same error.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { applySchemaFor, emptyObjectFor, resetFieldsFor } from "../../api/apply-schema.ts";
import type { GroupVersionKind } from "../../api/openapi.ts";
import { compareTyped, excludeFields } from "./compare.ts";
import { type FieldManagerOptions, updateManagedFields, updateManagedFieldsSlow } from "./field-manager.ts";
import { buildManagerIdentifier, type ManagedFieldsEntry } from "./managed-fields.ts";
import { deducedSchema } from "./schema.ts";
import type { JsonObject, JsonValue } from "./value.ts";

const clone = <T extends JsonValue>(v: T): T => structuredClone(v);
const t0 = new Date(Date.UTC(2025, 0, 2, 3, 4, 5));
const t1 = new Date(Date.UTC(2025, 0, 2, 3, 5, 6));

function gvkOf(obj: JsonObject): GroupVersionKind {
  const apiVersion = String(obj.apiVersion ?? "v1");
  const slash = apiVersion.indexOf("/");
  return {
    group: slash >= 0 ? apiVersion.slice(0, slash) : "",
    version: slash >= 0 ? apiVersion.slice(slash + 1) : apiVersion,
    kind: String(obj.kind ?? ""),
  };
}

// fieldManagerOptions (src/apiserver/handlers/rest.ts).
function opts(gvk: GroupVersionKind, manager: string, now: Date, subresource?: string): FieldManagerOptions {
  return {
    manager,
    apiVersion: gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`,
    kind: gvk.kind,
    subresource,
    now,
    schema: applySchemaFor(gvk),
    resetFields: resetFieldsFor(gvk, subresource),
    emptyObject: emptyObjectFor(gvk),
  };
}

type Outcome = { object: JsonValue } | { error: string };

function run(
  fn: typeof updateManagedFields,
  old: JsonObject | undefined,
  next: JsonObject,
  o: FieldManagerOptions,
) {
  const input = clone(next);
  let out: Outcome;
  try {
    out = { object: clone(fn(old && clone(old), next, o)) };
  } catch (e) {
    out = { error: String(e) };
  }
  assert.deepEqual(next, input, "the request body is not changed");
  return out;
}

let checked = 0;

/** Both paths give the same object (or the same error); returns the result. */
function same(old: JsonObject | undefined, next: JsonObject, o: FieldManagerOptions, what = ""): JsonValue {
  const fast = run(updateManagedFields, old, clone(next), o);
  const slow = run(updateManagedFieldsSlow, old, clone(next), o);
  assert.deepEqual(fast, slow, what);
  assert.equal(JSON.stringify(fast), JSON.stringify(slow), what);
  checked++;
  return "object" in fast ? fast.object : null;
}

// The Pod the apiserver holds after defaulting and admission (service-account
// token volume, default tolerations, priority), as created.
function admittedPod(): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "p-1", namespace: "default", labels: { app: "x" } },
    spec: {
      containers: [
        {
          name: "c",
          image: "k8ts.local/pause:3.10",
          resources: { requests: { cpu: "100m", memory: "500Mi" } },
          imagePullPolicy: "IfNotPresent",
          terminationMessagePath: "/dev/termination-log",
          terminationMessagePolicy: "File",
          volumeMounts: [
            {
              name: "kube-api-access-p9ng8",
              readOnly: true,
              mountPath: "/var/run/secrets/kubernetes.io/serviceaccount",
            },
          ],
        },
      ],
      enableServiceLinks: true,
      dnsPolicy: "ClusterFirst",
      restartPolicy: "Always",
      securityContext: {},
      terminationGracePeriodSeconds: 30,
      schedulerName: "default-scheduler",
      serviceAccountName: "default",
      serviceAccount: "default",
      volumes: [
        {
          name: "kube-api-access-p9ng8",
          projected: {
            sources: [
              { serviceAccountToken: { expirationSeconds: 3607, path: "token" } },
              { configMap: { name: "kube-root-ca.crt", items: [{ key: "ca.crt", path: "ca.crt" }] } },
              {
                downwardAPI: {
                  items: [
                    { path: "namespace", fieldRef: { apiVersion: "v1", fieldPath: "metadata.namespace" } },
                  ],
                },
              },
            ],
            defaultMode: 420,
          },
        },
      ],
      priority: 0,
      preemptionPolicy: "PreemptLowerPriority",
      tolerations: [
        {
          key: "node.kubernetes.io/not-ready",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
        {
          key: "node.kubernetes.io/unreachable",
          operator: "Exists",
          effect: "NoExecute",
          tolerationSeconds: 300,
        },
      ],
    },
    status: { phase: "Pending", qosClass: "Burstable" },
  };
}

// What the kubelet's status patch makes of a Pod's status.
function runningStatus(): JsonObject {
  const at = "2025-01-02T03:05:01Z";
  return {
    phase: "Running",
    conditions: ["Initialized", "Ready", "ContainersReady", "PodScheduled"].map((type) => ({
      type,
      status: "True",
      lastProbeTime: null,
      lastTransitionTime: at,
    })),
    hostIP: "10.0.0.2",
    hostIPs: [{ ip: "10.0.0.2" }],
    podIP: "10.244.1.7",
    podIPs: [{ ip: "10.244.1.7" }],
    startTime: at,
    containerStatuses: [
      {
        name: "c",
        state: { running: { startedAt: at } },
        lastState: {},
        ready: true,
        restartCount: 0,
        image: "k8ts.local/pause:3.10",
        imageID: "k8ts.local/pause@sha256:ee65",
        containerID: "containerd://4f1c",
        started: true,
      },
    ],
    qosClass: "Burstable",
  };
}

function deployment(): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "shop", labels: { app: "web" }, annotations: { note: "x" } },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        metadata: { labels: { app: "web" }, creationTimestamp: null },
        spec: {
          containers: [
            {
              name: "app",
              image: "example/app:1",
              args: ["--a", "--b", "--a"],
              ports: [
                { containerPort: 8080, name: "http", protocol: "TCP" },
                { containerPort: 53, protocol: "UDP" },
                { containerPort: 53, protocol: "TCP" },
              ],
              env: [
                { name: "A", value: "1" },
                { name: "B", valueFrom: { secretKeyRef: { name: "s", key: "b" } } },
              ],
              securityContext: { capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] } },
            },
            { name: "side", image: "example/side:1", resources: {} },
          ],
          volumes: [
            { name: "work", emptyDir: {} },
            { name: "cfg", configMap: { name: "cfg", items: [{ key: "a", path: "a" }] } },
          ],
          nodeSelector: null,
        },
      },
    },
    status: { replicas: 2, conditions: [{ type: "Available", status: "True" }] },
  };
}

function service(): JsonObject {
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "svc", namespace: "default", finalizers: ["a/b", "c/d"] },
    spec: {
      selector: { app: "web" },
      ports: [
        { name: "http", port: 80, targetPort: 8080, protocol: "TCP" },
        { name: "dns", port: 53, targetPort: "dns", protocol: "UDP" },
        { name: "dns-tcp", port: 53, protocol: "TCP" },
      ],
      clusterIP: "10.96.0.10",
      clusterIPs: ["10.96.0.10"],
      type: "ClusterIP",
      sessionAffinity: "None",
      ipFamilies: ["IPv4"],
    },
    status: { loadBalancer: {} },
  };
}

function configMap(): JsonObject {
  const data: JsonObject = {};
  // Keys in no particular order, integer-like ones, upper case, non-ASCII and astral ones.
  for (const k of ["zeta", "10", "9", "Alpha", "alpha", "_x", "a.b", "é", "😀", "\uff5e", "a-b", ""])
    data[k] = k;
  for (let i = 0; i < 60; i++) data[`key-${(i * 37) % 60}`] = `v${i}`;
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name: "cm", namespace: "default", labels: {}, annotations: null },
    data,
    binaryData: {},
  };
}

function widget(): JsonObject {
  return {
    apiVersion: "example.com/v1",
    kind: "Widget",
    metadata: { name: "w", namespace: "default" },
    spec: { size: 3, parts: [{ name: "a" }, { name: "b" }], options: { deep: { x: null } } },
    status: { ready: false },
  };
}

function role(): JsonObject {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "r", namespace: "default" },
    rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
  };
}

// The whole objects recorded in the golden results (apply steps).
function goldenObjects(): JsonObject[] {
  const golden = JSON.parse(
    readFileSync(join(import.meta.dirname, "testdata", "golden.json"), "utf8"),
  ) as Record<string, JsonValue[]>;
  const out: JsonObject[] = [];
  for (const steps of Object.values(golden)) {
    for (const step of steps) {
      if (step && typeof step === "object" && !Array.isArray(step) && typeof step.kind === "string") {
        const obj = clone(step);
        const md = obj.metadata as JsonObject;
        for (const k of ["managedFields", "uid", "resourceVersion", "creationTimestamp", "generation"])
          delete md[k];
        out.push(obj);
      }
    }
  }
  return out;
}

function corpus(): JsonObject[] {
  return [admittedPod(), deployment(), service(), configMap(), widget(), role(), ...goldenObjects()];
}

function persist(obj: JsonValue): JsonObject {
  const o = clone(obj) as JsonObject;
  const md = o.metadata;
  if (!md || typeof md !== "object" || Array.isArray(md)) return o;
  md.uid = "4b5e8c2e-0000-4000-8000-000000000001";
  md.resourceVersion = "100";
  md.creationTimestamp = "2025-01-02T03:04:05Z";
  return o;
}

// mulberry32: a small seeded generator, so failures reproduce.
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Container = JsonObject | JsonValue[];

function containers(v: JsonValue, out: Container[] = []): Container[] {
  if (v && typeof v === "object") {
    out.push(v);
    for (const x of Array.isArray(v) ? v : Object.values(v)) containers(x, out);
  }
  return out;
}

const oddKeys = ["😀", "10", "a.b", "", "Zed", "é", "name", "type"];
const oddValues: JsonValue[] = [
  null,
  {},
  [],
  "",
  0,
  1.5,
  true,
  "s",
  [1, 2],
  { name: "n" },
  [{ name: "a" }, { name: "a" }],
];

// One random change somewhere in obj (in place).
function mutate(obj: JsonObject, rnd: () => number): void {
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)];
  const c = pick(containers(obj));
  if (Array.isArray(c)) {
    if (c.length === 0) {
      c.push(clone(pick(oddValues)));
      return;
    }
    const i = Math.floor(rnd() * c.length);
    switch (Math.floor(rnd() * 5)) {
      case 0:
        c.push(clone(c[i])); // a repeated item
        return;
      case 1:
        c.splice(i, 1);
        return;
      case 2:
        c.reverse();
        return;
      case 3: {
        const item = c[i];
        if (item && typeof item === "object" && !Array.isArray(item)) delete item[pick(Object.keys(item))];
        return;
      }
      default:
        c[i] = clone(pick(oddValues));
        return;
    }
  }
  const keys = Object.keys(c);
  switch (Math.floor(rnd() * 4)) {
    case 0:
      if (keys.length > 0) delete c[pick(keys)];
      return;
    case 1:
      c[pick(oddKeys)] = clone(pick(oddValues));
      return;
    case 2: {
      // The same keys in reverse order.
      const entries = Object.entries(c).reverse();
      for (const k of keys) delete c[k];
      for (const [k, v] of entries) c[k] = v;
      return;
    }
    default:
      if (keys.length > 0) c[pick(keys)] = clone(pick(oddValues));
  }
}

/** compareTyped, then excludeFields, with and without skipping what is excluded: same sets or same error. */
function sameComparison(old: JsonObject, next: JsonObject, gvk: GroupVersionKind, subresource?: string) {
  const typed = applySchemaFor(gvk) ?? deducedSchema;
  const reset = resetFieldsFor(gvk, subresource);
  const attempt = (excluded: typeof reset) => {
    try {
      const c = excludeFields(compareTyped(typed.schema, typed.root, old, next, excluded), reset);
      return { added: c.added.toString(), modified: c.modified.toString(), removed: c.removed.toString() };
    } catch (e) {
      return { error: String(e) };
    }
  };
  assert.deepEqual(attempt(reset), attempt(undefined), `${gvk.kind} ${subresource ?? ""}`);
  checked++;
}

describe("updateManagedFields gives what the general path gives", () => {
  it("creates of the corpus, for the main resource and for status", () => {
    for (const obj of corpus()) {
      const gvk = gvkOf(obj);
      same(undefined, obj, opts(gvk, "kubectl-create", t0), `${gvk.kind} create`);
      same(undefined, obj, opts(gvk, "", t0), `${gvk.kind} create, no manager`);
      same(undefined, obj, opts(gvk, "kubelet", t0, "status"), `${gvk.kind} create through status`);
      same(undefined, obj, {
        ...opts(gvk, "m", t0),
        schema: undefined,
        emptyObject: undefined,
        apiVersion: "",
      });
    }
  });

  it("the admitted Pod's create owns what upstream's create owns", () => {
    const out = same(undefined, admittedPod(), opts(gvkOf(admittedPod()), "k8ts-client", t0)) as JsonObject;
    const [entry] = (out.metadata as JsonObject).managedFields as JsonObject[];
    assert.deepEqual(Object.keys(entry), [
      "manager",
      "operation",
      "apiVersion",
      "time",
      "fieldsType",
      "fieldsV1",
    ]);
    assert.equal(entry.time, "2025-01-02T03:04:05Z");
    const fields = entry.fieldsV1 as JsonObject;
    assert.deepEqual(Object.keys(fields), ["f:metadata", "f:spec"]);
    assert.deepEqual(fields["f:metadata"], { "f:labels": { "f:app": {}, ".": {} } });
    const spec = fields["f:spec"] as JsonObject;
    assert.deepEqual(Object.keys(spec), [
      "f:containers",
      "f:dnsPolicy",
      "f:enableServiceLinks",
      "f:preemptionPolicy",
      "f:priority",
      "f:restartPolicy",
      "f:schedulerName",
      "f:securityContext",
      "f:serviceAccount",
      "f:serviceAccountName",
      "f:terminationGracePeriodSeconds",
      "f:tolerations",
      "f:volumes",
    ]);
    // containers is null in the empty Pod, so only its items are owned; tolerations is atomic.
    assert.equal(Object.keys(spec["f:containers"] as JsonObject).join(), 'k:{"name":"c"}');
    assert.deepEqual(spec["f:tolerations"], {});
  });

  it("creates that bring managedFields of their own, or an invalid clock", () => {
    const pod = admittedPod();
    const created = same(undefined, pod, opts(gvkOf(pod), "a", t0)) as JsonObject;
    const sent = (created.metadata as JsonObject).managedFields as JsonValue;
    const garbage: JsonValue[] = [[], [{}], "x", [{ manager: "m" }], sent, null, [{ operation: "Update" }]];
    for (const managedFields of garbage) {
      const next = clone(pod);
      (next.metadata as JsonObject).managedFields = managedFields;
      same(undefined, next, opts(gvkOf(pod), "b", t1), JSON.stringify(managedFields));
      same(undefined, next, opts(gvkOf(pod), "b", t1, "status"), JSON.stringify(managedFields));
    }
    same(undefined, pod, { ...opts(gvkOf(pod), "a", t0), now: new Date(Number.NaN) });
    same(
      undefined,
      { ...pod, metadata: { ...(pod.metadata as JsonObject), uid: "u" } },
      opts(gvkOf(pod), "a", t0),
    );
    same(undefined, { apiVersion: "v1", kind: "Pod" }, opts(gvkOf(pod), "a", t0));
  });

  it("creates against empty objects with values in them, and values compare takes specially", () => {
    const dep = deployment();
    const spec = dep.spec as JsonObject;
    // selector is null in the empty Deployment: {} modifies it (a leaf), {"matchLabels":{}} adds below it.
    for (const selector of [{}, { matchLabels: {} }, null, [], "x"] as JsonValue[]) {
      same(
        undefined,
        { ...dep, spec: { ...spec, selector } },
        opts(gvkOf(dep), "m", t0),
        JSON.stringify(selector),
      );
    }
    // Key values that print alike ([] and [{}]) are one item to compare, though their FieldsV1 keys differ.
    const pod = admittedPod();
    const podSpec = pod.spec as JsonObject;
    for (const names of [
      [[], [{}]],
      [
        { a: 1, b: 2 },
        { b: 2, a: 1 },
      ],
      ["c", "c"],
      [1, "1"],
      [null, "x"],
    ]) {
      const containers = names.map((name) => ({ name, image: "i" }) as JsonValue);
      same(
        undefined,
        { ...pod, spec: { ...podSpec, containers } },
        opts(gvkOf(pod), "m", t0),
        JSON.stringify(names),
      );
    }
    const empties: JsonObject[] = [
      {
        metadata: { finalizers: ["a"], labels: { app: "x" } },
        spec: { containers: [{ name: "c", image: "old" }] },
      },
      {
        metadata: { creationTimestamp: null },
        spec: { restartPolicy: "Always", securityContext: {} },
        status: {},
      },
      { metadata: { labels: null }, spec: { securityContext: null, nodeSelector: null, volumes: [] } },
      { metadata: "x", spec: [] },
      { metadata: { managedFields: [{ manager: "x" }] } },
    ];
    for (const emptyObject of empties) {
      for (const schema of [applySchemaFor(gvkOf(pod)), undefined]) {
        same(
          undefined,
          pod,
          { ...opts(gvkOf(pod), "m", t0), emptyObject, schema },
          JSON.stringify(emptyObject),
        );
      }
    }
  });

  it("status writes whose spec differs from the stored one only where compare would fail", () => {
    const pod = admittedPod();
    const gvk = gvkOf(pod);
    const stored = persist(same(undefined, pod, opts(gvk, "creator", t0)));
    const variants: [string, JsonValue][] = [
      ["volumes", [{ emptyDir: {} }]],
      ["volumes", [{ name: "v", emptyDir: {} }, { emptyDir: {} }]],
      ["extra", { a: [1] }],
      ["initContainers", [{ image: "x" }]],
      ["priority", "high"],
    ];
    for (const [key, value] of variants) {
      const next = clone(stored);
      (next.spec as JsonObject)[key] = value;
      next.status = runningStatus();
      const removed = clone(next);
      delete (removed.spec as JsonObject).volumes;
      for (const [a, b] of [
        [stored, next],
        [next, stored],
        [next, removed],
      ]) {
        for (const subresource of ["status", undefined]) {
          sameComparison(a, b, gvk, subresource);
          same(a, b, opts(gvk, "kubelet", t1, subresource), `${key} ${subresource}`);
        }
      }
    }
  });

  it("manager identifiers are the JSON of the identifying fields, as before", () => {
    const reference = (e: Record<string, JsonValue | undefined>) => {
      const id: Record<string, JsonValue | undefined> = {};
      if (e.manager) id.manager = e.manager;
      if (e.operation) id.operation = e.operation;
      if (e.apiVersion && e.operation !== "Apply") id.apiVersion = e.apiVersion;
      if (e.subresource) id.subresource = e.subresource;
      return JSON.stringify(id);
    };
    const values: (JsonValue | undefined)[] = [
      undefined,
      "",
      "kubectl",
      'é\u2028<>&"\\',
      "\ud800",
      0,
      5,
      true,
      null,
      [1],
    ];
    for (const manager of values)
      for (const operation of [...values, "Apply", "Update"])
        for (const apiVersion of values)
          for (const subresource of values) {
            const e = { manager, operation, apiVersion, subresource };
            assert.equal(buildManagerIdentifier(e as ManagedFieldsEntry), reference(e));
          }
  });

  it("updates of the corpus: the main resource, status (the kubelet's), and a second manager", () => {
    for (const obj of corpus()) {
      const gvk = gvkOf(obj);
      const stored = persist(same(undefined, obj, opts(gvk, "creator", t0)));
      const changed = clone(stored);
      changed.status = gvk.kind === "Pod" ? runningStatus() : { observedGeneration: 1 };
      same(stored, changed, opts(gvk, "kubelet", t1, "status"), `${gvk.kind} status`);
      same(stored, changed, opts(gvk, "editor", t1), `${gvk.kind} update`);
      const relabelled = clone(stored);
      (relabelled.metadata as JsonObject).labels = { app: "other", extra: "1" };
      same(stored, relabelled, opts(gvk, "kubectl-label", t1), `${gvk.kind} relabel`);
      same(stored, relabelled, opts(gvk, "kubectl-label", t1, "status"), `${gvk.kind} relabel via status`);
    }
  });

  it("seeded random mutations: creates, and updates from the unmutated object", () => {
    const rnd = random(20250102);
    const base = corpus();
    for (let round = 0; round < 40; round++) {
      for (const obj of base) {
        const gvk = gvkOf(obj);
        const next = clone(obj);
        const n = 1 + Math.floor(rnd() * 3);
        for (let i = 0; i < n; i++) mutate(next, rnd);
        const what = `${gvk.kind} round ${round}: ${JSON.stringify(next)}`;
        same(undefined, next, opts(gvk, "creator", t0), what);
        same(undefined, next, opts(gvk, "kubelet", t0, "status"), what);
        const stored = persist(same(undefined, obj, opts(gvk, "creator", t0)));
        const md = next.metadata;
        if (md && typeof md === "object" && !Array.isArray(md)) {
          md.managedFields = (stored.metadata as JsonObject).managedFields;
        }
        same(stored, next, opts(gvk, "editor", t1), what);
        same(stored, next, opts(gvk, "kubelet", t1, "status"), what);
      }
    }
    assert.ok(checked > 1000);
  });

  it("seeded random mutations of stored objects, then a status write: compare skips the unchanged reset fields", () => {
    const rnd = random(7);
    for (let round = 0; round < 60; round++) {
      for (const obj of corpus()) {
        const gvk = gvkOf(obj);
        const stored = clone(obj);
        const n = 1 + Math.floor(rnd() * 3);
        for (let i = 0; i < n; i++) mutate(stored, rnd);
        const next = clone(stored);
        next.status = gvk.kind === "Pod" ? runningStatus() : { observedGeneration: round };
        if (round % 3 === 0) mutate(next, rnd);
        for (const subresource of [undefined, "status"]) {
          sameComparison(stored, next, gvk, subresource);
          const created = same(undefined, stored, opts(gvk, "creator", t0));
          same(persist(created ?? stored), next, opts(gvk, "kubelet", t1, subresource));
        }
      }
    }
  });
});
