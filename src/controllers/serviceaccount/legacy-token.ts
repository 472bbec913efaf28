// upstream's pkg/serviceaccount (claims.go LegacyClaims, jwt.go
// JWTTokenGenerator) for the tokens controller: the never-expiring token of a
// kubernetes.io/service-account-token Secret, a JWS signed with the
// service-account key (RS256 for RSA, ES256/384/512 by curve), its key id the
// base64url SHA-256 of the public key's DER, claims marshalled with sorted keys.
import { createHash, createPrivateKey, createPublicKey, type KeyObject, sign } from "node:crypto";
import type { Secret, ServiceAccount } from "kubernetes-types/core/v1.d.ts";

/** serviceaccount.LegacyIssuer: what the controller-manager signs Secret-based tokens as. */
export const LEGACY_ISSUER = "kubernetes/serviceaccount";

type Algorithm = "RS256" | "ES256" | "ES384" | "ES512";

const HASH: Record<Algorithm, string> = {
  RS256: "sha256",
  ES256: "sha256",
  ES384: "sha384",
  ES512: "sha512",
};
const CURVE_ALG: Record<string, Algorithm> = {
  prime256v1: "ES256",
  secp384r1: "ES384",
  secp521r1: "ES512",
};

function algorithmFor(key: KeyObject): Algorithm {
  if (key.asymmetricKeyType === "rsa") return "RS256";
  if (key.asymmetricKeyType === "ec") {
    const alg = CURVE_ALG[key.asymmetricKeyDetails?.namedCurve ?? ""];
    if (alg) return alg;
    throw new Error("unknown private key curve, must be 256, 384, or 521");
  }
  throw new Error(`unknown private key type ${key.asymmetricKeyType}, must be RSA or ECDSA`);
}

/** keyIDFromPublicKey */
export function keyIDFromPublicKey(key: KeyObject): string {
  const pub = key.type === "private" ? createPublicKey(key) : key;
  return createHash("sha256")
    .update(pub.export({ type: "spki", format: "der" }))
    .digest("base64url");
}

/** LegacyClaims: the subject and the four kubernetes.io/serviceaccount/* claims. */
export function legacyClaims(sa: ServiceAccount, secret: Secret): Record<string, string> {
  const namespace = sa.metadata?.namespace ?? "";
  const name = sa.metadata?.name ?? "";
  return {
    sub: `system:serviceaccount:${namespace}:${name}`,
    "kubernetes.io/serviceaccount/namespace": namespace,
    "kubernetes.io/serviceaccount/secret.name": secret.metadata?.name ?? "",
    "kubernetes.io/serviceaccount/service-account.name": name,
    "kubernetes.io/serviceaccount/service-account.uid": sa.metadata?.uid ?? "",
  };
}

/** JWTTokenGenerator */
export class LegacyTokenGenerator {
  private readonly key: KeyObject;
  private readonly alg: Algorithm;
  private readonly kid: string;

  constructor(
    readonly issuer: string,
    signingKeyPem: string,
  ) {
    this.key = createPrivateKey(signingKeyPem);
    this.alg = algorithmFor(this.key);
    this.kid = keyIDFromPublicKey(this.key);
  }

  generateToken(claims: Record<string, string>): string {
    // go-jose merges the claims into one map and marshals it with sorted keys; empty strings are omitted.
    const merged: Record<string, string> = { ...claims, iss: this.issuer };
    const payload: Record<string, string> = {};
    for (const k of Object.keys(merged).sort()) {
      if ((k === "iss" || k === "sub") && !merged[k]) continue;
      payload[k] = merged[k];
    }
    const b64 = (s: string | Buffer) => Buffer.from(s).toString("base64url");
    const input = `${b64(JSON.stringify({ alg: this.alg, kid: this.kid }))}.${b64(JSON.stringify(payload))}`;
    const sig = this.alg.startsWith("ES")
      ? sign(HASH[this.alg], Buffer.from(input), { key: this.key, dsaEncoding: "ieee-p1363" })
      : sign(HASH[this.alg], Buffer.from(input), this.key);
    return `${input}.${sig.toString("base64url")}`;
  }
}
