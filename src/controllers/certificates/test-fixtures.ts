// CAs and certificate requests for the certificate controllers' tests.
import { webcrypto } from "node:crypto";
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { encodePem } from "../../machinery/pem.ts";
import { loadX509 } from "./x509.ts";

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const RSA = {
  name: "RSASSA-PKCS1-v1_5",
  modulusLength: 2048,
  publicExponent: new Uint8Array([1, 0, 1]),
  hash: "SHA-256",
} as const;

export type KeyKind = "ecdsa" | "rsa";

async function keyPair(kind: KeyKind): Promise<webcrypto.CryptoKeyPair> {
  return (await webcrypto.subtle.generateKey(kind === "rsa" ? RSA : EC, true, [
    "sign",
    "verify",
  ])) as webcrypto.CryptoKeyPair;
}

async function keyPem(key: webcrypto.CryptoKey): Promise<string> {
  return encodePem("PRIVATE KEY", await webcrypto.subtle.exportKey("pkcs8", key));
}

/** A self-signed CA valid from notBefore to notAfter (default: an hour ago to ten years on). */
export async function makeCA(
  opts: { kind?: KeyKind; notBefore?: Date; notAfter?: Date; commonName?: string } = {},
): Promise<{ certPem: string; keyPem: string }> {
  const x509 = await loadX509();
  const kind = opts.kind ?? "ecdsa";
  const keys = await keyPair(kind);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: `CN=${opts.commonName ?? "test-ca"}`,
    notBefore: opts.notBefore ?? new Date(Date.now() - 3_600_000),
    notAfter: opts.notAfter ?? new Date(Date.now() + 10 * 365 * 86_400_000),
    signingAlgorithm: kind === "rsa" ? RSA : EC,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(true, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString("pem"), keyPem: await keyPem(keys.privateKey) };
}

export interface CSRSubject {
  /** RFC 4514 text, e.g. "CN=system:node:a, O=system:nodes". */
  name: string;
  dns?: string[];
  ips?: string[];
  emails?: string[];
  uris?: string[];
  kind?: KeyKind;
}

/** A PKCS#10 request (PEM) and its private key (PKCS#8 PEM). */
export async function makeCSR(s: CSRSubject): Promise<{ pem: string; keyPem: string }> {
  const x509 = await loadX509();
  const kind = s.kind ?? "ecdsa";
  const keys = await keyPair(kind);
  const names = [
    ...(s.dns ?? []).map((value) => ({ type: "dns" as const, value })),
    ...(s.ips ?? []).map((value) => ({ type: "ip" as const, value })),
    ...(s.emails ?? []).map((value) => ({ type: "email" as const, value })),
    ...(s.uris ?? []).map((value) => ({ type: "url" as const, value })),
  ];
  const req = await x509.Pkcs10CertificateRequestGenerator.create({
    name: s.name,
    keys,
    signingAlgorithm: kind === "rsa" ? RSA : EC,
    extensions: names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [],
  });
  return { pem: req.toString("pem"), keyPem: await keyPem(keys.privateKey) };
}

/** A CertificateSigningRequest object around a PEM request. */
export function csrObject(
  name: string,
  pem: string,
  spec: Partial<NonNullable<CertificateSigningRequest["spec"]>> = {},
  status: CertificateSigningRequest["status"] = {},
): CertificateSigningRequest {
  return {
    apiVersion: "certificates.k8s.io/v1",
    kind: "CertificateSigningRequest",
    metadata: { name },
    spec: {
      request: Buffer.from(pem).toString("base64"),
      signerName: "kubernetes.io/kube-apiserver-client-kubelet",
      usages: ["digital signature", "client auth"],
      ...spec,
    },
    status,
  };
}
