// Cases after upstream's predicate_test.go and kubelet_test.go
// (TestHandlePortConflicts, TestHandleNodeSelector, TestHandleMemExceeded…),
// checking the reasons and messages a rejected pod's status carries.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Container, Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { admitPod } from "./admission.ts";
import { CONFIG_SOURCE_ANNOTATION } from "./helpers.ts";

function node(allocatable: Record<string, string> = {}, extra: Partial<Node> = {}): Node {
  return {
    metadata: { name: "node-1", labels: { "kubernetes.io/hostname": "node-1", zone: "a" } },
    spec: {},
    status: {
      allocatable: { cpu: "1", memory: "1Gi", pods: "110", "ephemeral-storage": "10Gi", ...allocatable },
    },
    ...extra,
  };
}

let seq = 0;
function pod(
  containers: Partial<Container>[],
  spec: Partial<Pod["spec"]> = {},
  meta: Pod["metadata"] = {},
): Pod {
  seq++;
  return {
    metadata: { name: `p${seq}`, namespace: "default", uid: `uid-${seq}`, ...meta },
    spec: { containers: containers.map((c, i) => ({ name: `c${i}`, image: "busybox", ...c })), ...spec },
  };
}

const req = (r: Record<string, string>): Partial<Container> => ({ resources: { requests: r } });

test("a pod that fits is admitted", () => {
  assert.deepEqual(
    admitPod(pod([req({ cpu: "500m", memory: "100Mi" })]), node(), [pod([req({ cpu: "500m" })])]),
    {
      admit: true,
    },
  );
});

test("OutOfcpu counts the other active pods' requests", () => {
  const result = admitPod(pod([req({ cpu: "2" })]), node(), [pod([req({ cpu: "100m" })])]);
  assert.deepEqual(result, {
    admit: false,
    reason: "OutOfcpu",
    message: "Node didn't have enough resource: cpu, requested: 2000, used: 100, capacity: 1000",
  });
});

test("the pod itself in the active list is not counted twice", () => {
  const p = pod([req({ cpu: "600m" })]);
  assert.equal(admitPod(p, node(), [p, pod([req({ cpu: "400m" })])]).admit, true);
});

test("OutOfmemory", () => {
  const result = admitPod(pod([req({ memory: "2Gi" })]), node(), []);
  assert.deepEqual(result, {
    admit: false,
    reason: "OutOfmemory",
    message: "Node didn't have enough resource: memory, requested: 2147483648, used: 0, capacity: 1073741824",
  });
});

test("OutOfephemeral-storage", () => {
  const result = admitPod(pod([req({ "ephemeral-storage": "20Gi" })]), node(), []);
  assert.equal(result.reason, "OutOfephemeral-storage");
});

test("OutOfpods: the pod limit applies even to pods without requests", () => {
  const result = admitPod(pod([{}]), node({ pods: "2" }), [pod([{}]), pod([{}])]);
  assert.deepEqual(result, {
    admit: false,
    reason: "OutOfpods",
    message: "Node didn't have enough resource: pods, requested: 1, used: 2, capacity: 2",
  });
});

test("the pod count is reported before cpu when both fail", () => {
  const result = admitPod(pod([req({ cpu: "2" })]), node({ pods: "1" }), [pod([{}])]);
  assert.equal(result.reason, "OutOfpods");
});

test("extended resources: OutOf<name> when the node has too few, ignored when the node has none", () => {
  const gpu = pod([req({ "example.com/gpu": "2" })]);
  assert.deepEqual(admitPod(gpu, node({ "example.com/gpu": "1" }), []), {
    admit: false,
    reason: "OutOfexample.com/gpu",
    message: "Node didn't have enough resource: example.com/gpu, requested: 2, used: 0, capacity: 1",
  });
  // A cluster-level extended resource the node does not advertise is not the kubelet's to check.
  assert.equal(admitPod(gpu, node(), []).admit, true);
});

test("hugepages are checked against allocatable even when the node has none", () => {
  const result = admitPod(pod([req({ "hugepages-2Mi": "4Mi" })]), node(), []);
  assert.equal(result.reason, "OutOfhugepages-2Mi");
});

test("requests: the largest init container wins over the sum of containers", () => {
  const p = pod([req({ cpu: "300m" })], {
    initContainers: [{ name: "init", image: "busybox", ...req({ cpu: "1500m" }) }],
  });
  const result = admitPod(p, node(), []);
  assert.equal(
    result.message,
    "Node didn't have enough resource: cpu, requested: 1500, used: 0, capacity: 1000",
  );
});

test("requests: sidecars add to the containers and to every later init container", () => {
  const p = pod([req({ cpu: "300m" })], {
    initContainers: [
      { name: "sidecar", image: "busybox", restartPolicy: "Always", ...req({ cpu: "400m" }) },
      { name: "init", image: "busybox", ...req({ cpu: "700m" }) },
    ],
  });
  // max(300 + 400, 400 + 700) = 1100
  assert.equal(
    admitPod(p, node(), []).message,
    "Node didn't have enough resource: cpu, requested: 1100, used: 0, capacity: 1000",
  );
});

