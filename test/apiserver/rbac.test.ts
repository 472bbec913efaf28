// RBAC and the Node authorizer end to end: a real in-process apiserver on
// in-memory SQLite authorizing with --authorization-mode=Node,RBAC, the
// bootstrap policy reconciled at start, the escalation check in admission and
// the authorization.k8s.io reviews; identities are client certificates.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import type { Obj } from "../../src/api/registry.ts";
import { AdmissionChain } from "../../src/apiserver/admission/admission.ts";
import type { Attributes } from "../../src/apiserver/authorization/authorizer.ts";
import { type BuiltAuthorizer, buildAuthorizer } from "../../src/apiserver/authorization/config.ts";
import { type ClusterPki, ensurePki } from "../../src/apiserver/certs.ts";
import { Registry } from "../../src/apiserver/registry/index.ts";
import { ApiServer } from "../../src/apiserver/server.ts";
import { SqliteStore } from "../../src/storage/sqlite.ts";

const G = "rbac.authorization.k8s.io";
const RBAC = `/apis/${G}/v1`;

let dataDir: string;
let pki: ClusterPki;
let store: SqliteStore;
let server: ApiServer;
let authz: BuiltAuthorizer;
let url: string;

type Cred = { cert: string; key: string } | undefined;
const creds = new Map<string, Cred>();

/** A client certificate for a user and groups (cached by user). */
async function as(user: string, groups: string[] = []): Promise<Cred> {
  if (user === "system:anonymous") return undefined;
  let c = creds.get(user);
  if (!c) {
    c = await pki.ca.issueClient(user, groups);
    creds.set(user, c);
  }
  return c;
}

