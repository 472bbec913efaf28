import assert from "node:assert/strict";
import { test } from "node:test";
import type { Obj } from "../../../api/registry.ts";
import { builtinAdmission } from "./index.ts";
import { admin, attrs, newRegistry } from "./test-helpers.ts";

test("plugins come in upstream's order, each in the phases it implements", () => {
  const b = builtinAdmission({ registry: newRegistry() });
  assert.deepEqual(
    b.mutating.map((p) => p.name),
    [
      "NamespaceLifecycle",
      "LimitRanger",
      "ServiceAccount",
      "NodeRestriction",
      "TaintNodesByCondition",
      "Priority",
      "DefaultTolerationSeconds",
      "DefaultStorageClass",
      "StorageObjectInUseProtection",
      "RuntimeClass",
      "DefaultIngressClass",
    ],
  );
  assert.deepEqual(
    b.validating.map((p) => p.name),
    [
      "LimitRanger",
      "ServiceAccount",
      "Priority",
      "PersistentVolumeClaimResize",
      "RuntimeClass",
      "CertificateApproval",
      "CertificateSigning",
      "CertificateSubjectRestriction",
      "ValidatingAdmissionPolicy",
      "ResourceQuota",
    ],
  );
});

test("PodSecurity and webhooks go where upstream runs them", () => {
  const v = (name: string) => ({ name, handles: () => true, validate: () => {} });
  const m = (name: string) => ({ name, handles: () => true, admit: () => {} });
  const b = builtinAdmission({
    registry: newRegistry(),
    podSecurity: v("PodSecurity"),
    webhooks: { mutating: [m("MutatingAdmissionWebhook")], validating: [v("ValidatingAdmissionWebhook")] },
  });
  assert.equal(b.mutating.at(-1)?.name, "MutatingAdmissionWebhook");
  assert.deepEqual(
    b.validating.map((p) => p.name),
    [
      "LimitRanger",
      "ServiceAccount",
      "PodSecurity",
      "Priority",
      "PersistentVolumeClaimResize",
      "RuntimeClass",
      "CertificateApproval",
      "CertificateSigning",
      "CertificateSubjectRestriction",
      "ValidatingAdmissionPolicy",
      "ValidatingAdmissionWebhook",
      "ResourceQuota",
    ],
  );
});

test("plugins can be disabled by name; unknown names are refused", () => {
  const b = builtinAdmission({
    registry: newRegistry(),
    disable: ["ServiceAccount", "ResourceQuota", "CertificateApproval", "CertificateSubjectRestriction"],
  });
  assert.ok(!b.mutating.some((p) => p.name === "ServiceAccount"));
  assert.deepEqual(
    b.validating.map((p) => p.name),
    [
      "LimitRanger",
      "Priority",
      "PersistentVolumeClaimResize",
      "RuntimeClass",
      "CertificateSigning",
      "ValidatingAdmissionPolicy",
    ],
  );
  assert.throws(
    () => builtinAdmission({ registry: newRegistry(), disable: ["AlwaysPullImages"] }),
    /unknown admission plugin: AlwaysPullImages/,
  );
});

test("start creates the system PriorityClasses and fills the caches; stop ends them", async () => {
  const registry = newRegistry();
  const b = builtinAdmission({ registry });
  await b.start();
  const pcs = await registry.byResource("scheduling.k8s.io", "v1", "priorityclasses")!.list(undefined);
  assert.deepEqual((pcs.items as Obj[]).map((pc) => pc.metadata.name).sort(), [
    "system-cluster-critical",
    "system-node-critical",
  ]);
  b.stop();
});

test("the certificate plugins ask the given authorizer; without one only system:masters may approve", async () => {
  const csr = {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name: "c" },
    spec: { signerName: "example.com/x" },
  };
  const approval = (user: { name: string; groups: string[] }) =>
    attrs({
      operation: "UPDATE",
      group: "certificates.k8s.io",
      resource: "certificatesigningrequests",
      subresource: "approval",
      object: csr,
      oldObject: csr,
      user,
    });
  const alice = { name: "alice", groups: ["system:authenticated"] };
  const approve = async (b: ReturnType<typeof builtinAdmission>, a: ReturnType<typeof approval>) =>
    b.validating.find((p) => p.name === "CertificateApproval")!.validate(a);
  const fallback = builtinAdmission({ registry: newRegistry() });
  await approve(fallback, approval(admin));
  await assert.rejects(() => approve(fallback, approval(alice)), /user not permitted to approve/);
  const asked: string[] = [];
  const withAuthz = builtinAdmission({
    registry: newRegistry(),
    authorizer: {
      authorize: (a) => {
        asked.push(`${a.user.name} ${a.verb} ${a.resource} ${a.name}`);
        return { decision: "Allow", reason: "" };
      },
    },
  });
  await approve(withAuthz, approval(alice));
  assert.deepEqual(asked, ["alice approve signers example.com/x"]);
});
