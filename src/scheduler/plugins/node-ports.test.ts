import assert from "node:assert/strict";
import { describe, test } from "node:test";
import type { ContainerPort, Pod } from "kubernetes-types/core/v1.d.ts";
import { CycleState } from "../framework/cycle-state.ts";
import { NodeInfo, PodInfo } from "../framework/node-info.ts";
import { Code, type Result } from "../framework/status.ts";
import { fakeHandle, makeNode, makePod } from "../testing.ts";
import { ERR_REASON, fits, getHostPorts, NAME, type NodePorts, newNodePorts } from "./node-ports.ts";

/** upstream's newPod(host, "PROTO/ip/port"...) */
function newPod(...hostPortInfos: string[]): Pod {
  const ports: ContainerPort[] = hostPortInfos.map((s) => {
    const [protocol, hostIP, port] = s.split("/");
    return { containerPort: Number(port), hostIP, hostPort: Number(port), protocol };
  });
  return makePod(`p-${hostPortInfos.join("-")}`, {
    nodeName: "m1",
    spec: { containers: [{ name: "c", image: "busybox", ports }] },
  });
}

function newNodeInfo(...pods: Pod[]): NodeInfo {
  const ni = new NodeInfo(makeNode("m1"));
  for (const p of pods) ni.addPod(new PodInfo(p));
  return ni;
}

const withInitPort = (sidecar: boolean): Pod =>
  makePod("init", {
    spec: {
      initContainers: [
        {
          name: "init",
          image: "busybox",
          restartPolicy: sidecar ? "Always" : undefined,
          ports: [{ containerPort: 8001, hostPort: 8001, protocol: "TCP" }],
        },
      ],
    },
  });

// Upstream: nodeports/node_ports_test.go TestNodePorts.
const cases: Array<{
  name: string;
  pod: Pod;
  nodeInfo: NodeInfo;
  wantSkip?: boolean;
  wantConflict?: boolean;
}> = [
  { name: "skip filter", pod: makePod("plain"), nodeInfo: new NodeInfo(), wantSkip: true },
  {
    name: "other port",
    pod: newPod("UDP/127.0.0.1/8080"),
    nodeInfo: newNodeInfo(newPod("UDP/127.0.0.1/9090")),
  },
  {
    name: "same udp port",
    pod: newPod("UDP/127.0.0.1/8080"),
    nodeInfo: newNodeInfo(newPod("UDP/127.0.0.1/8080")),
    wantConflict: true,
  },
  {
    name: "same tcp port",
    pod: newPod("TCP/127.0.0.1/8080"),
    nodeInfo: newNodeInfo(newPod("TCP/127.0.0.1/8080")),
    wantConflict: true,
  },
  {
    name: "different host ip",
    pod: newPod("TCP/127.0.0.1/8080"),
    nodeInfo: newNodeInfo(newPod("TCP/127.0.0.2/8080")),
  },
  {
    name: "different protocol",
    pod: newPod("UDP/127.0.0.1/8080"),
    nodeInfo: newNodeInfo(newPod("TCP/127.0.0.1/8080")),
  },
  {
    name: "second udp port conflict",
    pod: newPod("UDP/127.0.0.1/8000", "UDP/127.0.0.1/8080"),
    nodeInfo: newNodeInfo(newPod("UDP/127.0.0.1/8080")),
    wantConflict: true,
  },
  {
    name: "first tcp port conflict",
    pod: newPod("TCP/127.0.0.1/8001", "UDP/127.0.0.1/8080"),
    nodeInfo: newNodeInfo(newPod("TCP/127.0.0.1/8001", "UDP/127.0.0.1/8081")),
    wantConflict: true,
  },
  {
    name: "first tcp port conflict due to 0.0.0.0 hostIP",
    pod: newPod("TCP/0.0.0.0/8001"),
    nodeInfo: newNodeInfo(newPod("TCP/127.0.0.1/8001")),
    wantConflict: true,
  },
  {
    name: "TCP hostPort conflict due to 0.0.0.0 hostIP",
    pod: newPod("TCP/10.0.10.10/8001", "TCP/0.0.0.0/8001"),
    nodeInfo: newNodeInfo(newPod("TCP/127.0.0.1/8001")),
    wantConflict: true,
  },
  {
    name: "second tcp port conflict to 0.0.0.0 hostIP",
    pod: newPod("TCP/127.0.0.1/8001"),
    nodeInfo: newNodeInfo(newPod("TCP/0.0.0.0/8001")),
    wantConflict: true,
  },
  {
    name: "second different protocol",
    pod: newPod("UDP/127.0.0.1/8001"),
    nodeInfo: newNodeInfo(newPod("TCP/0.0.0.0/8001")),
  },
  {
    name: "UDP hostPort conflict due to 0.0.0.0 hostIP",
    pod: newPod("UDP/127.0.0.1/8001"),
    nodeInfo: newNodeInfo(newPod("TCP/0.0.0.0/8001", "UDP/0.0.0.0/8001")),
    wantConflict: true,
  },
  {
    name: "non-sidecar initContainer using hostPort",
    pod: withInitPort(false),
    nodeInfo: newNodeInfo(newPod("TCP/0.0.0.0/8001")),
    wantSkip: true,
  },
  {
    name: "TCP hostPort conflict from sidecar initContainer",
    pod: withInitPort(true),
    nodeInfo: newNodeInfo(newPod("TCP/0.0.0.0/8001")),
    wantConflict: true,
  },
];