function call(
  cred: Cred,
  path: string,
  method = "GET",
  body?: unknown,
): Promise<{ code: number; body: Obj }> {
  const data = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { Accept: "application/json" };
  if (data) headers["Content-Type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      { method, ca: pki.caCert, cert: cred?.cert, key: cred?.key, headers, agent: false },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let parsed: Obj = { text };
          try {
            parsed = JSON.parse(text);
          } catch {}
          resolve({ code: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

let admin: Cred;
const asAdmin = (path: string, method = "GET", body?: unknown) => call(admin, path, method, body);

async function created(path: string, body: Obj): Promise<Obj> {
  const r = await asAdmin(path, "POST", body);
  assert.equal(r.code, 201, `create ${path}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** Waits until the authorizer (its watch cache) decides as expected. */
async function until(a: Partial<Attributes> & { user: Attributes["user"] }, allowed: boolean): Promise<void> {
  const attrs: Attributes = {
    verb: "get",
    isResourceRequest: true,
    path: "",
    namespace: "",
    apiGroup: "",
    apiVersion: "v1",
    resource: "",
    subresource: "",
    name: "",
    ...a,
  };
  const end = Date.now() + 5000;
  for (;;) {
    const r = await authz.authorizer.authorize(attrs);
    if ((r.decision === "Allow") === allowed) return;
    if (Date.now() > end) throw new Error(`authorizer never decided ${allowed} for ${JSON.stringify(attrs)}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const user = (name: string, groups: string[] = []) => ({ name, groups: [...groups, "system:authenticated"] });
const binding = (
  kind: "RoleBinding" | "ClusterRoleBinding",
  name: string,
  roleKind: string,
  role: string,
  subjects: Obj[],
) => ({
  apiVersion: `${G}/v1`,
  kind,
  metadata: { name },
  roleRef: { apiGroup: G, kind: roleKind, name: role },
  subjects,
});
const userSubject = (name: string) => ({ kind: "User", apiGroup: G, name });

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "k8ts-rbac-test-"));
  pki = await ensurePki(dataDir);
  store = new SqliteStore({ path: ":memory:" });
  authz = buildAuthorizer({ registry: new Registry(store), modes: ["Node", "RBAC"], log: () => {} });
  await authz.start();
  server = new ApiServer({
    store,
    tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.caCert },
    port: 0,
    host: "127.0.0.1",
    compactionIntervalMs: 3_600_000,
    authorizer: authz.authorizer,
    admission: new AdmissionChain([], [authz.escalation!]),
    virtual: authz.virtualHandlers,
  });
  await server.start();
  url = `https://127.0.0.1:${server.port}`;
  admin = await as("admin", ["system:masters"]);
  await as("system:node:node-a", ["system:nodes"]);
  await as("system:serviceaccount:ns1:robot", ["system:serviceaccounts", "system:serviceaccounts:ns1"]);

  for (const ns of ["ns1", "ns2"]) {
    await created("/api/v1/namespaces", { apiVersion: "v1", kind: "Namespace", metadata: { name: ns } });
  }
  await created(`${RBAC}/namespaces/ns1/roles`, {
    apiVersion: `${G}/v1`,
    kind: "Role",
    metadata: { name: "pod-reader" },
    rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }],
  });
  await created(
    `${RBAC}/namespaces/ns1/rolebindings`,
    binding("RoleBinding", "read-pods", "Role", "pod-reader", [
      userSubject("roleuser"),
      // A service account of the binding's own namespace needs no namespace.
      { kind: "ServiceAccount", name: "robot" },
    ]),
  );
  await created(`${RBAC}/clusterroles`, {
    apiVersion: `${G}/v1`,
    kind: "ClusterRole",
    metadata: { name: "node-lister" },
    rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["list"] }],
  });
  await created(
    `${RBAC}/clusterrolebindings`,
    binding("ClusterRoleBinding", "list-nodes", "ClusterRole", "node-lister", [userSubject("clusteruser")]),
  );
  for (const [name, role, who] of [
    ["viewers", "view", "viewer"],
    ["editors", "edit", "editor"],
    ["admins", "admin", "nsadmin"],
  ]) {
    await created(
      `${RBAC}/namespaces/ns1/rolebindings`,
      binding("RoleBinding", name, "ClusterRole", role, [userSubject(who)]),
    );
  }
  await created("/api/v1/namespaces/ns1/secrets", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "s1" },
    stringData: { k: "v" },
  });
  await until({ user: user("nsadmin"), verb: "list", resource: "pods", namespace: "ns1" }, true);
  await until({ user: user("viewer"), verb: "list", resource: "pods", namespace: "ns1" }, true);
  await until({ user: user("editor"), verb: "list", resource: "pods", namespace: "ns1" }, true);
  await until({ user: user("clusteruser"), verb: "list", resource: "nodes" }, true);
});

