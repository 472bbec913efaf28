import assert from "node:assert/strict";
import { describe, test } from "node:test";
import {
  getCertApprovalCondition,
  hasTrueCondition,
  isCertificateRequestApproved,
  validateAPIServerClientUsages,
  validateKubeletClientCSR,
  validateKubeletServingCSR,
} from "./helpers.ts";
import { csrObject, makeCSR } from "./test-fixtures.ts";
import { parseCSR } from "./x509.ts";

const NODE = "CN=system:node:worker-1, O=system:nodes";
const CLIENT = ["digital signature", "key encipherment", "client auth"];
const SERVING = ["digital signature", "key encipherment", "server auth"];

async function req(s: Parameters<typeof makeCSR>[0]) {
  return parseCSR((await makeCSR(s)).pem);
}

describe("ValidateKubeletClientCSR", () => {
  const cases: [string, Parameters<typeof makeCSR>[0], string[], string | undefined][] = [
    ["a node client request", { name: NODE }, CLIENT, undefined],
    [
      "without key encipherment (ECDSA keys)",
      { name: NODE },
      ["digital signature", "client auth"],
      undefined,
    ],
    [
      "no organization",
      { name: "CN=system:node:worker-1" },
      CLIENT,
      "subject organization is not system:nodes",
    ],
    [
      "another organization too",
      { name: "CN=system:node:worker-1, O=system:nodes, O=system:masters" },
      CLIENT,
      "subject organization is not system:nodes",
    ],
    ["a DNS name", { name: NODE, dns: ["worker-1"] }, CLIENT, "DNS subjectAltNames are not allowed"],
    ["an email", { name: NODE, emails: ["a@b.c"] }, CLIENT, "Email subjectAltNames are not allowed"],
    ["an IP", { name: NODE, ips: ["10.0.0.1"] }, CLIENT, "IP subjectAltNames are not allowed"],
    ["a URI", { name: NODE, uris: ["spiffe://x/y"] }, CLIENT, "URI subjectAltNames are not allowed"],
    [
      "a CN outside system:node:",
      { name: "CN=worker-1, O=system:nodes" },
      CLIENT,
      "subject common name does not begin with system:node:",
    ],
    [
      "server auth too",
      { name: NODE },
      [...CLIENT, "server auth"],
      "usages did not match [client auth digital signature key encipherment]",
    ],
    [
      "no digital signature",
      { name: NODE },
      ["client auth"],
      "usages did not match [client auth digital signature key encipherment]",
    ],
  ];
  for (const [name, subject, usages, want] of cases) {
    test(name, async () => {
      assert.equal(validateKubeletClientCSR(await req(subject), new Set(usages)), want);
    });
  }
});

describe("ValidateKubeletServingCSR", () => {
  const cases: [string, Parameters<typeof makeCSR>[0], string[], string | undefined][] = [
    ["a DNS name", { name: NODE, dns: ["worker-1"] }, SERVING, undefined],
    [
      "an IP, no key encipherment",
      { name: NODE, ips: ["10.0.0.1"] },
      ["digital signature", "server auth"],
      undefined,
    ],
    ["no SAN", { name: NODE }, SERVING, "DNS or IP subjectAltName is required"],
    [
      "an email",
      { name: NODE, dns: ["a"], emails: ["a@b.c"] },
      SERVING,
      "Email subjectAltNames are not allowed",
    ],
    [
      "a URI",
      { name: NODE, dns: ["a"], uris: ["spiffe://x/y"] },
      SERVING,
      "URI subjectAltNames are not allowed",
    ],
    [
      "client usages",
      { name: NODE, dns: ["a"] },
      CLIENT,
      "usages did not match [digital signature key encipherment server auth]",
    ],
    [
      "a CN outside system:node:",
      { name: "CN=worker-1, O=system:nodes", dns: ["a"] },
      SERVING,
      "subject common name does not begin with system:node:",
    ],
    [
      "no organization",
      { name: "CN=system:node:a", dns: ["a"] },
      SERVING,
      "subject organization is not system:nodes",
    ],
  ];
  for (const [name, subject, usages, want] of cases) {
    test(name, async () => {
      assert.equal(validateKubeletServingCSR(await req(subject), new Set(usages)), want);
    });
  }
});

test("kube-apiserver-client usages: client auth required, digital signature and key encipherment optional", () => {
  assert.equal(validateAPIServerClientUsages(["client auth"]), undefined);
  assert.equal(validateAPIServerClientUsages(CLIENT), undefined);
  assert.equal(
    validateAPIServerClientUsages(["digital signature"]),
    "missing required usage for client certificate: client auth",
  );
  assert.equal(
    validateAPIServerClientUsages(["client auth", "server auth"]),
    "invalid usage for client certificate: server auth",
  );
});

test("approval: Approved and Denied count whatever their status; Failed only when True or empty", async () => {
  const { pem } = await makeCSR({ name: NODE });
  const approved = csrObject("a", pem, {}, { conditions: [{ type: "Approved", status: "True" }] });
  const both = csrObject(
    "b",
    pem,
    {},
    {
      conditions: [
        { type: "Approved", status: "True" },
        { type: "Denied", status: "True" },
      ],
    },
  );
  assert.deepEqual(getCertApprovalCondition(approved), { approved: true, denied: false });
  assert.equal(isCertificateRequestApproved(approved), true);
  assert.equal(isCertificateRequestApproved(both), false);
  assert.equal(isCertificateRequestApproved(csrObject("c", pem)), false);
  const failed = (status: string) => csrObject("d", pem, {}, { conditions: [{ type: "Failed", status }] });
  assert.equal(hasTrueCondition(failed("True"), "Failed"), true);
  assert.equal(hasTrueCondition(failed(""), "Failed"), true);
  assert.equal(hasTrueCondition(failed("False"), "Failed"), false);
});

test("parseCSR: the subject and SANs as Go reads them; a non-CSR PEM block is refused", async () => {
  const r = await req({
    name: "CN=first, CN=system:node:x, O=a, O=b, OU=u, C=DE",
    dns: ["n1"],
    ips: ["10.0.0.1"],
    emails: ["e@x"],
    uris: ["spiffe://td/x"],
  });
  assert.equal(r.subject.commonName, "system:node:x");
  assert.deepEqual(r.subject.organization, ["a", "b"]);
  assert.deepEqual(r.subject.organizationalUnit, ["u"]);
  assert.deepEqual(r.subject.country, ["DE"]);
  assert.deepEqual(r.dnsNames, ["n1"]);
  assert.deepEqual(r.ipAddresses, ["10.0.0.1"]);
  assert.deepEqual(r.emailAddresses, ["e@x"]);
  assert.deepEqual(r.uris, ["spiffe://td/x"]);
  await assert.rejects(
    parseCSR("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
    /^Error: PEM block type must be CERTIFICATE REQUEST$/,
  );
});
