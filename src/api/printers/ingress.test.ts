// Cases from TestPrintIngress (printers_test.go), plus host lists and TLS ports.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { Ingress } from "kubernetes-types/networking/v1.d.ts";
import { ingressPrinter } from "./ingress.ts";

const now = new Date("2024-06-01T12:00:00Z");
const tenYearsAgo = new Date(now.getTime() - 10 * 365 * 24 * 3600 * 1000).toISOString();
const print = (ing: Ingress) => ingressPrinter.print(ing, { now }).cells;

test("CLASS, HOSTS, ADDRESS, PORTS", () => {
  assert.deepEqual(
    print({
      metadata: { name: "test1", creationTimestamp: tenYearsAgo },
      spec: {
        ingressClassName: "foo",
        defaultBackend: {
          service: { name: "default-backend", port: { name: "default-backend", number: 80 } },
        },
      },
      status: { loadBalancer: { ingress: [{ ip: "2.3.4.5", hostname: "localhost.localdomain" }] } },
    }),
    ["test1", "foo", "*", "2.3.4.5", "80", "10y"],
  );
});

test("more than three hosts, TLS and an unset class", () => {
  const rules = ["a.example.com", "b.example.com", "", "c.example.com", "d.example.com"].map((host) =>
    host ? { host } : {},
  );
  assert.deepEqual(
    print({
      metadata: { name: "web" },
      spec: { rules, tls: [{ hosts: ["a.example.com"], secretName: "tls" }] },
      status: { loadBalancer: { ingress: [{ hostname: "lb.example.com" }, { ip: "10.0.0.1" }] } },
    }),
    [
      "web",
      "<none>",
      "a.example.com,b.example.com,c.example.com + 2 more...",
      "10.0.0.1,lb.example.com",
      "80, 443",
      "<unknown>",
    ],
  );
  assert.equal(print({ metadata: { name: "none" } })[3], "");
});
