import assert from "node:assert/strict";
import { X509Certificate } from "node:crypto";
import { before, describe, test } from "node:test";
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { SigningAuthority } from "./authority.ts";
import { CSRSigner, certificateDurationMs, signerRules } from "./signer.ts";
import { csrObject, makeCA, makeCSR } from "./test-fixtures.ts";

const MIN = 60_000;
const YEAR = 365 * 24 * 60 * MIN;

test("duration: spec.expirationSeconds between 10 minutes and the signer's TTL", () => {
  assert.equal(certificateDurationMs(YEAR, undefined), YEAR);
  assert.equal(certificateDurationMs(YEAR, 3600), 60 * MIN);
  assert.equal(certificateDurationMs(YEAR, 60), 10 * MIN);
  assert.equal(certificateDurationMs(60 * MIN, 7200), 60 * MIN);
});

test("only the built-in signerNames have rules", () => {
  assert.throws(() => signerRules("example.com/foo"), {
    message: 'unrecognized signerName: "example.com/foo"',
  });
});

/** A client that records what the signer writes to /status. */
function recordingClient() {
  const written: CertificateSigningRequest[] = [];
  const client = {
    update: async (_res: unknown, obj: CertificateSigningRequest, opts: { subresource?: string }) => {
      assert.equal(opts.subresource, "status");
      written.push(structuredClone(obj));
      return obj;
    },
  } as unknown as RestClient;
  return { client, written };
}

describe("CSRSigner.handle", () => {
  let authority: SigningAuthority;
  let nodePem: string;
  const approved = { conditions: [{ type: "Approved", status: "True", reason: "AutoApproved" }] };
  const clock = new FakeClock(Date.now());

  before(async () => {
    const ca = await makeCA();
    authority = await SigningAuthority.load(ca.certPem, ca.keyPem);
    nodePem = (await makeCSR({ name: "CN=system:node:n1, O=system:nodes" })).pem;
  });

  const signer = (client: RestClient, signerName = "kubernetes.io/kube-apiserver-client-kubelet") =>
    new CSRSigner({ signerName, authority, certTTLMs: YEAR, client, clock });

  test("an approved kubelet client request gets its certificate", async () => {
    const { client, written } = recordingClient();
    await signer(client).handle(csrObject("n1", nodePem, { expirationSeconds: 600 }, approved));
    assert.equal(written.length, 1);
    const pem = Buffer.from(written[0].status?.certificate ?? "", "base64").toString();
    assert.match(pem, /^-----BEGIN CERTIFICATE-----\n/);
    const cert = new X509Certificate(pem);
    assert.equal(cert.subject, "O=system:nodes\nCN=system:node:n1");
    assert.deepEqual(cert.keyUsage, ["1.3.6.1.5.5.7.3.2"]);
    // Short-lived: backdated 5 minutes at the start only.
    assert.equal(Date.parse(cert.validTo) - Date.parse(cert.validFrom), 15 * MIN);
    assert.deepEqual(written[0].status?.conditions, approved.conditions);
  });

  test("pending, denied, failed and other signers' requests are left alone", async () => {
    const { client, written } = recordingClient();
    const s = signer(client);
    await s.handle(csrObject("pending", nodePem));
    await s.handle(
      csrObject(
        "denied",
        nodePem,
        {},
        { conditions: [...approved.conditions, { type: "Denied", status: "True" }] },
      ),
    );
    await s.handle(
      csrObject(
        "failed",
        nodePem,
        {},
        { conditions: [...approved.conditions, { type: "Failed", status: "True" }] },
      ),
    );
    await s.handle(
      csrObject("other", nodePem, { signerName: "kubernetes.io/kube-apiserver-client" }, approved),
    );
    await s.handle(csrObject("custom", nodePem, { signerName: "example.com/signer" }, approved));
    assert.deepEqual(written, []);
  });

  test("a request that breaks the signer's rules fails with SignerValidationFailure", async () => {
    const { client, written } = recordingClient();
    const { pem } = await makeCSR({ name: "CN=system:node:n1, O=system:masters" });
    await signer(client).handle(csrObject("bad", pem, {}, approved));
    assert.equal(written.length, 1);
    assert.equal(written[0].status?.certificate, undefined);
    const failed = written[0].status?.conditions?.at(-1);
    assert.deepEqual(
      { ...failed, lastUpdateTime: undefined },
      {
        type: "Failed",
        status: "True",
        reason: "SignerValidationFailure",
        message: "subject organization is not system:nodes",
        lastUpdateTime: undefined,
      },
    );
    assert.match(failed?.lastUpdateTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  test("kube-apiserver-client checks the usages only; kubelet-serving needs a SAN", async () => {
    const { client, written } = recordingClient();
    const { pem } = await makeCSR({ name: "CN=jane, O=developers" });
    await signer(client, "kubernetes.io/kube-apiserver-client").handle(
      csrObject(
        "jane",
        pem,
        { signerName: "kubernetes.io/kube-apiserver-client", usages: ["client auth"] },
        approved,
      ),
    );
    assert.equal(
      new X509Certificate(Buffer.from(written[0].status?.certificate ?? "", "base64")).subject,
      "O=developers\nCN=jane",
    );
    await signer(client, "kubernetes.io/kubelet-serving").handle(
      csrObject(
        "serving",
        nodePem,
        { signerName: "kubernetes.io/kubelet-serving", usages: ["digital signature", "server auth"] },
        approved,
      ),
    );
    assert.equal(written[1].status?.conditions?.at(-1)?.message, "DNS or IP subjectAltName is required");
  });
});
