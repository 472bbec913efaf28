// The desired endpoint of a pod and the small helpers around slices
// (upstream's utils_test.go cases).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { IS_HEADLESS_SERVICE, LABEL_MANAGED_BY, LABEL_SERVICE_NAME } from "./labels.ts";
import { testPod, testService } from "./testing.ts";
import {
  getAddressTypesForService,
  getEndpointPorts,
  getEndpointSlicePrefix,
  getSliceToFill,
  hintsEnabled,
  podToEndpoint,
  setEndpointSliceLabels,
} from "./utils.ts";

const node: Node = { metadata: { name: "node-0", labels: { "topology.kubernetes.io/zone": "zone-a" } } };

test("podToEndpoint: a ready pod", () => {
  const ep = podToEndpoint(testPod("p", "10.0.0.1"), node, testService(), "IPv4");
  assert.deepEqual(ep, {
    addresses: ["10.0.0.1"],
    conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: "Pod", namespace: "ns", name: "p", uid: "uid-p" },
    nodeName: "node-0",
    zone: "zone-a",
  });
});

test("podToEndpoint: terminating pods are never ready unless the Service publishes not-ready addresses", () => {
  const pod = testPod("p", "10.0.0.1", { deleting: true });
  assert.deepEqual(podToEndpoint(pod, node, testService(), "IPv4").conditions, {
    ready: false,
    serving: true,
    terminating: true,
  });
  assert.deepEqual(
    podToEndpoint(pod, node, testService({ publishNotReadyAddresses: true }), "IPv4").conditions,
    {
      ready: true,
      serving: true,
      terminating: true,
    },
  );
  const notReady = testPod("q", "10.0.0.2", { ready: false });
  assert.deepEqual(podToEndpoint(notReady, undefined, testService(), "IPv4").conditions, {
    ready: false,
    serving: false,
    terminating: false,
  });
});

test("podToEndpoint: hostname in the Service's subdomain; addresses of the address type only", () => {
  const pod = testPod("p", "10.0.0.1", { hostname: "web-0", subdomain: "svc" });
  pod.status!.podIPs = [{ ip: "10.0.0.1" }, { ip: "fd00::1" }];
  const ep = podToEndpoint(pod, node, testService({ clusterIP: "None" }), "IPv6");
  assert.equal(ep.hostname, "web-0");
  assert.deepEqual(ep.addresses, ["fd00::1"]);
});

test("getEndpointPorts: names, protocols and appProtocol; unresolvable ports skipped; headless without ports", () => {
  const svc = testService({
    ports: [
      { name: "http", port: 80, protocol: "TCP", targetPort: "web", appProtocol: "http" },
      { name: "dns", port: 53, protocol: "UDP", targetPort: "dns" },
      { name: "raw", port: 81, protocol: "TCP", targetPort: 9000 },
    ],
  });
  assert.deepEqual(getEndpointPorts(svc, testPod("p", "1.1.1.1")), [
    { name: "http", port: 8080, protocol: "TCP", appProtocol: "http" },
    { name: "raw", port: 9000, protocol: "TCP" },
  ]);
  assert.deepEqual(
    getEndpointPorts(testService({ clusterIP: "None", ports: [] }), testPod("p", "1.1.1.1")),
    [],
  );
});

test("getEndpointSlicePrefix: name- unless that is not a valid prefix", () => {
  assert.equal(getEndpointSlicePrefix("web"), "web-");
  assert.equal(getEndpointSlicePrefix("a".repeat(253)), "a".repeat(253));
});

test("setEndpointSliceLabels: Service labels without reserved ones, plus service-name, managed-by, headless", () => {
  const svc = testService({ clusterIP: "None", labels: { a: "1", [LABEL_SERVICE_NAME]: "evil" } });
  const { labels, updated } = setEndpointSliceLabels(
    { metadata: { labels: { a: "1" } }, addressType: "IPv4", endpoints: [] },
    svc,
    "c",
  );
  assert.deepEqual(labels, {
    a: "1",
    [IS_HEADLESS_SERVICE]: "",
    [LABEL_SERVICE_NAME]: "svc",
    [LABEL_MANAGED_BY]: "c",
  });
  assert.equal(updated, false);
  assert.equal(
    setEndpointSliceLabels({ metadata: { labels: {} }, addressType: "IPv4", endpoints: [] }, svc, "c")
      .updated,
    true,
  );
});

test("getAddressTypesForService: ipFamilies, else the cluster IP's family, else both", () => {
  assert.deepEqual(
    [...getAddressTypesForService(testService({ ipFamilies: ["IPv6", "IPv4"] }))],
    ["IPv6", "IPv4"],
  );
  assert.deepEqual(
    [...getAddressTypesForService(testService({ ipFamilies: [], clusterIP: "fd00::a" }))],
    ["IPv6"],
  );
  assert.deepEqual(
    [...getAddressTypesForService(testService({ ipFamilies: [], clusterIP: "None" }))],
    ["IPv4", "IPv6"],
  );
});

test("getSliceToFill: the slice closest to full that still fits", () => {
  const s = (name: string, n: number) => ({
    metadata: { name },
    addressType: "IPv4",
    endpoints: Array(n).fill({}),
  });
  assert.equal(getSliceToFill([s("a", 50), s("b", 80), s("c", 96)], 10, 100)?.metadata?.name, "b");
  assert.equal(getSliceToFill([s("a", 95)], 10, 100), undefined);
});

test("hintsEnabled: Auto or auto in the (deprecated first) topology annotation", () => {
  assert.equal(hintsEnabled({ "service.kubernetes.io/topology-mode": "Auto" }), true);
  assert.equal(
    hintsEnabled({
      "service.kubernetes.io/topology-aware-hints": "disabled",
      "service.kubernetes.io/topology-mode": "Auto",
    }),
    false,
  );
  assert.equal(hintsEnabled(undefined), false);
});
