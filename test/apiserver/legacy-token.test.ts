// Legacy (Secret-based) service-account tokens on the command line's
// apiserver: a token the controller-manager's tokens controller would put
// into a kubernetes.io/service-account-token Secret authenticates its
// ServiceAccount (RBAC then decides), marks the Secret used today, and stops
// working once the Secret is gone, marked invalid by the cleaner, or the
// ServiceAccount is replaced; the apiserver keeps the tracking ConfigMap.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import type { ConfigMap, Secret, ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import { type RunningApiServer, startApiServer } from "../../src/apiserver/index.ts";
import type { ApiError } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import { type KubeObject, type ResourceRef, RestClient } from "../../src/client/rest-client.ts";
import {
  LEGACY_ISSUER,
  LegacyTokenGenerator,
  legacyClaims,
} from "../../src/controllers/serviceaccount/legacy-token.ts";
import { freePort } from "../support/ports.ts";
import { refused } from "../support/refused.ts";

const ROLES: ResourceRef = {
  group: "rbac.authorization.k8s.io",
  version: "v1",
  resource: "roles",
  namespaced: true,
};
const ROLE_BINDINGS: ResourceRef = { ...ROLES, resource: "rolebindings" };
const LAST_USED = "kubernetes.io/legacy-token-last-used";
const INVALID_SINCE = "kubernetes.io/legacy-token-invalid-since";
const SA_NAME = "system:serviceaccount:default:builder";
/** The generic 401 (upstream's body says nothing of why: TokenReview does). */
function assertUnauthorized(e: ApiError): void {
  assert.deepEqual(
    { kind: e.status.kind, status: e.status.status, code: e.code, reason: e.reason, message: e.message },
    { kind: "Status", status: "Failure", code: 401, reason: "Unauthorized", message: "Unauthorized" },
  );
}

type SA = ServiceAccount & KubeObject;
type Sec = Secret & KubeObject;

let dir: string;
let api: RunningApiServer;
let admin: RestClient;
let generator: LegacyTokenGenerator;

const today = () => new Date().toISOString().slice(0, 10);
let startDay: string;
/** The apiserver's date of something that happened since the tests began (a run may span midnight UTC). */
const isRecentDay = (d: string | undefined) => d === startDay || d === today();

function asToken(token: string): RestClient {
  return new RestClient(
    { server: api.url, ca: api.pki.caCert, token, namespace: "default" },
    { maxRetries: 0 },
  );
}

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

const listPods = (c: RestClient) => c.list(Resources.pods, { namespace: "default" });

function whoAmI(c: RestClient): Promise<{ status: { userInfo: Record<string, unknown> } }> {
  return c.json(
    "POST",
    "/apis/authentication.k8s.io/v1/selfsubjectreviews",
    {},
    {
      apiVersion: "authentication.k8s.io/v1",
      kind: "SelfSubjectReview",
    },
  );
}

/** status.error of the TokenReview the admin asks for: the exact reason a token is refused. */
async function reviewError(token: string): Promise<string | undefined> {
  const r = await admin.json<{ status: { error?: string } }>(
    "POST",
    "/apis/authentication.k8s.io/v1/tokenreviews",
    {},
    {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenReview",
      spec: { token },
    },
  );
  return r.status.error;
}

const createSA = () =>
  admin.create<SA>(
    Resources.serviceaccounts,
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "builder" } },
    {
      namespace: "default",
    },
  );

/** A token Secret as `kubectl create` makes it, filled as the tokens controller would. */
async function tokenSecret(name: string, sa: SA): Promise<{ secret: Sec; token: string }> {
  const created = await admin.create<Sec>(
    Resources.secrets,
    {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name, annotations: { "kubernetes.io/service-account.name": "builder" } },
      type: "kubernetes.io/service-account-token",
    },
    { namespace: "default" },
  );
  const token = generator.generateToken(legacyClaims(sa, created));
  created.data = { ...(created.data ?? {}), token: Buffer.from(token).toString("base64") };
  const secret = await admin.update<Sec>(Resources.secrets, created, { namespace: "default" });
  return { secret, token };
}

const getSecret = (name: string) => admin.get<Sec>(Resources.secrets, name, { namespace: "default" });

let sa: SA;
let token: string;

before(async () => {
  startDay = today();
  dir = mkdtempSync(join(tmpdir(), "k8ts-legacy-token-"));
  api = await startApiServer({
    dataDir: dir,
    port: await freePort(),
    bindAddress: "127.0.0.1",
    store: "sqlite::memory:",
    // Revoked tokens must fail at once here; kube-apiserver's 10 s cache of good tokens would hide it.
    tokenSuccessCacheTtlMs: 0,
  });
  const cred = await api.pki.ca.issueClient("admin", ["system:masters"]);
  admin = new RestClient(
    { server: api.url, ca: api.pki.caCert, ...cred, namespace: "default" },
    { maxRetries: 0 },
  );
  generator = new LegacyTokenGenerator(LEGACY_ISSUER, readFileSync(join(dir, "pki", "sa.key"), "utf8"));
  sa = await createSA();
  ({ token } = await tokenSecret("builder-token", sa));
});