describe("NodePorts", () => {
  for (const c of cases) {
    test(c.name, () => {
      const pl = newNodePorts(undefined, fakeHandle()) as NodePorts;
      assert.equal(pl.name, NAME);
      const state = new CycleState();
      const pre = pl.preFilter(state, c.pod, []);
      assert.equal(pre.result, undefined);
      if (c.wantSkip) {
        assert.equal(pre.status?.code, Code.Skip);
        return;
      }
      assert.equal(pre.status, null);
      const st: Result = pl.filter(state, c.pod, c.nodeInfo);
      if (c.wantConflict) {
        assert.equal(st?.code, Code.Unschedulable);
        assert.deepEqual(st?.reasons, [ERR_REASON]);
      } else {
        assert.equal(st, null);
      }
    });
  }

  test("Filter without PreFilter is an error", () => {
    const pl = newNodePorts(undefined, fakeHandle()) as NodePorts;
    const st = pl.filter(new CycleState(), makePod("p"), new NodeInfo(makeNode("n")));
    assert.equal(st?.code, Code.Error);
    assert.equal(st?.message(), 'reading "PreFilterNodePorts" from cycleState: not found');
  });

  test("a freed port fits again after the pod is removed", () => {
    const holder = newPod("TCP/0.0.0.0/80");
    const ni = newNodeInfo(holder);
    const pod = newPod("TCP/127.0.0.1/80");
    assert.equal(fits(pod, ni), false);
    ni.removePod(holder);
    assert.equal(fits(pod, ni), true);
  });

  test("events", () => {
    const pl = newNodePorts(undefined, fakeHandle()) as NodePorts;
    assert.deepEqual(pl.eventsToRegister(), [
      { resource: "AssignedPod", actions: ["Delete"] },
      { resource: "Node", actions: ["Add"] },
    ]);
  });
});

// Upstream: TestFits.
describe("fits", () => {
  const fitCases: Array<{ desc: string; pod: Pod; existing: NodeInfo; expect: boolean }> = [
    {
      desc: "non-conflicting ports",
      pod: newPod("TCP/127.0.0.1/80"),
      existing: newNodeInfo(newPod("TCP/127.0.0.1/9090")),
      expect: true,
    },
    {
      desc: "multiple non-conflicting ports",
      pod: newPod("TCP/127.0.0.1/80", "TCP/127.0.1.1/80", "TCP/127.0.1.1/90", "TCP/127.0.1.1/100"),
      existing: newNodeInfo(newPod("TCP/127.0.0.1/9090", "TCP/127.0.0.1/9191", "TCP/127.0.1.1/8080")),
      expect: true,
    },
    {
      desc: "same ports on different protocols",
      pod: newPod("TCP/127.0.0.1/80"),
      existing: newNodeInfo(newPod("UDP/127.0.0.1/80")),
      expect: true,
    },
    {
      desc: "conflicting ports",
      pod: newPod("TCP/127.0.0.1/80"),
      existing: newNodeInfo(newPod("TCP/127.0.0.1/80")),
      expect: false,
    },
    {
      desc: "multiple ports, some conflicting",
      pod: newPod("TCP/127.0.0.1/80", "TCP/127.0.1.1/80", "TCP/127.0.1.1/90", "TCP/127.0.1.1/100"),
      existing: newNodeInfo(newPod("TCP/127.0.0.1/9090", "TCP/127.0.1.1/90", "TCP/127.0.1.1/8080")),
      expect: false,
    },
  ];
  for (const c of fitCases) test(c.desc, () => assert.equal(fits(c.pod, c.existing), c.expect));

  test("getHostPorts keeps only ports with a hostPort", () => {
    const pod = makePod("p", {
      spec: {
        containers: [
          {
            name: "c",
            image: "busybox",
            ports: [{ containerPort: 80 }, { containerPort: 81, hostPort: 8081 }],
          },
        ],
      },
    });
    assert.deepEqual(getHostPorts(pod), [{ containerPort: 81, hostPort: 8081 }]);
  });
});
