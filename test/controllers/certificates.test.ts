// The certificate controllers on a real apiserver (bootstrap tokens, Node and
// RBAC authorization, SubjectAccessReviews) and the kubelet's TLS bootstrap
// against them: a node joins with a bootstrap token and ends up as
// system:node:<name>; requests the approver must not approve stay pending; a
// denied request stops the bootstrap with the denial.
// The controller cluster harness serves none of authentication, RBAC or
// reviews, so this file starts the command line's apiserver itself.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { type RunningApiServer, startApiServer } from "../../src/apiserver/index.ts";
import { loadKubeconfigFile } from "../../src/client/kubeconfig.ts";
import { Resources } from "../../src/client/resources.ts";
import { type KubeObject, type ResourceRef, RestClient } from "../../src/client/rest-client.ts";
import {
  csrApprovingControllerDescriptor,
  csrCleanerControllerDescriptor,
  csrSigningControllerDescriptor,
} from "../../src/controllers/certificates/index.ts";
import { makeCSR } from "../../src/controllers/certificates/test-fixtures.ts";
import { type StartedControllers, startControllers } from "../../src/controllers/manager.ts";
import { bootstrapKubeconfig } from "../../src/kubelet/certificate/bootstrap.ts";
import { freePort } from "../support/ports.ts";

const CSRS = Resources.certificatesigningrequests;
const SECRETS: ResourceRef = { group: "", version: "v1", resource: "secrets", namespaced: true };
const CRBS: ResourceRef = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  resource: "clusterrolebindings",
  namespaced: false,
};
const SELF_SUBJECT_REVIEWS: ResourceRef = {
  group: "authentication.k8s.io",
  version: "v1",
  resource: "selfsubjectreviews",
  namespaced: false,
};
const SARS: ResourceRef = {
  group: "authorization.k8s.io",
  version: "v1",
  resource: "subjectaccessreviews",
  namespaced: false,
};

/** A kubeadm token (kubeadm's default-node-token group) and one of another group, which may ask but is not auto-approved. */
const NODE_TOKEN = "abcdef.0123456789abcdef";
const OTHER_TOKEN = "ghijkl.0123456789abcdef";

let dir: string;
let api: RunningApiServer;
let admin: RestClient;
let controllers: StartedControllers;
const abort = new AbortController();

