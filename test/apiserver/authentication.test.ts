// Authentication end to end: a real in-process apiserver on in-memory SQLite
// with the kube-apiserver authenticator chain (client certificates, a token
// file, service-account tokens, bootstrap tokens, impersonation) and the
// TokenRequest, TokenReview and SelfSubjectReview handlers.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { request } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, test } from "node:test";
import { promisify } from "node:util";
import type { Obj } from "../../src/api/registry.ts";
import {
  authenticationSubresourceHandlers,
  authenticationVirtualHandlers,
  buildAuthenticator,
  type KubeAuthenticator,
} from "../../src/apiserver/authentication/config.ts";
import { claimsFor } from "../../src/apiserver/authentication/service-account.ts";
import { ensureServiceAccountKeys } from "../../src/apiserver/authentication/service-account-keys.ts";
import type { Authorizer } from "../../src/apiserver/authorization/authorizer.ts";
import { CertificateAuthority, type ClusterPki, ensurePki } from "../../src/apiserver/certs.ts";
import type { RestOptions } from "../../src/apiserver/handlers/rest.ts";
import { Registry } from "../../src/apiserver/registry/index.ts";
import { ApiServer, type ApiServerOptions } from "../../src/apiserver/server.ts";
import { SqliteStore } from "../../src/storage/sqlite.ts";

const ISSUER = "https://kubernetes.default.svc.cluster.local";

/** Everyone authenticated may do anything, except that only "impersonator" may impersonate. */
const authorizer: Authorizer = {
  authorize: (a) => {
    if (a.verb === "impersonate") {
      return a.user.name === "impersonator"
        ? { decision: "Allow", reason: "" }
        : { decision: "NoOpinion", reason: "" };
    }
    if (a.user.name === "system:anonymous") return { decision: "NoOpinion", reason: "" };
    return { decision: "Allow", reason: "" };
  },
};

let dataDir: string;
let pki: ClusterPki;
let store: SqliteStore;
let server: ApiServer;
let authn: KubeAuthenticator;
let url: string;
let admin: { cert: string; key: string };

before(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "k8ts-authn-test-"));
  pki = await ensurePki(dataDir);
  const keys = await ensureServiceAccountKeys(dataDir);
  const tokenFile = join(dataDir, "tokens.csv");
  writeFileSync(
    tokenFile,
    [
      "plain-token,plain-user,uid-2,team-a",
      "imp-token,impersonator,uid-3",
      'admin-token,token-admin,uid-1,"system:masters,ops"',
    ]
      .map((l) => `${l}\n`)
      .join(""),
  );
  store = new SqliteStore({ path: ":memory:" });
  // The authenticator reads ServiceAccounts, Pods and Secrets from the same store as the server.
  authn = buildAuthenticator({
    registry: new Registry(store),
    tokenAuthFile: tokenFile,
    serviceAccountKeys: keys,
    impersonationAuthorizer: authorizer,
    // These tests revoke tokens and expect the next request to see it, which kube-apiserver's
    // 10 s cache of good tokens would hide (src/apiserver/authentication/token-cache.test.ts covers it).
    tokenSuccessCacheTtlMs: 0,
  });
  const rest: Pick<RestOptions, "virtual" | "subresources"> = {
    virtual: authenticationVirtualHandlers(authn),
    subresources: authenticationSubresourceHandlers(authn, { registry: new Registry(store) }),
  };
  const opts: ApiServerOptions = {
    store,
    tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.caCert },
    port: 0,
    host: "127.0.0.1",
    compactionIntervalMs: 3_600_000,
    authenticator: authn,
    authorizer,
    ...rest,
  };
  server = new ApiServer(opts);
  await server.start();
  url = `https://127.0.0.1:${server.port}`;
  admin = await pki.ca.issueClient("admin", ["system:masters"]);
});

after(async () => {
  await server?.stop();
  await store?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

interface Call {
  method?: string;
  token?: string;
  cert?: { cert: string; key: string };
  headers?: Record<string, string | string[]>;
  body?: unknown;
}

function call(
  path: string,
  c: Call = {},
): Promise<{ code: number; body: Obj; headers: Record<string, unknown> }> {
  const data = c.body === undefined ? undefined : JSON.stringify(c.body);
  const headers: Record<string, string | string[]> = { Accept: "application/json", ...(c.headers ?? {}) };
  if (c.token !== undefined) headers.Authorization = `Bearer ${c.token}`;
  if (data) headers["Content-Type"] = "application/json";
  return new Promise((resolve, reject) => {
    const req = request(
      `${url}${path}`,
      {
        method: c.method ?? "GET",
        ca: pki.caCert,
        cert: c.cert?.cert,
        key: c.cert?.key,
        headers,
        agent: false,
      },
      (res) => {
        let text = "";
        res.setEncoding("utf8");
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          let body: Obj = { text };
          try {
            body = JSON.parse(text);
          } catch {}
          resolve({ code: res.statusCode ?? 0, body, headers: res.headers });
        });
      },
    );
    req.on("error", reject);
    req.end(data);
  });
}

