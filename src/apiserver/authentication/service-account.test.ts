import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { test } from "node:test";
import type { Obj } from "../../api/registry.ts";
import { newNotFound } from "../../machinery/status.ts";
import { parseJWS, signJWS } from "./jwt.ts";
import {
  claimsFor,
  DEFAULT_SERVICE_ACCOUNT_ISSUER,
  ServiceAccountTokenAuthenticator,
  ServiceAccountTokenGenerator,
  type ServiceAccountTokenGetter,
} from "./service-account.ts";

const ISS = DEFAULT_SERVICE_ACCOUNT_ISSUER;
const keys = generateKeyPairSync("ec", { namedCurve: "P-256" });
const T0 = new Date("2025-01-01T00:00:00Z");

function world() {
  const objs = new Map<string, Obj>();
  const put = (resource: string, ns: string, name: string, uid: string, extra: Obj = {}) =>
    objs.set(`${resource}/${ns}/${name}`, { metadata: { name, namespace: ns || undefined, uid }, ...extra });
  const get = (resource: string, ns: string, name: string) => {
    const o = objs.get(`${resource}/${ns}/${name}`);
    if (!o) return Promise.reject(newNotFound({ group: "", resource }, name));
    return Promise.resolve(o);
  };
  const getter: ServiceAccountTokenGetter = {
    getServiceAccount: (ns, n) => get("serviceaccounts", ns, n),
    getPod: (ns, n) => get("pods", ns, n),
    getSecret: (ns, n) => get("secrets", ns, n),
    getNode: (n) => get("nodes", "", n),
  };
  return { objs, put, getter };
}

function setup(now = T0) {
  const w = world();
  w.put("serviceaccounts", "default", "builder", "sa-uid-1");
  const gen = new ServiceAccountTokenGenerator(ISS, keys.privateKey);
  let clock = now;
  const auth = new ServiceAccountTokenAuthenticator({
    issuers: [ISS],
    publicKeys: [keys.publicKey],
    implicitAudiences: [ISS],
    getter: w.getter,
    now: () => clock,
  });
  const sa = () => w.objs.get("serviceaccounts/default/builder")!;
  const token = (more: Partial<Parameters<typeof claimsFor>[0]> = {}) =>
    gen.generateToken(
      claimsFor({
        serviceAccount: sa(),
        expirationSeconds: 3600,
        audiences: [ISS],
        now: T0,
        jti: "j-1",
        ...more,
      }),
    );
  return { ...w, gen, auth, token, setClock: (d: Date) => (clock = d) };
}

test("claims as upstream's bound tokens, keys in go-jose's order", () => {
  const s = setup();
  const jws = parseJWS(s.token())!;
  const t0 = T0.getTime() / 1000;
  assert.deepEqual(Object.keys(jws.payload), [
    "aud",
    "exp",
    "iat",
    "iss",
    "jti",
    "kubernetes.io",
    "nbf",
    "sub",
  ]);
  assert.deepEqual(jws.payload, {
    aud: [ISS],
    exp: t0 + 3600,
    iat: t0,
    iss: ISS,
    jti: "j-1",
    "kubernetes.io": { namespace: "default", serviceaccount: { name: "builder", uid: "sa-uid-1" } },
    nbf: t0,
    sub: "system:serviceaccount:default:builder",
  });
});

test("a valid token is the service account's user with its credential id", async () => {
  const s = setup();
  const r = await s.auth.authenticateToken(s.token(), [ISS]);
  assert.deepEqual(r, {
    user: {
      name: "system:serviceaccount:default:builder",
      uid: "sa-uid-1",
      groups: ["system:serviceaccounts", "system:serviceaccounts:default"],
      extra: { "authentication.kubernetes.io/credential-id": ["JTI=j-1"] },
    },
    audiences: [ISS],
  });
});

test("a token of another issuer or not a JWT is not ours", async () => {
  const s = setup();
  const other = new ServiceAccountTokenGenerator("https://elsewhere", keys.privateKey);
  const c = claimsFor({
    serviceAccount: s.objs.get("serviceaccounts/default/builder")!,
    expirationSeconds: 600,
    audiences: [ISS],
    now: T0,
  });
  assert.equal(await s.auth.authenticateToken(other.generateToken(c), [ISS]), undefined);
  assert.equal(await s.auth.authenticateToken("abcdef.0123456789abcdef", [ISS]), undefined);
  assert.equal(await s.auth.authenticateToken('{"iss":"x"}', [ISS]), undefined);
});

test("a tampered signature fails with go-jose's error", async () => {
  const s = setup();
  const [h, p, sig] = s.token().split(".");
  const payload = JSON.parse(Buffer.from(p, "base64url").toString());
  payload["kubernetes.io"].serviceaccount.name = "admin";
  const forged = `${h}.${Buffer.from(JSON.stringify(payload)).toString("base64url")}.${sig}`;
  await assert.rejects(s.auth.authenticateToken(forged, [ISS]), {
    message: "go-jose/go-jose: error in cryptographic primitive",
  });
});

