// The cluster's PKI: a CA made at first start, the apiserver's serving
// certificate, and client certificates (CN = user, O = groups) signed by the CA.
// Keys are ECDSA P-256: fast to make, and accepted by kubectl and client-go.
import {
  createHash,
  createPrivateKey,
  generateKeyPairSync,
  type KeyObject,
  X509Certificate as NodeX509Certificate,
  randomBytes,
  sign,
} from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { isIP } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import {
  bitString,
  booleanTrue,
  children,
  directoryString,
  explicit,
  namedBits,
  objectIdentifier,
  octetString,
  readElement,
  sequence,
  set,
  smallInteger,
  time,
  tlv,
  unsignedInteger,
} from "../machinery/der.ts";
import { encodePem } from "../machinery/pem.ts";
import { parseIPSloppy } from "../machinery/validation.ts";

const DAY = 24 * 60 * 60 * 1000;

export interface KeyPairPem {
  cert: string;
  key: string;
}

const OID = {
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  commonName: "2.5.4.3",
  organization: "2.5.4.10",
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37",
  serverAuth: "1.3.6.1.5.5.7.3.1",
  clientAuth: "1.3.6.1.5.5.7.3.2",
};
/** KeyUsage's named bits. */
const DIGITAL_SIGNATURE = 0;
const KEY_ENCIPHERMENT = 2;
const KEY_CERT_SIGN = 5;

const signatureAlgorithm = sequence(objectIdentifier(OID.ecdsaWithSHA256));

/** A Name of one attribute per RDN, in the order given (Go's pkix puts O before CN, as here). */
function distinguishedName(attributes: [oid: string, value: string][]): Buffer {
  return sequence(
    ...attributes.map(([oid, value]) => set(sequence(objectIdentifier(oid), directoryString(value)))),
  );
}

function extension(oid: string, critical: boolean, value: Buffer): Buffer {
  return critical
    ? sequence(objectIdentifier(oid), booleanTrue(), octetString(value))
    : sequence(objectIdentifier(oid), octetString(value));
}

/** A positive 127-bit serial whose first byte is never zero, so that its DER encoding is 16 bytes. */
function serialNumber(): Buffer {
  const b = randomBytes(16);
  b[0] = b[0] & 0x7f || 1;
  return unsignedInteger(b);
}

/** RFC 5280's key identifier (method 1): the SHA-1 of the subjectPublicKey bits. */
function keyIdentifier(spki: Buffer): Buffer {
  const publicKeyBits = children(readElement(spki).value)[1].value.subarray(1);
  return createHash("sha1").update(publicKeyBits).digest();
}

function subjectAltNames(hosts: string[]): Buffer {
  return sequence(
    ...hosts.map((h) => {
      if (!isIP(h)) return tlv(0x82, Buffer.from(h, "ascii"));
      const ip = parseIPSloppy(h) ?? [];
      // IPv4 in its 4 bytes, as Go's x509 writes it.
      return tlv(0x87, Buffer.from(isIP(h) === 4 ? ip.slice(12) : ip));
    }),
  );
}

function newKey(): { privateKey: KeyObject; spki: Buffer; keyPem: string } {
  const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  return {
    privateKey,
    spki: publicKey.export({ type: "spki", format: "der" }),
    keyPem: privateKey.export({ type: "pkcs8", format: "pem" }) as string,
  };
}

/** Signs a TBSCertificate made of the given parts into a PEM certificate. */
function certificate(o: {
  issuer: Buffer;
  subject: Buffer;
  spki: Buffer;
  validDays: number;
  extensions: Buffer[];
  signer: KeyObject;
}): string {
  const tbs = sequence(
    explicit(0, smallInteger(2)), // v3
    serialNumber(),
    signatureAlgorithm,
    o.issuer,
    sequence(time(new Date(Date.now() - 60_000)), time(new Date(Date.now() + o.validDays * DAY))),
    o.subject,
    o.spki,
    explicit(3, sequence(...o.extensions)),
  );
  const signature = sign("sha256", tbs, { key: o.signer, dsaEncoding: "der" });
  return encodePem("CERTIFICATE", sequence(tbs, signatureAlgorithm, bitString(signature)));
}

export class CertificateAuthority {
  // Read from the CA certificate at the first issue after a load: issued certificates name it by these bytes.
  private issuer: { subject: Buffer; keyId: Buffer } | undefined;

