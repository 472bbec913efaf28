// Cases from TestPrintService and TestPrintServiceLoadBalancer (printers_test.go). The apiserver prints wide,
// so cells carry the Selector and load-balancer addresses are not clipped.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Service } from "kubernetes-types/core/v1.d.ts";
import { loadBalancerStatusStringer, servicePrinter } from "./service.ts";

const now = new Date("2024-06-01T12:00:00Z");
const print = (svc: Service) => servicePrinter.print(svc, { now }).cells;

test("ClusterIP, NodePort and ExternalName services", () => {
  assert.deepEqual(
    print({
      metadata: { name: "test1" },
      spec: {
        type: "ClusterIP",
        ports: [{ protocol: "tcp", port: 2233 }],
        clusterIPs: ["10.9.8.7"],
        selector: { foo: "bar" },
      },
    }),
    ["test1", "ClusterIP", "10.9.8.7", "<none>", "2233/tcp", "<unknown>", "foo=bar"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "test2" },
      spec: {
        type: "NodePort",
        ports: [{ protocol: "tcp", port: 8888, nodePort: 9999 }],
        clusterIPs: ["10.9.8.7"],
      },
    }),
    ["test2", "NodePort", "10.9.8.7", "<none>", "8888:9999/tcp", "<unknown>", "<none>"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "test7" },
      spec: { type: "ExternalName", externalName: "my.database.example.com" },
    }),
    ["test7", "ExternalName", "<none>", "my.database.example.com", "<none>", "<unknown>", "<none>"],
  );
  assert.equal(
    print({
      metadata: { name: "ext" },
      spec: { type: "ClusterIP", externalIPs: ["80.11.12.10"], clusterIPs: ["10.0.0.1"] },
    })[3],
    "80.11.12.10",
  );
});

test("LoadBalancer EXTERNAL-IP: pending, status ingress, and external IPs", () => {
  const lb = (status: Service["status"], externalIPs?: string[]): Service => ({
    metadata: { name: "lb" },
    spec: {
      type: "LoadBalancer",
      ports: [{ protocol: "tcp", port: 8888 }],
      clusterIPs: ["10.9.8.7"],
      externalIPs,
    },
    status,
  });
  assert.equal(print(lb(undefined))[3], "<pending>");
  assert.equal(print(lb(undefined, ["80.11.12.10"]))[3], "80.11.12.10");
  assert.equal(
    print(
      lb({ loadBalancer: { ingress: [{ ip: "3.4.5.6", hostname: "test.cluster.com" }] } }, ["80.11.12.10"]),
    )[3],
    "3.4.5.6,80.11.12.10",
  );
  assert.equal(
    print(
      lb(
        {
          loadBalancer: {
            ingress: [
              { ip: "2.3.4.5", hostname: "test.cluster.local" },
              { ip: "3.4.5.6", hostname: "test.cluster.com" },
            ],
          },
        },
        ["80.11.12.10", "80.11.12.11"],
      ),
    )[3],
    "2.3.4.5,3.4.5.6,80.11.12.10,80.11.12.11",
  );
  assert.equal(
    print(lb({ loadBalancer: { ingress: [{ hostname: "lb.example.com" }] } }))[3],
    "lb.example.com",
  );
});

test("multiple ports and long address lists (TestPrintServiceLoadBalancer, wide)", () => {
  assert.deepEqual(
    print({
      metadata: { name: "service2" },
      spec: {
        clusterIPs: ["1.3.4.5"],
        type: "LoadBalancer",
        ports: [
          { port: 80, protocol: "TCP" },
          { port: 8090, protocol: "UDP" },
          { port: 8000, protocol: "TCP" },
          { port: 7777, protocol: "SCTP" },
        ],
      },
    }),
    [
      "service2",
      "LoadBalancer",
      "1.3.4.5",
      "<pending>",
      "80/TCP,8090/UDP,8000/TCP,7777/SCTP",
      "<unknown>",
      "<none>",
    ],
  );
  const status = {
    loadBalancer: {
      ingress: [{ ip: "2.3.4.5" }, { ip: "3.4.5.6" }, { ip: "5.6.7.8", hostname: "host5678" }],
    },
  };
  assert.deepEqual(
    print({
      metadata: { name: "service4" },
      spec: {
        clusterIPs: ["1.5.6.7"],
        type: "LoadBalancer",
        ports: [
          { port: 80, protocol: "TCP" },
          { port: 8090, protocol: "UDP" },
          { port: 8000, protocol: "TCP" },
        ],
        selector: { foo: "bar" },
      },
      status,
    }),
    [
      "service4",
      "LoadBalancer",
      "1.5.6.7",
      "2.3.4.5,3.4.5.6,5.6.7.8",
      "80/TCP,8090/UDP,8000/TCP",
      "<unknown>",
      "foo=bar",
    ],
  );
  // Without Wide, as kubectl's client-side printer would use it, the list is clipped to 16 characters.
  assert.equal(loadBalancerStatusStringer(status.loadBalancer, false), "2.3.4.5,3.4.5...");
});

test("a realistic headless service and the column set", () => {
  const svc: Service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "db", namespace: "default", creationTimestamp: "2024-06-01T11:00:00Z" },
    spec: {
      type: "ClusterIP",
      clusterIP: "None",
      clusterIPs: ["None"],
      ports: [{ name: "pg", port: 5432, protocol: "TCP", targetPort: 5432 }],
      selector: { app: "db" },
    },
  };
  assert.deepEqual(print(svc), ["db", "ClusterIP", "None", "<none>", "5432/TCP", "60m", "app=db"]);
  assert.deepEqual(
    servicePrinter.columns.map((c) => c.name),
    ["Name", "Type", "Cluster-IP", "External-IP", "Port(s)", "Age", "Selector"],
  );
  assert.equal(servicePrinter.columns[6].priority, 1);
});
