// upstream's pkg/controller/certificates/authority: a CA that signs a
// certificate request under the PermissiveSigningPolicy — the request's
// subject and SANs, the CSR's usages, a lifetime from the policy capped by the
// CA's own NotAfter, and none of the request's other extensions.
import { createPrivateKey, webcrypto, X509Certificate } from "node:crypto";
import type * as X509 from "@peculiar/x509";
import { decodePemBlocks, encodePem } from "../../machinery/pem.ts";
import { type CertificateRequest, loadX509, toRdnSequence } from "./x509.ts";

type CryptoKey = webcrypto.CryptoKey;
type Algorithm = webcrypto.Algorithm;
type ImportAlgorithm = webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams;

/** x509.KeyUsage bits, as @peculiar/x509's KeyUsageFlags numbers them. */
const KEY_USAGE: Record<string, number> = {
  signing: 1,
  "digital signature": 1,
  "content commitment": 2,
  "key encipherment": 4,
  "key agreement": 16,
  "data encipherment": 8,
  "cert sign": 32,
  "crl sign": 64,
  "encipher only": 128,
  "decipher only": 256,
};

/** x509.ExtKeyUsage values in Go's enum order (the order they are written in). */
const EXT_KEY_USAGE_ORDER: { oid: string; usages: string[] }[] = [
  { oid: "2.5.29.37.0", usages: ["any"] },
  { oid: "1.3.6.1.5.5.7.3.1", usages: ["server auth"] },
  { oid: "1.3.6.1.5.5.7.3.2", usages: ["client auth"] },
  { oid: "1.3.6.1.5.5.7.3.3", usages: ["code signing"] },
  { oid: "1.3.6.1.5.5.7.3.4", usages: ["email protection", "s/mime"] },
  { oid: "1.3.6.1.5.5.7.3.5", usages: ["ipsec end system"] },
  { oid: "1.3.6.1.5.5.7.3.6", usages: ["ipsec tunnel"] },
  { oid: "1.3.6.1.5.5.7.3.7", usages: ["ipsec user"] },
  { oid: "1.3.6.1.5.5.7.3.8", usages: ["timestamping"] },
  { oid: "1.3.6.1.5.5.7.3.9", usages: ["ocsp signing"] },
  { oid: "1.3.6.1.4.1.311.10.3.3", usages: ["microsoft sgc"] },
  { oid: "2.16.840.1.113730.4.1", usages: ["netscape sgc"] },
];

const goQuote = (s: string) => JSON.stringify(s);

/** keyUsagesFromStrings: the KeyUsage bits and the sorted ExtKeyUsage OIDs; unknown usages are an error. */
export function keyUsagesFromStrings(usages: readonly string[]): {
  keyUsage: number;
  extKeyUsages: string[];
} {
  let keyUsage = 0;
  const ext = new Set<string>();
  const unrecognized: string[] = [];
  for (const u of usages) {
    if (Object.hasOwn(KEY_USAGE, u)) keyUsage |= KEY_USAGE[u];
    else {
      const e = EXT_KEY_USAGE_ORDER.find((x) => x.usages.includes(u));
      if (e) ext.add(e.oid);
      else unrecognized.push(u);
    }
  }
  if (unrecognized.length > 0) {
    throw new Error(`unrecognized usage values: [${unrecognized.map(goQuote).join(" ")}]`);
  }
  return { keyUsage, extKeyUsages: EXT_KEY_USAGE_ORDER.filter((x) => ext.has(x.oid)).map((x) => x.oid) };
}

