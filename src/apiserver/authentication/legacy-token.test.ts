import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { after, test } from "node:test";
import type { Obj } from "../../api/registry.ts";
import { newNotFound } from "../../machinery/status.ts";
import { SqliteStore } from "../../storage/sqlite.ts";
import { Registry } from "../registry/index.ts";
import { ERR_CRYPTO_FAILURE, signJWS } from "./jwt.ts";
import {
  INVALID_SINCE_LABEL_KEY,
  LAST_USED_LABEL_KEY,
  LEGACY_ISSUER,
  type LegacyTokenSecretsWriter,
  LegacyTokenValidator,
  registrySecretsWriter,
} from "./legacy-token.ts";
import {
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  ServiceAccountTokenAuthenticator,
  type ServiceAccountTokenGetter,
} from "./service-account.ts";
import { TokenUnion } from "./token-authenticator.ts";

const API = DEFAULT_SERVICE_ACCOUNT_ISSUER;
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });
const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
const NOW = new Date("2025-03-10T12:00:00Z");

/** LegacyClaims plus the issuer, as the tokens controller signs them (keys sorted, as go-jose). */
function legacyPayload(over: Record<string, unknown> = {}): Record<string, unknown> {
  const p: Record<string, unknown> = {
    iss: LEGACY_ISSUER,
    "kubernetes.io/serviceaccount/namespace": "default",
    "kubernetes.io/serviceaccount/secret.name": "builder-token",
    "kubernetes.io/serviceaccount/service-account.name": "builder",
    "kubernetes.io/serviceaccount/service-account.uid": "sa-uid-1",
    sub: "system:serviceaccount:default:builder",
    ...over,
  };
  for (const k of Object.keys(p)) if (p[k] === undefined) delete p[k];
  return p;
}

function setup(opts: { lookup?: boolean; writerFails?: boolean } = {}) {
  const objs = new Map<string, Obj>();
  const reads: string[] = [];
  const get = (resource: string, ns: string, name: string) => {
    reads.push(`${resource}/${ns}/${name}`);
    const o = objs.get(`${resource}/${ns}/${name}`);
    return o
      ? Promise.resolve(structuredClone(o))
      : Promise.reject(newNotFound({ group: "", resource }, name));
  };
  const getter: ServiceAccountTokenGetter = {
    getServiceAccount: (ns, n) => get("serviceaccounts", ns, n),
    getSecret: (ns, n) => get("secrets", ns, n),
    getPod: (ns, n) => get("pods", ns, n),
    getNode: (n) => get("nodes", "", n),
  };
  const patches: Array<{ ns: string; name: string; uid: string; labels: Record<string, string> }> = [];
  const writer: LegacyTokenSecretsWriter = {
    async patchLabels(ns, name, uid, labels) {
      if (opts.writerFails) throw new Error("etcdserver: request timed out");
      patches.push({ ns, name, uid, labels });
      const s = objs.get(`secrets/${ns}/${name}`);
      if (s) s.metadata.labels = { ...(s.metadata.labels ?? {}), ...labels };
    },
  };
  const lookup = opts.lookup ?? true;
  const auth = new ServiceAccountTokenAuthenticator({
    issuers: [LEGACY_ISSUER],
    publicKeys: [keys.publicKey],
    implicitAudiences: [API],
    getter,
    validator: new LegacyTokenValidator({
      getter,
      lookup,
      secretsWriter: lookup ? writer : undefined,
      now: () => NOW,
    }),
  });
  const sign = (p = legacyPayload(), key = keys.privateKey) => signJWS(p, key);
  const token = sign();
  objs.set("serviceaccounts/default/builder", {
    metadata: { name: "builder", namespace: "default", uid: "sa-uid-1" },
  });
  const putSecret = (t: string, meta: Record<string, unknown> = {}) =>
    objs.set("secrets/default/builder-token", {
      metadata: { name: "builder-token", namespace: "default", uid: "secret-uid-1", ...meta },
      type: "kubernetes.io/service-account-token",
      data: { token: Buffer.from(t).toString("base64") },
    });
  putSecret(token);
  const union = new TokenUnion([auth]);
  const fail = async (t: string) => {
    const r = await union.authenticate(t, []);
    assert.equal(r.ok, false);
    return r.ok ? "" : r.error;
  };
  return { objs, reads, patches, auth, sign, token, putSecret, fail };
}

