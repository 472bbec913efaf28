import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import type { UserInfo } from "../../authentication/user.ts";
import type { Authorizer } from "../../authorization/authorizer.ts";
import type { Operation } from "../admission.ts";
import { CertificateApproval } from "./certificate-approval.ts";
import { attrs, status } from "./test-helpers.ts";

const alice: UserInfo = { name: "alice", groups: ["system:authenticated"] };

/** Upstream's fakeAuthorizer: allows `approve` on signers named allowedName, nothing else. */
function approver(allowedName: string, err?: Error): Authorizer {
  return {
    authorize(a) {
      if (err) throw err;
      const ok =
        a.verb === "approve" &&
        a.apiGroup === "certificates.k8s.io" &&
        a.apiVersion === "*" &&
        a.resource === "signers" &&
        a.name === allowedName &&
        a.isResourceRequest;
      return { decision: ok ? "Allow" : "Deny", reason: "" };
    },
  };
}

function csr(signerName: string, conditions?: Obj[]): Obj {
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name: "csr-1", resourceVersion: "5" },
    spec: { signerName, request: "", usages: ["client auth"] },
    ...(conditions ? { status: { conditions } } : {}),
  };
}

const approved = [{ type: "Approved", status: "True", reason: "AutoApproved" }];

function approval(oldObject: Obj | undefined, object: Obj | undefined, operation: Operation = "UPDATE") {
  return attrs({
    operation,
    group: "certificates.k8s.io",
    resource: "certificatesigningrequests",
    subresource: "approval",
    name: "csr-1",
    object,
    oldObject,
    user: alice,
  });
}

test("CertificateApproval validates updates only", () => {
  const p = new CertificateApproval({ authorizer: approver("") });
  assert.deepEqual(
    (["CREATE", "UPDATE", "DELETE", "CONNECT"] as Operation[]).filter((op) => p.handles(op)),
    ["UPDATE"],
  );
  assert.equal(p.name, "CertificateApproval");
});

test("approve on the exact signerName allows the approval", async () => {
  const p = new CertificateApproval({ authorizer: approver("abc.com/xyz") });
  await p.validate(approval(csr("abc.com/xyz"), csr("abc.com/xyz", approved)));
});

test("approve on <domain>/* allows the approval", async () => {
  const p = new CertificateApproval({ authorizer: approver("abc.com/*") });
  await p.validate(approval(csr("abc.com/xyz"), csr("abc.com/xyz", approved)));
});

test("without approve on the signer: 403 with upstream's message", async () => {
  const p = new CertificateApproval({ authorizer: approver("notabc.com/xyz") });
  await assert.rejects(
    () => p.validate(approval(csr("abc.com/xyz"), csr("abc.com/xyz", approved))),
    (e) => {
      const s = status(e);
      assert.equal(s.code, 403);
      assert.equal(s.reason, "Forbidden");
      assert.equal(
        s.message,
        'certificatesigningrequests.certificates.k8s.io "csr-1" is forbidden: user not permitted to approve requests with signerName "abc.com/xyz"',
      );
      assert.deepEqual(s.details, {
        group: "certificates.k8s.io",
        kind: "certificatesigningrequests",
        name: "csr-1",
      });
      return true;
    },
  );
});

test("any update through /approval is checked, even one that changes no condition (as upstream)", async () => {
  const p = new CertificateApproval({ authorizer: approver("other.io/x") });
  await assert.rejects(() => p.validate(approval(csr("abc.com/xyz"), csr("abc.com/xyz"))), /not permitted/);
});

test("the stored signerName is the one checked, not the one the request names", async () => {
  const p = new CertificateApproval({ authorizer: approver("allowed.com/xyz") });
  await assert.rejects(
    () => p.validate(approval(csr("notallowed.com/xyz"), csr("allowed.com/xyz", approved))),
    /signerName "notallowed\.com\/xyz"/,
  );
});

test("an authorizer failure refuses", async () => {
  const p = new CertificateApproval({ authorizer: approver("abc.com/xyz", new Error("forced error")) });
  await assert.rejects(
    () => p.validate(approval(csr("abc.com/xyz"), csr("abc.com/xyz", approved))),
    /not permitted/,
  );
});

test("no stored object: refused as upstream's wrong type", async () => {
  const p = new CertificateApproval({ authorizer: approver("abc.com/xyz") });
  await assert.rejects(
    () => p.validate(approval(undefined, csr("abc.com/xyz", approved))),
    (e) => {
      assert.match(
        status(e).message ?? "",
        /is forbidden: expected type CertificateSigningRequest, got: <nil>$/,
      );
      return true;
    },
  );
});

test("other subresources and resources are ignored", async () => {
  const p = new CertificateApproval({ authorizer: approver("nothing") });
  const a = approval(csr("abc.com/xyz"), csr("abc.com/xyz", approved));
  await p.validate({ ...a, subresource: "" });
  await p.validate({ ...a, subresource: "status" });
  await p.validate({ ...a, resource: { group: "", version: "v1", resource: "pods" } });
  await p.validate({
    ...a,
    resource: { group: "example.com", version: "v1", resource: "certificatesigningrequests" },
  });
});