after(async () => {
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("the apiserver makes the tracking ConfigMap with the day tracking began", async () => {
  const cm = await eventually(() =>
    admin.get<ConfigMap & KubeObject>(
      Resources.configmaps,
      "kube-apiserver-legacy-service-account-token-tracking",
      {
        namespace: "kube-system",
      },
    ),
  );
  assert.deepEqual(Object.keys(cm.data ?? {}), ["since"]);
  assert.ok(isRecentDay(cm.data?.since), cm.data?.since);
});

test("a legacy token authenticates as its ServiceAccount; RBAC decides what it may do", async () => {
  const c = asToken(token);
  const me = await whoAmI(c);
  assert.deepEqual(me.status.userInfo, {
    username: SA_NAME,
    uid: sa.metadata?.uid,
    groups: ["system:serviceaccounts", "system:serviceaccounts:default", "system:authenticated"],
  });
  const denied = await refused(listPods(c));
  assert.equal(denied.code, 403);
  assert.equal(
    denied.message,
    `pods is forbidden: User "${SA_NAME}" cannot list resource "pods" in API group "" in the namespace "default"`,
  );
  await admin.create(
    ROLES,
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: "pod-reader" },
      rules: [{ apiGroups: [""], resources: ["pods"], verbs: ["list"] }],
    } as KubeObject,
    { namespace: "default" },
  );
  await admin.create(
    ROLE_BINDINGS,
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: "pod-reader" },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: "pod-reader" },
      subjects: [{ kind: "ServiceAccount", name: "builder", namespace: "default" }],
    } as KubeObject,
    { namespace: "default" },
  );
  const pods = await eventually(() => listPods(c));
  assert.deepEqual(pods.items, []);
  // The use is recorded on the Secret, with the token untouched.
  const secret = await getSecret("builder-token");
  assert.ok(isRecentDay(secret.metadata?.labels?.[LAST_USED]), secret.metadata?.labels?.[LAST_USED]);
  assert.equal(Buffer.from(secret.data?.token ?? "", "base64").toString(), token);
});

test("a tampered token is refused", async () => {
  const [h, p, s] = token.split(".");
  const claims = JSON.parse(Buffer.from(p, "base64url").toString());
  claims["kubernetes.io/serviceaccount/service-account.name"] = "default";
  claims.sub = "system:serviceaccount:default:default";
  const forged = `${h}.${Buffer.from(JSON.stringify(claims)).toString("base64url")}.${s}`;
  const e = await refused(listPods(asToken(forged)));
  assertUnauthorized(e);
  assert.equal(await reviewError(forged), "go-jose/go-jose: error in cryptographic primitive");
});

test("a token whose Secret the cleaner marked invalid is refused until the label goes", async () => {
  const secret = await getSecret("builder-token");
  secret.metadata!.labels = { ...(secret.metadata?.labels ?? {}), [INVALID_SINCE]: "2025-01-01" };
  await admin.update(Resources.secrets, secret, { namespace: "default" });
  const e = await refused(listPods(asToken(token)));
  assertUnauthorized(e);
  assert.equal(
    await reviewError(token),
    "the token in secret default/builder-token for service account default/builder has been marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or remove the 'kubernetes.io/legacy-token-invalid-since' label from the secret to temporarily allow use of this token",
  );
  const marked = await getSecret("builder-token");
  delete marked.metadata!.labels![INVALID_SINCE];
  await admin.update(Resources.secrets, marked, { namespace: "default" });
  assert.equal((await whoAmI(asToken(token))).status.userInfo.username, SA_NAME);
});

test("deleting the Secret revokes its token", async () => {
  await admin.delete(Resources.secrets, "builder-token", { namespace: "default" });
  const e = await refused(whoAmI(asToken(token)));
  assertUnauthorized(e);
  assert.equal(await reviewError(token), "Token has been invalidated");
});

test("a token of a ServiceAccount deleted and made again under the same name is refused", async () => {
  const { token: t } = await tokenSecret("builder-token-2", sa);
  assert.equal((await whoAmI(asToken(t))).status.userInfo.username, SA_NAME);
  await admin.delete(Resources.serviceaccounts, "builder", { namespace: "default" });
  const again = await createSA();
  assert.notEqual(again.metadata?.uid, sa.metadata?.uid);
  const e = await refused(whoAmI(asToken(t)));
  assertUnauthorized(e);
  assert.equal(
    await reviewError(t),
    `ServiceAccount UID (${again.metadata?.uid}) does not match claim (${sa.metadata?.uid})`,
  );
});

test("a token whose Secret holds another token is refused", async () => {
  const { secret, token: t } = await tokenSecret(
    "builder-token-3",
    await admin.get<SA>(Resources.serviceaccounts, "builder", { namespace: "default" }),
  );
  secret.data = { ...secret.data, token: Buffer.from(`${t}x`).toString("base64") };
  await admin.update(Resources.secrets, secret, { namespace: "default" });
  assertUnauthorized(await refused(whoAmI(asToken(t))));
  assert.equal(await reviewError(t), "Token does not match server's copy");
});