after(async () => {
  await server?.stop();
  await authz?.stop();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("who may do what", () => {
  // [user, groups, verb, path, method, expected HTTP status]
  const matrix: Array<[string, string[], string, string, string, number]> = [
    // Anonymous: only system:public-info-viewer's paths.
    ["system:anonymous", [], "get /version", "/version", "GET", 200],
    ["system:anonymous", [], "get /healthz", "/healthz", "GET", 200],
    ["system:anonymous", [], "get /api", "/api", "GET", 403],
    ["system:anonymous", [], "list pods", "/api/v1/namespaces/ns1/pods", "GET", 403],
    // Authenticated without bindings: discovery and self-reviews, nothing else.
    ["nobody", [], "get /api", "/api", "GET", 200],
    ["nobody", [], "get /apis/apps/v1", "/apis/apps/v1", "GET", 200],
    ["nobody", [], "list pods", "/api/v1/namespaces/ns1/pods", "GET", 403],
    ["nobody", [], "list namespaces", "/api/v1/namespaces", "GET", 403],
    ["nobody", [], "get /metrics", "/metrics", "GET", 403],
    // A namespaced Role.
    ["roleuser", [], "list pods ns1", "/api/v1/namespaces/ns1/pods", "GET", 200],
    ["roleuser", [], "list pods ns2", "/api/v1/namespaces/ns2/pods", "GET", 403],
    ["roleuser", [], "list pods everywhere", "/api/v1/pods", "GET", 403],
    ["roleuser", [], "list secrets ns1", "/api/v1/namespaces/ns1/secrets", "GET", 403],
    // A ClusterRole through a ClusterRoleBinding.
    ["clusteruser", [], "list nodes", "/api/v1/nodes", "GET", 200],
    ["clusteruser", [], "get node", "/api/v1/nodes/n1", "GET", 403],
    ["clusteruser", [], "list pods ns1", "/api/v1/namespaces/ns1/pods", "GET", 403],
    // The aggregated roles.
    ["viewer", [], "list pods", "/api/v1/namespaces/ns1/pods", "GET", 200],
    ["viewer", [], "list deployments", "/apis/apps/v1/namespaces/ns1/deployments", "GET", 200],
    ["viewer", [], "list secrets", "/api/v1/namespaces/ns1/secrets", "GET", 403],
    ["viewer", [], "get secret", "/api/v1/namespaces/ns1/secrets/s1", "GET", 403],
    ["viewer", [], "delete configmaps", "/api/v1/namespaces/ns1/configmaps/x", "DELETE", 403],
    ["viewer", [], "list pods ns2", "/api/v1/namespaces/ns2/pods", "GET", 403],
    ["editor", [], "get secret", "/api/v1/namespaces/ns1/secrets/s1", "GET", 200],
    ["editor", [], "list rolebindings", `${RBAC}/namespaces/ns1/rolebindings`, "GET", 403],
    ["nsadmin", [], "list rolebindings", `${RBAC}/namespaces/ns1/rolebindings`, "GET", 200],
    ["nsadmin", [], "get secret", "/api/v1/namespaces/ns1/secrets/s1", "GET", 200],
    ["nsadmin", [], "list nodes", "/api/v1/nodes", "GET", 403],
    // A service-account subject.
    ["system:serviceaccount:ns1:robot", [], "list pods ns1", "/api/v1/namespaces/ns1/pods", "GET", 200],
    ["system:serviceaccount:ns1:robot", [], "list pods ns2", "/api/v1/namespaces/ns2/pods", "GET", 403],
    // system:masters.
    ["admin", ["system:masters"], "list secrets everywhere", "/api/v1/secrets", "GET", 200],
    ["admin", ["system:masters"], "get /metrics", "/metrics", "GET", 200],
  ];
  for (const [name, groups, what, path, method, code] of matrix) {
    test(`${name}: ${what} → ${code}`, async () => {
      const r = await call(await as(name, groups), path, method);
      assert.equal(r.code, code, JSON.stringify(r.body));
    });
  }

  test("denials are worded as upstream's", async () => {
    const anon = await call(undefined, "/api/v1/namespaces/ns1/pods");
    assert.equal(
      anon.body.message,
      'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "ns1"',
    );
    const path = await call(undefined, "/api");
    assert.equal(path.body.message, 'forbidden: User "system:anonymous" cannot get path "/api"');
    const secret = await call(await as("viewer"), "/api/v1/namespaces/ns1/secrets/s1");
    assert.equal(
      secret.body.message,
      'secrets "s1" is forbidden: User "viewer" cannot get resource "secrets" in API group "" in the namespace "ns1"',
    );
    assert.deepEqual(secret.body.details, { name: "s1", kind: "secrets" });
    const nodes = await call(await as("nobody"), "/api/v1/nodes");
    assert.equal(
      nodes.body.message,
      'nodes is forbidden: User "nobody" cannot list resource "nodes" in API group "" at the cluster scope',
    );
  });

  test("a binding to a missing role says so in the reason", async () => {
    await created(
      `${RBAC}/namespaces/ns2/rolebindings`,
      binding("RoleBinding", "dangling", "Role", "no-such-role", [userSubject("dangler")]),
    );
    await until({ user: user("dangler"), verb: "list", resource: "pods", namespace: "ns2" }, false);
    const end = Date.now() + 5000;
    let r: { code: number; body: Obj };
    do {
      r = await call(await as("dangler"), "/api/v1/namespaces/ns2/pods");
    } while (!String(r.body.message).includes("RBAC:") && Date.now() < end);
    assert.equal(r.code, 403);
    assert.equal(
      r.body.message,
      'pods is forbidden: User "dangler" cannot list resource "pods" in API group "" in the namespace "ns2": RBAC: role.rbac.authorization.k8s.io "no-such-role" not found',
    );
  });
});

describe("escalation", () => {
  const tooMuch = {
    apiVersion: `${G}/v1`,
    kind: "Role",
    metadata: { name: "too-much" },
    rules: [{ apiGroups: [""], resources: ["nodes"], verbs: ["get"] }],
  };
  const makeAdmin = binding("RoleBinding", "make-me-admin", "ClusterRole", "cluster-admin", [
    userSubject("nsadmin"),
  ]);

  test("a namespace admin may create a Role with rules they hold", async () => {
    const r = await call(await as("nsadmin"), `${RBAC}/namespaces/ns1/roles`, "POST", {
      apiVersion: `${G}/v1`,
      kind: "Role",
      metadata: { name: "fine" },
      rules: [{ apiGroups: [""], resources: ["pods", "secrets"], verbs: ["get", "list"] }],
    });
    assert.equal(r.code, 201, JSON.stringify(r.body));
  });

  test("but not one with rules they lack, nor a binding to a bigger role", async () => {
    const r = await call(await as("nsadmin"), `${RBAC}/namespaces/ns1/roles`, "POST", tooMuch);
    assert.equal(r.code, 403);
    assert.equal(r.body.reason, "Forbidden");
    assert.equal(
      r.body.message,
      'roles.rbac.authorization.k8s.io "too-much" is forbidden: user "nsadmin" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:[""], Resources:["nodes"], Verbs:["get"]}',
    );
    const b = await call(await as("nsadmin"), `${RBAC}/namespaces/ns1/rolebindings`, "POST", makeAdmin);
    assert.equal(b.code, 403);
    assert.equal(
      b.body.message,
      'rolebindings.rbac.authorization.k8s.io "make-me-admin" is forbidden: user "nsadmin" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}\n{NonResourceURLs:["*"], Verbs:["*"]}',
    );
    const missing = await call(await as("nsadmin"), `${RBAC}/namespaces/ns1/rolebindings`, "POST", {
      ...makeAdmin,
      metadata: { name: "to-nothing" },
      roleRef: { apiGroup: G, kind: "ClusterRole", name: "no-such-role" },
    });
    assert.equal(missing.code, 404);
    assert.equal(missing.body.message, 'clusterroles.rbac.authorization.k8s.io "no-such-role" not found');
  });

  test("escalate on roles and bind on a role lift the checks", async () => {
    await created(`${RBAC}/clusterroles`, {
      apiVersion: `${G}/v1`,
      kind: "ClusterRole",
      metadata: { name: "role-escalator" },
      rules: [
        { apiGroups: [G], resources: ["roles"], verbs: ["escalate"] },
        { apiGroups: [G], resources: ["clusterroles"], verbs: ["bind"], resourceNames: ["cluster-admin"] },
      ],
    });
    await created(
      `${RBAC}/namespaces/ns1/rolebindings`,
      binding("RoleBinding", "escalator", "ClusterRole", "role-escalator", [userSubject("nsadmin")]),
    );
    await until(
      {
        user: user("nsadmin"),
        verb: "escalate",
        apiGroup: G,
        resource: "roles",
        namespace: "ns1",
      },
      true,
    );
    const r = await call(await as("nsadmin"), `${RBAC}/namespaces/ns1/roles`, "POST", tooMuch);
    assert.equal(r.code, 201, JSON.stringify(r.body));
    const b = await call(await as("nsadmin"), `${RBAC}/namespaces/ns1/rolebindings`, "POST", makeAdmin);
    assert.equal(b.code, 201, JSON.stringify(b.body));
    // bind was granted in ns1 only.
    const elsewhere = await call(
      await as("nsadmin"),
      `${RBAC}/namespaces/ns2/rolebindings`,
      "POST",
      makeAdmin,
    );
    assert.equal(elsewhere.code, 403);
  });
});

describe("reviews", () => {
  const ssar = (namespace: string, verb: string, resource: string) => ({
    apiVersion: "authorization.k8s.io/v1",
    kind: "SelfSubjectAccessReview",
    spec: { resourceAttributes: { namespace, verb, resource } },
  });

  test("SelfSubjectAccessReview answers for the caller, with the granting binding", async () => {
    const yes = await call(
      await as("roleuser"),
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      "POST",
      ssar("ns1", "list", "pods"),
    );
    assert.equal(yes.code, 201);
    assert.deepEqual(yes.body.status, {
      allowed: true,
      reason: 'RBAC: allowed by RoleBinding "read-pods/ns1" of Role "pod-reader" to User "roleuser"',
    });
    const no = await call(
      await as("roleuser"),
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      "POST",
      ssar("ns2", "list", "pods"),
    );
    assert.deepEqual(no.body.status, { allowed: false });
    // system:masters is allowed before any mode is asked: no reason.
    const root = await asAdmin(
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      "POST",
      ssar("x", "delete", "nodes"),
    );
    assert.deepEqual(root.body.status, { allowed: true });
  });

  test("anonymous users may not even ask", async () => {
    const r = await call(
      undefined,
      "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews",
      "POST",
      ssar("ns1", "list", "pods"),
    );
    assert.equal(r.code, 403);
  });

  test("SubjectAccessReview asks about someone else, for those allowed to create it", async () => {
    const body = {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec: { user: "viewer", resourceAttributes: { namespace: "ns1", verb: "get", resource: "secrets" } },
    };
    const r = await asAdmin("/apis/authorization.k8s.io/v1/subjectaccessreviews", "POST", body);
    assert.equal(r.code, 201);
    assert.deepEqual(r.body.status, { allowed: false });
    const forbidden = await call(
      await as("viewer"),
      "/apis/authorization.k8s.io/v1/subjectaccessreviews",
      "POST",
      body,
    );
    assert.equal(forbidden.code, 403);
  });

  test("SelfSubjectRulesReview lists the caller's rules in the namespace", async () => {
    const r = await call(
      await as("roleuser"),
      "/apis/authorization.k8s.io/v1/selfsubjectrulesreviews",
      "POST",
      {
        apiVersion: "authorization.k8s.io/v1",
        kind: "SelfSubjectRulesReview",
        spec: { namespace: "ns1" },
      },
    );
    assert.equal(r.code, 201);
    assert.equal(r.body.kind, "SelfSubjectRulesReview");
    assert.equal(r.body.status.incomplete, false);
    const rules = r.body.status.resourceRules as Obj[];
    assert.deepEqual(rules.at(-1), { verbs: ["get", "list"], apiGroups: [""], resources: ["pods"] });
    assert.ok(
      rules.some((x) => x.resources?.includes("selfsubjectaccessreviews")),
      "system:basic-user's rules are there",
    );
    assert.ok(
      (r.body.status.nonResourceRules as Obj[]).some((x) => x.nonResourceURLs.includes("/api")),
      "system:discovery's paths are there",
    );
  });
});

describe("kubectl auth can-i", () => {
  const execFileP = promisify(execFile);
  async function kubectl(userName: string, args: string[]): Promise<{ code: number; out: string }> {
    const c = (await as(userName))!;
    const kubeconfig = join(dataDir, `kubeconfig-${userName}`);
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    writeFileSync(
      kubeconfig,
      JSON.stringify({
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: url, "certificate-authority-data": b64(pki.caCert) } }],
        users: [
          { name: "u", user: { "client-certificate-data": b64(c.cert), "client-key-data": b64(c.key) } },
        ],
        contexts: [{ name: "x", context: { cluster: "c", user: "u", namespace: "ns1" } }],
        "current-context": "x",
      }),
    );
    try {
      const r = await execFileP("kubectl", ["--kubeconfig", kubeconfig, ...args], {
        env: { ...process.env, HOME: dataDir },
      });
      return { code: 0, out: r.stdout };
    } catch (e) {
      const err = e as { code?: number; stdout?: string };
      return { code: err.code ?? -1, out: err.stdout ?? "" };
    }
  }

  test("yes and no", async () => {
    assert.deepEqual(await kubectl("roleuser", ["auth", "can-i", "list", "pods"]), { code: 0, out: "yes\n" });
    assert.deepEqual(await kubectl("roleuser", ["auth", "can-i", "list", "pods", "-n", "ns2"]), {
      code: 1,
      out: "no\n",
    });
    assert.deepEqual(await kubectl("viewer", ["auth", "can-i", "get", "secrets"]), { code: 1, out: "no\n" });
  });

  test("--list shows the rules of the namespace", async () => {
    const r = await kubectl("roleuser", ["auth", "can-i", "--list"]);
    assert.equal(r.code, 0);
    const lines = r.out.split("\n");
    assert.match(lines[0], /^Resources\s+Non-Resource URLs\s+Resource Names\s+Verbs$/);
    assert.ok(
      lines.some((l) => /^pods\s+\[\]\s+\[\]\s+\[get list\]$/.test(l)),
      r.out,
    );
    assert.ok(
      lines.some((l) => /^\s+\[\/api\/\*\]\s+\[\]\s+\[get\]$/.test(l)),
      r.out,
    );
  });
});

