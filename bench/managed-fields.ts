// npm run bench -- managed-fields
// CPU cost of field-ownership tracking per write, as the apiserver pays it:
// updateManagedFields for a Pod create (compared against the kind's empty
// object), for the create of a Pod as the apiserver holds it after admission
// (defaulted, with the service-account token volume), for the kubelet's
// status update of that Pod (subresource status) and for an update changing
// one label of a stored Deployment that two managers own, and apply() for a
// server-side apply that changes a Deployment's image. Inputs are fresh
// JSON.parse copies (as decoded request bodies are) and the options are built
// per call as handlers/rest.ts fieldManagerOptions does.
// Each figure is the best of several rounds, in microseconds of this
// process's CPU time per call (CPU time rather than wall time, so that other
// work on the machine disturbs the figures less).
import { applySchemaFor, emptyObjectFor, resetFieldsFor } from "../src/api/apply-schema.ts";
import { applyDefaults } from "../src/api/defaults/index.ts";
import type { GroupVersionKind } from "../src/api/openapi.ts";
import {
  apply,
  type FieldManagerOptions,
  updateManagedFields,
} from "../src/machinery/apply/field-manager.ts";
import type { JsonObject, JsonValue } from "../src/machinery/apply/value.ts";
import { bestOf, copies } from "./_cpu.ts";
import { ADMITTED_POD_JSON, runningStatus } from "./_pods.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 40);

const podGVK: GroupVersionKind = { group: "", version: "v1", kind: "Pod" };
const deploymentGVK: GroupVersionKind = { group: "apps", version: "v1", kind: "Deployment" };

const podBody = `{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","namespace":"default","labels":{"app":"bench","tier":"web"}},"spec":{"containers":[{"name":"app","image":"k8ts.local/busybox:latest","command":["sh","-c","httpd -f -p 8080"],"ports":[{"containerPort":8080,"name":"http"}],"env":[{"name":"MODE","value":"bench"},{"name":"POD_NAME","valueFrom":{"fieldRef":{"fieldPath":"metadata.name"}}}],"resources":{"requests":{"cpu":"100m","memory":"64Mi"},"limits":{"cpu":"200m","memory":"128Mi"}},"readinessProbe":{"httpGet":{"path":"/","port":8080},"periodSeconds":5}}],"nodeSelector":{"kubernetes.io/os":"linux"},"tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}]}}`;

// A Pod after defaulting and admission (ServiceAccount, DefaultTolerationSeconds, Priority).

function deploymentConfig(image: string): JsonObject {
  const pod = JSON.parse(podBody) as JsonObject;
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web", namespace: "default", labels: { app: "bench", tier: "web" } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "bench" } },
      template: {
        metadata: { labels: { app: "bench", tier: "web" } },
        spec: {
          ...(pod.spec as JsonObject),
          containers: [{ ...(pod.spec as { containers: JsonObject[] }).containers[0], image }],
        },
      },
    },
  };
}

// fieldManagerOptions (src/apiserver/handlers/rest.ts), for the main resource.
function options(gvk: GroupVersionKind, manager: string, now: Date): FieldManagerOptions {
  return {
    manager,
    apiVersion: gvk.group === "" ? gvk.version : `${gvk.group}/${gvk.version}`,
    kind: gvk.kind,
    now,
    schema: applySchemaFor(gvk),
    resetFields: resetFieldsFor(gvk),
    emptyObject: emptyObjectFor(gvk),
  };
}

function persist(obj: JsonObject, uid: string): JsonObject {
  const md = obj.metadata as JsonObject;
  md.uid = uid;
  md.resourceVersion = "100";
  md.creationTimestamp = "2025-01-02T03:04:05Z";
  md.generation = 1;
  return obj;
}

const measure = (make: () => JsonObject[], call: (input: JsonObject) => unknown) =>
  bestOf(ROUNDS, make, call);

const t0 = new Date("2025-01-02T03:04:05Z");
const t1 = new Date("2025-01-02T03:05:00Z");
const t2 = new Date("2025-01-02T03:06:00Z");

// Pod create: the body as decoded and defaulted.
const pod = JSON.parse(podBody) as JsonObject;
applyDefaults("", "Pod", pod);

