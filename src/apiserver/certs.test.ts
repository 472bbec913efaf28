import assert from "node:assert/strict";
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import { once } from "node:events";
import { test } from "node:test";
import { connect, createServer, type TLSSocket } from "node:tls";
import { children, readElement } from "../machinery/der.ts";
import { CertificateAuthority } from "./certs.ts";

// A CA as data dirs made before session 23 hold it (written by @peculiar/x509): it must keep issuing.
const PREVIOUS_CA = {
  cert: "-----BEGIN CERTIFICATE-----\nMIIBezCCASCgAwIBAgIQEeOKwCD1BvveI+Qf0L1W3zAKBggqhkjOPQQDAjAdMRsw\nGQYDVQQDDBJrOHRzLWNhQDE3OTU5MDAwMDAwHhcNMjYxMTI4MjMzMzU0WhcNMzYx\nMTI1MjMzNDU0WjAdMRswGQYDVQQDDBJrOHRzLWNhQDE3OTU5MDAwMDAwWTATBgcq\nhkjOPQIBBggqhkjOPQMBBwNCAAQe7INZcmkesRYFlz/IfjFgnBVtf4fxKRICEIme\nLr1u14843YBj63SDvWquPN8P5a+ljcCqLl5ARdYxQzQbF8HIo0IwQDAPBgNVHRMB\nAf8EBTADAQH/MA4GA1UdDwEB/wQEAwIChDAdBgNVHQ4EFgQUbE4ph3UZqIAdKTlj\nU37xZn58ZeMwCgYIKoZIzj0EAwIDSQAwRgIhAN5KEThTETxtecj0lpGuoVV4B9jE\ngBVZRXfuBz41L7tFAiEA6XtBXiSki07Ke9scXTlHb+ub4mNkBiGG9uBtXJVGdzk=\n-----END CERTIFICATE-----",
  key: "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg1hmeb5N3alOCbYdI\nvGGO3s3KY3luM1EU/w87S/J/UnOhRANCAAQe7INZcmkesRYFlz/IfjFgnBVtf4fx\nKRICEImeLr1u14843YBj63SDvWquPN8P5a+ljcCqLl5ARdYxQzQbF8HI\n-----END PRIVATE KEY-----\n",
};

/** The DER of one extension's value, by its OID's dotted form, read with the same reader as the code. */
function extensionValue(pem: string, oidHex: string): Buffer | undefined {
  const [tbs] = children(readElement(new X509Certificate(pem).raw).value);
  const exts = children(tbs.value).find((e) => e.tag === 0xa3);
  for (const ext of exts ? children(children(exts.value)[0].value) : []) {
    const [id, ...rest] = children(ext.value);
    if (id.value.toString("hex") === oidHex) return rest[rest.length - 1].value;
  }
  return undefined;
}
const SKI = "551d0e";
const AKI = "551d23";