/** A time as Go's %v prints a UTC time.Time: "2006-01-02 15:04:05 +0000 UTC". */
export function goTime(d: Date): string {
  const iso = d.toISOString();
  const frac = iso.slice(20, 23).replace(/0+$/, "");
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}${frac ? `.${frac}` : ""} +0000 UTC`;
}

/** PermissiveSigningPolicy's settings. */
export interface PermissiveSigningPolicy {
  /** The certificate's lifetime. */
  ttlMs: number;
  usages: readonly string[];
  /** NotBefore is this long before now (clock skew). */
  backdateMs: number;
  /** Lifetimes below this are not shortened by the backdate. */
  shortMs: number;
  now: () => number;
}

export interface CertificateTemplate {
  notBefore: Date;
  notAfter: Date;
  keyUsage: number;
  extKeyUsages: string[];
}

/** PermissiveSigningPolicy.apply: the validity and usages of the certificate, or an error. */
export function applySigningPolicy(p: PermissiveSigningPolicy, signerNotAfter: Date): CertificateTemplate {
  const now = p.now();
  const { keyUsage, extKeyUsages } = keyUsagesFromStrings(p.usages);
  const notBefore = new Date(now - p.backdateMs);
  // A short-lived certificate keeps its whole lifetime: the backdate would eat too much of it.
  let notAfter = new Date(p.ttlMs < p.shortMs ? now + p.ttlMs : now + p.ttlMs - p.backdateMs);
  if (notAfter.getTime() >= signerNotAfter.getTime()) notAfter = signerNotAfter;
  if (notBefore.getTime() >= signerNotAfter.getTime()) {
    throw new Error(`the signer has expired: NotAfter=${goTime(signerNotAfter)}`);
  }
  if (now >= signerNotAfter.getTime()) {
    throw new Error(
      `refusing to sign a certificate that expired in the past: NotAfter=${goTime(signerNotAfter)}`,
    );
  }
  return { notBefore, notAfter, keyUsage, extKeyUsages };
}

/** A random positive 128-bit serial (rand.Int below 2^128), as hex with its top bit clear. */
function randomSerial(): string {
  const b = webcrypto.getRandomValues(new Uint8Array(16));
  b[0] &= 0x7f;
  return Buffer.from(b).toString("hex");
}

/** The WebCrypto algorithm Go's signingParamsForKey picks for the CA's key. */
function signingAlgorithm(keyPem: string): { importAlg: ImportAlgorithm; sign: Algorithm } {
  const key = createPrivateKey(keyPem);
  if (key.asymmetricKeyType === "rsa") {
    const alg = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
    return { importAlg: alg, sign: alg };
  }
  if (key.asymmetricKeyType === "ec") {
    const curve = key.asymmetricKeyDetails?.namedCurve;
    const named = curve === "secp384r1" ? "P-384" : curve === "secp521r1" ? "P-521" : "P-256";
    if (curve !== "prime256v1" && curve !== "secp384r1" && curve !== "secp521r1") {
      throw new Error(`x509: unsupported elliptic curve ${curve}`);
    }
    const hash = named === "P-384" ? "SHA-384" : named === "P-521" ? "SHA-512" : "SHA-256";
    return { importAlg: { name: "ECDSA", namedCurve: named }, sign: { name: "ECDSA", hash } as Algorithm };
  }
  throw new Error(`x509: only RSA and ECDSA keys supported, got ${key.asymmetricKeyType}`);
}

export class SigningAuthority {
  private parsed: Promise<X509.X509Certificate> | undefined;

  private constructor(
    private readonly certificateDer: Buffer,
    /** The CA certificate's NotAfter, which caps what it signs. */
    readonly notAfter: Date,
    private readonly key: CryptoKey,
    private readonly algorithm: Algorithm,
  ) {}

  /** The CA of --cluster-signing-cert-file/--cluster-signing-key-file (PEM; RSA or ECDSA keys in PKCS#1, SEC 1 or PKCS#8). */
  static async load(certPem: string, keyPem: string): Promise<SigningAuthority> {
    const block = decodePemBlocks(certPem).find((b) => b.type === "CERTIFICATE");
    if (!block)
      throw new Error("error reading CA cert: data does not contain any valid RSA or ECDSA certificates");
    // Checked here with node:crypto; the certificate library parses it at the first signature, so that a
    // controller-manager that signs nothing never loads it.
    const notAfter = new Date(new X509Certificate(block.der).validTo);
    const { importAlg, sign } = signingAlgorithm(keyPem);
    const pkcs8 = createPrivateKey(keyPem).export({ type: "pkcs8", format: "der" });
    const key = await webcrypto.subtle.importKey("pkcs8", pkcs8, importAlg, false, ["sign"]);
    return new SigningAuthority(block.der, notAfter, key, sign);
  }

  private certificate(): Promise<X509.X509Certificate> {
    this.parsed ??= loadX509().then((x509) => new x509.X509Certificate(new Uint8Array(this.certificateDer)));
    return this.parsed;
  }

  /** CertificateAuthority.Sign: a DER certificate for the request under the policy. */
  async sign(req: CertificateRequest, policy: PermissiveSigningPolicy): Promise<Buffer> {
    const x509 = await loadX509();
    const certificate = await this.certificate();
    if (!(await req.request.verify())) {
      const failure =
        req.request.publicKey.algorithm.name === "ECDSA"
          ? "x509: ECDSA verification failure"
          : "crypto/rsa: verification error";
      throw new Error(`unable to verify certificate request signature: ${failure}`);
    }
    const t = applySigningPolicy(policy, this.notAfter);
    const extensions: X509.Extension[] = [];
    if (t.keyUsage !== 0) extensions.push(new x509.KeyUsagesExtension(t.keyUsage, true));
    if (t.extKeyUsages.length > 0) extensions.push(new x509.ExtendedKeyUsageExtension(t.extKeyUsages));
    extensions.push(new x509.BasicConstraintsExtension(false, undefined, true));
    const ski = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
    if (ski?.keyId) extensions.push(new x509.AuthorityKeyIdentifierExtension(ski.keyId));
    const subject = toRdnSequence(req.subject);
    const sans = [
      ...req.dnsNames.map((value) => ({ type: "dns" as const, value })),
      ...req.emailAddresses.map((value) => ({ type: "email" as const, value })),
      ...req.ipAddresses.map((value) => ({ type: "ip" as const, value })),
      ...req.uris.map((value) => ({ type: "url" as const, value })),
    ];
    // Go marks the SAN critical when the subject is empty (RFC 5280 4.2.1.6).
    if (sans.length > 0)
      extensions.push(new x509.SubjectAlternativeNameExtension(sans, subject.length === 0));
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: randomSerial(),
      subject: subject as X509.JsonName,
      issuer: certificate.subjectName,
      notBefore: t.notBefore,
      notAfter: t.notAfter,
      publicKey: req.request.publicKey,
      signingKey: this.key,
      signingAlgorithm: this.algorithm,
      extensions,
    });
    return Buffer.from(cert.rawData);
  }

  /** The certificate as PEM, as the signer writes status.certificate. */
  static pem(der: Buffer): string {
    return encodePem("CERTIFICATE", der);
  }
}