const asAdmin = (path: string, c: Call = {}) => call(path, { cert: admin, ...c });
const whoami = (c: Call) =>
  call("/apis/authentication.k8s.io/v1/selfsubjectreviews", {
    method: "POST",
    body: { apiVersion: "authentication.k8s.io/v1", kind: "SelfSubjectReview" },
    ...c,
  });
const tokenReview = (token: string, audiences?: string[]) =>
  asAdmin("/apis/authentication.k8s.io/v1/tokenreviews", {
    method: "POST",
    body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenReview", spec: { token, audiences } },
  });
const requestToken = (ns: string, sa: string, spec: object = {}, metadata: object = {}) =>
  asAdmin(`/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`, {
    method: "POST",
    body: { apiVersion: "authentication.k8s.io/v1", kind: "TokenRequest", metadata, spec },
  });
const create = (path: string, body: object) => asAdmin(path, { method: "POST", body });
const createSA = (ns: string, name: string) =>
  create(`/api/v1/namespaces/${ns}/serviceaccounts`, {
    apiVersion: "v1",
    kind: "ServiceAccount",
    metadata: { name },
  });

/** kube-apiserver's 401 body, field for field. */
function assertUnauthorized(r: { code: number; body: unknown }) {
  assert.equal(r.code, 401);
  assert.deepEqual(r.body, {
    kind: "Status",
    apiVersion: "v1",
    metadata: {},
    status: "Failure",
    message: "Unauthorized",
    reason: "Unauthorized",
    code: 401,
  });
}

describe("client certificates", () => {
  test("a certificate of the cluster CA is its subject", async () => {
    const r = await whoami({ cert: admin });
    assert.equal(r.code, 201);
    assert.deepEqual(r.body.status.userInfo, {
      username: "admin",
      groups: ["system:masters", "system:authenticated"],
    });
  });

  test("a certificate from another CA is 401", async () => {
    const { ca } = await CertificateAuthority.create();
    const foreign = await ca.issueClient("admin", ["system:masters"]);
    assertUnauthorized(await call("/api/v1/namespaces", { cert: foreign }));
  });

  test("a bad certificate does not spoil a good bearer token on the same request", async () => {
    const { ca } = await CertificateAuthority.create();
    const foreign = await ca.issueClient("admin", ["system:masters"]);
    const r = await whoami({ cert: foreign, token: "plain-token" });
    assert.equal(r.code, 201);
    assert.equal(r.body.status.userInfo.username, "plain-user");
  });

  test("an expired certificate of the cluster CA is 401", async () => {
    const expired = await pki.ca.issueClient("admin", ["system:masters"], -1);
    assertUnauthorized(await call("/api/v1/namespaces", { cert: expired }));
  });
});

describe("token file", () => {
  test("a static token is the user of its row, groups from the fourth column", async () => {
    const r = await whoami({ token: "plain-token" });
    assert.deepEqual(r.body.status.userInfo, {
      username: "plain-user",
      uid: "uid-2",
      groups: ["team-a", "system:authenticated"],
    });
    assert.equal((await call("/api/v1/namespaces", { token: "admin-token" })).code, 200);
  });

  test("an unknown token is 401 Unauthorized, never anonymous and never 500", async () => {
    assertUnauthorized(await call("/api/v1/namespaces", { token: "no-such-token" }));
    assertUnauthorized(await call("/api/v1/namespaces", { headers: { Authorization: "Bearer  x" } }));
    assertUnauthorized(await call("/api/v1/namespaces", { token: "e30.e30.e30" }));
    assertUnauthorized(await call("/version", { token: "no-such-token" }));
  });
});

