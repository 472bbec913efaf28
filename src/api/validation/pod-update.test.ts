// Pod update and /status validation: cases after upstream's TestValidatePodUpdate
// and TestValidatePodStatusUpdate tables.

import assert from "node:assert/strict";
import { test } from "node:test";
import { podUpdateForbiddenMessage } from "./index.ts";
import { type J, statusErrors, storedPod, updateErrors } from "./test-helpers.ts";

const img = (image: string, extra: J = {}) => ({ containers: [{ name: "c", image, ...extra }] });
const upd = (spec: J, oldSpec: J, meta: J = {}, oldMeta: J = {}) =>
  updateErrors(
    "",
    "Pod",
    storedPod({ ...img("nginx:1"), ...spec }, meta),
    storedPod({ ...img("nginx:1"), ...oldSpec }, oldMeta),
  );
const forbiddenPrefix = `spec: Forbidden: ${podUpdateForbiddenMessage}\n`;

test("the forbidden-update message lists the mutable fields exactly as upstream", () => {
  assert.equal(
    podUpdateForbiddenMessage,
    "pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)",
  );
});

test("container and init container images may change", () => {
  assert.deepEqual(upd(img("nginx:2"), {}), []);
  assert.deepEqual(
    upd(
      { initContainers: [{ name: "i", image: "busybox:2" }] },
      { initContainers: [{ name: "i", image: "busybox:1" }] },
    ),
    [],
  );
});

test("an emptied image is required, and the image is still the only change allowed", () => {
  const errs = upd(img(""), {});
  assert.deepEqual(errs.slice(0, 2), [
    "spec.containers[0].image: Required value",
    "spec.containers[0].image: Required value",
  ]);
  assert.equal(errs.length, 2);
});

test("containers may not be added or removed", () => {
  assert.deepEqual(
    upd(
      {
        containers: [
          { name: "c", image: "nginx:1" },
          { name: "d", image: "x:1" },
        ],
      },
      {},
    ),
    ["spec.containers: Forbidden: pod updates may not add or remove containers"],
  );
  assert.deepEqual(upd({ initContainers: [{ name: "i", image: "busybox:1" }] }, {}), [
    "spec.initContainers: Forbidden: pod updates may not add or remove containers",
  ]);
});

test("other spec changes are forbidden, with a diff of what changed", () => {
  const restart = upd({ restartPolicy: "Never" }, {});
  assert.equal(restart.length, 1);
  assert.ok(restart[0].startsWith(forbiddenPrefix));
  assert.match(restart[0], /- \tRestartPolicy: "Always",\n\+ \tRestartPolicy: "Never",/);

  const renamed = upd({ containers: [{ name: "d", image: "nginx:1" }] }, {});
  assert.equal(renamed.length, 1);
  assert.ok(renamed[0].startsWith(forbiddenPrefix));

  const resources = upd(img("nginx:1", { resources: { limits: { cpu: "1" } } }), {});
  assert.equal(resources.length, 1);
  assert.ok(resources[0].startsWith(forbiddenPrefix));

  const nodeName = upd({ nodeName: "n2" }, { nodeName: "n1" });
  assert.match(nodeName[0], /- \tNodeName: "n1",\n\+ \tNodeName: "n2",/);

  const selector = upd({ nodeSelector: { a: "1", b: "2" } }, { nodeSelector: { a: "1" } });
  assert.match(selector[0], /- \tNodeSelector: \{"a": "1"\},\n\+ \tNodeSelector: \{"a": "1", "b": "2"\},/);
});

test("terminationGracePeriodSeconds may only go from negative to 1", () => {
  assert.deepEqual(upd({ terminationGracePeriodSeconds: 1 }, { terminationGracePeriodSeconds: -1 }), []);
  const errs = upd({ terminationGracePeriodSeconds: 5 }, { terminationGracePeriodSeconds: 30 });
  assert.equal(errs.length, 1);
  assert.ok(errs[0].startsWith(forbiddenPrefix));
  assert.match(errs[0], /TerminationGracePeriodSeconds: 30,\n\+ \tTerminationGracePeriodSeconds: 5,/);
});

