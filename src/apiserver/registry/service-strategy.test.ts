import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../api/registry.ts";
import { dropTypeDependentFields } from "./service-strategy.ts";

const lbLocal = (): Obj => ({
  metadata: { name: "s" },
  spec: {
    type: "LoadBalancer",
    clusterIP: "10.96.1.2",
    clusterIPs: ["10.96.1.2"],
    externalTrafficPolicy: "Local",
    healthCheckNodePort: 31000,
    allocateLoadBalancerNodePorts: true,
    ports: [{ port: 80, nodePort: 30100 }],
  },
  status: { loadBalancer: { ingress: [{ ip: "192.0.2.9" }] } },
});

test("Local → Cluster drops the untouched health-check node port only", () => {
  const old = lbLocal();
  const next = lbLocal();
  next.spec.externalTrafficPolicy = "Cluster";
  dropTypeDependentFields(next, old);
  assert.equal(next.spec.healthCheckNodePort, undefined);
  assert.equal(next.spec.ports[0].nodePort, 30100);
  assert.equal(next.spec.clusterIP, "10.96.1.2");
});

test("LoadBalancer → ClusterIP drops node ports, the LB fields, externalTrafficPolicy and the LB status", () => {
  const old = lbLocal();
  const next = lbLocal();
  next.spec.type = "ClusterIP";
  dropTypeDependentFields(next, old);
  assert.deepEqual(next.spec.ports, [{ port: 80 }]);
  assert.equal(next.spec.healthCheckNodePort, undefined);
  assert.equal(next.spec.allocateLoadBalancerNodePorts, undefined);
  assert.equal(next.spec.externalTrafficPolicy, undefined);
  assert.deepEqual(next.status.loadBalancer, {});
  assert.deepEqual(old.status.loadBalancer.ingress, [{ ip: "192.0.2.9" }], "the old object is untouched");
  assert.equal(next.spec.clusterIP, "10.96.1.2");
});

test("a field the user changed in the same update stays, for validation to judge", () => {
  const old = lbLocal();
  const next = lbLocal();
  next.spec.type = "ClusterIP";
  next.spec.ports[0].nodePort = 30200;
  dropTypeDependentFields(next, old);
  assert.equal(next.spec.ports[0].nodePort, 30200);
});

test("→ ExternalName drops the untouched cluster IPs and IP families", () => {
  const old: Obj = {
    spec: {
      type: "ClusterIP",
      clusterIP: "10.96.1.3",
      clusterIPs: ["10.96.1.3"],
      ipFamilies: ["IPv4"],
      ipFamilyPolicy: "SingleStack",
    },
  };
  const next: Obj = structuredClone(old);
  next.spec.type = "ExternalName";
  next.spec.externalName = "example.com";
  dropTypeDependentFields(next, old);
  assert.equal(next.spec.clusterIP, undefined);
  assert.equal(next.spec.clusterIPs, undefined);
  assert.equal(next.spec.ipFamilies, undefined);
  assert.equal(next.spec.ipFamilyPolicy, undefined);
});
