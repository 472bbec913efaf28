// The CertificateSigningRequest admission plugins on the command line's
// apiserver (Node,RBAC authorization, default admission): approving needs
// `approve` on the signer, issuing needs `sign`, and nobody gets a
// kube-apiserver-client certificate for system:masters.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { type RunningApiServer, startApiServer } from "../../src/apiserver/index.ts";
import { Resources } from "../../src/client/resources.ts";
import { type KubeObject, type ResourceRef, RestClient } from "../../src/client/rest-client.ts";
import { csrObject, makeCSR } from "../../src/controllers/certificates/test-fixtures.ts";
import { freePort } from "../support/ports.ts";
import { refused } from "../support/refused.ts";

const CSRS = Resources.certificatesigningrequests;
const CLUSTER_ROLES: ResourceRef = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  resource: "clusterroles",
  namespaced: false,
};
const CLUSTER_ROLE_BINDINGS: ResourceRef = { ...CLUSTER_ROLES, resource: "clusterrolebindings" };
const CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";

type CSR = CertificateSigningRequest & KubeObject;

let dir: string;
let api: RunningApiServer;
let admin: RestClient;
let alice: RestClient;
let bob: RestClient;

async function clientFor(user: string): Promise<RestClient> {
  const cred = await api.pki.ca.issueClient(user, []);
  return new RestClient(
    { server: api.url, ca: api.pki.caCert, ...cred, namespace: "default" },
    { maxRetries: 0 },
  );
}

/** A ClusterRole with `rules` bound to one user. */
async function grant(name: string, user: string, rules: object[]): Promise<void> {
  await admin.create(CLUSTER_ROLES, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRole",
    metadata: { name },
    rules,
  } as KubeObject);
  await admin.create(CLUSTER_ROLE_BINDINGS, {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
  } as KubeObject);
}

/** Retries `fn` while RBAC's watch cache has not yet seen a new binding (any error counts). */
async function eventually<T>(fn: () => Promise<T>, ms = 10_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      return await fn();
    } catch (e) {
      if (Date.now() > end) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}

async function newCSR(name: string, subject: string, client = admin): Promise<CSR> {
  const { pem } = await makeCSR({ name: subject });
  return client.create(
    CSRS,
    csrObject(name, pem, { signerName: CLIENT_SIGNER, usages: ["digital signature", "client auth"] }) as CSR,
  );
}

function withApproval(csr: CSR): CSR {
  const next = structuredClone(csr);
  next.status = {
    conditions: [{ type: "Approved", status: "True", reason: "ByTest", message: "approved by the test" }],
  };
  return next;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "k8ts-csr-admission-"));
  api = await startApiServer({
    dataDir: dir,
    port: await freePort(),
    bindAddress: "127.0.0.1",
    store: "sqlite::memory:",
  });
  const cred = await api.pki.ca.issueClient("admin", ["system:masters"]);
  admin = new RestClient(
    { server: api.url, ca: api.pki.caCert, ...cred, namespace: "default" },
    { maxRetries: 0 },
  );
  alice = await clientFor("alice");
  bob = await clientFor("bob");
  // What `kubectl certificate approve` needs, but not the right to approve for any signer.
  await grant("csr-approval-updater", "alice", [
    {
      apiGroups: ["certificates.k8s.io"],
      resources: ["certificatesigningrequests"],
      verbs: ["get", "create"],
    },
    {
      apiGroups: ["certificates.k8s.io"],
      resources: ["certificatesigningrequests/approval"],
      verbs: ["update"],
    },
  ]);
  // What a signer needs to write status, but not the right to sign.
  await grant("csr-status-updater", "bob", [
    { apiGroups: ["certificates.k8s.io"], resources: ["certificatesigningrequests"], verbs: ["get"] },
    {
      apiGroups: ["certificates.k8s.io"],
      resources: ["certificatesigningrequests/status"],
      verbs: ["update"],
    },
  ]);
});