test("tolerations: additions and tolerationSeconds changes only", () => {
  const oldTol = { key: "k", operator: "Equal", value: "v", effect: "NoExecute", tolerationSeconds: 100 };
  assert.deepEqual(upd({ tolerations: [{ key: "k", operator: "Exists" }] }, {}), []);
  assert.deepEqual(
    upd({ tolerations: [oldTol, { key: "x", operator: "Exists" }] }, { tolerations: [oldTol] }),
    [],
  );
  assert.deepEqual(
    upd({ tolerations: [{ ...oldTol, tolerationSeconds: 50 }] }, { tolerations: [oldTol] }),
    [],
  );
  assert.deepEqual(
    upd({ tolerations: [{ ...oldTol, tolerationSeconds: 200 }] }, { tolerations: [oldTol] }),
    [],
  );
  const modified =
    "spec.tolerations: Forbidden: existing toleration can not be modified except its tolerationSeconds";
  assert.deepEqual(upd({ tolerations: [{ ...oldTol, value: "v2" }] }, { tolerations: [oldTol] }), [modified]);
  assert.deepEqual(upd({}, { tolerations: [oldTol] }), [modified]);
});

test("activeDeadlineSeconds may be set or lowered, never raised or removed", () => {
  assert.deepEqual(upd({ activeDeadlineSeconds: 30 }, {}), []);
  assert.deepEqual(upd({ activeDeadlineSeconds: 10 }, { activeDeadlineSeconds: 30 }), []);
  assert.deepEqual(upd({ activeDeadlineSeconds: 60 }, { activeDeadlineSeconds: 30 }), [
    "spec.activeDeadlineSeconds: Invalid value: 60: must be less than or equal to previous value",
  ]);
  assert.deepEqual(upd({}, { activeDeadlineSeconds: 30 }), [
    'spec.activeDeadlineSeconds: Invalid value: "null": must not update from a positive integer to nil value',
  ]);
  assert.deepEqual(upd({ activeDeadlineSeconds: 0 }, { activeDeadlineSeconds: 30 }), [
    "spec.activeDeadlineSeconds: Invalid value: 0: must be between 1 and 2147483647, inclusive",
  ]);
  assert.deepEqual(upd({ activeDeadlineSeconds: -1 }, { activeDeadlineSeconds: 30 }), [
    "spec.activeDeadlineSeconds: Invalid value: -1: must be between 1 and 2147483647, inclusive",
    "spec.activeDeadlineSeconds: Invalid value: -1: must be between 0 and 2147483647, inclusive",
  ]);
});

test("scheduling gates may only be removed; a gated pod may gain node selectors", () => {
  const gated = { schedulingGates: [{ name: "g1" }, { name: "g2" }], nodeSelector: { a: "1" } };
  assert.deepEqual(upd({ ...gated, schedulingGates: [{ name: "g1" }] }, gated), []);
  assert.deepEqual(upd({ ...gated, schedulingGates: [] }, gated), []);
  assert.deepEqual(upd({ ...gated, schedulingGates: [...gated.schedulingGates, { name: "g3" }] }, gated), [
    "spec.schedulingGates[2].name: Forbidden: only deletion is allowed, but found new scheduling gate 'g3'",
  ]);
  assert.deepEqual(upd({ ...gated, nodeSelector: { a: "1", b: "2" } }, gated), []);
  assert.deepEqual(upd({ ...gated, nodeSelector: { a: "2" } }, gated), [
    'spec.nodeSelector: Invalid value: map[string]string{"a":"2"}: only additions to spec.nodeSelector are allowed (no mutations or deletions)',
  ]);
  assert.deepEqual(upd({ schedulingGates: [{ name: "g1" }] }, {}), [
    "spec.schedulingGates[0].name: Forbidden: only deletion is allowed, but found new scheduling gate 'g1'",
  ]);
});

test("metadata: name immutable (reported by the generic and the pod checks), labels mutable", () => {
  assert.deepEqual(upd({}, {}, { name: "q" }), [
    'metadata.name: Invalid value: "q": field is immutable',
    'metadata.name: Invalid value: "q": field is immutable',
  ]);
  assert.deepEqual(upd({}, {}, { labels: { a: "b" } }), []);
  const onNode = { nodeName: "n1" };
  assert.deepEqual(upd(onNode, onNode, { annotations: { "kubernetes.io/config.mirror": "x" } }), [
    "metadata.annotations[kubernetes.io/config.mirror]: Forbidden: may not add mirror pod annotation",
  ]);
  assert.deepEqual(upd(onNode, onNode, {}, { annotations: { "kubernetes.io/config.mirror": "x" } }), [
    "metadata.annotations[kubernetes.io/config.mirror]: Forbidden: may not remove or update mirror pod annotation",
  ]);
});

