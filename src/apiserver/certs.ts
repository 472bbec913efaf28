// The cluster's PKI: a CA made at first start, the apiserver's serving
// certificate, and client certificates (CN = user, O = groups) signed by the CA.
// Keys are ECDSA P-256: fast to make, and accepted by kubectl and client-go.
import { X509Certificate as NodeX509Certificate, webcrypto } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import type * as X509 from "@peculiar/x509";

let x509Module: Promise<typeof X509> | undefined;

/** The certificate library, loaded on first use: a restart that issues nothing never pays its load time. */
function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    await import("reflect-metadata");
    const x509 = await import("@peculiar/x509");
    x509.cryptoProvider.set(webcrypto as never);
    return x509;
  })();
  return x509Module;
}

type CryptoKey = webcrypto.CryptoKey;

const ALG = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const DAY = 24 * 60 * 60 * 1000;

export interface KeyPairPem {
  cert: string;
  key: string;
}

function serial(): string {
  return Buffer.from(webcrypto.getRandomValues(new Uint8Array(16)))
    .toString("hex")
    .replace(/^[89a-f]/, "1");
}

/** RFC 4514 escaping for a DN attribute value. */
function dnValue(v: string): string {
  return v.replace(/([,+"\\<>;=])/g, "\\$1").replace(/^([ #])/, "\\$1");
}

async function exportKey(key: CryptoKey): Promise<string> {
  const pkcs8 = await webcrypto.subtle.exportKey("pkcs8", key);
  const b64 = Buffer.from(pkcs8)
    .toString("base64")
    .replace(/(.{64})/g, "$1\n")
    .trimEnd();
  return `-----BEGIN PRIVATE KEY-----\n${b64}\n-----END PRIVATE KEY-----\n`;
}

async function importKey(pem: string): Promise<CryptoKey> {
  const b64 = pem.replace(/-----[^-]+-----/g, "").replace(/\s+/g, "");
  return webcrypto.subtle.importKey("pkcs8", Buffer.from(b64, "base64"), ALG, true, ["sign"]);
}

export class CertificateAuthority {
  private authorityKeyId: Promise<X509.AuthorityKeyIdentifierExtension> | undefined;

  private constructor(
    readonly certPem: string,
    // Parsed at the first issue after a load, once: each parse is several ms of ASN.1 in JavaScript.
    private cert: X509.X509Certificate | undefined,
    private readonly key: CryptoKey,
  ) {}

  static async create(
    commonName = `k8ts-ca@${Math.floor(Date.now() / 1000)}`,
  ): Promise<{ ca: CertificateAuthority; keyPem: string }> {
    const x509 = await loadX509();
    const keys = await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.createSelfSigned({
      serialNumber: serial(),
      name: `CN=${dnValue(commonName)}`,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + 10 * 365 * DAY),
      signingAlgorithm: ALG,
      keys,
      extensions: [
        new x509.BasicConstraintsExtension(true, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.digitalSignature,
          true,
        ),
        await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      ],
    });
    const pem = cert.toString("pem");
    return {
      ca: new CertificateAuthority(pem, cert, keys.privateKey),
      keyPem: await exportKey(keys.privateKey),
    };
  }

  static async load(certPem: string, keyPem: string): Promise<CertificateAuthority> {
    return new CertificateAuthority(certPem, undefined, await importKey(keyPem));
  }

  /** A serving certificate for the given DNS names and IP addresses. */
  async issueServing(commonName: string, hosts: string[], validDays = 365): Promise<KeyPairPem> {
    const x509 = await loadX509();
    const alt = hosts.map((h) =>
      isIP(h) ? { type: "ip" as const, value: h } : { type: "dns" as const, value: h },
    );
    return this.issue(`CN=${dnValue(commonName)}`, validDays, [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
      new x509.SubjectAlternativeNameExtension(alt),
    ]);
  }

  /** A client certificate: CN is the user name, each O a group, as Kubernetes reads them. */
  async issueClient(user: string, groups: string[] = [], validDays = 365): Promise<KeyPairPem> {
    const x509 = await loadX509();
    const subject = [...groups.map((g) => `O=${dnValue(g)}`), `CN=${dnValue(user)}`].join(", ");
    return this.issue(subject, validDays, [
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth]),
    ]);
  }

  private async issue(subject: string, validDays: number, extensions: X509.Extension[]): Promise<KeyPairPem> {
    const x509 = await loadX509();
    this.cert ??= new x509.X509Certificate(this.certPem);
    const caCert = this.cert;
    this.authorityKeyId ??= x509.AuthorityKeyIdentifierExtension.create(caCert);
    const keys = await webcrypto.subtle.generateKey(ALG, true, ["sign", "verify"]);
    const cert = await x509.X509CertificateGenerator.create({
      serialNumber: serial(),
      subject,
      issuer: caCert.subject,
      notBefore: new Date(Date.now() - 60_000),
      notAfter: new Date(Date.now() + validDays * DAY),
      signingAlgorithm: ALG,
      publicKey: keys.publicKey,
      signingKey: this.key,
      extensions: [
        new x509.BasicConstraintsExtension(false, undefined, true),
        new x509.KeyUsagesExtension(
          x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment,
          true,
        ),
        ...extensions,
        await this.authorityKeyId,
      ],
    });
    return { cert: cert.toString("pem"), key: await exportKey(keys.privateKey) };
  }
}

