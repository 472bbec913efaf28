// certificates.k8s.io/v1 CertificateSigningRequest validation
// (pkg/apis/certificates/validation, v1.32). The request and certificate
// PEM data is checked for shape and parsed (certificates with node:crypto, requests' DER structure); the CSR's
// signature is not verified.

import { X509Certificate } from "node:crypto";
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import {
  duplicate,
  type FieldError,
  forbidden,
  GoValue,
  invalid,
  newPath,
  notSupported,
  required,
} from "../../machinery/field-errors.ts";
import { validateObjectMeta, validateObjectMetaUpdate } from "./common.ts";
import { specDiff } from "./diff.ts";
import { semanticEqual } from "./equality.ts";
import { validateSignerName } from "./volumes.ts";

const metaPath = newPath("metadata");
const legacyUnknownSignerName = "kubernetes.io/legacy-unknown";

const allValidUsages = [
  "any",
  "cert sign",
  "client auth",
  "code signing",
  "content commitment",
  "crl sign",
  "data encipherment",
  "decipher only",
  "digital signature",
  "email protection",
  "encipher only",
  "ipsec end system",
  "ipsec tunnel",
  "ipsec user",
  "key agreement",
  "key encipherment",
  "microsoft sgc",
  "netscape sgc",
  "ocsp signing",
  "s/mime",
  "server auth",
  "signing",
  "timestamping",
];

const trueConditionTypes = new Set(["Approved", "Denied", "Failed"]);

interface PemBlock {
  type: string;
  headers: boolean;
  der: Buffer;
}

/** pem.Decode: the first block and the rest, or null. */
function pemDecode(data: string): { block: PemBlock; rest: string } | null {
  const begin = /-----BEGIN ([^-\r\n]*)-----\r?\n/.exec(data);
  if (!begin) return null;
  const type = begin[1];
  const afterBegin = begin.index + begin[0].length;
  const endMarker = `-----END ${type}-----`;
  const end = data.indexOf(endMarker, afterBegin);
  if (end < 0) return null;
  const body = data.slice(afterBegin, end);
  const headers = /^[^\n]*:/.test(body.split("\n")[0] ?? "");
  const base64 = body
    .split("\n")
    .filter((l) => !l.includes(":"))
    .join("")
    .replace(/\s+/g, "");
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(base64)) return null;
  return {
    block: { type, headers, der: Buffer.from(base64, "base64") },
    rest: data.slice(end + endMarker.length),
  };
}

function decodeBase64Field(v: unknown): Buffer {
  return typeof v === "string" ? Buffer.from(v, "base64") : Buffer.alloc(0);
}

/** %#v of a []byte: `[]byte{0x2d, 0x2d, ...}`. */
function goBytes(b: Buffer): GoValue {
  if (b.length === 0) return new GoValue("[]byte(nil)");
  return new GoValue(`[]byte{${[...b].map((x) => `0x${x.toString(16)}`).join(", ")}}`);
}

/** ParseCSR: the error text, or null when the request parses. */
function csrError(request: Buffer): string | null {
  const decoded = pemDecode(request.toString("latin1"));
  if (decoded === null || decoded.block.type !== "CERTIFICATE REQUEST")
    return "PEM block type must be CERTIFICATE REQUEST";
  return isCertificationRequestDer(decoded.block.der) ? null : "asn1: structure error: tags don't match";
}

/** One DER element at `at`: its tag and where its content starts and ends, or null when malformed. */
function derElement(der: Uint8Array, at: number): { tag: number; start: number; end: number } | null {
  if (at + 2 > der.length) return null;
  const tag = der[at];
  let len = der[at + 1];
  let start = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || start + n > der.length) return null;
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + der[start + i];
    start += n;
  }
  const end = start + len;
  return end > der.length ? null : { tag, start, end };
}

/** PKCS#10's outer shape: SEQUENCE { SEQUENCE info, SEQUENCE algorithm, BIT STRING signature }. */
function isCertificationRequestDer(der: Uint8Array): boolean {
  const outer = derElement(der, 0);
  if (outer?.tag !== 0x30 || outer.end !== der.length) return false;
  let at = outer.start;
  for (const want of [0x30, 0x30, 0x03]) {
    const el = derElement(der, at);
    if (!el || el.tag !== want) return false;
    at = el.end;
  }
  return at === outer.end;
}

