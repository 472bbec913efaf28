import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { before, test } from "node:test";
import type * as X509 from "@peculiar/x509";
import type { Obj } from "../../../api/registry.ts";
import type { Operation } from "../admission.ts";
import { CertificateSubjectRestriction, csrOrganizations } from "./certificate-subject-restriction.ts";
import { attrs, status } from "./test-helpers.ts";

let x509: typeof X509;
before(async () => {
  await import("reflect-metadata");
  x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(webcrypto as never);
});

/** A PEM request for the subject (RFC 4514 text), signed with a fresh key. */
async function pemFor(subject: string, alg: "ecdsa" | "ed25519" = "ecdsa"): Promise<string> {
  const params =
    alg === "ed25519" ? { name: "Ed25519" } : { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };
  const keys = (await webcrypto.subtle.generateKey(params, false, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: subject,
    keys,
    signingAlgorithm: params,
  });
  return req.toString("pem");
}

function csr(name: string, signerName: string, pem: string): Obj {
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name },
    spec: { signerName, request: Buffer.from(pem).toString("base64"), usages: ["client auth"] },
  };
}

function create(object: Obj | undefined, subresource = "", name = "") {
  return attrs({
    operation: "CREATE",
    group: "certificates.k8s.io",
    resource: "certificatesigningrequests",
    subresource,
    name,
    object,
    user: { name: "mallory", groups: ["system:authenticated"] },
  });
}

const CLIENT = "kubernetes.io/kube-apiserver-client";
const p = new CertificateSubjectRestriction();

test("CertificateSubjectRestriction validates creates only", () => {
  assert.deepEqual(
    (["CREATE", "UPDATE", "DELETE", "CONNECT"] as Operation[]).filter((op) => p.handles(op)),
    ["CREATE"],
  );
  assert.equal(p.name, "CertificateSubjectRestriction");
});

test("a kube-apiserver-client request for system:masters is refused with upstream's message", async () => {
  for (const alg of ["ecdsa", "ed25519"] as const) {
    const obj = csr("pooh", CLIENT, await pemFor("O=system:masters", alg));
    await assert.rejects(
      () => p.validate(create(obj)),
      (e) => {
        const s = status(e);
        assert.equal(s.code, 403);
        assert.equal(s.reason, "Forbidden");
        assert.equal(
          s.message,
          'certificatesigningrequests.certificates.k8s.io "pooh" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed',
        );
        return true;
      },
    );
  }
});

test("system:masters among other organizations, or in a multi-valued RDN, is found", async () => {
  for (const subject of ["CN=alice, O=dev, O=system:masters", "CN=alice, O=dev+O=system:masters"]) {
    const obj = csr("a", CLIENT, await pemFor(subject));
    await assert.rejects(() => p.validate(create(obj)), /system:masters group is not allowed/);
  }
});

test("other groups, a CN of system:masters, and other signers pass", async () => {
  await p.validate(create(csr("c", CLIENT, await pemFor("CN=alice, O=system:admin"))));
  await p.validate(create(csr("d", CLIENT, await pemFor("CN=system:masters"))));
  const masters = await pemFor("O=system:masters");
  await p.validate(create(csr("e", "kubernetes.io/kube-apiserver-client-kubelet", masters)));
  await p.validate(create(csr("f", "example.com/custom", masters)));
});

test("a request that does not parse is refused as upstream's failed to parse CSR", async () => {
  await assert.rejects(
    () => p.validate(create(csr("bear", CLIENT, "this is not a CSR"))),
    (e) => {
      assert.equal(
        status(e).message,
        'certificatesigningrequests.certificates.k8s.io "bear" is forbidden: failed to parse CSR: PEM block type must be CERTIFICATE REQUEST',
      );
      return true;
    },
  );
  const garbage = "-----BEGIN CERTIFICATE REQUEST-----\nMAMCAQA=\n-----END CERTIFICATE REQUEST-----\n";
  await assert.rejects(
    () => p.validate(create(csr("bad", CLIENT, garbage))),
    /failed to parse CSR: x509: malformed certificate request$/,
  );
});

test("subresources and other resources are ignored; a missing object is refused", async () => {
  const masters = csr("x", CLIENT, await pemFor("O=system:masters"));
  await p.validate(create(masters, "approve"));
  await p.validate({ ...create(masters), resource: { group: "foo", version: "v1", resource: "bar" } });
  await assert.rejects(
    () => p.validate(create(undefined, "", "panda")),
    /"panda" is forbidden: expected type CertificateSigningRequest, got: <nil>$/,
  );
});

test("csrOrganizations reads the subject's O values in order", async () => {
  const pem = await pemFor("CN=a, O=x, O=y+O=z");
  assert.deepEqual(await csrOrganizations(Buffer.from(pem)), ["x", "y", "z"]);
});