export interface ClusterPki {
  dir: string;
  caCert: string;
  ca: CertificateAuthority;
  serving: KeyPairPem;
}

function writePrivate(path: string, data: string): void {
  writeFileSync(path, data, { mode: 0o600 });
}

/**
 * Loads the PKI from `<dataDir>/pki`, making what is missing: the CA at first
 * start, and a serving certificate whose SANs cover 127.0.0.1, localhost, the
 * host name, the first service IP and any extra hosts.
 */
export async function ensurePki(
  dataDir: string,
  opts: { extraHosts?: string[]; serviceIP?: string } = {},
): Promise<ClusterPki> {
  const dir = join(dataDir, "pki");
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const caCertPath = join(dir, "ca.crt");
  const caKeyPath = join(dir, "ca.key");
  let ca: CertificateAuthority;
  if (existsSync(caCertPath) && existsSync(caKeyPath)) {
    ca = await CertificateAuthority.load(readFileSync(caCertPath, "utf8"), readFileSync(caKeyPath, "utf8"));
  } else {
    const made = await CertificateAuthority.create();
    ca = made.ca;
    writePrivate(caKeyPath, made.keyPem);
    writeFileSync(caCertPath, made.ca.certPem);
  }
  const hosts = [
    "127.0.0.1",
    "::1",
    "localhost",
    hostname(),
    "kubernetes",
    "kubernetes.default",
    "kubernetes.default.svc",
    "kubernetes.default.svc.cluster.local",
    opts.serviceIP ?? "10.96.0.1",
    ...(opts.extraHosts ?? []),
  ];
  const servingCertPath = join(dir, "apiserver.crt");
  const servingKeyPath = join(dir, "apiserver.key");
  let serving: KeyPairPem | undefined;
  // The hosts the serving certificate was made for are kept beside it, so a restart checks them without parsing the SANs.
  const hostsPath = join(dir, "apiserver.hosts");
  if (existsSync(servingCertPath) && existsSync(servingKeyPath) && existsSync(hostsPath)) {
    const certPem = readFileSync(servingCertPath, "utf8");
    const fresh = new Date(new NodeX509Certificate(certPem).validTo).getTime() - Date.now() > 30 * DAY;
    const made = new Set(JSON.parse(readFileSync(hostsPath, "utf8")) as string[]);
    if (fresh && hosts.every((h) => made.has(h))) {
      serving = { cert: certPem, key: readFileSync(servingKeyPath, "utf8") };
    }
  }
  if (!serving) {
    serving = await ca.issueServing("kube-apiserver", hosts);
    writeFileSync(hostsPath, JSON.stringify(hosts));
    writePrivate(servingKeyPath, serving.key);
    writeFileSync(servingCertPath, serving.cert);
  }
  return { dir, caCert: ca.certPem, ca, serving };
}

/** Reads user and groups from a verified client certificate's subject, as Kubernetes' x509 authenticator. */
export function userFromCertificateSubject(subject: Record<string, string | string[] | undefined>):
  | {
      name: string;
      groups: string[];
    }
  | undefined {
  const cn = subject.CN;
  const name = Array.isArray(cn) ? cn[0] : cn;
  if (!name) return undefined;
  const o = subject.O;
  const groups = o === undefined ? [] : Array.isArray(o) ? o : [o];
  return { name, groups };
}
