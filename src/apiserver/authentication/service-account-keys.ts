// The service-account signing key pair, as kubeadm lays it out:
// <data-dir>/pki/sa.key (the private key, --service-account-signing-key-file)
// and sa.pub (the public keys that verify, --service-account-key-file; more
// than one during a key rotation). Made at first start, reused after.
import { createPrivateKey, createPublicKey, generateKeyPair, type KeyObject } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { keyIDFromPublicKey } from "./jwt.ts";

export interface ServiceAccountKeys {
  /** Signs new tokens. */
  signingKey: KeyObject;
  /** Verify tokens: the signing key's public half and any other still trusted. */
  publicKeys: KeyObject[];
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g;

/** keyutil.ParsePublicKeysPEM: every public key, certificate or private key in a PEM file, as public keys. */
export function parsePublicKeysPEM(pem: string): KeyObject[] {
  const keys: KeyObject[] = [];
  for (const m of pem.matchAll(PEM_BLOCK)) {
    const type = m[1];
    if (type === "PUBLIC KEY" || type === "RSA PUBLIC KEY" || type === "CERTIFICATE") {
      keys.push(createPublicKey(m[0]));
    } else if (type === "PRIVATE KEY" || type === "RSA PRIVATE KEY" || type === "EC PRIVATE KEY") {
      keys.push(createPublicKey(createPrivateKey(m[0])));
    }
  }
  if (keys.length === 0) throw new Error("data does not contain any valid RSA or ECDSA public keys");
  return keys;
}

/** Reads a signing key and the public key files that verify tokens. */
export function loadServiceAccountKeys(signingKeyFile: string, publicKeyFiles: string[]): ServiceAccountKeys {
  const signingKey = createPrivateKey(readFileSync(signingKeyFile, "utf8"));
  const publicKeys = publicKeyFiles.flatMap((f) => parsePublicKeysPEM(readFileSync(f, "utf8")));
  // The signer's own key always verifies, even when the public key file lags behind.
  const own = keyIDFromPublicKey(signingKey);
  if (!publicKeys.some((k) => keyIDFromPublicKey(k) === own)) publicKeys.unshift(createPublicKey(signingKey));
  return { signingKey, publicKeys };
}

/**
 * The data dir's sa.key and sa.pub, made when missing: ECDSA P-256, kubeadm's
 * ECDSA-P256 encryption algorithm (its tokens ES256). An RSA 2048 key took
 * 50–600 ms to find its primes, most of a fresh `up`'s wait.
 */
export async function ensureServiceAccountKeys(dataDir: string): Promise<ServiceAccountKeys> {
  const dir = join(dataDir, "pki");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const keyPath = join(dir, "sa.key");
  const pubPath = join(dir, "sa.pub");
  if (!existsSync(keyPath)) {
    const { privateKey, publicKey } = await promisify(generateKeyPair)("ec", {
      namedCurve: "P-256",
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "sec1", format: "pem" },
    });
    writeFileSync(keyPath, privateKey, { mode: 0o600 });
    writeFileSync(pubPath, publicKey);
  } else if (!existsSync(pubPath)) {
    const pub = createPublicKey(createPrivateKey(readFileSync(keyPath, "utf8")));
    writeFileSync(pubPath, pub.export({ type: "spki", format: "pem" }));
  }
  return loadServiceAccountKeys(keyPath, [pubPath]);
}
