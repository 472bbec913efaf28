// Services and claims, with cases from upstream's services_test.go and
// persistent_volume_claims_test.go.
import assert from "node:assert/strict";
import { test } from "node:test";
import { PersistentVolumeClaimEvaluator, requiresQuotaReplenish } from "./persistent-volume-claims.ts";
import { toJSON } from "./resources.ts";
import { ServiceEvaluator } from "./services.ts";

const svc = new ServiceEvaluator();
const pvc = new PersistentVolumeClaimEvaluator();

test("service usage: node ports and load balancers by type", () => {
  const ports = (n: number) => Array.from({ length: n }, (_, i) => ({ port: 80 + i }));
  assert.deepEqual(toJSON(svc.usage({ spec: { type: "ClusterIP", ports: ports(1) } })), {
    "count/services": "1",
    services: "1",
    "services.loadbalancers": "0",
    "services.nodeports": "0",
  });
  assert.deepEqual(toJSON(svc.usage({ spec: { type: "NodePort", ports: ports(2) } })), {
    "count/services": "1",
    services: "1",
    "services.loadbalancers": "0",
    "services.nodeports": "2",
  });
  assert.deepEqual(toJSON(svc.usage({ spec: { type: "LoadBalancer", ports: ports(2) } })), {
    "count/services": "1",
    services: "1",
    "services.loadbalancers": "1",
    "services.nodeports": "2",
  });
  // Without node port allocation only the explicit ones count.
  const explicit = {
    spec: {
      type: "LoadBalancer",
      allocateLoadBalancerNodePorts: false,
      ports: [{ port: 80, nodePort: 32001 }, { port: 81 }],
    },
  };
  assert.equal(toJSON(svc.usage(explicit))["services.nodeports"], "1");
  assert.deepEqual(svc.matchingResources(["services", "pods", "services.nodeports", "count/services"]), [
    "count/services",
    "services",
    "services.nodeports",
  ]);
});

test("claim usage: storage in total and by class, rounded up to whole bytes, the larger of request and allocation", () => {
  const claim = (request: string, extra: object = {}) => ({
    spec: { storageClassName: "gold", resources: { requests: { storage: request } } },
    ...extra,
  });
  assert.deepEqual(toJSON(pvc.usage(claim("10Gi"))), {
    "count/persistentvolumeclaims": "1",
    "gold.storageclass.storage.k8s.io/persistentvolumeclaims": "1",
    "gold.storageclass.storage.k8s.io/requests.storage": "10Gi",
    persistentvolumeclaims: "1",
    "requests.storage": "10Gi",
  });
  assert.equal(toJSON(pvc.usage(claim("1500m")))["requests.storage"], "2");
  assert.equal(
    toJSON(pvc.usage(claim("10Gi", { status: { allocatedResources: { storage: "20Gi" } } })))[
      "requests.storage"
    ],
    "20Gi",
  );
  assert.equal(
    toJSON(pvc.usage(claim("10Gi", { status: { allocatedResources: { storage: "5Gi" } } })))[
      "requests.storage"
    ],
    "10Gi",
  );
  // The beta annotation wins over spec.storageClassName.
  const annotated = {
    metadata: { annotations: { "volume.beta.kubernetes.io/storage-class": "silver" } },
    ...claim("1Gi"),
  };
  assert.equal(toJSON(pvc.usage(annotated))["silver.storageclass.storage.k8s.io/requests.storage"], "1Gi");
  assert.deepEqual(
    pvc.matchingResources([
      "persistentvolumeclaims",
      "gold.storageclass.storage.k8s.io/requests.storage",
      "pods",
      "count/persistentvolumeclaims",
    ]),
    [
      "persistentvolumeclaims",
      "gold.storageclass.storage.k8s.io/requests.storage",
      "count/persistentvolumeclaims",
    ],
  );
  assert.equal(
    requiresQuotaReplenish(
      claim("1Gi", { status: { allocatedResources: { storage: "2Gi" } } }),
      claim("1Gi"),
    ),
    true,
  );
  assert.equal(requiresQuotaReplenish(claim("1Gi"), claim("1Gi")), false);
});