// The admitted Pod: created, stored and scheduled; then the kubelet reports it running.
const admittedPod = JSON.parse(ADMITTED_POD_JSON) as JsonObject;
const storedPod = persist(
  updateManagedFields(
    undefined,
    JSON.parse(ADMITTED_POD_JSON) as JsonObject,
    options(podGVK, "k8ts-client", t0),
  ),
  "4b5e8c2e-0000-4000-8000-000000000003",
);
(storedPod.spec as JsonObject).nodeName = "node-1";
const reportedPod = structuredClone(storedPod);
reportedPod.status = runningStatus("2025-01-02T03:05:01Z");
const statusOptions = (): FieldManagerOptions => ({
  ...options(podGVK, "kubelet", t1),
  subresource: "status",
  resetFields: resetFieldsFor(podGVK, "status"),
});

// A stored Deployment: created by kubectl-create, then scaled by another manager.
const deploymentObj = deploymentConfig("k8ts.local/busybox:latest");
applyDefaults("apps", "Deployment", deploymentObj);
let stored = persist(
  updateManagedFields(undefined, deploymentObj, options(deploymentGVK, "kubectl-create", t0)),
  "4b5e8c2e-0000-4000-8000-000000000001",
);
const scaled = structuredClone(stored);
(scaled.spec as JsonObject).replicas = 5;
stored = updateManagedFields(stored, scaled, options(deploymentGVK, "kubectl-scale", t1));
// The update: one label changed (kubectl label --overwrite sends the object with its managedFields).
const relabelled = structuredClone(stored);
((relabelled.metadata as JsonObject).labels as JsonObject).tier = "api";

// Server-side apply: the live object a first apply created, then the same configuration with a new image.
const firstApply = apply(undefined, deploymentConfig("k8ts.local/busybox:1.36"), {
  ...options(deploymentGVK, "kubectl", t0),
  name: "web",
  namespace: "default",
}).object;
applyDefaults("apps", "Deployment", firstApply);
const live = persist(firstApply, "4b5e8c2e-0000-4000-8000-000000000002");
const config = deploymentConfig("k8ts.local/busybox:1.37");

const checks = {
  pod: updateManagedFields(undefined, JSON.parse(JSON.stringify(pod)), options(podGVK, "kubectl-create", t0)),
  update: updateManagedFields(stored, relabelled, options(deploymentGVK, "kubectl-label", t2)),
  status: updateManagedFields(storedPod, structuredClone(reportedPod), statusOptions()),
};
if (
  !(checks.pod.metadata as JsonObject).managedFields ||
  !(checks.update.metadata as JsonObject).managedFields ||
  ((checks.status.metadata as JsonObject).managedFields as JsonValue[]).length !== 2
) {
  throw new Error("managedFields missing from the benchmark's results");
}

const benches = {
  podCreateUs: measure.bind(
    null,
    () => copies(pod),
    (p) => updateManagedFields(undefined, p, options(podGVK, "kubectl-create", t0)),
  ),
  admittedPodCreateUs: measure.bind(
    null,
    () => copies(admittedPod),
    (p) => updateManagedFields(undefined, p, options(podGVK, "k8ts-client", t0)),
  ),
  podStatusUpdateUs: measure.bind(
    null,
    () => copies(reportedPod),
    (p) => updateManagedFields(storedPod, p, statusOptions()),
  ),
  deploymentUpdateUs: measure.bind(
    null,
    () => copies(relabelled),
    (d) => updateManagedFields(stored, d, options(deploymentGVK, "kubectl-label", t2)),
  ),
  applyUs: measure.bind(
    null,
    () => copies(config),
    (c) => apply(live, c, { ...options(deploymentGVK, "kubectl", t2), name: "web", namespace: "default" }),
  ),
};

// Warm every path up (the JIT settles) before timing any of them.
for (const run of Object.values(benches)) run();
const result: Record<string, unknown> = { bench: "managed-fields" };
for (const [name, run] of Object.entries(benches)) result[name] = run();
process.stdout.write(`${JSON.stringify(result)}\n`);
