import assert from "node:assert/strict";
import { createHash, createPublicKey, generateKeyPairSync } from "node:crypto";
import { test } from "node:test";
import {
  algorithmFor,
  ERR_CRYPTO_FAILURE,
  ERR_UNSUPPORTED_ALGORITHM,
  keyIDFromPublicKey,
  parseJWS,
  signJWS,
  verifyJWS,
} from "./jwt.ts";

const rsa = generateKeyPairSync("rsa", { modulusLength: 2048 });
const ec = generateKeyPairSync("ec", { namedCurve: "P-256" });

test("an RS256 token verifies with its public key and carries {alg, kid}", () => {
  const tok = signJWS({ iss: "me", n: 1 }, rsa.privateKey);
  const jws = parseJWS(tok)!;
  assert.deepEqual(jws.header, { alg: "RS256", kid: keyIDFromPublicKey(rsa.publicKey) });
  assert.deepEqual(jws.payload, { iss: "me", n: 1 });
  verifyJWS(jws, rsa.publicKey);
});

test("an ES256 token is signed r||s (64 bytes) and verifies", () => {
  assert.equal(algorithmFor(ec.privateKey), "ES256");
  const tok = signJWS({ a: "b" }, ec.privateKey);
  const jws = parseJWS(tok)!;
  assert.equal(jws.signature.length, 64);
  verifyJWS(jws, ec.publicKey);
});

test("a tampered payload or a foreign key fails with go-jose's error", () => {
  const tok = signJWS({ sub: "alice" }, rsa.privateKey);
  const [h, , s] = tok.split(".");
  const forged = `${h}.${Buffer.from(JSON.stringify({ sub: "root" })).toString("base64url")}.${s}`;
  assert.throws(() => verifyJWS(parseJWS(forged)!, rsa.publicKey), { message: ERR_CRYPTO_FAILURE });
  const other = generateKeyPairSync("rsa", { modulusLength: 2048 });
  assert.throws(() => verifyJWS(parseJWS(tok)!, other.publicKey), { message: ERR_CRYPTO_FAILURE });
  // An RS256 token offered to an EC key: the algorithm does not fit the key.
  assert.throws(() => verifyJWS(parseJWS(tok)!, ec.publicKey), { message: ERR_UNSUPPORTED_ALGORITHM });
});

test("alg none is refused", () => {
  const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from("{}").toString("base64url")}.`;
  assert.throws(() => verifyJWS(parseJWS(none)!, rsa.publicKey), { message: ERR_UNSUPPORTED_ALGORITHM });
});

test("parseJWS: only three strict base64url segments of JSON objects", () => {
  assert.equal(parseJWS("a.b"), undefined);
  assert.equal(parseJWS("abc.def.ghi.jkl"), undefined);
  const tok = signJWS({ x: 1 }, rsa.privateKey);
  assert.equal(parseJWS(`${tok}=`), undefined, "padding is not RawURLEncoding");
  const arr = `${Buffer.from("{}").toString("base64url")}.${Buffer.from("[1]").toString("base64url")}.`;
  assert.equal(parseJWS(arr), undefined);
});

test("the key id is base64url(sha256(DER SPKI)) of the public key, the same from the private key", () => {
  const der = rsa.publicKey.export({ type: "spki", format: "der" });
  const want = createHash("sha256").update(der).digest("base64url");
  assert.equal(keyIDFromPublicKey(rsa.publicKey), want);
  assert.equal(keyIDFromPublicKey(rsa.privateKey), want);
  assert.equal(keyIDFromPublicKey(createPublicKey(rsa.privateKey)), want);
});
