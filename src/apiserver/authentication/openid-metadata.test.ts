import assert from "node:assert/strict";
import { createPublicKey, generateKeyPairSync } from "node:crypto";
import { test } from "node:test";
import { keyIDFromPublicKey, parseJWS, signJWS, verifyJWS } from "./jwt.ts";
import { openIDMetadata } from "./openid-metadata.ts";

const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });
const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });

test("the discovery document points at the JWKS; every key is published with its kid and algorithm", () => {
  const md = openIDMetadata({
    issuer: "https://kubernetes.default.svc.cluster.local",
    externalAddress: "192.0.2.2:6443",
    publicKeys: [ec.publicKey, rsa.publicKey],
  });
  // upstream's field order (Go's struct), the algorithms sorted.
  assert.equal(
    md.configuration,
    '{"issuer":"https://kubernetes.default.svc.cluster.local","jwks_uri":"https://192.0.2.2:6443/openid/v1/jwks","response_types_supported":["id_token"],"subject_types_supported":["public"],"id_token_signing_alg_values_supported":["ES256","RS256"]}',
  );
  const { keys } = JSON.parse(md.jwks);
  assert.deepEqual(
    keys.map((k: object) => Object.keys(k)),
    [
      ["use", "kty", "kid", "crv", "alg", "x", "y"],
      ["use", "kty", "kid", "alg", "n", "e"],
    ],
  );
  assert.deepEqual(
    keys.map((k: { kid: string; alg: string }) => [k.kid, k.alg]),
    [
      [keyIDFromPublicKey(ec.publicKey), "ES256"],
      [keyIDFromPublicKey(rsa.publicKey), "RS256"],
    ],
  );
  // A token signed with either private key verifies with the key published under its kid.
  for (const privateKey of [ec.privateKey, rsa.privateKey]) {
    const jws = parseJWS(signJWS({ sub: "x" }, privateKey))!;
    const jwk = keys.find((k: { kid: string }) => k.kid === jws.header.kid);
    verifyJWS(jws, createPublicKey({ key: jwk, format: "jwk" }));
  }
});

test("--service-account-jwks-uri replaces the default; the issuer and that URI must be https", () => {
  const base = { externalAddress: "h:1", publicKeys: [ec.publicKey] };
  const md = openIDMetadata({
    ...base,
    issuer: "https://issuer.example",
    jwksURI: "https://keys.example/jwks",
  });
  assert.equal(JSON.parse(md.configuration).jwks_uri, "https://keys.example/jwks");
  assert.throws(
    () => openIDMetadata({ ...base, issuer: "http://issuer.example" }),
    /^Error: issuer URL must use https scheme, got: http:\/\/issuer.example$/,
  );
  assert.throws(
    () => openIDMetadata({ ...base, issuer: "https://issuer.example", jwksURI: "http://keys.example" }),
    /^Error: jwks URI must use https scheme, got: http:\/\/keys.example$/,
  );
  assert.throws(() => openIDMetadata({ ...base, issuer: "kubernetes" }), /^Error: error parsing issuer URL/);
});
