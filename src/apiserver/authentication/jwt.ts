// Compact JWS (RFC 7515) with node:crypto, as much as service-account tokens
// need and as go-jose does it: RS256 for RSA keys, ES256/384/512 for ECDSA
// keys (signatures as r||s), the key id derived from the public key, and
// go-jose's error strings, which reach TokenReview's status.error.
import { createHash, createPublicKey, type KeyObject, sign, verify } from "node:crypto";

export const ERR_CRYPTO_FAILURE = "go-jose/go-jose: error in cryptographic primitive";
export const ERR_UNSUPPORTED_ALGORITHM = "go-jose/go-jose: unknown/unsupported algorithm";

type Algorithm = "RS256" | "RS384" | "RS512" | "ES256" | "ES384" | "ES512";

const HASH: Record<Algorithm, string> = {
  RS256: "sha256",
  RS384: "sha384",
  RS512: "sha512",
  ES256: "sha256",
  ES384: "sha384",
  ES512: "sha512",
};
const EC_KEY_SIZE: Record<string, number> = { ES256: 32, ES384: 48, ES512: 66 };
const CURVE_ALG: Record<string, Algorithm> = {
  prime256v1: "ES256",
  "P-256": "ES256",
  secp384r1: "ES384",
  "P-384": "ES384",
  secp521r1: "ES512",
  "P-521": "ES512",
};

/** The signing algorithm for a private key: RS256 for RSA, ES256/384/512 by curve for ECDSA. */
export function algorithmFor(key: KeyObject): Algorithm {
  if (key.asymmetricKeyType === "rsa") return "RS256";
  if (key.asymmetricKeyType === "ec") {
    const alg = CURVE_ALG[key.asymmetricKeyDetails?.namedCurve ?? ""];
    if (alg) return alg;
    throw new Error("unknown private key curve, must be 256, 384, or 521");
  }
  throw new Error(`unknown private key type ${key.asymmetricKeyType}, must be RSA or ECDSA`);
}

/** keyIDFromPublicKey: base64url(SHA-256(DER SubjectPublicKeyInfo)), never reversible to the key. */
export function keyIDFromPublicKey(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256")
    .update(pub.export({ type: "spki", format: "der" }))
    .digest("base64url");
}

const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64url");

/** A compact JWS of `payload` signed with `key` (header {alg, kid}). */
export function signJWS(payload: object, key: KeyObject, kid = keyIDFromPublicKey(key)): string {
  const alg = algorithmFor(key);
  const input = `${b64(JSON.stringify({ alg, kid }))}.${b64(JSON.stringify(payload))}`;
  const sig = alg.startsWith("ES")
    ? sign(HASH[alg], Buffer.from(input), { key, dsaEncoding: "ieee-p1363" })
    : sign(HASH[alg], Buffer.from(input), key);
  return `${input}.${sig.toString("base64url")}`;
}

export interface ParsedJWS {
  header: { alg?: unknown; kid?: unknown };
  /** The payload's JSON: not to be trusted before verifyJWS. */
  payload: Record<string, unknown>;
  signingInput: Buffer;
  signature: Buffer;
}

const RAW_URL = /^[A-Za-z0-9_-]*$/;

/** base64.RawURLEncoding.DecodeString: strict, no padding. */
export function decodeSegment(s: string): Buffer | undefined {
  if (!RAW_URL.test(s) || s.length % 4 === 1) return undefined;
  return Buffer.from(s, "base64url");
}

function jsonObject(buf: Buffer | undefined): Record<string, unknown> | undefined {
  if (!buf) return undefined;
  try {
    const v = JSON.parse(buf.toString("utf8"));
    return v !== null && typeof v === "object" && !Array.isArray(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

/** jwt.ParseSigned: undefined when the token is not a compact JWS. */
export function parseJWS(token: string): ParsedJWS | undefined {
  const parts = token.split(".");
  if (parts.length !== 3) return undefined;
  const header = jsonObject(decodeSegment(parts[0]));
  const payload = jsonObject(decodeSegment(parts[1]));
  const signature = decodeSegment(parts[2]);
  if (!header || !payload || !signature) return undefined;
  return { header, payload, signingInput: Buffer.from(`${parts[0]}.${parts[1]}`), signature };
}

/** Verifies the signature with one public key; throws go-jose's error when it does not hold. */
export function verifyJWS(jws: ParsedJWS, key: KeyObject): void {
  const alg = jws.header.alg;
  if (typeof alg !== "string" || !(alg in HASH)) throw new Error(ERR_UNSUPPORTED_ALGORITHM);
  const a = alg as Algorithm;
  if (a.startsWith("RS")) {
    if (key.asymmetricKeyType !== "rsa") throw new Error(ERR_UNSUPPORTED_ALGORITHM);
    if (!safeVerify(() => verify(HASH[a], jws.signingInput, key, jws.signature))) {
      throw new Error(ERR_CRYPTO_FAILURE);
    }
    return;
  }
  if (key.asymmetricKeyType !== "ec") throw new Error(ERR_UNSUPPORTED_ALGORITHM);
  const size = EC_KEY_SIZE[a];
  if (jws.signature.length !== 2 * size) {
    throw new Error(
      `go-jose/go-jose: invalid signature size, have ${jws.signature.length} bytes, wanted ${2 * size}`,
    );
  }
  if (
    !safeVerify(() => verify(HASH[a], jws.signingInput, { key, dsaEncoding: "ieee-p1363" }, jws.signature))
  ) {
    throw new Error(ERR_CRYPTO_FAILURE);
  }
}

/** A signature OpenSSL cannot even parse is as bad as a wrong one. */
function safeVerify(f: () => boolean): boolean {
  try {
    return f();
  } catch {
    return false;
  }
}
