import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { downwardAPIPayload, formatMap } from "./downwardapi.ts";

const pod: Pod = {
  metadata: { name: "p", namespace: "ns", uid: "u1", labels: { b: "2", a: "1" }, annotations: { x: 'q"' } },
  spec: {
    nodeName: "n1",
    serviceAccountName: "sa",
    containers: [{ name: "c", resources: { limits: { memory: "128Mi" }, requests: { cpu: "250m" } } }],
  },
  status: { podIP: "10.0.0.5", hostIP: "192.168.1.2" },
};

test('labels and annotations format as sorted key="value" lines (fieldpath.FormatMap)', () => {
  assert.equal(formatMap({ b: "2", a: "1" }), 'a="1"\nb="2"');
  assert.equal(formatMap({}), "");
});

test("fieldRef and resourceFieldRef files", () => {
  const node = { status: { allocatable: { cpu: "4", memory: "8Gi" } } };
  const p = downwardAPIPayload(
    [
      { path: "name", fieldRef: { fieldPath: "metadata.name" } },
      { path: "ns", fieldRef: { fieldPath: "metadata.namespace" } },
      { path: "uid", fieldRef: { fieldPath: "metadata.uid" } },
      { path: "labels", fieldRef: { fieldPath: "metadata.labels" } },
      { path: "annotations", fieldRef: { fieldPath: "metadata.annotations" }, mode: 0o400 },
      { path: "node", fieldRef: { fieldPath: "spec.nodeName" } },
      { path: "sa", fieldRef: { fieldPath: "spec.serviceAccountName" } },
      { path: "ip", fieldRef: { fieldPath: "status.podIP" } },
      { path: "hostip", fieldRef: { fieldPath: "status.hostIP" } },
      {
        path: "cpu_req_m",
        resourceFieldRef: { containerName: "c", resource: "requests.cpu", divisor: "1m" },
      },
      { path: "cpu_req", resourceFieldRef: { containerName: "c", resource: "requests.cpu" } },
      {
        path: "mem_lim_mi",
        resourceFieldRef: { containerName: "c", resource: "limits.memory", divisor: "1Mi" },
      },
      { path: "cpu_lim", resourceFieldRef: { containerName: "c", resource: "limits.cpu" } },
    ],
    pod,
    undefined,
    node,
  );
  const get = (k: string) => p.get(k)?.data.toString();
  assert.equal(get("name"), "p");
  assert.equal(get("ns"), "ns");
  assert.equal(get("uid"), "u1");
  assert.equal(get("labels"), 'a="1"\nb="2"');
  assert.equal(get("annotations"), 'x="q\\""');
  assert.equal(p.get("annotations")?.mode, 0o400);
  assert.equal(p.get("name")?.mode, 0o644);
  assert.equal(get("node"), "n1");
  assert.equal(get("sa"), "sa");
  assert.equal(get("ip"), "10.0.0.5");
  assert.equal(get("hostip"), "192.168.1.2");
  assert.equal(get("cpu_req_m"), "250");
  // 250m rounded up to whole cores.
  assert.equal(get("cpu_req"), "1");
  assert.equal(get("mem_lim_mi"), "128");
  // No cpu limit: the node's allocatable.
  assert.equal(get("cpu_lim"), "4");
});
