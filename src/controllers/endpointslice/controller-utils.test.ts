// Which pods belong in endpoints, named port lookup, and which Services a pod
// change concerns (upstream's controller_utils_test.go cases).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod, Service } from "kubernetes-types/core/v1.d.ts";
import { Indexer } from "../../client/indexer.ts";
import {
  findPort,
  formatRFC3339Nano,
  getServicesToUpdateOnPodChange,
  shouldPodBeInEndpoints,
  shouldSetHostname,
} from "./controller-utils.ts";
import { testPod, testService } from "./testing.ts";

test("shouldPodBeInEndpoints: terminal pods and pods without IPs never; terminating ones only when asked", () => {
  assert.equal(shouldPodBeInEndpoints(testPod("p", "10.0.0.1"), false), true);
  assert.equal(shouldPodBeInEndpoints(testPod("p", "10.0.0.1", { phase: "Succeeded" }), true), false);
  assert.equal(shouldPodBeInEndpoints(testPod("p", "10.0.0.1", { phase: "Failed" }), true), false);
  const noIP: Pod = { ...testPod("p", "10.0.0.1"), status: { phase: "Pending" } };
  assert.equal(shouldPodBeInEndpoints(noIP, true), false);
  assert.equal(shouldPodBeInEndpoints(testPod("p", "10.0.0.1", { deleting: true }), false), false);
  assert.equal(shouldPodBeInEndpoints(testPod("p", "10.0.0.1", { deleting: true }), true), true);
});

test("shouldSetHostname: hostname set and subdomain equal to the Service's name in its namespace", () => {
  const svc = testService({ name: "db" });
  assert.equal(shouldSetHostname(testPod("p", "1.1.1.1", { hostname: "db-0", subdomain: "db" }), svc), true);
  assert.equal(
    shouldSetHostname(testPod("p", "1.1.1.1", { hostname: "db-0", subdomain: "other" }), svc),
    false,
  );
  assert.equal(shouldSetHostname(testPod("p", "1.1.1.1", { subdomain: "db" }), svc), false);
});

test("findPort: numbers as is, names among container ports of the same protocol, sidecars too", () => {
  const pod = testPod("p", "1.1.1.1");
  pod.spec!.initContainers = [
    { name: "side", restartPolicy: "Always", ports: [{ name: "metrics", containerPort: 9090 }] },
    { name: "init", ports: [{ name: "init-port", containerPort: 7070 }] },
  ];
  assert.equal(findPort(pod, { port: 80, targetPort: 8081, protocol: "TCP" }), 8081);
  assert.equal(findPort(pod, { port: 80, targetPort: "web", protocol: "TCP" }), 8080);
  assert.equal(findPort(pod, { port: 80, targetPort: "metrics", protocol: "TCP" }), 9090);
  assert.throws(() => findPort(pod, { port: 80, targetPort: "web", protocol: "UDP" }), {
    message: "no suitable port for manifest: uid-p",
  });
  assert.throws(() => findPort(pod, { port: 80, targetPort: "init-port", protocol: "TCP" }));
});

test("getServicesToUpdateOnPodChange: resyncs nothing, label moves only the Services joined or left", () => {
  const services = new Indexer<Service>();
  services.upsert(testService({ name: "web", selector: { app: "web" } }));
  services.upsert(testService({ name: "all", selector: { tier: "x" } }));
  services.upsert(testService({ name: "api", selector: { app: "api" } }));
  services.upsert(testService({ name: "none", selector: undefined }));
  const view = services.view();
  const base = testPod("p", "1.1.1.1");
  const old: Pod = { ...base, metadata: { ...base.metadata, labels: { app: "web", tier: "x" } } };
  assert.deepEqual([...getServicesToUpdateOnPodChange(view, old, old)], []);

  const relabeled: Pod = {
    ...old,
    metadata: { ...old.metadata, resourceVersion: "2", labels: { app: "api", tier: "x" } },
  };
  assert.deepEqual([...getServicesToUpdateOnPodChange(view, old, relabeled)].sort(), ["ns/api", "ns/web"]);

  // Labels and readiness changed: every Service of either set.
  const both: Pod = structuredClone(relabeled);
  both.status!.conditions![0].status = "False";
  assert.deepEqual([...getServicesToUpdateOnPodChange(view, old, both)].sort(), [
    "ns/all",
    "ns/api",
    "ns/web",
  ]);

  // An annotation only: nothing.
  const annotated: Pod = {
    ...old,
    metadata: { ...old.metadata, resourceVersion: "3", annotations: { a: "b" } },
  };
  assert.deepEqual([...getServicesToUpdateOnPodChange(view, old, annotated)], []);
});

test("formatRFC3339Nano trims trailing zeros of the fraction", () => {
  assert.equal(formatRFC3339Nano(Date.parse("2024-01-01T00:00:30Z")), "2024-01-01T00:00:30Z");
  assert.equal(formatRFC3339Nano(Date.parse("2024-01-01T00:00:30.250Z")), "2024-01-01T00:00:30.25Z");
});