test("a legacy token authenticates its service account, without extra, for the API audiences", async () => {
  const s = setup();
  const r = await s.auth.authenticateToken(s.token, []);
  assert.deepEqual(r, {
    user: {
      name: "system:serviceaccount:default:builder",
      uid: "sa-uid-1",
      groups: ["system:serviceaccounts", "system:serviceaccounts:default"],
    },
    audiences: [API],
  });
});

test("each use labels the Secret with today's date, at most once a day", async () => {
  const s = setup();
  await s.auth.authenticateToken(s.token, []);
  assert.deepEqual(s.patches, [
    {
      ns: "default",
      name: "builder-token",
      uid: "secret-uid-1",
      labels: { [LAST_USED_LABEL_KEY]: "2025-03-10" },
    },
  ]);
  await s.auth.authenticateToken(s.token, []);
  assert.equal(s.patches.length, 1);
  // A label from tomorrow (another apiserver's clock) counts as today; yesterday's does not.
  s.putSecret(s.token, { labels: { [LAST_USED_LABEL_KEY]: "2025-03-11" } });
  await s.auth.authenticateToken(s.token, []);
  assert.equal(s.patches.length, 1);
  s.putSecret(s.token, { labels: { [LAST_USED_LABEL_KEY]: "2025-03-09" } });
  await s.auth.authenticateToken(s.token, []);
  assert.equal(s.patches.length, 2);
});

test("a failed label write does not fail the token", async () => {
  const s = setup({ writerFails: true });
  assert.ok(await s.auth.authenticateToken(s.token, []));
});

test("missing and inconsistent claims, in upstream's order and words", async () => {
  const s = setup();
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ sub: undefined, "kubernetes.io/serviceaccount/namespace": undefined }, "sub claim is missing"],
    [{ "kubernetes.io/serviceaccount/namespace": "" }, "namespace claim is missing"],
    [{ "kubernetes.io/serviceaccount/secret.name": undefined }, "secretName claim is missing"],
    [{ "kubernetes.io/serviceaccount/service-account.name": "" }, "serviceAccountName claim is missing"],
    [{ "kubernetes.io/serviceaccount/service-account.uid": null }, "serviceAccountUID claim is missing"],
    [{ sub: "system:serviceaccount:other:builder" }, "sub claim is invalid"],
    [{ sub: "system:serviceaccount:default:someone" }, "sub claim is invalid"],
    [{ sub: "builder" }, "sub claim is invalid"],
    [
      { "kubernetes.io/serviceaccount/namespace": 7 },
      "json: cannot unmarshal number into Go struct field legacyPrivateClaims.kubernetes.io/serviceaccount/namespace of type string",
    ],
  ];
  for (const [over, msg] of cases) assert.equal(await s.fail(s.sign(legacyPayload(over))), msg, msg);
  assert.equal(s.patches.length, 0);
});

test("the Secret must exist, not be deleting, and hold the same token", async () => {
  const s = setup();
  s.objs.delete("secrets/default/builder-token");
  assert.equal(await s.fail(s.token), "Token has been invalidated");
  s.putSecret(s.token, { deletionTimestamp: "2025-03-10T11:00:00Z" });
  assert.equal(await s.fail(s.token), "Token has been invalidated");
  s.putSecret(s.sign(legacyPayload({ extra: "x" })));
  assert.equal(await s.fail(s.token), "Token does not match server's copy");
  assert.equal(s.patches.length, 0);
});

