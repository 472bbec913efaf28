import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { applySchemaFor, emptyObjectFor } from "../../api/apply-schema.ts";
import { StatusError } from "../status.ts";
import {
  type ApplyOptions,
  apply,
  LastAppliedConfigAnnotation,
  managerFromUserAgent,
  type UpdateOptions,
  updateManagedFields,
} from "./field-manager.ts";
import { FieldSet } from "./field-set.ts";
import type { ManagedFieldsEntry } from "./managed-fields.ts";
import { fieldPath } from "./path-element.ts";
import type { JsonObject } from "./value.ts";

const gvk = { group: "apps", version: "v1", kind: "Deployment" };
const schema = applySchemaFor(gvk)!;
const t0 = new Date("2025-01-02T03:04:05.678Z");
const t1 = new Date("2025-01-02T03:05:00Z");
const t2 = new Date("2025-01-02T03:06:00Z");

function opts(manager: string, now: Date, extra: Partial<ApplyOptions> = {}): ApplyOptions {
  return {
    manager,
    apiVersion: "apps/v1",
    kind: "Deployment",
    now,
    schema,
    emptyObject: emptyObjectFor(gvk),
    ...extra,
  };
}

function entries(obj: JsonObject): ManagedFieldsEntry[] {
  return ((obj.metadata as JsonObject).managedFields ?? []) as unknown as ManagedFieldsEntry[];
}

function statusOf(f: () => unknown): StatusError {
  try {
    f();
  } catch (e) {
    if (e instanceof StatusError) return e;
    throw e;
  }
  assert.fail("expected a StatusError");
}

// What the apiserver stores for `kubectl create deployment nginx --image=nginx`
// after defaulting (and PrepareForCreate), as the Go type serialises it.
function createdDeployment(): JsonObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "nginx",
      namespace: "default",
      uid: "4b5e8c2e-0000-4000-8000-000000000001",
      resourceVersion: "100",
      generation: 1,
      creationTimestamp: "2025-01-02T03:04:05Z",
      labels: { app: "nginx" },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: "nginx" } },
      template: {
        metadata: { creationTimestamp: null, labels: { app: "nginx" } },
        spec: {
          containers: [
            {
              name: "nginx",
              image: "nginx",
              resources: {},
              terminationMessagePath: "/dev/termination-log",
              terminationMessagePolicy: "File",
              imagePullPolicy: "Always",
            },
          ],
          restartPolicy: "Always",
          terminationGracePeriodSeconds: 30,
          dnsPolicy: "ClusterFirst",
          securityContext: {},
          schedulerName: "default-scheduler",
        },
      },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: "25%", maxSurge: "25%" } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
}

function applied(labels: Record<string, string>, replicas?: number, image = "nginx:1.27"): JsonObject {
  const spec: JsonObject = {
    selector: { matchLabels: { app: "nginx" } },
    template: {
      metadata: { labels: { app: "nginx" } },
      spec: { containers: [{ name: "nginx", image, ports: [{ containerPort: 80 }] }] },
    },
  };
  if (replicas !== undefined) spec.replicas = replicas;
  return { apiVersion: "apps/v1", kind: "Deployment", metadata: { name: "nginx", labels }, spec };
}

// The stored object after a write: the apiserver sets these on create.
function persist(obj: JsonObject): JsonObject {
  const md = obj.metadata as JsonObject;
  md.uid ??= "4b5e8c2e-0000-4000-8000-000000000002";
  md.namespace ??= "default";
  return obj;
}