after(async () => {
  admin?.close();
  alice?.close();
  bob?.close();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("approving needs approve on the signer; approve on kubernetes.io/* is enough", async () => {
  const csr = await newCSR("alice-approves", "CN=carol, O=dev");
  const denied = await eventually(async () => {
    const e = await refused(alice.update(CSRS, withApproval(csr), { subresource: "approval" }));
    // Until RBAC sees alice's binding the authorizer refuses her with another message.
    assert.match(e.message, /user not permitted/);
    return e;
  });
  assert.equal(denied.code, 403);
  assert.equal(denied.reason, "Forbidden");
  assert.equal(
    denied.message,
    'certificatesigningrequests.certificates.k8s.io "alice-approves" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"',
  );
  assert.equal((await admin.get<CSR>(CSRS, "alice-approves")).status?.conditions, undefined);

  await grant("approve-kubernetes-io", "alice", [
    {
      apiGroups: ["certificates.k8s.io"],
      resources: ["signers"],
      resourceNames: ["kubernetes.io/*"],
      verbs: ["approve"],
    },
  ]);
  const approved = await eventually(() => alice.update(CSRS, withApproval(csr), { subresource: "approval" }));
  assert.deepEqual(
    approved.status?.conditions?.map((c) => [c.type, c.status]),
    [["Approved", "True"]],
  );
});

test("setting status.certificate needs sign on the signer", async () => {
  const created = await newCSR("bob-signs", "CN=dave, O=dev");
  const approved = await admin.update(CSRS, withApproval(created), { subresource: "approval" });
  const issued = structuredClone(approved);
  issued.status = { ...issued.status, certificate: Buffer.from(api.pki.caCert).toString("base64") };
  const denied = await eventually(async () => {
    const e = await refused(bob.update(CSRS, issued, { subresource: "status" }));
    assert.match(e.message, /user not permitted/);
    return e;
  });
  assert.equal(denied.code, 403);
  assert.equal(
    denied.message,
    'certificatesigningrequests.certificates.k8s.io "bob-signs" is forbidden: user not permitted to sign requests with signerName "kubernetes.io/kube-apiserver-client"',
  );
  assert.equal((await admin.get<CSR>(CSRS, "bob-signs")).status?.certificate, undefined);

  await grant("sign-kube-apiserver-client", "bob", [
    {
      apiGroups: ["certificates.k8s.io"],
      resources: ["signers"],
      resourceNames: [CLIENT_SIGNER],
      verbs: ["sign"],
    },
  ]);
  const signed = await eventually(() => bob.update(CSRS, issued, { subresource: "status" }));
  assert.equal(signed.status?.certificate, issued.status.certificate);
});

test("a kube-apiserver-client request for system:masters is refused on create, even to an admin", async () => {
  const { pem } = await makeCSR({ name: "CN=mallory, O=system:masters" });
  const e = await refused(
    admin.create(
      CSRS,
      csrObject("masters", pem, {
        signerName: CLIENT_SIGNER,
        usages: ["digital signature", "client auth"],
      }) as CSR,
    ),
  );
  assert.equal(e.code, 403);
  assert.equal(e.reason, "Forbidden");
  assert.equal(
    e.message,
    'certificatesigningrequests.certificates.k8s.io "masters" is forbidden: use of kubernetes.io/kube-apiserver-client signer with system:masters group is not allowed',
  );
  await assert.rejects(() => admin.get(CSRS, "masters"), /not found/);

  // An ordinary group is fine, and so is system:masters for another signer.
  const ordinary = await newCSR("ordinary", "CN=erin, O=dev", alice);
  assert.equal(ordinary.spec?.username, "alice");
  const kubelet = await admin.create(
    CSRS,
    csrObject("masters-kubelet-signer", pem, {
      signerName: "kubernetes.io/kube-apiserver-client-kubelet",
    }) as CSR,
  );
  assert.equal(kubelet.metadata?.name, "masters-kubelet-signer");
});