/** validateCertificate: status.certificate holds only CERTIFICATE blocks. */
function certificateError(pem: Buffer): string | null {
  if (pem.length === 0) return null;
  let data = pem.toString("latin1");
  let blocks = 0;
  for (;;) {
    const decoded = pemDecode(data);
    if (decoded === null) break;
    if (decoded.block.type !== "CERTIFICATE")
      return `only CERTIFICATE PEM blocks are allowed, found ${JSON.stringify(decoded.block.type)}`;
    if (decoded.block.headers) return "no PEM block headers are permitted";
    blocks++;
    try {
      new X509Certificate(decoded.block.der);
    } catch {
      return "x509: malformed certificate";
    }
    data = decoded.rest;
  }
  if (blocks === 0) return "must contain at least one CERTIFICATE PEM block";
  return null;
}

interface CSROptions {
  allowSettingApprovalConditions: boolean;
  allowSettingCertificate: boolean;
  allowBothApprovedAndDenied: boolean;
  allowResettingCertificate: boolean;
  allowLegacySignerName: boolean;
  allowDuplicateConditionTypes: boolean;
  allowEmptyConditionType: boolean;
  allowArbitraryCertificate: boolean;
  allowUnknownUsages: boolean;
  allowDuplicateUsages: boolean;
}

function conditionsOf(csr: CertificateSigningRequest | null) {
  return csr?.status?.conditions ?? [];
}

function getValidationOptions(
  csr: CertificateSigningRequest,
  old: CertificateSigningRequest | null,
): CSROptions {
  const oldConds = conditionsOf(old);
  const types = oldConds.map((c) => c.type ?? "");
  const sameCert =
    old !== null &&
    decodeBase64Field(csr.status?.certificate).equals(decodeBase64Field(old.status?.certificate));
  return {
    allowSettingApprovalConditions: false,
    allowSettingCertificate: false,
    allowResettingCertificate: false,
    allowBothApprovedAndDenied: types.includes("Approved") && types.includes("Denied"),
    allowLegacySignerName: old !== null && old.spec?.signerName === legacyUnknownSignerName,
    allowDuplicateConditionTypes: old !== null && new Set(types).size !== types.length,
    allowEmptyConditionType: old !== null && types.includes(""),
    allowArbitraryCertificate:
      sameCert || (old !== null && certificateError(decodeBase64Field(old.status?.certificate)) !== null),
    allowUnknownUsages: old !== null && (old.spec?.usages ?? []).some((u) => !allValidUsages.includes(u)),
    allowDuplicateUsages:
      old !== null && new Set(old.spec?.usages ?? []).size !== (old.spec?.usages ?? []).length,
  };
}

function validateCSR(csr: CertificateSigningRequest, opts: CSROptions): FieldError[] {
  const errs = validateObjectMeta(csr.metadata, false, () => [], metaPath);
  const specPath = newPath("spec");
  const request = decodeBase64Field(csr.spec?.request);
  const err = csrError(request);
  if (err !== null) errs.push(invalid(specPath.child("request"), goBytes(request), err));
  const usages = csr.spec?.usages ?? [];
  if (usages.length === 0) errs.push(required(specPath.child("usages"), ""));
  if (!opts.allowUnknownUsages) {
    usages.forEach((u, i) => {
      if (!allValidUsages.includes(u))
        errs.push(notSupported(specPath.child("usages").index(i), u, allValidUsages));
    });
  }
  if (!opts.allowDuplicateUsages) {
    const seen = new Set<string>();
    usages.forEach((u, i) => {
      if (seen.has(u)) errs.push(duplicate(specPath.child("usages").index(i), u));
      seen.add(u);
    });
  }
  const signer = csr.spec?.signerName ?? "";
  if (!opts.allowLegacySignerName && signer === legacyUnknownSignerName) {
    errs.push(
      invalid(
        specPath.child("signerName"),
        signer,
        "the legacy signerName is not allowed via this API version",
      ),
    );
  } else {
    errs.push(...validateSignerName(specPath.child("signerName"), signer));
  }
  const exp = csr.spec?.expirationSeconds;
  if (exp != null && exp < 600) {
    errs.push(
      invalid(
        specPath.child("expirationSeconds"),
        exp,
        "may not specify a duration less than 600 seconds (10 minutes)",
      ),
    );
  }
  const condPath = newPath("status", "conditions");
  const seenTypes = new Set<string>();
  let hasApproved = false;
  let hasDenied = false;
  conditionsOf(csr).forEach((c, i) => {
    const type = c.type ?? "";
    const status = c.status ?? "";
    const p = condPath.index(i);
    if (!opts.allowEmptyConditionType && type.length === 0) errs.push(required(p.child("type"), ""));
    const allowed = trueConditionTypes.has(type) ? ["True"] : ["False", "True", "Unknown"];
    if (status === "") errs.push(required(p.child("status"), ""));
    else if (!allowed.includes(status)) errs.push(notSupported(p.child("status"), status, allowed));
    if (!opts.allowBothApprovedAndDenied) {
      if (type === "Approved") {
        hasApproved = true;
        if (hasDenied)
          errs.push(invalid(p.child("type"), type, "Approved and Denied conditions are mutually exclusive"));
      } else if (type === "Denied") {
        hasDenied = true;
        if (hasApproved)
          errs.push(invalid(p.child("type"), type, "Approved and Denied conditions are mutually exclusive"));
      }
    }
    if (!opts.allowDuplicateConditionTypes) {
      if (seenTypes.has(type)) errs.push(duplicate(p.child("type"), type));
      seenTypes.add(type);
    }
  });
  if (!opts.allowArbitraryCertificate) {
    const certErr = certificateError(decodeBase64Field(csr.status?.certificate));
    if (certErr !== null) errs.push(invalid(newPath("status", "certificate"), "<certificate data>", certErr));
  }
  return errs;
}

