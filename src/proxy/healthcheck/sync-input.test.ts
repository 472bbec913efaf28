import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { EndpointInfo, ServicePortInfo } from "../service-port.ts";
import { healthCheckNodePorts, localReadyEndpoints, serviceOfPortKey } from "./sync-input.ts";

const ep = (ip: string, port: number, isLocal: boolean, ready = true): EndpointInfo => ({
  ip,
  port,
  isLocal,
  ready,
  serving: ready,
  terminating: !ready,
  zoneHints: [],
});

describe("serviceOfPortKey", () => {
  it("takes the namespace and name of a service port key", () => {
    assert.equal(serviceOfPortKey("ns/web:http/TCP"), "ns/web");
    assert.equal(serviceOfPortKey("ns/web/UDP"), "ns/web");
  });
});

describe("localReadyEndpoints", () => {
  it("counts distinct local ready IPs per service, over its ports (upstream LocalReadyEndpoints)", () => {
    const eps = new Map<string, EndpointInfo[]>([
      // 10.0.0.1 serves two ports: one endpoint.
      ["ns/web:http/TCP", [ep("10.0.0.1", 80, true), ep("10.0.0.2", 80, true), ep("10.0.1.1", 80, false)]],
      ["ns/web:https/TCP", [ep("10.0.0.1", 443, true)]],
      // Terminating only: the health check fails.
      ["ns/draining/TCP", [ep("10.0.0.3", 80, true, false)]],
      ["ns/remote/TCP", [ep("10.0.1.2", 80, false)]],
    ]);
    assert.deepEqual(localReadyEndpoints(eps), new Map([["ns/web", 2]]));
  });
});

describe("healthCheckNodePorts", () => {
  it("keeps services with a healthCheckNodePort, by namespace/name", () => {
    const info = (name: string, port: string, hc: number) =>
      ({
        name: { namespace: "ns", name, port, protocol: "TCP" },
        healthCheckNodePort: hc,
      }) as ServicePortInfo;
    const svcs = new Map([
      ["ns/lb:http/TCP", info("lb", "http", 30123)],
      ["ns/lb:https/TCP", info("lb", "https", 30123)],
      ["ns/cluster:http/TCP", info("cluster", "http", 0)],
    ]);
    assert.deepEqual(healthCheckNodePorts(svcs), new Map([["ns/lb", 30123]]));
  });
});