  private constructor(
    readonly certPem: string,
    private readonly key: KeyObject,
  ) {}

  static async create(
    commonName = `k8ts-ca@${Math.floor(Date.now() / 1000)}`,
  ): Promise<{ ca: CertificateAuthority; keyPem: string }> {
    const { privateKey, spki, keyPem } = newKey();
    const name = distinguishedName([[OID.commonName, commonName]]);
    const keyId = keyIdentifier(spki);
    const pem = certificate({
      issuer: name,
      subject: name,
      spki,
      validDays: 10 * 365,
      signer: privateKey,
      extensions: [
        extension(OID.basicConstraints, true, sequence(booleanTrue())),
        extension(OID.keyUsage, true, namedBits([DIGITAL_SIGNATURE, KEY_CERT_SIGN])),
        extension(OID.subjectKeyIdentifier, false, octetString(keyId)),
      ],
    });
    const ca = new CertificateAuthority(pem, privateKey);
    ca.issuer = { subject: name, keyId };
    return { ca, keyPem };
  }

  static async load(certPem: string, keyPem: string): Promise<CertificateAuthority> {
    const key = createPrivateKey(keyPem);
    // What it issues is signed ECDSA with SHA-256: another key would sign under the wrong algorithm.
    if (key.asymmetricKeyType !== "ec" || key.asymmetricKeyDetails?.namedCurve !== "prime256v1") {
      throw new Error(
        `the cluster CA's key is ${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? key.asymmetricKeyDetails?.modulusLength ?? ""}, not ECDSA P-256: k8ts issues its certificates with a P-256 CA (move pki/ca.crt and pki/ca.key away to make a new one)`,
      );
    }
    return new CertificateAuthority(certPem, key);
  }

  /** A serving certificate for the given DNS names and IP addresses. */
  async issueServing(commonName: string, hosts: string[], validDays = 365): Promise<KeyPairPem> {
    return this.issue([[OID.commonName, commonName]], validDays, [
      extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.serverAuth))),
      extension(OID.subjectAltName, false, subjectAltNames(hosts)),
    ]);
  }

  /** A client certificate: CN is the user name, each O a group, as Kubernetes reads them. */
  async issueClient(user: string, groups: string[] = [], validDays = 365): Promise<KeyPairPem> {
    const subject: [string, string][] = [
      ...groups.map((g): [string, string] => [OID.organization, g]),
      [OID.commonName, user],
    ];
    return this.issue(subject, validDays, [
      extension(OID.extKeyUsage, false, sequence(objectIdentifier(OID.clientAuth))),
    ]);
  }

  private issue(subject: [string, string][], validDays: number, extensions: Buffer[]): KeyPairPem {
    this.issuer ??= issuerOf(this.certPem);
    const { spki, keyPem } = newKey();
    const cert = certificate({
      issuer: this.issuer.subject,
      subject: distinguishedName(subject),
      spki,
      validDays,
      signer: this.key,
      extensions: [
        extension(OID.basicConstraints, true, sequence()),
        extension(OID.keyUsage, true, namedBits([DIGITAL_SIGNATURE, KEY_ENCIPHERMENT])),
        ...extensions,
        extension(OID.authorityKeyIdentifier, false, sequence(tlv(0x80, this.issuer.keyId))),
      ],
    });
    return { cert, key: keyPem };
  }
}

/** A CA certificate's subject, byte for byte (clients chain by it), and its key identifier. */
function issuerOf(certPem: string): { subject: Buffer; keyId: Buffer } {
  const [tbs] = children(readElement(new NodeX509Certificate(certPem).raw).value);
  const fields = children(tbs.value);
  const i = fields[0].tag === 0xa0 ? 1 : 0; // an explicit version comes first
  const subject = fields[i + 4].raw;
  const spki = fields[i + 5].raw;
  const extensions = fields.find((f) => f.tag === 0xa3);
  const ski = objectIdentifier(OID.subjectKeyIdentifier);
  for (const ext of extensions ? children(children(extensions.value)[0].value) : []) {
    const [id, ...rest] = children(ext.value);
    if (id.raw.equals(ski)) return { subject, keyId: readElement(rest[rest.length - 1].value).value };
  }
  return { subject, keyId: keyIdentifier(spki) };
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
