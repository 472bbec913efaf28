// Cases of upstream's pkg/proxy/topology_test.go TestCategorizeEndpoints that
// concern zone hints and traffic policies. v1.32's default gates ignore the
// Service's hints annotation (ServiceTrafficDistribution is on), so upstream's
// annotation variants collapse into "hints present" here.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EndpointInfo, ServicePortInfo } from "./service-port.ts";
import { endpointString } from "./service-port.ts";
import { canUseTopology, categorizeEndpoints, LABEL_TOPOLOGY_ZONE } from "./topology.ts";

function svc(p: Partial<ServicePortInfo> = {}): ServicePortInfo {
  return {
    name: { namespace: "ns", name: "svc", port: "", protocol: "TCP" },
    clusterIP: "10.96.0.1",
    port: 80,
    protocol: "TCP",
    nodePort: 0,
    sessionAffinityClientIP: false,
    stickyMaxAgeSeconds: 0,
    externalIPs: [],
    loadBalancerVIPs: [],
    loadBalancerSourceRanges: [],
    healthCheckNodePort: 0,
    externalPolicyLocal: false,
    internalPolicyLocal: false,
    ...p,
  };
}

function ep(
  addr: string,
  o: { zones?: string[]; ready?: boolean; serving?: boolean; terminating?: boolean; local?: boolean } = {},
): EndpointInfo {
  const [ip, port] = addr.split(":");
  const ready = o.ready ?? true;
  return {
    ip,
    port: Number(port),
    isLocal: o.local ?? false,
    ready,
    serving: o.serving ?? ready,
    terminating: o.terminating ?? false,
    zoneHints: o.zones ?? [],
  };
}

const zoneA = { [LABEL_TOPOLOGY_ZONE]: "zone-a" };
const fourHinted = (): EndpointInfo[] => [
  ep("10.1.2.3:80", { zones: ["zone-a"] }),
  ep("10.1.2.4:80", { zones: ["zone-b"] }),
  ep("10.1.2.5:80", { zones: ["zone-c"] }),
  ep("10.1.2.6:80", { zones: ["zone-a"] }),
];

interface Case {
  name: string;
  nodeLabels?: Record<string, string>;
  svc: ServicePortInfo;
  endpoints: EndpointInfo[];
  cluster: string[];
  local: string[];
  /** Left out when it equals the one of cluster / local the service uses. */
  all?: string[];
  onlyRemoteEndpoints?: boolean;
}

