import assert from "node:assert/strict";
import { createHash, createPublicKey, generateKeyPairSync, verify } from "node:crypto";
import { test } from "node:test";
import { LEGACY_ISSUER, LegacyTokenGenerator, legacyClaims } from "./legacy-token.ts";

const sa = { metadata: { name: "builder", namespace: "ci", uid: "sa-uid-1" } };
const secret = { metadata: { name: "builder-token", namespace: "ci" } };

function decode(token: string) {
  const [h, p, s] = token.split(".");
  return {
    header: JSON.parse(Buffer.from(h, "base64url").toString()),
    payloadText: Buffer.from(p, "base64url").toString(),
    input: `${h}.${p}`,
    sig: Buffer.from(s, "base64url"),
  };
}

test("a legacy token is an RS256 JWS with upstream's claims in go-jose's sorted order", () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs1", format: "pem" }).toString();
  const token = new LegacyTokenGenerator(LEGACY_ISSUER, pem).generateToken(legacyClaims(sa, secret));
  const t = decode(token);
  const der = createPublicKey(privateKey).export({ type: "spki", format: "der" });
  assert.deepEqual(t.header, { alg: "RS256", kid: createHash("sha256").update(der).digest("base64url") });
  assert.equal(
    t.payloadText,
    JSON.stringify({
      iss: "kubernetes/serviceaccount",
      "kubernetes.io/serviceaccount/namespace": "ci",
      "kubernetes.io/serviceaccount/secret.name": "builder-token",
      "kubernetes.io/serviceaccount/service-account.name": "builder",
      "kubernetes.io/serviceaccount/service-account.uid": "sa-uid-1",
      sub: "system:serviceaccount:ci:builder",
    }),
  );
  assert.ok(verify("sha256", Buffer.from(t.input), createPublicKey(privateKey), t.sig));
});

test("ECDSA keys sign ES256 with r||s signatures", () => {
  const { privateKey } = generateKeyPairSync("ec", { namedCurve: "prime256v1" });
  const pem = privateKey.export({ type: "sec1", format: "pem" }).toString();
  const t = decode(new LegacyTokenGenerator(LEGACY_ISSUER, pem).generateToken(legacyClaims(sa, secret)));
  assert.equal(t.header.alg, "ES256");
  assert.equal(t.sig.length, 64);
  assert.ok(
    verify(
      "sha256",
      Buffer.from(t.input),
      { key: createPublicKey(privateKey), dsaEncoding: "ieee-p1363" },
      t.sig,
    ),
  );
});
