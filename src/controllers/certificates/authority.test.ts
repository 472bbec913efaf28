import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { describe, test } from "node:test";
import { applySigningPolicy, goTime, keyUsagesFromStrings, SigningAuthority } from "./authority.ts";
import { makeCA, makeCSR } from "./test-fixtures.ts";
import { loadX509, parseCSR } from "./x509.ts";

const MIN = 60_000;
const HOUR = 60 * MIN;
const NOW = Date.parse("2025-03-01T12:00:00Z");
const policy = (ttlMs: number, usages: string[] = ["client auth"]) => ({
  ttlMs,
  usages,
  backdateMs: 5 * MIN,
  shortMs: 8 * HOUR,
  now: () => NOW,
});
const FAR = new Date(NOW + 10 * 365 * 24 * HOUR);

describe("PermissiveSigningPolicy", () => {
  test("a long-lived certificate is backdated by 5 minutes at both ends", () => {
    const t = applySigningPolicy(policy(24 * HOUR), FAR);
    assert.equal(t.notBefore.getTime(), NOW - 5 * MIN);
    assert.equal(t.notAfter.getTime(), NOW + 24 * HOUR - 5 * MIN);
  });

  test("a short-lived one (under 8 h) keeps its whole lifetime", () => {
    const t = applySigningPolicy(policy(HOUR), FAR);
    assert.equal(t.notBefore.getTime(), NOW - 5 * MIN);
    assert.equal(t.notAfter.getTime(), NOW + HOUR);
  });

  test("NotAfter never passes the signer's own", () => {
    const signer = new Date(NOW + 2 * HOUR);
    assert.equal(applySigningPolicy(policy(24 * HOUR), signer).notAfter.getTime(), signer.getTime());
  });

  test("an expired signer signs nothing", () => {
    assert.throws(
      () => applySigningPolicy(policy(HOUR), new Date("2025-03-01T11:00:00Z")),
      /^Error: the signer has expired: NotAfter=2025-03-01 11:00:00 \+0000 UTC$/,
    );
    assert.throws(
      () => applySigningPolicy(policy(HOUR), new Date("2025-03-01T11:58:00Z")),
      /^Error: refusing to sign a certificate that expired in the past: NotAfter=2025-03-01 11:58:00 \+0000 UTC$/,
    );
  });

  test("usages become KeyUsage bits and ExtKeyUsages in Go's order; unknown ones are an error", () => {
    assert.deepEqual(
      keyUsagesFromStrings(["client auth", "digital signature", "server auth", "key encipherment"]),
      {
        keyUsage: 1 | 4,
        extKeyUsages: ["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"],
      },
    );
    assert.deepEqual(keyUsagesFromStrings(["s/mime", "email protection", "signing"]), {
      keyUsage: 1,
      extKeyUsages: ["1.3.6.1.5.5.7.3.4"],
    });
    assert.throws(() => keyUsagesFromStrings(["client auth", "foo", "bar"]), {
      message: 'unrecognized usage values: ["foo" "bar"]',
    });
  });

  test("Go's %v of a time", () => {
    assert.equal(goTime(new Date("2026-01-02T03:04:05Z")), "2026-01-02 03:04:05 +0000 UTC");
    assert.equal(goTime(new Date("2026-01-02T03:04:05.120Z")), "2026-01-02 03:04:05.12 +0000 UTC");
  });
});

describe("SigningAuthority.sign", () => {
  for (const kind of ["ecdsa", "rsa"] as const) {
    test(`a ${kind} CA issues a certificate for the request's key, subject and SANs`, async () => {
      const ca = await makeCA({ kind });
      const authority = await SigningAuthority.load(ca.certPem, ca.keyPem);
      const { pem } = await makeCSR({
        name: "CN=system:node:a, O=system:nodes",
        dns: ["a.example"],
        ips: ["10.0.0.7"],
      });
      const der = await authority.sign(await parseCSR(pem), {
        ...policy(HOUR, ["digital signature", "key encipherment", "server auth"]),
        now: () => Date.now(),
      });
      const cert = new X509Certificate(der);
      const caCert = new X509Certificate(ca.certPem);
      assert.ok(cert.checkIssued(caCert));
      assert.ok(cert.verify(caCert.publicKey));
      // Go writes the subject in its own attribute order: O before CN.
      assert.equal(cert.subject, "O=system:nodes\nCN=system:node:a");
      assert.equal(cert.subjectAltName, "DNS:a.example, IP Address:10.0.0.7");
      assert.deepEqual(cert.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
      assert.equal(cert.ca, false);
      const lifetime = Date.parse(cert.validTo) - Date.parse(cert.validFrom);
      assert.ok(Math.abs(lifetime - 65 * MIN) <= 1000, `lifetime ${lifetime}`);
      const x509 = await loadX509();
      const parsed = new x509.X509Certificate(new Uint8Array(der));
      const ku = parsed.getExtension(x509.KeyUsagesExtension);
      assert.equal(ku?.usages, x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment);
      assert.equal(ku?.critical, true);
      const aki = parsed.getExtension(x509.AuthorityKeyIdentifierExtension);
      const ski = new x509.X509Certificate(ca.certPem).getExtension(x509.SubjectKeyIdentifierExtension);
      assert.equal(aki?.keyId, ski?.keyId);
    });
  }

  test("a request whose signature does not verify is refused", async () => {
    const ca = await makeCA();
    const authority = await SigningAuthority.load(ca.certPem, ca.keyPem);
    const { pem } = await makeCSR({ name: "CN=x" });
    const req = await parseCSR(pem);
    // Flip a bit of the signature.
    const der = Buffer.from(req.raw);
    der[der.length - 3] ^= 1;
    const x509 = await loadX509();
    const tampered = { ...req, request: new x509.Pkcs10CertificateRequest(new Uint8Array(der)) };
    await assert.rejects(authority.sign(tampered, policy(HOUR)), {
      message: "unable to verify certificate request signature: x509: ECDSA verification failure",
    });
  });
});