describe("service account tokens", () => {
  before(async () => {
    assert.equal((await createSA("default", "builder")).code, 201);
  });

  test("TokenRequest answers 201 with the token and its expiry", async () => {
    const before = Date.now();
    const r = await requestToken("default", "builder");
    assert.equal(r.code, 201);
    assert.equal(r.body.kind, "TokenRequest");
    assert.equal(r.body.apiVersion, "authentication.k8s.io/v1");
    assert.equal(r.body.metadata.name, "builder");
    assert.equal(r.body.metadata.namespace, "default");
    assert.deepEqual(r.body.spec, { audiences: [ISSUER], expirationSeconds: 3600, boundObjectRef: null });
    const exp = Date.parse(r.body.status.expirationTimestamp);
    assert.ok(exp >= Math.floor(before / 1000) * 1000 + 3600_000 && exp <= Date.now() + 3600_000);
    const payload = JSON.parse(Buffer.from(r.body.status.token.split(".")[1], "base64url").toString());
    assert.equal(payload.iss, ISSUER);
    assert.equal(payload.sub, "system:serviceaccount:default:builder");
    assert.equal(payload.exp, Math.floor(exp / 1000));
  });

  test("the token authenticates as the service account until the service account is deleted", async () => {
    const sa = (await asAdmin("/api/v1/namespaces/default/serviceaccounts/builder")).body;
    const token = (await requestToken("default", "builder")).body.status.token;
    const jti = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).jti;
    const r = await whoami({ token });
    assert.deepEqual(r.body.status.userInfo, {
      username: "system:serviceaccount:default:builder",
      uid: sa.metadata.uid,
      groups: ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
      extra: { "authentication.kubernetes.io/credential-id": [`JTI=${jti}`] },
    });
    assert.equal((await call("/api/v1/namespaces/default/pods", { token })).code, 200);

    assert.equal(
      (await asAdmin("/api/v1/namespaces/default/serviceaccounts/builder", { method: "DELETE" })).code,
      200,
    );
    assertUnauthorized(await call("/api/v1/namespaces/default/pods", { token }));
    const review = await tokenReview(token);
    assert.deepEqual(review.body.status, { user: {}, error: 'serviceaccounts "builder" not found' });
    // Recreated under the same name, the service account has a new uid: the old token stays dead.
    await createSA("default", "builder");
    const again = await tokenReview(token);
    assert.match(again.body.status.error, /^service account UID \(.+\) does not match claim \(.+\)$/);
  });

  test("a tampered signature, a wrong audience and an expired token are 401", async () => {
    await createSA("default", "tamper");
    const token: string = (await requestToken("default", "tamper")).body.status.token;
    const [h, p, s] = token.split(".");
    const claims = JSON.parse(Buffer.from(p, "base64url").toString());
    claims.sub = "system:serviceaccount:kube-system:root";
    const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
    assertUnauthorized(await call("/api/v1/namespaces", { token: forged }));
    assert.deepEqual((await tokenReview(forged)).body.status, {
      user: {},
      error: "go-jose/go-jose: error in cryptographic primitive",
    });

    const vault = (await requestToken("default", "tamper", { audiences: ["vault"] })).body.status.token;
    assertUnauthorized(await call("/api/v1/namespaces", { token: vault }));
    // A TokenReview for the token's own audience accepts it.
    const ok = await tokenReview(vault, ["vault"]);
    assert.equal(ok.body.status.authenticated, true);
    assert.deepEqual(ok.body.status.audiences, ["vault"]);
    assert.equal(
      (await tokenReview(vault)).body.status.error,
      `token audiences ["vault"] is invalid for the target audiences ["${ISSUER}"]`,
    );

    const sa = (await asAdmin("/api/v1/namespaces/default/serviceaccounts/tamper")).body;
    const expired = authn.tokenGenerator.generateToken(
      claimsFor({
        serviceAccount: sa,
        expirationSeconds: 600,
        audiences: [ISSUER],
        now: new Date(Date.now() - 3600_000),
      }),
    );
    assertUnauthorized(await call("/api/v1/namespaces", { token: expired }));
    assert.equal((await tokenReview(expired)).body.status.error, "service account token has expired");
  });

  test("a pod-bound token carries the pod and dies with it", async () => {
    await createSA("default", "runner");
    const pod = await create("/api/v1/namespaces/default/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "web" },
      spec: { serviceAccountName: "runner", containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
    });
    assert.equal(pod.code, 201, JSON.stringify(pod.body));
    const r = await requestToken("default", "runner", {
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web", uid: pod.body.metadata.uid },
    });
    assert.equal(r.code, 201, JSON.stringify(r.body));
    assert.deepEqual(r.body.spec.boundObjectRef, {
      kind: "Pod",
      apiVersion: "v1",
      name: "web",
      uid: pod.body.metadata.uid,
    });
    const token = r.body.status.token;
    const who = await whoami({ token });
    assert.deepEqual(who.body.status.userInfo.extra["authentication.kubernetes.io/pod-name"], ["web"]);
    assert.deepEqual(who.body.status.userInfo.extra["authentication.kubernetes.io/pod-uid"], [
      pod.body.metadata.uid,
    ]);

    // A kubelet's projected token (3607 s, API audience) lives a year and only warns after its hour.
    const projected = await requestToken("default", "runner", {
      expirationSeconds: 3607,
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "web" },
    });
    const claims = JSON.parse(Buffer.from(projected.body.status.token.split(".")[1], "base64url").toString());
    assert.equal(claims.exp - claims.iat, 365 * 24 * 3600);
    assert.equal(claims["kubernetes.io"].warnafter, claims.iat + 3607);
    assert.equal(Date.parse(projected.body.status.expirationTimestamp), (claims.iat + 3607) * 1000);

    const del = await asAdmin("/api/v1/namespaces/default/pods/web?gracePeriodSeconds=0", {
      method: "DELETE",
    });
    assert.equal(del.code, 200);
    assertUnauthorized(await call("/api/v1/namespaces", { token }));
    assert.equal((await tokenReview(token)).body.status.error, "service account token has been invalidated");
  });

  test("TokenRequest refusals as upstream's", async () => {
    await createSA("default", "picky");
    const missing = await requestToken("default", "ghost");
    assert.equal(missing.code, 404);
    assert.equal(missing.body.message, 'serviceaccounts "ghost" not found');

    const short = await requestToken("default", "picky", { expirationSeconds: 300 });
    assert.equal(short.code, 422);
    assert.equal(
      short.body.message,
      'TokenRequest.authentication.k8s.io "" is invalid: spec.expirationSeconds: Invalid value: 300: may not specify a duration less than 10 minutes',
    );
    assert.deepEqual(short.body.details.causes, [
      {
        reason: "FieldValueInvalid",
        message: "Invalid value: 300: may not specify a duration less than 10 minutes",
        field: "spec.expirationSeconds",
      },
    ]);

    const renamed = await requestToken("default", "picky", {}, { name: "other" });
    assert.equal(renamed.code, 422);
    assert.equal(
      renamed.body.message,
      'TokenRequest.authentication.k8s.io "picky" is invalid: metadata.name: Invalid value: "other": must match the service account name if specified',
    );

    const cm = await requestToken("default", "picky", {
      boundObjectRef: { kind: "ConfigMap", apiVersion: "v1", name: "x" },
    });
    assert.equal(cm.code, 400);
    assert.equal(cm.body.message, "cannot bind token to object of type /v1, Kind=ConfigMap");

    await create("/api/v1/namespaces/default/secrets", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "s1" },
    });
    const stale = await requestToken("default", "picky", {
      boundObjectRef: { kind: "Secret", apiVersion: "v1", name: "s1", uid: "not-the-uid" },
    });
    assert.equal(stale.code, 409);
    assert.equal(
      stale.body.message,
      'Operation cannot be fulfilled on Secret "s1": the UID in the bound object reference (not-the-uid) does not match the UID in record. The object might have been deleted and then recreated',
    );

    await create("/api/v1/namespaces/default/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "other-sa" },
      spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
    });
    const wrongPod = await requestToken("default", "picky", {
      boundObjectRef: { kind: "Pod", apiVersion: "v1", name: "other-sa" },
    });
    assert.equal(wrongPod.code, 400);
    assert.equal(
      wrongPod.body.message,
      'cannot bind token for serviceaccount "picky" to pod running with different serviceaccount name.',
    );
  });
});