describe("managedFields on create and update", () => {
  it("(c) kubectl create: one Update entry with the full field set of what was stored", () => {
    const out = updateManagedFields(undefined, createdDeployment(), opts("kubectl-create", t0));
    // What kube-apiserver v1.32 reports for this object.
    assert.deepEqual(entries(out), [
      {
        manager: "kubectl-create",
        operation: "Update",
        apiVersion: "apps/v1",
        time: "2025-01-02T03:04:05Z",
        fieldsType: "FieldsV1",
        fieldsV1: {
          "f:metadata": { "f:labels": { "f:app": {}, ".": {} } },
          "f:spec": {
            "f:progressDeadlineSeconds": {},
            "f:replicas": {},
            "f:revisionHistoryLimit": {},
            "f:selector": {},
            "f:strategy": {
              "f:rollingUpdate": { "f:maxSurge": {}, "f:maxUnavailable": {}, ".": {} },
              "f:type": {},
            },
            "f:template": {
              "f:metadata": { "f:labels": { "f:app": {}, ".": {} } },
              "f:spec": {
                "f:containers": {
                  'k:{"name":"nginx"}': {
                    "f:image": {},
                    "f:imagePullPolicy": {},
                    "f:name": {},
                    "f:resources": {},
                    "f:terminationMessagePath": {},
                    "f:terminationMessagePolicy": {},
                    ".": {},
                  },
                },
                "f:dnsPolicy": {},
                "f:restartPolicy": {},
                "f:schedulerName": {},
                "f:securityContext": {},
                "f:terminationGracePeriodSeconds": {},
              },
            },
          },
        },
      },
    ]);
    // The raw bytes keep upstream's key order ("." after the children).
    assert.match(
      JSON.stringify(entries(out)[0].fieldsV1),
      /^\{"f:metadata":\{"f:labels":\{"f:app":\{\},"\.":\{\}\}\},"f:spec"/,
    );
  });

  it("an update adds an entry for the fields it changed and takes them from the others", () => {
    const created = updateManagedFields(undefined, createdDeployment(), opts("kubectl-create", t0));
    const scaled = structuredClone(created);
    (scaled.spec as JsonObject).replicas = 3;
    const out = updateManagedFields(created, scaled, opts("kubectl", t1));
    const es = entries(out);
    assert.deepEqual(
      es.map((e) => [e.manager, e.operation, e.time]),
      [
        ["kubectl-create", "Update", "2025-01-02T03:04:05Z"],
        ["kubectl", "Update", "2025-01-02T03:05:00Z"],
      ],
    );
    assert.deepEqual(es[1].fieldsV1, { "f:spec": { "f:replicas": {} } });
    assert.equal((es[0].fieldsV1!["f:spec"] as Record<string, unknown>)["f:replicas"], undefined);
  });

  it("a write that changes nothing leaves managedFields, times included, alone", () => {
    const created = updateManagedFields(undefined, createdDeployment(), opts("kubectl-create", t0));
    const out = updateManagedFields(created, structuredClone(created), opts("kubectl-create", t1));
    assert.deepEqual(entries(out), entries(created));
  });

  it("managedFields: [] from the client resets tracking; the object stays untracked", () => {
    const created = updateManagedFields(undefined, createdDeployment(), opts("kubectl-create", t0));
    const reset = structuredClone(created);
    (reset.metadata as JsonObject).managedFields = [];
    const out = updateManagedFields(created, reset, opts("kubectl-edit", t1));
    assert.equal((out.metadata as JsonObject).managedFields, undefined);
    const next = structuredClone(out);
    (next.spec as JsonObject).replicas = 2;
    assert.equal(
      (updateManagedFields(out, next, opts("kubectl", t2)).metadata as JsonObject).managedFields,
      undefined,
    );
  });

  it("managedFields sent by the client replace the stored ones; omitted ones are kept", () => {
    const created = updateManagedFields(undefined, createdDeployment(), opts("kubectl-create", t0));
    const withoutMF = structuredClone(created);
    delete (withoutMF.metadata as JsonObject).managedFields;
    (withoutMF.spec as JsonObject).replicas = 4;
    const out = updateManagedFields(created, withoutMF, opts("kubectl-edit", t1));
    assert.deepEqual(
      entries(out).map((e) => e.manager),
      ["kubectl-create", "kubectl-edit"],
    );
  });

  it("status changes go to a status subresource entry; the reset fields are never owned", () => {
    const created = updateManagedFields(undefined, createdDeployment(), opts("kubectl-create", t0));
    const withStatus = structuredClone(created);
    withStatus.status = {
      observedGeneration: 1,
      replicas: 1,
      conditions: [{ type: "Available", status: "True" }],
    };
    (withStatus.metadata as JsonObject).annotations = { "deployment.kubernetes.io/revision": "1" };
    const out = updateManagedFields(
      created,
      withStatus,
      opts("kube-controller-manager", t1, {
        subresource: "status",
        resetFields: FieldSet.of(fieldPath("spec"), fieldPath("metadata", "labels")),
      }),
    );
    const e = entries(out).find((x) => x.manager === "kube-controller-manager")!;
    assert.equal(e.subresource, "status");
    assert.deepEqual(e.fieldsV1, {
      "f:metadata": { "f:annotations": { "f:deployment.kubernetes.io/revision": {}, ".": {} } },
      "f:status": {
        "f:conditions": { 'k:{"type":"Available"}': { "f:status": {}, "f:type": {}, ".": {} }, ".": {} },
        "f:observedGeneration": {},
        "f:replicas": {},
      },
    });
    assert.deepEqual(Object.keys(e), [
      "manager",
      "operation",
      "apiVersion",
      "time",
      "fieldsType",
      "fieldsV1",
      "subresource",
    ]);
  });

  it("main-resource writes never own status when status is reset", () => {
    const obj = createdDeployment();
    obj.status = { replicas: 5 };
    const out = updateManagedFields(
      undefined,
      obj,
      opts("kubectl-create", t0, { resetFields: FieldSet.of(fieldPath("status")) }),
    );
    assert.equal(entries(out)[0].fieldsV1!["f:status"], undefined);
  });

  it("more than 10 update entries are merged into ancient-changes, oldest first", () => {
    let obj = updateManagedFields(
      undefined,
      createdDeployment(),
      opts("m0", new Date(Date.UTC(2025, 0, 1, 0, 0, 0))),
    );
    for (let i = 1; i <= 11; i++) {
      const next = structuredClone(obj);
      ((next.metadata as JsonObject).labels as JsonObject)[`k${i}`] = "v";
      obj = updateManagedFields(obj, next, opts(`m${i}`, new Date(Date.UTC(2025, 0, 1, 0, i, 0))));
    }
    const names = entries(obj).map((e) => e.manager);
    assert.equal(names.length, 10);
    assert.deepEqual(names.slice(0, 2), ["ancient-changes", "m3"]);
    const ancient = entries(obj)[0];
    assert.equal(ancient.time, "2025-01-01T00:02:00Z");
    assert.ok(JSON.stringify(ancient.fieldsV1).includes('"f:k1"'));
    assert.ok(JSON.stringify(ancient.fieldsV1).includes('"f:k2"'));
  });
});

describe("server-side apply", () => {
  it("(a) creates the object, then a second apply that drops a label removes it", () => {
    const first = apply(
      undefined,
      applied({ app: "nginx", tier: "web" }),
      opts("kubectl", t0, { name: "nginx" }),
    );
    const obj1 = persist(first.object);
    assert.deepEqual((obj1.metadata as JsonObject).labels, { app: "nginx", tier: "web" });
    assert.deepEqual(Object.keys(obj1).slice(0, 3), ["apiVersion", "kind", "metadata"]);
    const es1 = entries(obj1);
    assert.equal(es1.length, 1);
    assert.deepEqual(
      [es1[0].manager, es1[0].operation, es1[0].apiVersion, es1[0].time],
      ["kubectl", "Apply", "apps/v1", "2025-01-02T03:04:05Z"],
    );
    assert.deepEqual(es1[0].fieldsV1, {
      "f:metadata": { "f:labels": { "f:app": {}, "f:tier": {} } },
      "f:spec": {
        "f:selector": {},
        "f:template": {
          "f:metadata": { "f:labels": { "f:app": {} } },
          "f:spec": {
            "f:containers": {
              'k:{"name":"nginx"}': {
                "f:image": {},
                "f:name": {},
                "f:ports": {
                  'k:{"containerPort":80,"protocol":"TCP"}': { "f:containerPort": {}, ".": {} },
                },
                ".": {},
              },
            },
          },
        },
      },
    });

    const second = apply(obj1, applied({ app: "nginx" }), opts("kubectl", t1, { name: "nginx" }));
    assert.deepEqual((second.object.metadata as JsonObject).labels, { app: "nginx" });
    const es2 = entries(second.object);
    assert.equal(es2[0].time, "2025-01-02T03:05:00Z");
    assert.deepEqual((es2[0].fieldsV1!["f:metadata"] as Record<string, unknown>)["f:labels"], {
      "f:app": {},
    });
  });

  it("(b) kubectl scale, then apply with other replicas: 409 with upstream's message; force moves ownership", () => {
    const created = persist(apply(undefined, applied({ app: "nginx" }, 2), opts("kubectl", t0)).object);
    const scaled = structuredClone(created);
    (scaled.spec as JsonObject).replicas = 5;
    const afterScale = updateManagedFields(created, scaled, opts("kubectl-scale", t1));

    const err = statusOf(() => apply(afterScale, applied({ app: "nginx" }, 3), opts("other", t2)));
    assert.equal(err.code, 409);
    assert.deepEqual(err.status, {
      kind: "Status",
      apiVersion: "v1",
      metadata: {},
      status: "Failure",
      message: 'Apply failed with 1 conflict: conflict with "kubectl-scale" using apps/v1: .spec.replicas',
      reason: "Conflict",
      details: {
        causes: [
          {
            reason: "FieldManagerConflict",
            message: 'conflict with "kubectl-scale" using apps/v1',
            field: ".spec.replicas",
          },
        ],
      },
      code: 409,
    });

    const forced = apply(afterScale, applied({ app: "nginx" }, 3), opts("other", t2, { force: true }));
    assert.equal((forced.object.spec as JsonObject).replicas, 3);
    const es = entries(forced.object);
    assert.deepEqual(
      es.map((e) => [e.manager, e.operation]),
      [
        ["kubectl", "Apply"],
        ["other", "Apply"],
      ],
    );
    assert.ok(JSON.stringify(es[1].fieldsV1).includes('"f:replicas"'));
    assert.ok(!JSON.stringify(es[0].fieldsV1).includes('"f:replicas"'));
  });

  it("several conflicts are grouped by manager, in upstream's plural form", () => {
    const created = persist(apply(undefined, applied({ app: "nginx" }, 2), opts("mgr", t0)).object);
    const cfg = applied({ app: "nginx" }, 4);
    ((cfg.spec as JsonObject).template as { spec: { containers: JsonObject[] } }).spec.containers[0].image =
      "httpd";
    const err = statusOf(() => apply(created, cfg, opts("other", t1)));
    assert.equal(
      err.status.message,
      'Apply failed with 2 conflicts: conflicts with "mgr":\n- .spec.replicas\n- .spec.template.spec.containers[name="nginx"].image',
    );
    assert.deepEqual(
      err.status.details?.causes?.map((c) => c.field),
      [".spec.replicas", '.spec.template.spec.containers[name="nginx"].image'],
    );
  });

  it("a field owned by another manager with the same value is shared, not a conflict", () => {
    const created = persist(apply(undefined, applied({ app: "nginx" }, 2), opts("a", t0)).object);
    const out = apply(created, applied({ app: "nginx" }, 2), opts("b", t1)).object;
    const es = entries(out);
    // b changed nothing, so its entry has no time, and sorts first as upstream's (time 0).
    assert.deepEqual(
      es.map((e) => [e.manager, e.time]),
      [
        ["b", undefined],
        ["a", "2025-01-02T03:04:05Z"],
      ],
    );
    assert.deepEqual(es[0].fieldsV1, es[1].fieldsV1);
  });

  it("the first apply to an untracked object gives its fields to before-first-apply", () => {
    const untracked = createdDeployment();
    const err = statusOf(() => apply(untracked, applied({ app: "nginx" }, 1), opts("someone", t1)));
    assert.equal(
      err.status.message,
      'Apply failed with 1 conflict: conflict with "before-first-apply" using apps/v1: .spec.template.spec.containers[name="nginx"].image',
    );
    const out = apply(untracked, applied({ app: "nginx" }, 1, "nginx"), opts("kubectl", t1)).object;
    const es = entries(out);
    assert.deepEqual(
      es.map((e) => [e.manager, e.operation]),
      [
        ["kubectl", "Apply"],
        ["before-first-apply", "Update"],
      ],
    );
    // Fields applied with the value they had are shared; what the apply added is its own.
    const bfa = JSON.stringify(es[1].fieldsV1);
    assert.ok(bfa.includes('"f:revisionHistoryLimit"'));
    assert.ok(bfa.includes('"f:replicas"'));
    assert.ok(!bfa.includes('"f:ports"'));
    assert.ok(JSON.stringify(es[0].fieldsV1).includes('"f:ports"'));
  });

  it("kubectl's first server-side apply takes over what its client-side apply set", () => {
    const csa = createdDeployment();
    (csa.spec as JsonObject).replicas = 2;
    const lastApplied = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "nginx" },
      spec: { replicas: 2 },
    };
    (csa.metadata as JsonObject).annotations = { [LastAppliedConfigAnnotation]: JSON.stringify(lastApplied) };
    const created = updateManagedFields(undefined, csa, opts("kubectl-client-side-apply", t0));
    const cfg = applied({ app: "nginx" }, 3, "nginx");
    const err = statusOf(() => apply(created, cfg, opts("someone", t1)));
    assert.equal(
      err.status.message,
      'Apply failed with 1 conflict: conflict with "kubectl-client-side-apply" using apps/v1: .spec.replicas',
    );
    const out = apply(created, cfg, opts("kubectl", t1)).object;
    assert.equal((out.spec as JsonObject).replicas, 3);
    // The annotation follows the applied configuration (sorted keys, trailing newline).
    const ann = ((out.metadata as JsonObject).annotations as JsonObject)[
      LastAppliedConfigAnnotation
    ] as string;
    assert.ok(
      ann.startsWith('{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"labels":{"app":"nginx"}'),
    );
    assert.ok(ann.endsWith("}\n"));
  });

  it("rejects a missing fieldManager, a body of another kind, managedFields and a name mismatch", () => {
    let err = statusOf(() => apply(undefined, applied({ app: "nginx" }), opts("", t0)));
    assert.equal(err.code, 422);
    assert.equal(
      err.status.message,
      'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch',
    );

    const noKind = applied({ app: "nginx" });
    delete noKind.kind;
    err = statusOf(() => apply(undefined, noKind, opts("m", t0)));
    assert.deepEqual(
      [err.code, err.status.reason, err.status.message],
      [400, "BadRequest", "invalid object type: apps/v1, Kind="],
    );

    const noVersion = applied({ app: "nginx" });
    delete noVersion.apiVersion;
    err = statusOf(() => apply(undefined, noVersion, opts("m", t0)));
    assert.equal(err.status.message, "invalid object type: /, Kind=Deployment");

    const withMF = applied({ app: "nginx" });
    (withMF.metadata as JsonObject).managedFields = [];
    err = statusOf(() => apply(undefined, withMF, opts("m", t0)));
    assert.deepEqual([err.code, err.status.message], [400, "metadata.managedFields must be nil"]);

    const noName = applied({ app: "nginx" });
    delete (noName.metadata as JsonObject).name;
    err = statusOf(() => apply(undefined, noName, opts("m", t0, { name: "nginx" })));
    assert.deepEqual(
      [err.code, err.status.message],
      [400, "the name of the object (nginx based on URL) was undeterminable: name must be provided"],
    );
    err = statusOf(() => apply(undefined, applied({ app: "nginx" }), opts("m", t0, { name: "other" })));
    assert.equal(
      err.status.message,
      "the name of the object (nginx) does not match the name on the URL (other)",
    );
  });

  it("a body that does not fit the schema fails with upstream's typed-patch error", () => {
    const bad = applied({ app: "nginx" });
    (bad.spec as JsonObject).bogus = 1;
    assert.throws(() => apply(undefined, bad, opts("m", t0)), {
      message:
        "failed to create typed patch object (/nginx; apps/v1, Kind=Deployment): .spec.bogus: field not declared in schema",
    });
    const dup = applied({ app: "nginx" });
    ((dup.spec as JsonObject).template as { spec: { containers: JsonObject[] } }).spec.containers.push({
      name: "nginx",
    });
    assert.throws(() => apply(undefined, dup, opts("m", t0)), {
      message:
        'failed to create typed patch object (/nginx; apps/v1, Kind=Deployment): .spec.template.spec.containers: duplicate entries for key [name="nginx"]',
    });
  });
});