// --- status --------------------------------------------------------------------

const st = (status: J, spec: J = {}) => ({ ...storedPod({ ...img("nginx:1"), ...spec }), status });
const stErr = (status: J, oldStatus: J = {}, spec: J = {}, oldSpec: J = spec) =>
  statusErrors("", "Pod", st(status, spec), st(oldStatus, oldSpec));

test("status: a normal kubelet update is valid", () => {
  assert.deepEqual(
    stErr({
      phase: "Running",
      hostIP: "192.168.0.2",
      hostIPs: [{ ip: "192.168.0.2" }],
      podIP: "10.0.0.1",
      podIPs: [{ ip: "10.0.0.1" }, { ip: "fd00::1" }],
      conditions: [
        { type: "Ready", status: "True" },
        { type: "example.com/custom", status: "False" },
      ],
      containerStatuses: [
        { name: "c", ready: true, restartCount: 0, image: "nginx:1", imageID: "", state: { running: {} } },
      ],
    }),
    [],
  );
});

test("status: nodeName, qosClass and nominatedNodeName", () => {
  assert.deepEqual(
    statusErrors("", "Pod", storedPod({ ...img("nginx:1"), nodeName: "x" }), storedPod(img("nginx:1"))),
    ["status.nodeName: Forbidden: may not be changed directly"],
  );
  assert.deepEqual(stErr({ qosClass: "Burstable" }, { qosClass: "BestEffort" }), [
    'status.qosClass: Invalid value: "Burstable": field is immutable',
  ]);
  assert.deepEqual(stErr({ nominatedNodeName: "node-1" }), []);
  assert.deepEqual(stErr({ nominatedNodeName: "Bad_Node" }), [
    "status.nominatedNodeName: Invalid value: \"Bad_Node\": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')",
  ]);
});

test("status: custom condition types must be qualified names (reported under metadata, as upstream)", () => {
  assert.deepEqual(stErr({ conditions: [{ type: "bad type!", status: "True" }] }), [
    "metadata.conditions[0].Type: Invalid value: \"bad type!\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')",
  ]);
});

test("status: pod IPs are valid, unique and at most one per family", () => {
  assert.deepEqual(stErr({ podIPs: [{ ip: "bad" }] }), [
    'status.podIPs[0]: Invalid value: "bad": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)',
  ]);
  assert.deepEqual(stErr({ podIPs: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }] }), [
    'status.podIPs: Invalid value: []core.PodIP{core.PodIP{IP:"10.0.0.1"}, core.PodIP{IP:"10.0.0.2"}}: may specify no more than one IP for each IP family',
  ]);
  assert.deepEqual(stErr({ podIPs: [{ ip: "10.0.0.1" }, { ip: "10.0.0.1" }] }), [
    'status.podIPs: Invalid value: []core.PodIP{core.PodIP{IP:"10.0.0.1"}, core.PodIP{IP:"10.0.0.1"}}: may specify no more than one IP for each IP family',
    'status.podIPs[1]: Duplicate value: core.PodIP{IP:"10.0.0.1"}',
  ]);
});

test("status: hostIPs[0] must equal hostIP", () => {
  assert.deepEqual(stErr({ hostIP: "10.0.0.1", hostIPs: [{ ip: "10.0.0.2" }] }), [
    'status.hostIPs[0].ip: Invalid value: "10.0.0.2": must be equal to `hostIP`',
  ]);
});

test("status: terminated containers may not restart unless the restart policy allows it", () => {
  const terminated = (exitCode: number) => ({
    containerStatuses: [{ name: "c", state: { terminated: { exitCode } } }],
  });
  const running = { containerStatuses: [{ name: "c", state: { running: {} } }] };
  assert.deepEqual(stErr(running, terminated(0), { restartPolicy: "Never" }), [
    "status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state",
  ]);
  assert.deepEqual(stErr(running, terminated(0), { restartPolicy: "OnFailure" }), [
    "status.containerStatuses[0].state: Forbidden: may not be transitioned to non-terminated state",
  ]);
  assert.deepEqual(stErr(running, terminated(1), { restartPolicy: "OnFailure" }), []);
  assert.deepEqual(stErr(running, terminated(0), { restartPolicy: "Always" }), []);
});