describe("TokenReview", () => {
  test("a good token: authenticated, the user and the audiences", async () => {
    const r = await tokenReview("plain-token");
    assert.equal(r.code, 201);
    assert.equal(r.body.kind, "TokenReview");
    assert.deepEqual(r.body.status, {
      authenticated: true,
      user: { username: "plain-user", uid: "uid-2", groups: ["team-a", "system:authenticated"] },
      audiences: [ISSUER],
    });
  });

  test("a bad token: not authenticated, upstream's error; no token at all: 400", async () => {
    const r = await tokenReview("garbage");
    assert.equal(r.code, 201);
    assert.deepEqual(r.body.status, { user: {}, error: "invalid bearer token" });
    const none = await tokenReview("");
    assert.equal(none.code, 400);
    assert.equal(none.body.message, "token is required for TokenReview in authentication");
  });
});

describe("bootstrap tokens", () => {
  test("a bootstrap token Secret in kube-system authenticates system:bootstrap:<id>", async () => {
    const b64 = (s: string) => Buffer.from(s).toString("base64");
    const r = await create("/api/v1/namespaces/kube-system/secrets", {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: "bootstrap-token-07401b" },
      type: "bootstrap.kubernetes.io/token",
      data: {
        "token-id": b64("07401b"),
        "token-secret": b64("f395accd246ae52d"),
        "usage-bootstrap-authentication": b64("true"),
        "auth-extra-groups": b64("system:bootstrappers:kubeadm:default-node-token"),
      },
    });
    assert.equal(r.code, 201, JSON.stringify(r.body));
    const who = await whoami({ token: "07401b.f395accd246ae52d" });
    assert.deepEqual(who.body.status.userInfo, {
      username: "system:bootstrap:07401b",
      groups: [
        "system:bootstrappers",
        "system:bootstrappers:kubeadm:default-node-token",
        "system:authenticated",
      ],
    });
    assertUnauthorized(await call("/api/v1/namespaces", { token: "07401b.0000000000000000" }));
  });
});

