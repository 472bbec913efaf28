// Service account issuer discovery (upstream's pkg/serviceaccount/openidmetadata.go):
// /.well-known/openid-configuration and /openid/v1/jwks, so that anyone who
// trusts the issuer (a cloud's workload identity, Vault, another cluster) can
// fetch the keys that verify its service-account tokens. Both documents are
// rendered once, at start; RBAC's system:service-account-issuer-discovery
// lets every service account read them.
import type { KeyObject } from "node:crypto";
import { algorithmFor, keyIDFromPublicKey } from "./jwt.ts";

export const OPENID_CONFIGURATION_PATH = "/.well-known/openid-configuration";
export const JWKS_PATH = "/openid/v1/jwks";

export interface OpenIDMetadata {
  /** The discovery document (application/json). */
  configuration: string;
  /** The public keys as a JSON Web Key Set (application/jwk-set+json). */
  jwks: string;
}

/**
 * NewOpenIDMetadata: the issuer must be an https URL; the JWKS is at jwksURI
 * (--service-account-jwks-uri) or else at https://<externalAddress>/openid/v1/jwks.
 * Throws upstream's message when the configuration cannot be served.
 */
export function openIDMetadata(o: {
  issuer: string;
  jwksURI?: string;
  externalAddress: string;
  publicKeys: KeyObject[];
}): OpenIDMetadata {
  const issuer = parseURL(o.issuer, "issuer");
  if (issuer.protocol !== "https:") throw new Error(`issuer URL must use https scheme, got: ${o.issuer}`);
  if (issuer.search !== "") throw new Error(`issuer URL may not include a query, got: ${o.issuer}`);
  let jwksURI: string;
  if (o.jwksURI) {
    const u = parseURL(o.jwksURI, "jwks");
    if (u.protocol !== "https:") throw new Error(`jwks URI must use https scheme, got: ${o.jwksURI}`);
    jwksURI = o.jwksURI;
  } else {
    jwksURI = `https://${o.externalAddress}${JWKS_PATH}`;
  }
  const algs = new Set<string>();
  const keys: Record<string, string>[] = [];
  for (const key of o.publicKeys) {
    const alg = algorithmFor(key);
    algs.add(alg);
    const jwk = key.export({ format: "jwk" }) as Record<string, string>;
    // go-jose's field order: use, kty, kid, crv, alg, then the key's numbers.
    keys.push(
      jwk.kty === "EC"
        ? { use: "sig", kty: "EC", kid: keyIDFromPublicKey(key), crv: jwk.crv, alg, x: jwk.x, y: jwk.y }
        : { use: "sig", kty: "RSA", kid: keyIDFromPublicKey(key), alg, n: jwk.n, e: jwk.e },
    );
  }
  return {
    configuration: JSON.stringify({
      issuer: o.issuer,
      jwks_uri: jwksURI,
      response_types_supported: ["id_token"],
      subject_types_supported: ["public"],
      id_token_signing_alg_values_supported: [...algs].sort(),
    }),
    jwks: JSON.stringify({ keys }),
  };
}

function parseURL(s: string, what: string): URL {
  try {
    return new URL(s);
  } catch (e) {
    throw new Error(`error parsing ${what} URL: ${(e as Error).message}`);
  }
}