describe("managerFromUserAgent", () => {
  it("takes the User-Agent up to the first slash, as prefixFromUserAgent", () => {
    assert.equal(managerFromUserAgent("kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9"), "kubectl");
    assert.equal(
      managerFromUserAgent("kube-controller-manager/v1.32.0 (linux/amd64)/leader-election"),
      "kube-controller-manager",
    );
    assert.equal(managerFromUserAgent("a\tb/1"), "ab");
    assert.equal(managerFromUserAgent("x".repeat(200)), "x".repeat(128));
    assert.equal(managerFromUserAgent(""), "");
  });
});

// UpdateOptions accept the brief's operation field.
const _u: UpdateOptions = { ...opts("m", t0), operation: "Update" };
void _u;

describe("kinds without a schema", () => {
  it("are deduced: maps are merged key by key, lists replaced whole", () => {
    const base = { manager: "a", apiVersion: "example.com/v1", kind: "Widget", now: t0 };
    const cfg = (v: JsonObject) => ({
      apiVersion: "example.com/v1",
      kind: "Widget",
      metadata: { name: "w" },
      spec: v,
    });
    const first = persist(apply(undefined, cfg({ size: 1, tags: ["x", "y"] }), base).object);
    const second = apply(first, cfg({ color: "red", tags: ["z"] }), {
      ...base,
      manager: "b",
      force: true,
    }).object;
    assert.deepEqual(second.spec, { size: 1, tags: ["z"], color: "red" });
    assert.deepEqual(
      entries(second).map((e) => [e.manager, e.fieldsV1]),
      [
        // Every key of a deduced map is owned, spec itself included.
        ["a", { "f:spec": { "f:size": {}, ".": {} } }],
        ["b", { "f:spec": { "f:color": {}, "f:tags": {}, ".": {} } }],
      ],
    );
  });
});