test("a new CA: self-signed, a CA, with a subject key identifier; the certificates it issues chain to it", async () => {
  const { ca, keyPem } = await CertificateAuthority.create("test-ca");
  assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----\n/);
  const caCert = new X509Certificate(ca.certPem);
  assert.equal(caCert.subject, "CN=test-ca");
  assert.equal(caCert.issuer, "CN=test-ca");
  assert.equal(caCert.ca, true);
  assert.ok(caCert.verify(caCert.publicKey));
  const ski = extensionValue(ca.certPem, SKI);
  assert.equal(ski?.length, 22); // OCTET STRING of a 20-byte SHA-1

  const serving = await ca.issueServing("kube-apiserver", ["127.0.0.1", "::1", "localhost", "10.96.0.1"], 30);
  const s = new X509Certificate(serving.cert);
  assert.equal(s.subject, "CN=kube-apiserver");
  assert.equal(s.ca, false);
  assert.ok(s.checkIssued(caCert));
  assert.ok(s.verify(caCert.publicKey));
  assert.equal(
    s.subjectAltName,
    "IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:localhost, IP Address:10.96.0.1",
  );
  assert.deepEqual(s.keyUsage, ["1.3.6.1.5.5.7.3.1"]);
  const days = (Date.parse(s.validTo) - Date.parse(s.validFrom)) / 86_400_000;
  assert.ok(Math.abs(days - 30) < 0.01, `valid for ${days} days`);
  assert.deepEqual(
    extensionValue(serving.cert, AKI),
    Buffer.concat([Buffer.from([0x30, 0x16, 0x80, 0x14]), ski!.subarray(2)]),
  );
  assert.notEqual(
    serving.cert,
    (await ca.issueServing("kube-apiserver", ["127.0.0.1"])).cert,
    "serials differ",
  );
  assert.match(s.serialNumber, /^[0-7][0-9A-F]{31}$/);

  const client = await ca.issueClient("alice", ["system:masters", "dev,ops"]);
  const c = new X509Certificate(client.cert);
  assert.equal(c.subject, "O=system:masters\nO=dev\\,ops\nCN=alice"); // Node escapes the comma when it prints
  assert.deepEqual(c.keyUsage, ["1.3.6.1.5.5.7.3.2"]);
  assert.ok(c.verify(caCert.publicKey));
});

test("TLS: OpenSSL verifies the serving certificate by host and IP, and the client certificate names user and groups", async () => {
  const { ca } = await CertificateAuthority.create();
  const serving = await ca.issueServing("server", ["127.0.0.1", "localhost"]);
  const client = await ca.issueClient("bob", ["team-a", "team-b"]);
  const server = createServer(
    { ...serving, ca: ca.certPem, requestCert: true, rejectUnauthorized: true },
    (s) => s.end(JSON.stringify({ authorized: s.authorized, subject: s.getPeerCertificate().subject })),
  );
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as { port: number }).port;
  try {
    for (const servername of ["localhost", undefined]) {
      const sock: TLSSocket = connect({ host: "127.0.0.1", port, servername, ca: ca.certPem, ...client });
      let body = "";
      sock.on("data", (d) => {
        body += d;
      });
      await once(sock, "end");
      assert.equal(sock.authorized, true, String(sock.authorizationError));
      const seen = JSON.parse(body);
      assert.equal(seen.authorized, true);
      assert.equal(seen.subject.CN, "bob");
      assert.deepEqual(seen.subject.O, ["team-a", "team-b"]);
    }
    // A name the certificate does not cover is refused.
    const wrong = connect({ host: "127.0.0.1", port, servername: "example.com", ca: ca.certPem, ...client });
    const [err] = await once(wrong, "error");
    assert.equal((err as NodeJS.ErrnoException).code, "ERR_TLS_CERT_ALTNAME_INVALID");
  } finally {
    server.close();
  }
});

test("a CA from an existing data dir (made by the previous certificate library) issues certificates that chain to it", async () => {
  const ca = await CertificateAuthority.load(PREVIOUS_CA.cert, PREVIOUS_CA.key);
  const caCert = new X509Certificate(PREVIOUS_CA.cert);
  const issued = await ca.issueClient("carol", ["g"]);
  const c = new X509Certificate(issued.cert);
  assert.ok(c.checkIssued(caCert), "the issuer is the CA's subject, byte for byte");
  assert.ok(c.verify(caCert.publicKey));
  const ski = extensionValue(PREVIOUS_CA.cert, SKI)!;
  assert.deepEqual(extensionValue(issued.cert, AKI)?.subarray(4), ski.subarray(2), "AKI = the CA's own SKI");
});

test("a CA whose key is not ECDSA P-256 is refused with what to do, not used to sign under the wrong algorithm", async () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const rsaPem = privateKey.export({ type: "pkcs8", format: "pem" }) as string;
  await assert.rejects(
    CertificateAuthority.load(PREVIOUS_CA.cert, rsaPem),
    /the cluster CA's key is rsa 2048, not ECDSA P-256: .*move pki\/ca\.crt and pki\/ca\.key away/,
  );
});
