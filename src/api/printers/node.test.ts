// Cases from TestPrintNodeStatus, TestPrintNodeRole, TestPrintNodeOSImage, TestPrintNodeExternalIP and
// TestPrintNodeInternalIP (printers_test.go). Cells include the wide columns, as the apiserver sends them.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { nodePrinter } from "./node.ts";

const now = new Date("2024-06-01T12:00:00Z");
const print = (node: Node) => nodePrinter.print(node, { now }).cells;
const unknowns = ["<none>", "<none>", "<unknown>", "<unknown>", "<unknown>"];

test("STATUS from the Ready condition and unschedulable", () => {
  const cases: [Node, string][] = [
    [{ metadata: { name: "foo1" }, status: { conditions: [{ type: "Ready", status: "True" }] } }, "Ready"],
    [
      {
        metadata: { name: "foo2" },
        spec: { unschedulable: true },
        status: { conditions: [{ type: "Ready", status: "True" }] },
      },
      "Ready,SchedulingDisabled",
    ],
    [
      {
        metadata: { name: "foo3" },
        status: {
          conditions: [
            { type: "Ready", status: "True" },
            { type: "Ready", status: "True" },
          ],
        },
      },
      "Ready",
    ],
    [
      { metadata: { name: "foo4" }, status: { conditions: [{ type: "Ready", status: "False" }] } },
      "NotReady",
    ],
    [
      {
        metadata: { name: "foo5" },
        spec: { unschedulable: true },
        status: { conditions: [{ type: "Ready", status: "False" }] },
      },
      "NotReady,SchedulingDisabled",
    ],
    [
      { metadata: { name: "foo6" }, status: { conditions: [{ type: "InvalidValue", status: "True" }] } },
      "Unknown",
    ],
    [{ metadata: { name: "foo7" }, status: { conditions: [{ type: "", status: "" }] } }, "Unknown"],
    [
      {
        metadata: { name: "foo8" },
        spec: { unschedulable: true },
        status: { conditions: [{ type: "InvalidValue", status: "True" }] },
      },
      "Unknown,SchedulingDisabled",
    ],
    [
      { metadata: { name: "foo9" }, status: { conditions: [{ type: "Ready", status: "Unknown" }] } },
      "NotReady",
    ],
  ];
  for (const [node, status] of cases) {
    assert.deepEqual(print(node), [node.metadata?.name, status, "<none>", "<unknown>", "", ...unknowns]);
  }
});

test("ROLES from node-role.kubernetes.io/<role> and kubernetes.io/role labels", () => {
  assert.equal(
    print({
      metadata: {
        name: "foo10",
        labels: {
          "node-role.kubernetes.io/master": "",
          "node-role.kubernetes.io/control-plane": "",
          "node-role.kubernetes.io/proxy": "",
          "kubernetes.io/role": "node",
        },
      },
    })[2],
    "control-plane,master,node,proxy",
  );
  assert.equal(print({ metadata: { name: "foo11", labels: { "kubernetes.io/role": "node" } } })[2], "node");
  assert.equal(
    print({ metadata: { name: "foo12", labels: { "node-role.kubernetes.io/": "" } } })[2],
    "<none>",
  );
});

test("wide columns: addresses and node info", () => {
  assert.deepEqual(
    print({
      metadata: { name: "foo3" },
      status: {
        addresses: [
          { type: "ExternalIP", address: "2.2.2.2" },
          { type: "InternalIP", address: "3.3.3.3" },
          { type: "ExternalIP", address: "4.4.4.4" },
        ],
        nodeInfo: {
          osImage: "fake-os-image",
          kernelVersion: "",
          containerRuntimeVersion: "foo://1.2.3",
          architecture: "",
          bootID: "",
          kubeProxyVersion: "",
          kubeletVersion: "",
          machineID: "",
          operatingSystem: "",
          systemUUID: "",
        },
      },
    }),
    [
      "foo3",
      "Unknown",
      "<none>",
      "<unknown>",
      "",
      "3.3.3.3",
      "2.2.2.2",
      "fake-os-image",
      "<unknown>",
      "foo://1.2.3",
    ],
  );
});

test("a realistic control-plane node", () => {
  const node: Node = {
    apiVersion: "v1",
    kind: "Node",
    metadata: {
      name: "k8ts-control-plane",
      creationTimestamp: "2024-05-29T09:00:00Z",
      labels: { "node-role.kubernetes.io/control-plane": "", "kubernetes.io/hostname": "k8ts-control-plane" },
    },
    spec: { podCIDR: "10.244.0.0/24" },
    status: {
      conditions: [
        { type: "MemoryPressure", status: "False" },
        { type: "Ready", status: "True" },
      ],
      addresses: [
        { type: "InternalIP", address: "172.18.0.2" },
        { type: "Hostname", address: "k8ts-control-plane" },
      ],
      nodeInfo: {
        kubeletVersion: "v1.32.0",
        osImage: "Debian GNU/Linux 12 (bookworm)",
        kernelVersion: "6.1.0-18-amd64",
        containerRuntimeVersion: "containerd://1.7.24",
        architecture: "amd64",
        bootID: "",
        kubeProxyVersion: "",
        machineID: "",
        operatingSystem: "linux",
        systemUUID: "",
      },
    },
  };
  assert.deepEqual(print(node), [
    "k8ts-control-plane",
    "Ready",
    "control-plane",
    "3d3h",
    "v1.32.0",
    "172.18.0.2",
    "<none>",
    "Debian GNU/Linux 12 (bookworm)",
    "6.1.0-18-amd64",
    "containerd://1.7.24",
  ]);
  assert.deepEqual(
    nodePrinter.columns.map((c) => [c.name, c.priority]),
    [
      ["Name", 0],
      ["Status", 0],
      ["Roles", 0],
      ["Age", 0],
      ["Version", 0],
      ["Internal-IP", 1],
      ["External-IP", 1],
      ["OS-Image", 1],
      ["Kernel-Version", 1],
      ["Container-Runtime", 1],
    ],
  );
});