function validateCSRUpdate(
  csr: CertificateSigningRequest,
  old: CertificateSigningRequest,
  opts: CSROptions,
): FieldError[] {
  const errs = validateCSR(csr, opts);
  const metaErrs = validateObjectMetaUpdate(csr.metadata, old.metadata, metaPath);
  const find = (x: CertificateSigningRequest, t: string) => conditionsOf(x).filter((c) => c.type === t);
  const condPath = newPath("status", "conditions");
  for (const t of ["Approved", "Denied", "Failed"]) {
    if (find(csr, t).length < find(old, t).length)
      errs.push(forbidden(condPath, `updates may not remove a condition of type "${t}"`));
  }
  if (!opts.allowSettingApprovalConditions) {
    for (const t of ["Approved", "Denied"]) {
      const o = find(old, t);
      const n = find(csr, t);
      if (n.length < o.length) continue;
      if (n.length > o.length)
        errs.push(forbidden(condPath, `updates may not add a condition of type "${t}"`));
      else if (!semanticEqual(o, n)) {
        const diff = specDiff(
          "[]certificates.CertificateSigningRequestCondition",
          { conditions: o },
          { conditions: n },
        );
        errs.push(forbidden(condPath, `updates may not modify a condition of type "${t}"\n${diff}`));
      }
    }
  }
  const newCert = decodeBase64Field(csr.status?.certificate);
  const oldCert = decodeBase64Field(old.status?.certificate);
  if (!newCert.equals(oldCert)) {
    if (!opts.allowSettingCertificate) {
      errs.push(forbidden(newPath("status", "certificate"), "updates may not set certificate content"));
    } else if (!opts.allowResettingCertificate && oldCert.length > 0) {
      errs.push(
        forbidden(newPath("status", "certificate"), "updates may not modify existing certificate content"),
      );
    }
  }
  return [...errs, ...metaErrs];
}

/** ValidateCertificateSigningRequestCreate. */
export function validateCertificateSigningRequest(csr: CertificateSigningRequest): FieldError[] {
  return validateCSR(csr, getValidationOptions(csr, null));
}

/** ValidateCertificateSigningRequestUpdate. */
export function validateCertificateSigningRequestUpdate(
  csr: CertificateSigningRequest,
  old: CertificateSigningRequest,
): FieldError[] {
  return validateCSRUpdate(csr, old, getValidationOptions(csr, old));
}

/** ValidateCertificateSigningRequestStatusUpdate: the signer may set status.certificate. */
export function validateCertificateSigningRequestStatusUpdate(
  csr: CertificateSigningRequest,
  old: CertificateSigningRequest,
): FieldError[] {
  const opts = getValidationOptions(csr, old);
  opts.allowSettingCertificate = true;
  return validateCSRUpdate(csr, old, opts);
}

/** ValidateCertificateSigningRequestApprovalUpdate: the /approval subresource may set Approved or Denied. */
export function validateCertificateSigningRequestApprovalUpdate(
  csr: CertificateSigningRequest,
  old: CertificateSigningRequest,
): FieldError[] {
  const opts = getValidationOptions(csr, old);
  opts.allowSettingApprovalConditions = true;
  return validateCSRUpdate(csr, old, opts);
}
