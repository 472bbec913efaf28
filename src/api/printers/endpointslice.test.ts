// Cases from TestPrintEndpointSlice (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { EndpointSlice } from "kubernetes-types/discovery/v1.d.ts";
import { endpointSlicePrinter } from "./endpointslice.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() - 300_000).toISOString();
const print = (s: EndpointSlice) => endpointSlicePrinter.print(s, { now }).cells;
const port = (name: string, p: number) => ({ name, port: p, protocol: "TCP" });

test("PORTS and ENDPOINTS list up to three entries", () => {
  assert.deepEqual(
    print({
      metadata: { name: "abcslice.123", creationTimestamp: created },
      addressType: "IPv4",
      ports: [port("http", 80)],
      endpoints: [{ addresses: ["10.1.2.3", "2001:db8::1234:5678"] }],
    }),
    ["abcslice.123", "IPv4", "80", "10.1.2.3,2001:db8::1234:5678", "5m"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "longerslicename.123", creationTimestamp: created },
      addressType: "IPv6",
      ports: [port("http", 80), port("https", 443)],
      endpoints: [
        { addresses: ["10.1.2.3", "2001:db8::1234:5678"] },
        { addresses: ["10.2.3.4", "2001:db8::2345:6789"] },
      ],
    }),
    ["longerslicename.123", "IPv6", "80,443", "10.1.2.3,2001:db8::1234:5678,10.2.3.4 + 1 more...", "5m"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "multiportslice.123", creationTimestamp: created },
      addressType: "IPv4",
      ports: [port("http", 80), port("https", 443), port("extra1", 3000), port("extra2", 3001)],
      endpoints: [
        { addresses: ["10.1.2.3", "2001:db8::1234:5678"] },
        { addresses: ["10.2.3.4", "2001:db8::2345:6789"] },
      ],
    }),
    [
      "multiportslice.123",
      "IPv4",
      "80,443,3000 + 1 more...",
      "10.1.2.3,2001:db8::1234:5678,10.2.3.4 + 1 more...",
      "5m",
    ],
  );
});

test("unset ports and endpoints print <unset>; a port without a number prints its name or *", () => {
  assert.deepEqual(
    print({ metadata: { name: "empty", creationTimestamp: created }, addressType: "IPv4", endpoints: [] }),
    ["empty", "IPv4", "<unset>", "<unset>", "5m"],
  );
  assert.equal(
    print({ metadata: { name: "p" }, addressType: "IPv4", endpoints: [], ports: [{ name: "dns" }, {}] })[2],
    "dns,*",
  );
});
