// Cases from TestPrintCertificateSigningRequest (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { certificateSigningRequestPrinter } from "./certificatesigningrequest.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() + 1900).toISOString();
const print = (csr: CertificateSigningRequest) => certificateSigningRequestPrinter.print(csr, { now }).cells;
const spec = { request: "", signerName: "" };

test("SIGNERNAME, REQUESTOR, REQUESTEDDURATION and CONDITION", () => {
  assert.deepEqual(print({ metadata: { name: "csr1", creationTimestamp: created }, spec }), [
    "csr1",
    "0s",
    "<none>",
    "",
    "<none>",
    "Pending",
  ]);
  const approved = { conditions: [{ type: "Approved", status: "True" }] };
  assert.deepEqual(
    print({
      metadata: { name: "csr2", creationTimestamp: created },
      spec: { ...spec, username: "CSR Requestor" },
      status: approved,
    }),
    ["csr2", "0s", "<none>", "CSR Requestor", "<none>", "Approved"],
  );
  assert.deepEqual(
    print({
      metadata: { name: "csr2", creationTimestamp: created },
      spec: {
        request: "",
        username: "CSR Requestor",
        signerName: "example.com/test-signer",
        expirationSeconds: 7 * 24 * 3600 + 3600,
      },
      status: approved,
    }),
    ["csr2", "0s", "example.com/test-signer", "CSR Requestor", "7d1h", "Approved"],
  );
  assert.equal(
    print({ metadata: { name: "csr2" }, spec, status: { ...approved, certificate: "Y2VydCBkYXRh" } })[5],
    "Approved,Issued",
  );
  assert.equal(
    print({
      metadata: { name: "csr3" },
      spec,
      status: { conditions: [{ type: "Denied", status: "True" }] },
    })[5],
    "Denied",
  );
  assert.equal(
    print({
      metadata: { name: "csr4" },
      spec,
      status: {
        conditions: [
          { type: "Approved", status: "True" },
          { type: "Failed", status: "True" },
        ],
      },
    })[5],
    "Approved,Failed",
  );
});
