import assert from "node:assert/strict";
import { test } from "node:test";
import type { UserInfo } from "../../authentication/user.ts";
import type { Attributes, Authorizer } from "../../authorization/authorizer.ts";
import { isAuthorizedForSignerName, isCSRRequest, mastersOnly } from "./certificates.ts";
import { attrs } from "./test-helpers.ts";

const alice: UserInfo = { name: "alice", groups: ["system:authenticated"] };

/** Records what it is asked and allows only `allowedName`, as upstream's fakeAuthorizer. */
function recorder(allowedName: string, opts: { throws?: boolean; deny?: boolean } = {}) {
  const asked: Attributes[] = [];
  const authz: Authorizer = {
    authorize(a) {
      asked.push(a);
      if (opts.throws) throw new Error("forced error");
      if (a.name !== allowedName) return { decision: opts.deny ? "Deny" : "NoOpinion", reason: "" };
      return { decision: "Allow", reason: "" };
    },
  };
  return { authz, asked };
}

test("the exact signerName is asked first, as verb on certificates.k8s.io signers, any version", async () => {
  const { authz, asked } = recorder("abc.com/xyz");
  assert.equal(await isAuthorizedForSignerName(authz, alice, "approve", "abc.com/xyz"), true);
  assert.equal(asked.length, 1);
  assert.deepEqual(asked[0], {
    user: alice,
    verb: "approve",
    isResourceRequest: true,
    path: "",
    namespace: "",
    apiGroup: "certificates.k8s.io",
    apiVersion: "*",
    resource: "signers",
    subresource: "",
    name: "abc.com/xyz",
  });
});

test("without the exact name, <domain>/* is asked next", async () => {
  const { authz, asked } = recorder("abc.com/*");
  assert.equal(await isAuthorizedForSignerName(authz, alice, "sign", "abc.com/xyz"), true);
  assert.deepEqual(
    asked.map((a) => [a.verb, a.name]),
    [
      ["sign", "abc.com/xyz"],
      ["sign", "abc.com/*"],
    ],
  );
  // Only the part before the first slash is the domain.
  const deep = recorder("a.io/*");
  assert.equal(await isAuthorizedForSignerName(deep.authz, alice, "sign", "a.io/b/c"), true);
  assert.equal(deep.asked[1].name, "a.io/*");
});

test("an explicit Deny of the exact name still lets the wildcard decide; neither allowed is false", async () => {
  const denied = recorder("abc.com/*", { deny: true });
  assert.equal(await isAuthorizedForSignerName(denied.authz, alice, "approve", "abc.com/xyz"), true);
  const other = recorder("notabc.com/xyz");
  assert.equal(await isAuthorizedForSignerName(other.authz, alice, "approve", "abc.com/xyz"), false);
  assert.deepEqual(
    other.asked.map((a) => a.name),
    ["abc.com/xyz", "abc.com/*"],
  );
});

test("an authorizer that fails counts as not allowed (both names are still asked)", async () => {
  const { authz, asked } = recorder("abc.com/xyz", { throws: true });
  assert.equal(await isAuthorizedForSignerName(authz, alice, "approve", "abc.com/xyz"), false);
  assert.equal(asked.length, 2);
});

test("mastersOnly: the fallback without an apiserver authorizer allows system:masters alone", async () => {
  const masters: UserInfo = { name: "admin", groups: ["system:masters"] };
  assert.equal(await isAuthorizedForSignerName(mastersOnly, masters, "sign", "kubernetes.io/x"), true);
  assert.equal(await isAuthorizedForSignerName(mastersOnly, alice, "sign", "kubernetes.io/x"), false);
});

test("isCSRRequest matches certificatesigningrequests of certificates.k8s.io with the subresource", () => {
  const csr = { metadata: { name: "x" } };
  const a = (subresource: string) =>
    attrs({ group: "certificates.k8s.io", resource: "certificatesigningrequests", subresource, object: csr });
  assert.equal(isCSRRequest(a("approval"), "approval"), true);
  assert.equal(isCSRRequest(a("status"), "approval"), false);
  assert.equal(isCSRRequest(a(""), ""), true);
  assert.equal(isCSRRequest(attrs({ resource: "pods", subresource: "status" }), "status"), false);
});
