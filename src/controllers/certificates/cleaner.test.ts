import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { CSRCleaner, cleanupReason, POLLING_INTERVAL_MS } from "./cleaner.ts";
import { csrObject, makeCA, makeCSR } from "./test-fixtures.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.parse("2025-03-01T12:00:00Z");
const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, "Z");

let pem: string;
let validCert: string;
let expiredCert: string;
before(async () => {
  pem = (await makeCSR({ name: "CN=system:node:a, O=system:nodes" })).pem;
  validCert = Buffer.from((await makeCA({ notAfter: new Date(NOW + 24 * HOUR) })).certPem).toString("base64");
  expiredCert = Buffer.from(
    (await makeCA({ notBefore: new Date(NOW - 48 * HOUR), notAfter: new Date(NOW - HOUR) })).certPem,
  ).toString("base64");
});

function csr(
  name: string,
  createdAgoMs: number,
  conditions: { type: string; agoMs?: number }[],
  certificate?: string,
): CertificateSigningRequest {
  const c = csrObject(
    name,
    pem,
    {},
    {
      conditions: conditions.map((x) => ({
        type: x.type,
        status: "True",
        ...(x.agoMs === undefined ? {} : { lastUpdateTime: at(NOW - x.agoMs) }),
      })),
      ...(certificate ? { certificate } : {}),
    },
  );
  if (conditions.length === 0) delete c.status!.conditions;
  return { ...c, metadata: { ...c.metadata, creationTimestamp: at(NOW - createdAgoMs) } };
}

test("deadlines: issued, denied and failed after an hour, pending after a day, expired certificates at once", () => {
  const cases: [CertificateSigningRequest, string | undefined][] = [
    [csr("issued-new", 2 * HOUR, [{ type: "Approved", agoMs: 30 * MIN }], validCert), undefined],
    [
      csr("issued-old", 2 * HOUR, [{ type: "Approved", agoMs: 61 * MIN }], validCert),
      "Cleaning CSR as it is more than approvedExpiration duration old and approved.",
    ],
    // Approved but never issued: kept (the signer may still come).
    [csr("approved-unissued", 48 * HOUR, [{ type: "Approved", agoMs: 47 * HOUR }]), undefined],
    // Without lastUpdateTime the age is unknown.
    [csr("issued-no-time", 48 * HOUR, [{ type: "Approved" }], validCert), undefined],
    [csr("denied-new", 2 * HOUR, [{ type: "Denied", agoMs: 59 * MIN }]), undefined],
    [
      csr("denied-old", 2 * HOUR, [{ type: "Denied", agoMs: 61 * MIN }]),
      "Cleaning CSR as it is more than deniedExpiration duration old and denied.",
    ],
    [
      csr("failed-old", 2 * HOUR, [
        { type: "Approved", agoMs: 2 * HOUR },
        { type: "Failed", agoMs: 61 * MIN },
      ]),
      "Cleaning CSR as it is more than deniedExpiration duration old and failed.",
    ],
    [csr("pending-new", 23 * HOUR, []), undefined],
    [
      csr("pending-old", 25 * HOUR, []),
      "Cleaning CSR as it is more than pendingExpiration duration old and unhandled.",
    ],
    [
      csr("expired", 10 * MIN, [{ type: "Approved", agoMs: 5 * MIN }], expiredCert),
      "Cleaning CSR as the associated certificate is expired.",
    ],
  ];
  for (const [c, want] of cases) assert.equal(cleanupReason(c, NOW), want, c.metadata?.name);
});

test("the cleaner checks every CSR at start and then every hour", async () => {
  const clock = new FakeClock(NOW);
  const store = new Map<string, CertificateSigningRequest>();
  for (const c of [
    csr("pending-23h", 23 * HOUR, []),
    csr("issued-30m", 2 * HOUR, [{ type: "Approved", agoMs: 30 * MIN }], validCert),
    csr("denied-2h", 3 * HOUR, [{ type: "Denied", agoMs: 2 * HOUR }]),
  ]) {
    store.set(c.metadata!.name!, c);
  }
  const client = {
    delete: async (_res: unknown, name: string) => {
      store.delete(name);
      return {};
    },
  } as unknown as RestClient;
  const cleaner = new CSRCleaner({ client, list: () => [...store.values()], clock, log: () => {} });
  const abort = new AbortController();
  const done = cleaner.run(abort.signal);
  const settle = () => new Promise((r) => setImmediate(r));
  await settle();
  assert.deepEqual([...store.keys()].sort(), ["issued-30m", "pending-23h"]);
  clock.step(POLLING_INTERVAL_MS);
  await settle();
  // An hour on: the certificate's approval is 90 minutes old, the pending request 24 h exactly (kept).
  assert.deepEqual([...store.keys()], ["pending-23h"]);
  clock.step(POLLING_INTERVAL_MS);
  await settle();
  assert.deepEqual([...store.keys()], []);
  abort.abort();
  await done;
});