describe("impersonation", () => {
  test("a user allowed to impersonate acts as another", async () => {
    const r = await whoami({
      token: "imp-token",
      headers: {
        "Impersonate-User": "jane",
        "Impersonate-Group": ["devs", "qa"],
        "Impersonate-Extra-Reason": "oncall",
      },
    });
    assert.equal(r.code, 201);
    assert.deepEqual(r.body.status.userInfo, {
      username: "jane",
      groups: ["devs", "qa", "system:authenticated"],
      extra: { reason: ["oncall"] },
    });
  });

  test("a user not allowed is 403 with upstream's message", async () => {
    const r = await whoami({ token: "plain-token", headers: { "Impersonate-User": "jane" } });
    assert.equal(r.code, 403);
    assert.equal(r.body.reason, "Forbidden");
    assert.equal(
      r.body.message,
      'users "jane" is forbidden: User "plain-user" cannot impersonate resource "users" in API group "" at the cluster scope',
    );
    const sa = await whoami({
      token: "plain-token",
      headers: { "Impersonate-User": "system:serviceaccount:kube-system:x" },
    });
    assert.equal(
      sa.body.message,
      'serviceaccounts "x" is forbidden: User "plain-user" cannot impersonate resource "serviceaccounts" in API group "" in the namespace "kube-system"',
    );
  });
});

describe("kubectl", () => {
  const run = promisify(execFile);
  let home: string;
  let kubeconfig: string;

  before(() => {
    home = mkdtempSync(join(tmpdir(), "k8ts-authn-kubectl-"));
    kubeconfig = join(home, "config");
    const caFile = join(home, "ca.crt");
    writeFileSync(caFile, pki.caCert);
    writeFileSync(
      kubeconfig,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters: [{name: k, cluster: {server: " +
          JSON.stringify(url) +
          ", certificate-authority: " +
          JSON.stringify(caFile) +
          "}}]",
        "users: [{name: u, user: {token: admin-token}}]",
        "contexts: [{name: k, context: {cluster: k, user: u, namespace: default}}]",
        "current-context: k",
      ].join("\n"),
    );
  });
  after(() => rmSync(home, { recursive: true, force: true }));

  const kubectl = (...args: string[]) =>
    run("kubectl", ["--kubeconfig", kubeconfig, ...args], {
      env: { ...process.env, HOME: home },
      timeout: 60_000,
    });

  test("kubectl create token prints a token that kubectl auth whoami accepts", async () => {
    await createSA("default", "cli");
    const { stdout: token } = await kubectl("create", "token", "cli", "--duration", "20m");
    assert.match(token.trim(), /^[\w-]+\.[\w-]+\.[\w-]+$/);
    const { stdout } = await kubectl("auth", "whoami", "-o", "json", "--token", token.trim());
    const review = JSON.parse(stdout);
    assert.equal(review.status.userInfo.username, "system:serviceaccount:default:cli");
    const { stdout: table } = await kubectl("auth", "whoami");
    assert.match(table, /Username\s+token-admin/);
    assert.match(table, /Groups\s+\[system:masters ops system:authenticated\]/);
  });
});
