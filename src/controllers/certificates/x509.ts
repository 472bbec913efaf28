// The parts of Go's crypto/x509 the certificate controllers read: PEM blocks,
// and a PKCS#10 request as an x509.CertificateRequest (subject, SANs, DER),
// on @peculiar/x509 loaded on first use.
import { X509Certificate as NodeX509Certificate, webcrypto } from "node:crypto";
import type * as X509 from "@peculiar/x509";
import { decodePemBlocks } from "../../machinery/pem.ts";

let x509Module: Promise<typeof X509> | undefined;

/** The certificate library, loaded on first use: a manager without CSRs never pays its load time. */
export function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    await import("reflect-metadata");
    const x509 = await import("@peculiar/x509");
    x509.cryptoProvider.set(webcrypto as never);
    return x509;
  })();
  return x509Module;
}

/** Go's pkix.Name: the attributes it knows, as FillFromRDNSequence reads them. */
export interface PkixName {
  country: string[];
  province: string[];
  locality: string[];
  streetAddress: string[];
  postalCode: string[];
  organization: string[];
  organizationalUnit: string[];
  /** The last CN of the sequence. */
  commonName: string;
  serialNumber: string;
}

const OID = {
  country: "2.5.4.6",
  province: "2.5.4.8",
  locality: "2.5.4.7",
  streetAddress: "2.5.4.9",
  postalCode: "2.5.4.17",
  organization: "2.5.4.10",
  organizationalUnit: "2.5.4.11",
  commonName: "2.5.4.3",
  serialNumber: "2.5.4.5",
} as const;

function pkixName(name: X509.Name): PkixName {
  return {
    country: name.getField(OID.country),
    province: name.getField(OID.province),
    locality: name.getField(OID.locality),
    streetAddress: name.getField(OID.streetAddress),
    postalCode: name.getField(OID.postalCode),
    organization: name.getField(OID.organization),
    organizationalUnit: name.getField(OID.organizationalUnit),
    commonName: name.getField(OID.commonName).at(-1) ?? "",
    serialNumber: name.getField(OID.serialNumber).at(-1) ?? "",
  };
}

/**
 * pkix.Name.ToRDNSequence: the subject a certificate gets from a parsed
 * request — Go's fixed attribute order, several values of one attribute in a
 * single multi-valued RDN, attributes Go does not know dropped.
 */
export function toRdnSequence(n: PkixName): Record<string, string[]>[] {
  const out: Record<string, string[]>[] = [];
  const add = (oid: string, values: string[]) => {
    if (values.length > 0) out.push({ [oid]: values });
  };
  add(OID.country, n.country);
  add(OID.province, n.province);
  add(OID.locality, n.locality);
  add(OID.streetAddress, n.streetAddress);
  add(OID.postalCode, n.postalCode);
  add(OID.organization, n.organization);
  add(OID.organizationalUnit, n.organizationalUnit);
  if (n.commonName) add(OID.commonName, [n.commonName]);
  if (n.serialNumber) add(OID.serialNumber, [n.serialNumber]);
  return out;
}

/** The fields of Go's x509.CertificateRequest the signers and the approver look at. */
export interface CertificateRequest {
  /** The DER the request was parsed from (CertificateRequest.Raw). */
  raw: Buffer;
  request: X509.Pkcs10CertificateRequest;
  subject: PkixName;
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
}

const SAN_OID = "2.5.29.17";

/** ParseCSR (pkg/apis/certificates/helpers.go): the first PEM block must be a CERTIFICATE REQUEST. */
export async function parseCSR(pem: Buffer | string): Promise<CertificateRequest> {
  const text = typeof pem === "string" ? pem : pem.toString("latin1");
  const block = decodePemBlocks(text)[0];
  if (block?.type !== "CERTIFICATE REQUEST") {
    throw new Error("PEM block type must be CERTIFICATE REQUEST");
  }
  const x509 = await loadX509();
  let request: X509.Pkcs10CertificateRequest;
  try {
    request = new x509.Pkcs10CertificateRequest(new Uint8Array(block.der));
  } catch (e) {
    throw new Error(`x509: malformed certificate request: ${(e as Error).message}`);
  }
  const req: CertificateRequest = {
    raw: block.der,
    request,
    subject: pkixName(request.subjectName),
    dnsNames: [],
    ipAddresses: [],
    emailAddresses: [],
    uris: [],
  };
  const san = request.extensions.find((e) => e.type === SAN_OID);
  if (san) {
    let names: X509.SubjectAlternativeNameExtension;
    try {
      names = new x509.SubjectAlternativeNameExtension(san.rawData);
    } catch (e) {
      throw new Error(`x509: cannot parse subjectAltName: ${(e as Error).message}`);
    }
    for (const n of names.names.items) {
      if (n.type === "dns") req.dnsNames.push(n.value);
      else if (n.type === "ip") req.ipAddresses.push(n.value);
      else if (n.type === "email") req.emailAddresses.push(n.value);
      else if (n.type === "url") req.uris.push(n.value);
    }
  }
  return req;
}

/** NotAfter of the first PEM block's certificate (the cleaner's isExpired); undefined when it does not parse. */
export function firstCertificateNotAfter(pem: Buffer | string): Date | undefined {
  const text = typeof pem === "string" ? pem : pem.toString("latin1");
  const block = decodePemBlocks(text)[0];
  if (!block) return undefined;
  try {
    return new Date(new NodeX509Certificate(block.der).validTo);
  } catch {
    return undefined;
  }
}
