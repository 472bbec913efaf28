// npm run bench -- validation
// CPU cost of create/update validation of a Pod, as the apiserver pays it on
// every write: validateCreate for an admitted pod (defaulted, with the
// projected service-account token volume, before managedFields are added),
// validateUpdate for a label change of the stored pod, and
// validateStatusUpdate for the kubelet's first Running status. Inputs are
// fresh JSON.parse copies, as decoded request bodies are. Each figure is the
// best of several rounds, in microseconds of this process's CPU time per call.
import { validateCreate, validateStatusUpdate, validateUpdate } from "../src/api/validation/index.ts";
import { bestOf, copies } from "./_cpu.ts";
import { ADMITTED_POD_JSON, runningStatus } from "./_pods.ts";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 100);

type Json = Record<string, unknown>;

// The admitted pod as stored: what the create recorded (its managedFields, uid, timestamps).
const managedFields = JSON.parse(
  `[{"manager":"k8ts-client","operation":"Update","apiVersion":"v1","time":"2026-11-27T07:39:32Z","fieldsType":"FieldsV1","fieldsV1":{"f:metadata":{"f:labels":{"f:app":{},".":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"c\\"}":{"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:resources":{"f:requests":{"f:cpu":{},"f:memory":{},".":{}},".":{}},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{},".":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}}]`,
) as Json[];

const stored = JSON.parse(ADMITTED_POD_JSON) as Json;
const storedMeta = stored.metadata as Json;
Object.assign(storedMeta, {
  managedFields,
  uid: "0eee1b3c-695b-45e4-b7ff-1ac250a98dfc",
  creationTimestamp: "2026-11-27T07:39:32Z",
  resourceVersion: "149",
});

// Create: the same pod before managedFields were recorded.
const created = structuredClone(stored);
delete (created.metadata as Json).managedFields;

// Update: kubectl label adds a label (the body carries managedFields back).
const relabelled = structuredClone(stored);
(relabelled.metadata as Json).labels = { ...(storedMeta.labels as Json), tier: "web" };

// Status update: the kubelet reports the pod running on its node.
const scheduled = structuredClone(stored);
(scheduled.spec as Json).nodeName = "node-1";
const running = structuredClone(scheduled);
running.status = runningStatus("2026-11-27T07:39:34Z");

const measure = (make: () => Json[], call: (input: Json) => unknown) => bestOf(ROUNDS, make, call);

// The inputs are valid: a benchmark of the error path would measure something else.
const checks = {
  create: validateCreate("", "Pod", structuredClone(created)),
  update: validateUpdate("", "Pod", structuredClone(relabelled), stored),
  status: validateStatusUpdate("", "Pod", structuredClone(running), scheduled),
};
for (const [name, errs] of Object.entries(checks)) {
  if (errs.length > 0) throw new Error(`${name}: ${errs.map((e) => e.error()).join("; ")}`);
}

const benches = {
  podCreateUs: measure.bind(
    null,
    () => copies(created),
    (p) => validateCreate("", "Pod", p),
  ),
  podUpdateUs: measure.bind(
    null,
    () => copies(relabelled),
    (p) => validateUpdate("", "Pod", p, stored),
  ),
  podStatusUpdateUs: measure.bind(
    null,
    () => copies(running),
    (p) => validateStatusUpdate("", "Pod", p, scheduled),
  ),
};

// Warm every path up (the JIT settles) before timing any of them.
for (const run of Object.values(benches)) run();
const result: Record<string, unknown> = { bench: "validation" };
for (const [name, run] of Object.entries(benches)) result[name] = run();
process.stdout.write(`${JSON.stringify(result)}\n`);
