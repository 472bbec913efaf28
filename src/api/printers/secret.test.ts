// Cases from TestPrintSecret (printers_test.go).
import assert from "node:assert/strict";
import { test } from "node:test";
import { secretPrinter } from "./secret.ts";

const now = new Date("2024-06-01T12:00:00Z");
const created = new Date(now.getTime() + 1900).toISOString();

test("TYPE and DATA count", () => {
  assert.deepEqual(
    secretPrinter.print(
      {
        metadata: { name: "secret1", creationTimestamp: created },
        type: "kubernetes.io/service-account-token",
        data: { token: "c2VjcmV0IGRhdGE=" },
      },
      { now },
    ).cells,
    ["secret1", "kubernetes.io/service-account-token", 1, "0s"],
  );
  assert.deepEqual(
    secretPrinter.print(
      {
        metadata: { name: "secret1", creationTimestamp: created },
        type: "kubernetes.io/service-account-token",
      },
      { now },
    ).cells,
    ["secret1", "kubernetes.io/service-account-token", 0, "0s"],
  );
  assert.deepEqual(
    secretPrinter.print(
      {
        metadata: { name: "db-creds", creationTimestamp: "2024-06-01T11:55:00Z" },
        type: "Opaque",
        data: { username: "YWRtaW4=", password: "czNjcjN0" },
      },
      { now },
    ).cells,
    ["db-creds", "Opaque", 2, "5m"],
  );
});