test("requests: the pod overhead is added", () => {
  const p = pod([req({ cpu: "900m" })], { overhead: { cpu: "200m" } });
  assert.equal(admitPod(p, node(), []).reason, "OutOfcpu");
});

test("requests sum as quantities before rounding, as upstream", () => {
  // 3 × 0.3333 cores = 999.9m, rounded up once to 1000m: fits exactly.
  const p = pod([req({ cpu: "0.3333" }), req({ cpu: "0.3333" }), req({ cpu: "0.3333" })]);
  assert.equal(admitPod(p, node(), []).admit, true);
});

test("NodeAffinity: nodeSelector and required affinity must match the node", () => {
  const want = {
    admit: false,
    reason: "NodeAffinity",
    message: "Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector",
  };
  assert.deepEqual(admitPod(pod([{}], { nodeSelector: { zone: "b" } }), node(), []), want);
  const affinity = {
    nodeAffinity: {
      requiredDuringSchedulingIgnoredDuringExecution: {
        nodeSelectorTerms: [{ matchExpressions: [{ key: "zone", operator: "In", values: ["b", "c"] }] }],
      },
    },
  };
  assert.deepEqual(admitPod(pod([{}], { affinity }), node(), []), want);
  assert.equal(admitPod(pod([{}], { nodeSelector: { zone: "a" } }), node(), []).admit, true);
});

test("NodeName: a pod bound to another node", () => {
  assert.deepEqual(admitPod(pod([{}], { nodeName: "node-2" }), node(), []), {
    admit: false,
    reason: "NodeName",
    message: "Predicate NodeName failed: node(s) didn't match the requested node name",
  });
});

test("NodePorts: host port conflicts with another active pod (TestHandlePortConflicts)", () => {
  const port = (hostPort: number, protocol = "TCP", hostIP?: string): Partial<Container> => ({
    ports: [{ containerPort: 80, hostPort, protocol, hostIP }],
  });
  const existing = [pod([port(8080)])];
  assert.deepEqual(admitPod(pod([port(8080)]), node(), existing), {
    admit: false,
    reason: "NodePorts",
    message: "Predicate NodePorts failed: node(s) didn't have free ports for the requested pod ports",
  });
  assert.equal(admitPod(pod([port(8081)]), node(), existing).admit, true);
  assert.equal(admitPod(pod([port(8080, "UDP")]), node(), existing).admit, true);
  // 0.0.0.0 takes the port on every address.
  assert.equal(admitPod(pod([port(8080, "TCP", "127.0.0.1")]), node(), existing).admit, false);
  const specific = [pod([port(9090, "TCP", "10.0.0.1")])];
  assert.equal(admitPod(pod([port(9090, "TCP", "10.0.0.2")]), node(), specific).admit, true);
  assert.equal(admitPod(pod([port(9090)]), node(), specific).admit, false);
});

test("TaintToleration: only untolerated NoExecute taints reject, and never a static pod", () => {
  const tainted = node({}, { spec: { taints: [{ key: "dedicated", value: "gpu", effect: "NoExecute" }] } });
  assert.deepEqual(admitPod(pod([{}]), tainted, []), {
    admit: false,
    reason: "TaintToleration",
    message: "Predicate TaintToleration failed: node(s) had taints that the pod didn't tolerate",
  });
  const tolerating = pod([{}], {
    tolerations: [{ key: "dedicated", operator: "Equal", value: "gpu", effect: "NoExecute" }],
  });
  assert.equal(admitPod(tolerating, tainted, []).admit, true);
  const noSchedule = node({}, { spec: { taints: [{ key: "dedicated", effect: "NoSchedule" }] } });
  assert.equal(admitPod(pod([{}]), noSchedule, []).admit, true);
  const staticPod = pod(
    [{}],
    {},
    { name: "etcd", uid: "s1", annotations: { [CONFIG_SOURCE_ANNOTATION]: "file" } },
  );
  assert.equal(admitPod(staticPod, tainted, []).admit, true);
});

test("the pod's OS must be the node's (PodOSSelectorNodeLabelDoesNotMatch, PodOSNotSupported)", () => {
  const labelled = pod([{}], {}, { name: "w", uid: "w1", labels: { "kubernetes.io/os": "windows" } });
  assert.deepEqual(admitPod(labelled, node(), []), {
    admit: false,
    reason: "PodOSSelectorNodeLabelDoesNotMatch",
    message: "Failed to admit pod as the `kubernetes.io/os` label doesn't match node label",
  });
  assert.deepEqual(admitPod(pod([{}], { os: { name: "windows" } }), node(), []), {
    admit: false,
    reason: "PodOSNotSupported",
    message: "Failed to admit pod as the OS field doesn't match node OS",
  });
});

test("without node info nothing is admitted", () => {
  assert.deepEqual(admitPod(pod([{}]), undefined, []), {
    admit: false,
    reason: "InvalidNodeInfo",
    message: "Kubelet cannot get node info.",
  });
});
