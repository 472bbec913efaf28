import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import type { UserInfo } from "../../authentication/user.ts";
import type { Authorizer } from "../../authorization/authorizer.ts";
import type { Operation } from "../admission.ts";
import { CertificateSigning } from "./certificate-signing.ts";
import { attrs, status } from "./test-helpers.ts";

const signer: UserInfo = { name: "signer", groups: ["system:authenticated"] };
const CERT = Buffer.from("-----BEGIN CERTIFICATE-----\n...\n-----END CERTIFICATE-----\n").toString("base64");

/** Upstream's fakeAuthorizer: allows `sign` on signers named allowedName, nothing else. */
function signing(allowedName: string, err?: Error): Authorizer {
  return {
    authorize(a) {
      if (err) throw err;
      const ok =
        a.verb === "sign" &&
        a.apiGroup === "certificates.k8s.io" &&
        a.apiVersion === "*" &&
        a.resource === "signers" &&
        a.name === allowedName &&
        a.isResourceRequest;
      return { decision: ok ? "Allow" : "Deny", reason: "" };
    },
  };
}

function csr(signerName: string, st?: Obj): Obj {
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name: "csr-1" },
    spec: { signerName, request: "", usages: ["client auth"] },
    ...(st ? { status: st } : {}),
  };
}

const approvedAt = (t: string) => ({
  type: "Approved",
  status: "True",
  reason: "AutoApproved",
  lastUpdateTime: t,
  lastTransitionTime: t,
});

function statusUpdate(oldObject: Obj | undefined, object: Obj | undefined) {
  return attrs({
    operation: "UPDATE",
    group: "certificates.k8s.io",
    resource: "certificatesigningrequests",
    subresource: "status",
    name: "csr-1",
    object,
    oldObject,
    user: signer,
  });
}

test("CertificateSigning validates updates only", () => {
  const p = new CertificateSigning({ authorizer: signing("") });
  assert.deepEqual(
    (["CREATE", "UPDATE", "DELETE", "CONNECT"] as Operation[]).filter((op) => p.handles(op)),
    ["UPDATE"],
  );
  assert.equal(p.name, "CertificateSigning");
});

test("a status update that changes neither certificate nor conditions needs no sign (even if the authorizer fails)", async () => {
  const p = new CertificateSigning({ authorizer: signing("", new Error("faked error")) });
  const st = { certificate: CERT, conditions: [approvedAt("2024-01-01T00:00:00Z")] };
  await p.validate(statusUpdate(csr("abc.com/xyz", st), csr("abc.com/xyz", structuredClone(st))));
  // Semantic equality: an empty conditions list equals none.
  await p.validate(statusUpdate(csr("abc.com/xyz"), csr("abc.com/xyz", { conditions: [] })));
});

test("setting the certificate needs sign on the signerName: 403 with upstream's message", async () => {
  const p = new CertificateSigning({ authorizer: signing("notabc.com/xyz") });
  await assert.rejects(
    () => p.validate(statusUpdate(csr("abc.com/xyz"), csr("abc.com/xyz", { certificate: CERT }))),
    (e) => {
      const s = status(e);
      assert.equal(s.code, 403);
      assert.equal(s.reason, "Forbidden");
      assert.equal(
        s.message,
        'certificatesigningrequests.certificates.k8s.io "csr-1" is forbidden: user not permitted to sign requests with signerName "abc.com/xyz"',
      );
      return true;
    },
  );
});

test("changing the conditions (a signer's Failed condition) needs sign too", async () => {
  const p = new CertificateSigning({ authorizer: signing("other.io/x") });
  const failed = { type: "Failed", status: "True", reason: "SignerValidationFailure" };
  await assert.rejects(
    () => p.validate(statusUpdate(csr("abc.com/xyz"), csr("abc.com/xyz", { conditions: [failed] }))),
    /user not permitted to sign requests with signerName "abc\.com\/xyz"/,
  );
});

test("sign on the exact name or on <domain>/* allows the certificate", async () => {
  for (const allowed of ["abc.com/xyz", "abc.com/*"]) {
    const p = new CertificateSigning({ authorizer: signing(allowed) });
    await p.validate(statusUpdate(csr("abc.com/xyz"), csr("abc.com/xyz", { certificate: CERT })));
  }
});

test("the stored signerName is checked, not one the request names", async () => {
  const p = new CertificateSigning({ authorizer: signing("allowed.com/xyz") });
  await assert.rejects(
    () => p.validate(statusUpdate(csr("notallowed.com/xyz"), csr("allowed.com/xyz", { certificate: CERT }))),
    /signerName "notallowed\.com\/xyz"/,
  );
});

test("an authorizer failure refuses a certificate change", async () => {
  const p = new CertificateSigning({ authorizer: signing("abc.com/xyz", new Error("test")) });
  await assert.rejects(
    () => p.validate(statusUpdate(csr("abc.com/xyz"), csr("abc.com/xyz", { certificate: CERT }))),
    /not permitted/,
  );
});

test("missing objects are refused as upstream's wrong type", async () => {
  const p = new CertificateSigning({ authorizer: signing("abc.com/xyz") });
  await assert.rejects(
    () => p.validate(statusUpdate(undefined, csr("abc.com/xyz", { certificate: CERT }))),
    /is forbidden: expected type CertificateSigningRequest, got: <nil>$/,
  );
});

test("other subresources are ignored: /approval is CertificateApproval's, the main resource the strategy's", async () => {
  const p = new CertificateSigning({ authorizer: signing("nothing") });
  const a = statusUpdate(csr("abc.com/xyz"), csr("abc.com/xyz", { certificate: CERT }));
  await p.validate({ ...a, subresource: "approval" });
  await p.validate({ ...a, subresource: "" });
  await p.validate({ ...a, resource: { group: "", version: "v1", resource: "pods" } });
});