test("the ServiceAccount must exist, not be deleting, and keep its uid", async () => {
  const s = setup();
  s.objs.delete("serviceaccounts/default/builder");
  assert.equal(await s.fail(s.token), 'serviceaccounts "builder" not found');
  s.objs.set("serviceaccounts/default/builder", {
    metadata: {
      name: "builder",
      namespace: "default",
      uid: "sa-uid-1",
      deletionTimestamp: "2025-03-10T11:00:00Z",
    },
  });
  assert.equal(await s.fail(s.token), "ServiceAccount default/builder has been deleted");
  s.objs.set("serviceaccounts/default/builder", {
    metadata: { name: "builder", namespace: "default", uid: "sa-uid-2" },
  });
  assert.equal(await s.fail(s.token), "ServiceAccount UID (sa-uid-2) does not match claim (sa-uid-1)");
});

test("a Secret marked invalid by the cleaner refuses its token, yet records the use", async () => {
  const s = setup();
  s.putSecret(s.token, { labels: { [INVALID_SINCE_LABEL_KEY]: "2025-01-01" } });
  assert.equal(
    await s.fail(s.token),
    "the token in secret default/builder-token for service account default/builder has been marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or remove the 'kubernetes.io/legacy-token-invalid-since' label from the secret to temporarily allow use of this token",
  );
  assert.deepEqual(
    s.patches.map((p) => p.labels),
    [{ [LAST_USED_LABEL_KEY]: "2025-03-10" }],
  );
});

test("without lookup only the claims are checked", async () => {
  const s = setup({ lookup: false });
  s.objs.clear();
  assert.equal(
    (await s.auth.authenticateToken(s.token, []))?.user.name,
    "system:serviceaccount:default:builder",
  );
  assert.deepEqual(s.reads, []);
  assert.throws(
    () =>
      new LegacyTokenValidator({
        getter: { getSecret: async () => ({}), getServiceAccount: async () => ({}) },
      }),
    /SecretsWriter must be provided/,
  );
});

test("signature, issuer and audiences as every service-account token", async () => {
  const s = setup();
  // Another key: the kid names no key of ours.
  assert.equal(await s.fail(s.sign(legacyPayload(), other.privateKey)), "invalid signature, no keys found");
  const [h, p] = s.token.split(".");
  const forged = `${h}.${p}.${s.sign(legacyPayload(), other.privateKey).split(".")[2]}`;
  assert.equal(await s.fail(forged), ERR_CRYPTO_FAILURE);
  // A bound token's issuer is not the legacy authenticator's: not its token at all.
  assert.equal(await s.auth.authenticateToken(s.sign(legacyPayload({ iss: API })), []), undefined);
  // No audience in the token: only the API audiences.
  assert.equal(
    await s.auth.authenticateToken(s.token, ["vault"]).catch((e) => e.message),
    'token audiences ["https://kubernetes.default.svc.cluster.local"] is invalid for the target audiences ["vault"]',
  );
});

let store: SqliteStore | undefined;
after(async () => {
  await store?.close();
});

test("registrySecretsWriter labels the stored Secret as the apiserver's loopback update", async () => {
  store = new SqliteStore({ path: ":memory:" });
  const registry = new Registry(store);
  const secrets = registry.byResource("", "v1", "secrets")!;
  const created = await secrets.create("default", {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "builder-token", labels: { app: "x" } },
    type: "Opaque",
    data: { token: Buffer.from("t").toString("base64") },
  });
  const w = registrySecretsWriter(registry, () => NOW);
  await w.patchLabels("default", "builder-token", created.metadata.uid, {
    [LAST_USED_LABEL_KEY]: "2025-03-10",
  });
  const got = await secrets.get("default", "builder-token");
  assert.deepEqual(got.metadata.labels, { app: "x", [LAST_USED_LABEL_KEY]: "2025-03-10" });
  assert.notEqual(got.metadata.resourceVersion, created.metadata.resourceVersion);
  assert.equal(got.data.token, created.data.token);
  // A Secret recreated under the same name is another Secret: refused.
  await assert.rejects(
    w.patchLabels("default", "builder-token", "another-uid", { a: "b" }),
    /field is immutable/,
  );
  await assert.rejects(w.patchLabels("default", "missing", "u", { a: "b" }), /not found/);
});