async function waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  let last: unknown;
  for (;;) {
    try {
      last = await fn();
      if (last !== undefined && last !== false) return last as T;
    } catch (e) {
      last = e;
    }
    if (Date.now() > end) {
      throw new Error(
        `timed out waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
      );
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A review's answer: SubjectAccessReview's allowed, SelfSubjectReview's userInfo. */
interface Review extends KubeObject {
  spec?: unknown;
  status?: { allowed?: boolean; userInfo?: { username?: string; groups?: string[] } };
}

const b64 = (s: string) => Buffer.from(s).toString("base64");

function tokenSecret(token: string, extraGroups: string) {
  const [id, secret] = token.split(".");
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: `bootstrap-token-${id}`, namespace: "kube-system" },
    type: "bootstrap.kubernetes.io/token",
    data: {
      "token-id": b64(id),
      "token-secret": b64(secret),
      "usage-bootstrap-authentication": b64("true"),
      "auth-extra-groups": b64(extraGroups),
    },
  };
}

function binding(name: string, role: string, group: string) {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "ClusterRoleBinding",
    metadata: { name },
    roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
    subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "Group", name: group }],
  };
}

async function allowed(user: string, groups: string[], subresource: string): Promise<boolean> {
  const sar = await admin.create<Review>(SARS, {
    apiVersion: "authorization.k8s.io/v1",
    kind: "SubjectAccessReview",
    spec: {
      user,
      groups,
      resourceAttributes: {
        group: "certificates.k8s.io",
        resource: "certificatesigningrequests",
        verb: "create",
        subresource,
      },
    },
  });
  return sar.status?.allowed === true;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "k8ts-csr-"));
  api = await startApiServer({
    dataDir: dir,
    port: await freePort(),
    bindAddress: "127.0.0.1",
    store: "sqlite::memory:",
  });
  const cred = await api.pki.ca.issueClient("admin", ["system:masters"]);
  admin = new RestClient({ server: api.url, ca: api.pki.caCert, ...cred, namespace: "default" });
  await admin.create(SECRETS, tokenSecret(NODE_TOKEN, "system:bootstrappers:kubeadm:default-node-token"));
  await admin.create(SECRETS, tokenSecret(OTHER_TOKEN, "system:bootstrappers:other"));
  // The apiserver binds kubeadm's node-token group (system:bootstrappers:kubeadm:default-node-token);
  // the other token's group may create requests but is not auto-approved.
  await admin.create(
    CRBS,
    binding("test:other-bootstrap", "system:node-bootstrapper", "system:bootstrappers:other"),
  );
  await waitFor("the RBAC cache to see the bindings", () =>
    allowed("system:bootstrap:abcdef", ["system:bootstrappers:kubeadm:default-node-token"], "nodeclient"),
  );
  controllers = await startControllers({
    client: admin,
    descriptors: [
      csrSigningControllerDescriptor,
      csrApprovingControllerDescriptor,
      csrCleanerControllerDescriptor,
    ],
    config: {
      clusterSigning: {
        certPem: api.pki.caCert,
        keyPem: readFileSync(join(dir, "pki", "ca.key"), "utf8"),
      },
    },
    // Each controller as its service account, as --use-service-account-credentials: its RBAC role must suffice.
    clientFor: async (d) => {
      const sa = await api.pki.ca.issueClient(`system:serviceaccount:kube-system:${d.serviceAccount}`, [
        "system:serviceaccounts",
        "system:serviceaccounts:kube-system",
      ]);
      return new RestClient({ server: api.url, ca: api.pki.caCert, ...sa, namespace: "default" });
    },
    signal: abort.signal,
    log: () => {},
  });
});

after(async () => {
  abort.abort();
  await controllers?.done;
  admin?.close();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("a kubelet joins with a bootstrap token and becomes system:node:<name>", async () => {
  const kubeconfigPath = join(dir, "worker-1", "kubelet.conf");
  const messages: string[] = [];
  const path = await bootstrapKubeconfig({
    kubeconfigPath,
    server: api.url,
    caPem: api.pki.caCert,
    token: NODE_TOKEN,
    nodeName: "worker-1",
    pollIntervalMs: 100,
    timeoutMs: 20_000,
    progress: (m) => messages.push(m),
  });
  assert.equal(path, kubeconfigPath);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  const node = new RestClient(loadKubeconfigFile(path));
  try {
    const review = await node.create<Review>(SELF_SUBJECT_REVIEWS, {
      apiVersion: "authentication.k8s.io/v1",
      kind: "SelfSubjectReview",
    });
    assert.equal(review.status?.userInfo?.username, "system:node:worker-1");
    assert.deepEqual(review.status?.userInfo?.groups, ["system:nodes", "system:authenticated"]);
  } finally {
    node.close();
  }
  const csrs = (await admin.list<CertificateSigningRequest>(CSRS)).items.filter(
    (c) => c.spec?.username === "system:bootstrap:abcdef",
  );
  assert.equal(csrs.length, 1);
  const csr = csrs[0];
  assert.match(csr.metadata?.name ?? "", /^node-csr-[A-Za-z0-9_-]{43}$/);
  assert.deepEqual(csr.spec?.groups, [
    "system:bootstrappers",
    "system:bootstrappers:kubeadm:default-node-token",
    "system:authenticated",
  ]);
  const approvedCondition = csr.status?.conditions?.find((c) => c.type === "Approved");
  assert.equal(approvedCondition?.reason, "AutoApproved");
  assert.equal(
    approvedCondition?.message,
    "Auto approving kubelet client certificate after SubjectAccessReview.",
  );
  assert.ok(csr.status?.certificate);
  assert.ok(messages.some((m) => m.includes(`waiting for the CSR ${csr.metadata?.name}`)));

  // A second start finds a valid kubeconfig: no new request, the file untouched.
  const before = readFileSync(path, "utf8");
  await bootstrapKubeconfig({
    kubeconfigPath,
    server: api.url,
    caPem: api.pki.caCert,
    token: NODE_TOKEN,
    nodeName: "worker-1",
  });
  assert.equal(readFileSync(path, "utf8"), before);
  const again = (await admin.list<CertificateSigningRequest>(CSRS)).items.filter(
    (c) => c.spec?.username === "system:bootstrap:abcdef",
  );
  assert.equal(again.length, 1);
});

test("requests the approver may not approve stay pending; approved by hand, the signer applies its rules", async () => {
  const bootstrapUser = new RestClient({
    server: api.url,
    ca: api.pki.caCert,
    token: NODE_TOKEN,
    namespace: "default",
  });
  try {
    const masters = await makeCSR({ name: "CN=system:node:worker-9, O=system:masters" });
    const client = await makeCSR({ name: "CN=system:node:worker-9, O=system:nodes" });
    const request = (pem: string) => b64(pem);
    // Right signer, wrong organization: not a node client certificate.
    await bootstrapUser.create(CSRS, {
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { name: "wrong-subject" },
      spec: {
        request: request(masters.pem),
        signerName: "kubernetes.io/kube-apiserver-client-kubelet",
        usages: ["digital signature", "client auth"],
      },
    } as CertificateSigningRequest);
    // A node subject, but for kube-apiserver-client: only kubelet client certificates are auto-approved.
    await bootstrapUser.create(CSRS, {
      apiVersion: "certificates.k8s.io/v1",
      kind: "CertificateSigningRequest",
      metadata: { name: "other-signer" },
      spec: {
        request: request(client.pem),
        signerName: "kubernetes.io/kube-apiserver-client",
        usages: ["digital signature", "client auth"],
      },
    } as CertificateSigningRequest);
  } finally {
    bootstrapUser.close();
  }
  // The approver has seen both (the signer would have acted on an approval by now).
  await new Promise((r) => setTimeout(r, 1500));
  for (const name of ["wrong-subject", "other-signer"]) {
    const csr = await admin.get<CertificateSigningRequest>(CSRS, name);
    assert.deepEqual(csr.status?.conditions ?? [], [], name);
    assert.equal(csr.status?.certificate, undefined, name);
  }

  // `kubectl certificate approve`: the kubelet client signer still refuses the subject…
  for (const name of ["wrong-subject", "other-signer"]) {
    const csr = await admin.get<CertificateSigningRequest>(CSRS, name);
    csr.status = {
      conditions: [{ type: "Approved", status: "True", reason: "KubectlApprove", message: "by hand" }],
    };
    await admin.update(CSRS, csr, { subresource: "approval" });
  }
  const failed = await waitFor("the signer to fail wrong-subject", async () => {
    const csr = await admin.get<CertificateSigningRequest>(CSRS, "wrong-subject");
    return csr.status?.conditions?.find((c) => c.type === "Failed");
  });
  assert.equal(failed.reason, "SignerValidationFailure");
  assert.equal(failed.message, "subject organization is not system:nodes");
  // …while kube-apiserver-client signs any client certificate with the right usages.
  const issued = await waitFor("other-signer to be issued", async () => {
    const csr = await admin.get<CertificateSigningRequest>(CSRS, "other-signer");
    return csr.status?.certificate;
  });
  assert.match(Buffer.from(issued, "base64").toString(), /^-----BEGIN CERTIFICATE-----\n/);
});

test("a denied request stops the bootstrap with the denial", async () => {
  const denier = (async () => {
    const csr = await waitFor("the CSR of worker-2", async () =>
      (await admin.list<CertificateSigningRequest>(CSRS)).items.find(
        (c) => c.spec?.username === "system:bootstrap:ghijkl",
      ),
    );
    csr.status = {
      conditions: [
        { type: "Denied", status: "True", reason: "NotOnTheList", message: "worker-2 is not expected" },
      ],
    };
    await admin.update(CSRS, csr, { subresource: "approval" });
  })();
  await assert.rejects(
    bootstrapKubeconfig({
      kubeconfigPath: join(dir, "worker-2", "kubelet.conf"),
      server: api.url,
      caPem: api.pki.caCert,
      token: OTHER_TOKEN,
      nodeName: "worker-2",
      pollIntervalMs: 100,
      timeoutMs: 20_000,
    }),
    /^Error: the CSR node-csr-\S+ was denied: certificate signing request is denied, reason: NotOnTheList, message: worker-2 is not expected$/,
  );
  await denier;
});

test("a token the apiserver does not know is refused at once", async () => {
  await assert.rejects(
    bootstrapKubeconfig({
      kubeconfigPath: join(dir, "worker-3", "kubelet.conf"),
      server: api.url,
      caPem: api.pki.caCert,
      token: "zzzzzz.0123456789abcdef",
      nodeName: "worker-3",
    }),
    /^Error: cannot create certificate signing request: Unauthorized \(is the bootstrap token right/,
  );
});