test("a kid nobody knows: no keys found", async () => {
  const s = setup();
  const c = claimsFor({
    serviceAccount: s.objs.get("serviceaccounts/default/builder")!,
    expirationSeconds: 600,
    audiences: [ISS],
    now: T0,
  });
  const tok = signJWS({ ...c, iss: ISS }, keys.privateKey, "unknown-kid");
  await assert.rejects(s.auth.authenticateToken(tok, [ISS]), { message: "invalid signature, no keys found" });
});

test("wrong audience", async () => {
  const s = setup();
  await assert.rejects(s.auth.authenticateToken(s.token({ audiences: ["vault"] }), [ISS]), {
    message: `token audiences ["vault"] is invalid for the target audiences ["${ISS}"]`,
  });
  // A TokenReview asking for "vault" gets it.
  const r = await s.auth.authenticateToken(s.token({ audiences: ["vault", "x"] }), ["vault"]);
  assert.deepEqual(r?.audiences, ["vault"]);
});

test("expiry and not-before with go-jose's one-minute leeway", async () => {
  const s = setup();
  const tok = s.token({ expirationSeconds: 600 });
  s.setClock(new Date(T0.getTime() + 660_000)); // 60 s past exp: still within leeway
  assert.ok(await s.auth.authenticateToken(tok, [ISS]));
  s.setClock(new Date(T0.getTime() + 661_000));
  await assert.rejects(s.auth.authenticateToken(tok, [ISS]), {
    message: "service account token has expired",
  });
  s.setClock(new Date(T0.getTime() - 61_000));
  await assert.rejects(s.auth.authenticateToken(tok, [ISS]), {
    message: "service account token is not valid yet",
  });
});

test("the service account must still exist with the same uid", async () => {
  const s = setup();
  const tok = s.token();
  s.put("serviceaccounts", "default", "builder", "sa-uid-2");
  await assert.rejects(s.auth.authenticateToken(tok, [ISS]), {
    message: "service account UID (sa-uid-2) does not match claim (sa-uid-1)",
  });
  s.objs.delete("serviceaccounts/default/builder");
  await assert.rejects(s.auth.authenticateToken(tok, [ISS]), {
    message: 'serviceaccounts "builder" not found',
  });
});

test("a service account deleted more than a minute ago", async () => {
  const s = setup();
  const tok = s.token();
  s.put("serviceaccounts", "default", "builder", "sa-uid-1", {});
  s.objs.get("serviceaccounts/default/builder")!.metadata.deletionTimestamp = "2024-12-31T23:58:00Z";
  await assert.rejects(s.auth.authenticateToken(tok, [ISS]), {
    message: "service account default/builder has been deleted",
  });
});

test("a pod-bound token names the pod and its node, and dies with the pod", async () => {
  const s = setup();
  s.put("pods", "default", "web", "pod-uid-1");
  s.put("nodes", "", "n1", "node-uid-1");
  const tok = s.token({ pod: s.objs.get("pods/default/web"), node: s.objs.get("nodes//n1") });
  assert.deepEqual(parseJWS(tok)!.payload["kubernetes.io"], {
    namespace: "default",
    node: { name: "n1", uid: "node-uid-1" },
    pod: { name: "web", uid: "pod-uid-1" },
    serviceaccount: { name: "builder", uid: "sa-uid-1" },
  });
  const r = await s.auth.authenticateToken(tok, [ISS]);
  assert.deepEqual(r?.user.extra, {
    "authentication.kubernetes.io/pod-name": ["web"],
    "authentication.kubernetes.io/pod-uid": ["pod-uid-1"],
    "authentication.kubernetes.io/credential-id": ["JTI=j-1"],
    "authentication.kubernetes.io/node-name": ["n1"],
    "authentication.kubernetes.io/node-uid": ["node-uid-1"],
  });
  s.put("pods", "default", "web", "pod-uid-2");
  await assert.rejects(s.auth.authenticateToken(tok, [ISS]), {
    message: "pod UID (pod-uid-2) does not match service account pod ref claim (pod-uid-1)",
  });
  s.objs.delete("pods/default/web");
  await assert.rejects(s.auth.authenticateToken(tok, [ISS]), {
    message: "service account token has been invalidated",
  });
});

test("secret- and node-bound tokens check their object", async () => {
  const s = setup();
  s.put("secrets", "default", "s", "sec-1");
  s.put("nodes", "", "n1", "node-1");
  const st = s.token({ secret: s.objs.get("secrets/default/s") });
  const nt = s.token({ node: s.objs.get("nodes//n1") });
  assert.ok(await s.auth.authenticateToken(st, [ISS]));
  assert.deepEqual(
    (await s.auth.authenticateToken(nt, [ISS]))?.user.extra?.["authentication.kubernetes.io/node-name"],
    ["n1"],
  );
  s.objs.delete("secrets/default/s");
  s.put("nodes", "", "n1", "node-2");
  await assert.rejects(s.auth.authenticateToken(st, [ISS]), {
    message: "service account token has been invalidated",
  });
  await assert.rejects(s.auth.authenticateToken(nt, [ISS]), {
    message: "node UID (node-2) does not match service account node ref claim (node-1)",
  });
  assert.throws(() => s.token({ secret: s.objs.get("secrets/default/s") ?? {}, pod: {} }), {
    message: "internal error, token can only be bound to one object type",
  });
});
