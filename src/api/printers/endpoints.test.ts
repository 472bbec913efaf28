// Cases from TestPrintEndpoint (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Endpoints } from "kubernetes-types/core/v1.d.ts";
import { endpointsPrinter } from "./endpoints.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() - 300_000).toISOString();
const print = (e: Endpoints) => endpointsPrinter.print(e, { now }).cells;

test("ENDPOINTS lists up to three host:port pairs", () => {
  assert.deepEqual(print({ metadata: { name: "endpoint1", creationTimestamp: created } }), [
    "endpoint1",
    "<none>",
    "5m",
  ]);
  assert.deepEqual(
    print({
      metadata: { name: "endpoint3", creationTimestamp: created },
      subsets: [{ addresses: [{ ip: "1.2.3.4" }, { ip: "5.6.7.8" }] }],
    }),
    ["endpoint3", "1.2.3.4,5.6.7.8", "5m"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "endpoint2", creationTimestamp: created },
      subsets: [
        { addresses: [{ ip: "1.2.3.4" }, { ip: "5.6.7.8" }], ports: [{ port: 8001, protocol: "tcp" }] },
      ],
    }),
    ["endpoint2", "1.2.3.4:8001,5.6.7.8:8001", "5m"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "endpoint2", creationTimestamp: created },
      subsets: [
        {
          addresses: [{ ip: "1.2.3.4" }, { ip: "5.6.7.8" }, { ip: "9.8.7.6" }, { ip: "6.6.6.6" }],
          ports: [{ port: 8001, protocol: "tcp" }],
        },
      ],
    }),
    ["endpoint2", "1.2.3.4:8001,5.6.7.8:8001,9.8.7.6:8001 + 1 more...", "5m"],
  );
});

test("more counts every address of every port, and IPv6 hosts are bracketed", () => {
  assert.equal(
    print({
      metadata: { name: "web" },
      subsets: [
        { addresses: [{ ip: "10.0.0.1" }, { ip: "10.0.0.2" }], ports: [{ port: 80 }, { port: 443 }] },
        { addresses: [{ ip: "10.0.0.3" }], ports: [{ port: 80 }] },
      ],
    })[1],
    "10.0.0.1:80,10.0.0.2:80,10.0.0.1:443 + 2 more...",
  );
  assert.equal(
    print({
      metadata: { name: "v6" },
      subsets: [{ addresses: [{ ip: "fd00::1" }], ports: [{ port: 80 }] }],
    })[1],
    "[fd00::1]:80",
  );
});