const cases: Case[] = [
  {
    name: "hints enabled, hints annotation == auto",
    nodeLabels: zoneA,
    svc: svc(),
    endpoints: fourHinted(),
    cluster: ["10.1.2.3:80", "10.1.2.6:80"],
    local: [],
  },
  {
    name: "externalTrafficPolicy: Local, topology ignored for Local endpoints",
    nodeLabels: zoneA,
    svc: svc({ externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [
      ep("10.1.2.3:80", { zones: ["zone-a"], local: true }),
      ep("10.1.2.4:80", { zones: ["zone-b"], local: true }),
      ep("10.1.2.5:80", { zones: ["zone-c"] }),
      ep("10.1.2.6:80", { zones: ["zone-a"] }),
    ],
    cluster: ["10.1.2.3:80", "10.1.2.6:80"],
    local: ["10.1.2.3:80", "10.1.2.4:80"],
    all: ["10.1.2.3:80", "10.1.2.4:80", "10.1.2.6:80"],
  },
  {
    name: "internalTrafficPolicy: Local, topology ignored for Local endpoints",
    nodeLabels: zoneA,
    svc: svc({ internalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [
      ep("10.1.2.3:80", { zones: ["zone-a"], local: true }),
      ep("10.1.2.4:80", { zones: ["zone-b"], local: true }),
      ep("10.1.2.5:80", { zones: ["zone-c"] }),
      ep("10.1.2.6:80", { zones: ["zone-a"] }),
    ],
    cluster: ["10.1.2.3:80", "10.1.2.6:80"],
    local: ["10.1.2.3:80", "10.1.2.4:80"],
    all: ["10.1.2.3:80", "10.1.2.4:80", "10.1.2.6:80"],
  },
  {
    name: "empty node labels",
    nodeLabels: {},
    svc: svc(),
    endpoints: [ep("10.1.2.3:80", { zones: ["zone-a"] })],
    cluster: ["10.1.2.3:80"],
    local: [],
  },
  {
    name: "empty zone label",
    nodeLabels: { [LABEL_TOPOLOGY_ZONE]: "" },
    svc: svc(),
    endpoints: [ep("10.1.2.3:80", { zones: ["zone-a"] })],
    cluster: ["10.1.2.3:80"],
    local: [],
  },
  {
    name: "node in different zone, no endpoint filtering",
    nodeLabels: { [LABEL_TOPOLOGY_ZONE]: "zone-b" },
    svc: svc(),
    endpoints: [ep("10.1.2.3:80", { zones: ["zone-a"] })],
    cluster: ["10.1.2.3:80"],
    local: [],
  },
  {
    name: "unready endpoint",
    nodeLabels: zoneA,
    svc: svc(),
    endpoints: [
      ep("10.1.2.3:80", { zones: ["zone-a"] }),
      ep("10.1.2.4:80", { zones: ["zone-b"] }),
      ep("10.1.2.5:80", { zones: ["zone-c"] }),
      ep("10.1.2.6:80", { zones: ["zone-a"], ready: false }),
    ],
    cluster: ["10.1.2.3:80"],
    local: [],
  },
  {
    name: "only unready endpoints in same zone (should not filter)",
    nodeLabels: zoneA,
    svc: svc(),
    endpoints: [
      ep("10.1.2.3:80", { zones: ["zone-a"], ready: false }),
      ep("10.1.2.4:80", { zones: ["zone-b"] }),
      ep("10.1.2.5:80", { zones: ["zone-c"] }),
      ep("10.1.2.6:80", { zones: ["zone-a"], ready: false }),
    ],
    cluster: ["10.1.2.4:80", "10.1.2.5:80"],
    local: [],
  },
  {
    name: "missing hints, no filtering applied",
    nodeLabels: zoneA,
    svc: svc(),
    endpoints: [
      ep("10.1.2.3:80", { zones: ["zone-a"] }),
      ep("10.1.2.4:80", { zones: ["zone-b"] }),
      ep("10.1.2.5:80"),
      ep("10.1.2.6:80", { zones: ["zone-a"] }),
    ],
    cluster: ["10.1.2.3:80", "10.1.2.4:80", "10.1.2.5:80", "10.1.2.6:80"],
    local: [],
  },
  {
    name: "multiple hints per endpoint, filtering includes any endpoint with zone included",
    nodeLabels: { [LABEL_TOPOLOGY_ZONE]: "zone-c" },
    svc: svc(),
    endpoints: [
      ep("10.1.2.3:80", { zones: ["zone-a", "zone-b", "zone-c"] }),
      ep("10.1.2.4:80", { zones: ["zone-b", "zone-c"] }),
      ep("10.1.2.5:80", { zones: ["zone-b", "zone-d"] }),
      ep("10.1.2.6:80", { zones: ["zone-c"] }),
    ],
    cluster: ["10.1.2.3:80", "10.1.2.4:80", "10.1.2.6:80"],
    local: [],
  },
  {
    name: "conflicting topology and localness require merging allEndpoints",
    nodeLabels: zoneA,
    svc: svc({ externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [
      ep("10.0.0.0:80", { zones: ["zone-a"], local: true }),
      ep("10.0.0.1:80", { zones: ["zone-b"], local: true }),
      ep("10.0.0.2:80", { zones: ["zone-a"] }),
      ep("10.0.0.3:80", { zones: ["zone-b"] }),
    ],
    cluster: ["10.0.0.0:80", "10.0.0.2:80"],
    local: ["10.0.0.0:80", "10.0.0.1:80"],
    all: ["10.0.0.0:80", "10.0.0.1:80", "10.0.0.2:80"],
  },
  {
    name: "internalTrafficPolicy: Local, but all endpoints are remote",
    svc: svc({ internalPolicyLocal: true }),
    endpoints: [ep("10.0.0.0:80"), ep("10.0.0.1:80")],
    cluster: [],
    local: [],
    onlyRemoteEndpoints: true,
  },
  {
    name: "Cluster traffic policy, PTE enabled, all endpoints are terminating",
    svc: svc(),
    endpoints: [
      ep("10.0.0.0:80", { ready: false, serving: true, terminating: true, local: true }),
      ep("10.0.0.1:80", { ready: false, serving: true, terminating: true }),
    ],
    cluster: ["10.0.0.0:80", "10.0.0.1:80"],
    local: [],
  },
  {
    name: "iTP: Cluster, eTP: Local, PTE enabled, with terminating endpoints",
    svc: svc({ externalPolicyLocal: true, nodePort: 8080 }),
    endpoints: [
      ep("10.0.0.0:80"),
      ep("10.0.0.1:80", { ready: false, serving: false, local: true }),
      ep("10.0.0.2:80", { ready: false, serving: true, terminating: true, local: true }),
      ep("10.0.0.3:80", { ready: false, serving: true, terminating: true }),
    ],
    cluster: ["10.0.0.0:80"],
    local: ["10.0.0.2:80"],
    all: ["10.0.0.0:80", "10.0.0.2:80"],
  },
  // Not upstream's: hinted, but every ready endpoint is in another zone, and the ones in
  // this zone are terminating. Topology is dropped (no ready endpoint for the zone).
  {
    name: "hints for this zone only on terminating endpoints: all ready endpoints",
    nodeLabels: zoneA,
    svc: svc(),
    endpoints: [
      ep("10.0.0.0:80", { zones: ["zone-a"], ready: false, serving: true, terminating: true }),
      ep("10.0.0.1:80", { zones: ["zone-b"] }),
      ep("10.0.0.2:80", { zones: ["zone-c"] }),
    ],
    cluster: ["10.0.0.1:80", "10.0.0.2:80"],
    local: [],
  },
];

const names = (eps: EndpointInfo[]): string[] => eps.map(endpointString).sort();

describe("categorizeEndpoints (topology_test.go)", () => {
  for (const tc of cases) {
    it(tc.name, () => {
      const got = categorizeEndpoints(tc.endpoints, tc.svc, tc.nodeLabels);
      assert.deepEqual(names(got.clusterEndpoints), [...tc.cluster].sort(), "clusterEndpoints");
      assert.deepEqual(names(got.localEndpoints), [...tc.local].sort(), "localEndpoints");
      const all = tc.all ?? (tc.svc.internalPolicyLocal && !tc.svc.nodePort ? tc.local : tc.cluster);
      assert.deepEqual(names(got.allReachableEndpoints), [...all].sort(), "allReachableEndpoints");
      assert.equal(got.hasAnyEndpoints, all.length > 0 || (tc.onlyRemoteEndpoints ?? false));
    });
  }
});

describe("canUseTopology", () => {
  it("says why a node without a zone label ignores hints, as upstream logs it", () => {
    const logs: Array<[string, Record<string, unknown> | undefined]> = [];
    assert.equal(
      canUseTopology(fourHinted(), {}, (m, f) => logs.push([m, f])),
      false,
    );
    assert.deepEqual(logs, [
      [
        "Skipping topology aware endpoint filtering since node is missing label",
        { label: "topology.kubernetes.io/zone" },
      ],
    ]);
  });
  it("is false without ready endpoints", () => {
    assert.equal(canUseTopology([ep("10.0.0.1:80", { zones: ["zone-a"], ready: false })], zoneA), false);
  });
});