describe("Node authorizer", () => {
  const pod = (name: string, nodeName: string, secret: string) => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      nodeName,
      containers: [
        {
          name: "c",
          image: "busybox",
          env: [{ name: "X", valueFrom: { secretKeyRef: { name: secret, key: "k" } } }],
        },
      ],
    },
  });

  before(async () => {
    for (const s of ["for-a", "for-b"]) {
      await created("/api/v1/namespaces/ns1/secrets", {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: s },
        stringData: { k: "v" },
      });
    }
    await created("/api/v1/namespaces/ns1/pods", pod("on-a", "node-a", "for-a"));
    await created("/api/v1/namespaces/ns1/pods", pod("on-b", "node-b", "for-b"));
    await until(
      {
        user: { name: "system:node:node-a", groups: ["system:nodes"] },
        resource: "secrets",
        namespace: "ns1",
        name: "for-a",
      },
      true,
    );
  });

  test("node A reads the secret its pod uses, not one only node B's pod uses", async () => {
    const nodeA = await as("system:node:node-a", ["system:nodes"]);
    const mine = await call(nodeA, "/api/v1/namespaces/ns1/secrets/for-a");
    assert.equal(mine.code, 200);
    assert.equal(mine.body.metadata.name, "for-a");
    const theirs = await call(nodeA, "/api/v1/namespaces/ns1/secrets/for-b");
    assert.equal(theirs.code, 403);
    assert.equal(
      theirs.body.message,
      `secrets "for-b" is forbidden: User "system:node:node-a" cannot get resource "secrets" in API group "" in the namespace "ns1": no relationship found between node 'node-a' and this object`,
    );
  });

  test("node A has the static node rules, and only its own lease", async () => {
    const nodeA = await as("system:node:node-a", ["system:nodes"]);
    // v1.32's AuthorizeNodeWithSelectors: only the pods bound to it, by field selector.
    assert.equal(
      (await call(nodeA, "/api/v1/namespaces/ns1/pods?fieldSelector=spec.nodeName%3Dnode-a")).code,
      200,
    );
    assert.equal((await call(nodeA, "/api/v1/namespaces/ns1/pods")).code, 403);
    assert.equal((await call(nodeA, "/api/v1/namespaces/ns1/configmaps")).code, 403);
    const other = await call(nodeA, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-b");
    assert.equal(other.code, 403);
    assert.match(other.body.message, /can only access node lease with the same name as the requesting node$/);
    const own = await call(nodeA, "/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/node-a");
    assert.equal(own.code, 404, "allowed; it does not exist yet");
  });
});
