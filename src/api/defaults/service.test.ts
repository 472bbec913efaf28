import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Service } from "kubernetes-types/core/v1.d.ts";
import { applyDefaults } from "./index.ts";

function defaulted(svc: Service): Service {
  const obj = structuredClone(svc) as unknown as Record<string, unknown>;
  applyDefaults("", "Service", obj);
  return obj as unknown as Service;
}

describe("Service defaults", () => {
  it("fills a ClusterIP service as `kubectl expose` gets it back (before IP allocation)", () => {
    const got = defaulted({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web" },
      spec: { selector: { app: "web" }, ports: [{ port: 80 }] },
    });
    assert.deepEqual(got.spec, {
      selector: { app: "web" },
      ports: [{ port: 80, protocol: "TCP", targetPort: 80 }],
      sessionAffinity: "None",
      type: "ClusterIP",
      internalTrafficPolicy: "Cluster",
    });
  });

  it("keeps a named or numeric targetPort and replaces 0 or empty", () => {
    const got = defaulted({
      spec: {
        ports: [
          { name: "a", port: 80, targetPort: "http" },
          { name: "b", port: 81, targetPort: 8081, protocol: "UDP" },
          { name: "c", port: 82, targetPort: 0 },
          { name: "d", port: 83, targetPort: "" },
        ],
      },
    });
    assert.deepEqual(got.spec?.ports, [
      { name: "a", port: 80, targetPort: "http", protocol: "TCP" },
      { name: "b", port: 81, targetPort: 8081, protocol: "UDP" },
      { name: "c", port: 82, targetPort: 82, protocol: "TCP" },
      { name: "d", port: 83, targetPort: 83, protocol: "TCP" },
    ]);
  });

  it("defaults NodePort and LoadBalancer traffic policies and node port allocation", () => {
    const nodePort = defaulted({ spec: { type: "NodePort", ports: [{ port: 80 }] } });
    assert.equal(nodePort.spec?.externalTrafficPolicy, "Cluster");
    assert.equal(nodePort.spec?.internalTrafficPolicy, "Cluster");
    assert.equal(nodePort.spec?.allocateLoadBalancerNodePorts, undefined);

    const lb = defaulted({
      spec: { type: "LoadBalancer", externalTrafficPolicy: "Local", ports: [{ port: 443 }] },
      status: {
        loadBalancer: {
          ingress: [{ ip: "192.0.2.10" }, { hostname: "lb.example" }, { ip: "192.0.2.11", ipMode: "Proxy" }],
        },
      },
    });
    assert.equal(lb.spec?.externalTrafficPolicy, "Local");
    assert.equal(lb.spec?.allocateLoadBalancerNodePorts, true);
    assert.deepEqual(lb.status?.loadBalancer?.ingress, [
      { ip: "192.0.2.10", ipMode: "VIP" },
      { hostname: "lb.example" },
      { ip: "192.0.2.11", ipMode: "Proxy" },
    ]);
  });

  it("gives a ClusterIP service with externalIPs an external traffic policy", () => {
    const got = defaulted({ spec: { externalIPs: ["192.0.2.1"], ports: [{ port: 80 }] } });
    assert.equal(got.spec?.externalTrafficPolicy, "Cluster");
  });

  it("leaves ExternalName services without traffic policies", () => {
    const got = defaulted({ spec: { type: "ExternalName", externalName: "example.com" } });
    assert.deepEqual(got.spec, {
      type: "ExternalName",
      externalName: "example.com",
      sessionAffinity: "None",
    });
  });

  it("defaults ClientIP affinity timeout to 10800 and drops config for None", () => {
    const clientIP = defaulted({ spec: { sessionAffinity: "ClientIP" } });
    assert.deepEqual(clientIP.spec?.sessionAffinityConfig, { clientIP: { timeoutSeconds: 10800 } });
    const kept = defaulted({
      spec: { sessionAffinity: "ClientIP", sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } },
    });
    assert.deepEqual(kept.spec?.sessionAffinityConfig, { clientIP: { timeoutSeconds: 60 } });
    const none = defaulted({ spec: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 60 } } } });
    assert.equal(none.spec?.sessionAffinity, "None");
    assert.equal("sessionAffinityConfig" in (none.spec ?? {}), false);
  });
});
