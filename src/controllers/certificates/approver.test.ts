import assert from "node:assert/strict";
import { before, test } from "node:test";
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { SARApprover } from "./approver.ts";
import { IgnorableError } from "./certificate-controller.ts";
import { csrObject, makeCSR } from "./test-fixtures.ts";

interface Review {
  spec: { user: string; groups: string[]; resourceAttributes: { subresource: string } };
}

/** An apiserver stand-in: SubjectAccessReviews answered from `allowed` (user → subresources), approvals recorded. */
function fakeClient(allowed: Record<string, string[]>) {
  const reviews: Review["spec"][] = [];
  const approvals: CertificateSigningRequest[] = [];
  const client = {
    create: async (_res: unknown, sar: Review) => {
      reviews.push(sar.spec);
      const ok = allowed[sar.spec.user]?.includes(sar.spec.resourceAttributes.subresource) ?? false;
      return { ...sar, status: { allowed: ok } };
    },
    update: async (_res: unknown, csr: CertificateSigningRequest, opts: { subresource?: string }) => {
      assert.equal(opts.subresource, "approval");
      approvals.push(structuredClone(csr));
      return csr;
    },
  } as unknown as RestClient;
  return { client, reviews, approvals };
}

let nodePem: string;
before(async () => {
  nodePem = (await makeCSR({ name: "CN=system:node:n1, O=system:nodes" })).pem;
});

const clock = new FakeClock(Date.parse("2025-03-01T12:00:00Z"));
const bootstrapSpec = {
  username: "system:bootstrap:abcdef",
  groups: ["system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token", "system:authenticated"],
};

test("a bootstrap token's node client request is approved after a nodeclient review", async () => {
  const f = fakeClient({ "system:bootstrap:abcdef": ["nodeclient"] });
  await new SARApprover({ client: f.client, clock }).handle(csrObject("node-csr-1", nodePem, bootstrapSpec));
  assert.deepEqual(
    f.reviews.map((r) => [r.user, r.groups, r.resourceAttributes]),
    [
      [
        "system:bootstrap:abcdef",
        bootstrapSpec.groups,
        {
          group: "certificates.k8s.io",
          resource: "certificatesigningrequests",
          verb: "create",
          subresource: "nodeclient",
        },
      ],
    ],
  );
  assert.deepEqual(f.approvals[0].status?.conditions, [
    {
      type: "Approved",
      status: "True",
      reason: "AutoApproved",
      message: "Auto approving kubelet client certificate after SubjectAccessReview.",
      lastUpdateTime: "2025-03-01T12:00:00Z",
      lastTransitionTime: "2025-03-01T12:00:00Z",
    },
  ]);
});

test("a node renewing its own certificate is approved after a selfnodeclient review", async () => {
  const f = fakeClient({ "system:node:n1": ["selfnodeclient"] });
  await new SARApprover({ client: f.client, clock }).handle(
    csrObject("renew", nodePem, { username: "system:node:n1", groups: ["system:nodes"] }),
  );
  assert.equal(
    f.approvals[0].status?.conditions?.[0].message,
    "Auto approving self kubelet client certificate after SubjectAccessReview.",
  );
});

test("without the permission the request stays pending and is retried quietly", async () => {
  const f = fakeClient({});
  const approver = new SARApprover({ client: f.client, clock });
  await assert.rejects(
    approver.handle(csrObject("node-csr-2", nodePem, bootstrapSpec)),
    (e: Error) =>
      e instanceof IgnorableError &&
      e.message === 'recognized csr "node-csr-2" as [nodeclient] but subject access review was not approved',
  );
  await assert.rejects(
    approver.handle(csrObject("self", nodePem, { username: "system:node:n1", groups: ["system:nodes"] })),
    {
      message:
        'recognized csr "self" as [selfnodeclient nodeclient] but subject access review was not approved',
    },
  );
  assert.deepEqual(f.approvals, []);
});

test("other signers, wrong subjects and decided requests are not touched", async () => {
  const f = fakeClient({ "system:bootstrap:abcdef": ["nodeclient"] });
  const approver = new SARApprover({ client: f.client, clock });
  await approver.handle(
    csrObject("client", nodePem, { ...bootstrapSpec, signerName: "kubernetes.io/kube-apiserver-client" }),
  );
  const { pem } = await makeCSR({ name: "CN=system:node:n1, O=system:masters" });
  await approver.handle(csrObject("masters", pem, bootstrapSpec));
  await approver.handle(
    csrObject("denied", nodePem, bootstrapSpec, { conditions: [{ type: "Denied", status: "True" }] }),
  );
  await approver.handle(csrObject("issued", nodePem, bootstrapSpec, { certificate: "eA==" }));
  assert.deepEqual(f.reviews, []);
  assert.deepEqual(f.approvals, []);
});
