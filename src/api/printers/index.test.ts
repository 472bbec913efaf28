// The Table as the apiserver returns it: columns, rows, the row object per includeObject (asTable in
// apiserver/pkg/endpoints/handlers/response.go), headers suppressed on request, and the default table.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { ClusterRole, Role } from "kubernetes-types/rbac/v1.d.ts";
import { hasPrinter, printTable } from "./index.ts";

const now = new Date("2024-06-01T12:00:00Z");

const configMap = {
  apiVersion: "v1",
  kind: "ConfigMap",
  metadata: {
    name: "settings",
    namespace: "default",
    uid: "6f1a",
    resourceVersion: "42",
    creationTimestamp: "2024-06-01T11:57:00Z",
    labels: { app: "web" },
    managedFields: [{ manager: "kubectl", operation: "Apply" }],
  },
  data: { a: "1", b: "2" },
};

test("kubectl's default request: every column, and PartialObjectMetadata rows", () => {
  const table = printTable("ConfigMap", [configMap], { now });
  assert.equal(table.kind, "Table");
  assert.equal(table.apiVersion, "meta.k8s.io/v1");
  assert.deepEqual(table.metadata, {});
  assert.deepEqual(
    table.columnDefinitions?.map((c) => c.name),
    ["Name", "Data", "Age"],
  );
  assert.deepEqual(table.rows, [
    {
      cells: ["settings", 2, "3m"],
      object: { kind: "PartialObjectMetadata", apiVersion: "meta.k8s.io/v1", metadata: configMap.metadata },
    },
  ]);
  // The JSON shape: fixed key order, format and priority always present, no conditions key when empty.
  const json = JSON.parse(JSON.stringify(table));
  assert.deepEqual(Object.keys(json), ["kind", "apiVersion", "metadata", "columnDefinitions", "rows"]);
  assert.deepEqual(Object.keys(json.columnDefinitions[1]), [
    "name",
    "type",
    "format",
    "description",
    "priority",
  ]);
  assert.deepEqual(Object.keys(json.rows[0]), ["cells", "object"]);
});

test("includeObject=Object returns the object and None returns null", () => {
  assert.equal(
    printTable("ConfigMap", [configMap], { now, includeObject: "Object" }).rows?.[0].object,
    configMap,
  );
  assert.equal(printTable("ConfigMap", [configMap], { now, includeObject: "None" }).rows?.[0].object, null);
});

test("noHeaders drops the column definitions; list metadata passes through", () => {
  const table = printTable("ConfigMap", [configMap], {
    now,
    noHeaders: true,
    metadata: { resourceVersion: "99", continue: "abc", remainingItemCount: 3 },
  });
  assert.equal(table.columnDefinitions, null);
  assert.deepEqual(table.metadata, { resourceVersion: "99", continue: "abc", remainingItemCount: 3 });
  assert.equal(JSON.stringify(table).includes('"columnDefinitions":null'), true);
});

test("pod rows carry their Completed condition between cells and object", () => {
  const pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "job-x", creationTimestamp: "2024-06-01T11:00:00Z" },
    spec: { containers: [{ name: "main" }] },
    status: {
      phase: "Succeeded",
      containerStatuses: [
        {
          name: "main",
          image: "",
          imageID: "",
          ready: false,
          restartCount: 0,
          state: { terminated: { exitCode: 0, reason: "Completed" } },
        },
      ],
    },
  };
  const row = printTable("Pod", [pod], { now }).rows?.[0];
  assert.deepEqual(row?.cells, [
    "job-x",
    "0/1",
    "Completed",
    "0",
    "60m",
    "<none>",
    "<none>",
    "<none>",
    "<none>",
  ]);
  assert.deepEqual(Object.keys(row ?? {}), ["cells", "conditions", "object"]);
  assert.deepEqual(row?.conditions, [
    {
      type: "Completed",
      status: "True",
      reason: "Succeeded",
      message: "The pod has completed successfully.",
    },
  ]);
});

test("kinds without a printer (Role, ClusterRole, LimitRange) get NAME and CREATED AT", () => {
  const role: Role = {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: { name: "reader", creationTimestamp: "2024-05-01T08:30:00Z" },
  };
  const clusterRole: ClusterRole = {
    ...role,
    kind: "ClusterRole",
    metadata: { name: "admin", creationTimestamp: "2024-05-01T08:30:00.5Z" },
  };
  assert.equal(hasPrinter("Role"), false);
  assert.equal(hasPrinter("ClusterRole"), false);
  assert.equal(hasPrinter("LimitRange"), false);
  const table = printTable("ClusterRole", [clusterRole, role], { now });
  assert.deepEqual(
    table.columnDefinitions?.map((c) => [c.name, c.type, c.format]),
    [
      ["Name", "string", "name"],
      ["Created At", "date", ""],
    ],
  );
  assert.deepEqual(
    table.rows?.map((r) => r.cells),
    [
      ["admin", "2024-05-01T08:30:00Z"],
      ["reader", "2024-05-01T08:30:00Z"],
    ],
  );
  assert.equal(printTable("LimitRange", [], { now }).rows, null);
});

test("printers exist for every kind kubectl users list, and empty lists give empty rows", () => {
  const kinds = [
    "Namespace",
    "Pod",
    "Node",
    "Service",
    "Endpoints",
    "ConfigMap",
    "Secret",
    "ServiceAccount",
    "Event",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "ReplicationController",
    "ResourceQuota",
    "PodTemplate",
    "ComponentStatus",
    "Deployment",
    "ReplicaSet",
    "StatefulSet",
    "DaemonSet",
    "ControllerRevision",
    "Job",
    "CronJob",
    "Lease",
    "EndpointSlice",
    "RoleBinding",
    "ClusterRoleBinding",
    "StorageClass",
    "PodDisruptionBudget",
    "PriorityClass",
    "CertificateSigningRequest",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
    "ValidatingAdmissionPolicy",
    "ValidatingAdmissionPolicyBinding",
    "Ingress",
    "IngressClass",
    "NetworkPolicy",
    "FlowSchema",
    "PriorityLevelConfiguration",
  ];
  for (const kind of kinds) {
    assert.equal(hasPrinter(kind), true, kind);
    const table = printTable(kind, [], { now });
    assert.deepEqual(table.rows, [], kind);
    const columns = table.columnDefinitions ?? [];
    assert.ok(columns.length >= 2, kind);
    for (const c of columns) {
      assert.ok(c.description.length > 0, `${kind} ${c.name} has a description`);
      assert.ok(["string", "integer", "boolean", "number", "date"].includes(c.type), `${kind} ${c.name}`);
    }
  }
  assert.equal(hasPrinter("toString"), false);
});

test("every cell count matches the column count for a minimal object of each kind", () => {
  for (const kind of [
    "Pod",
    "Node",
    "Service",
    "Event",
    "Deployment",
    "Job",
    "CronJob",
    "PersistentVolume",
    "PriorityClass",
    "FlowSchema",
    "PriorityLevelConfiguration",
  ]) {
    const table = printTable(kind, [{ metadata: { name: "x" } }], { now });
    assert.equal(table.rows?.[0].cells.length, table.columnDefinitions?.length, kind);
  }
});
