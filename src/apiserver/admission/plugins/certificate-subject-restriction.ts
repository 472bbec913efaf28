// CertificateSubjectRestriction (plugin/pkg/admission/certificates/
// subjectrestriction): nobody may ask the kube-apiserver-client signer for a
// certificate in the system:masters group, which would bypass every
// authorizer. Only CREATE of the main resource is checked, as upstream; other
// signers and other organizations pass.
import { webcrypto } from "node:crypto";
import type * as X509 from "@peculiar/x509";
import { SYSTEM_MASTERS } from "../../authentication/user.ts";
import type { AdmissionAttributes, Operation, ValidatingPlugin } from "../admission.ts";
import { isCSRRequest, KUBE_APISERVER_CLIENT_SIGNER_NAME } from "./certificates.ts";
import { admissionForbidden, errorMessage } from "./errors.ts";

export const CERTIFICATE_SUBJECT_RESTRICTION_PLUGIN = "CertificateSubjectRestriction";

const ORGANIZATION_OID = "2.5.4.10";

let x509Module: Promise<typeof X509> | undefined;

/** The certificate library, loaded on the first request that needs it. */
function loadX509(): Promise<typeof X509> {
  x509Module ??= (async () => {
    await import("reflect-metadata");
    const x509 = await import("@peculiar/x509");
    x509.cryptoProvider.set(webcrypto as never);
    return x509;
  })();
  return x509Module;
}

/** pem.Decode's first block: its type and DER bytes, or undefined. */
function firstPemBlock(text: string): { type: string; der: Uint8Array } | undefined {
  const m = /-----BEGIN ([^-\r\n]*)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  if (!m) return undefined;
  const body = m[2]
    .split(/\r?\n/)
    .filter((l) => !l.includes(":"))
    .join("")
    .replace(/\s+/g, "");
  return { type: m[1], der: new Uint8Array(Buffer.from(body, "base64")) };
}

/** certificates.ParseCSR, reduced to what this plugin reads: the subject's organizations (groups). */
export async function csrOrganizations(request: Buffer): Promise<string[]> {
  const block = firstPemBlock(request.toString("latin1"));
  if (block?.type !== "CERTIFICATE REQUEST") throw new Error("PEM block type must be CERTIFICATE REQUEST");
  const x509 = await loadX509();
  let csr: X509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(block.der);
  } catch {
    throw new Error("x509: malformed certificate request");
  }
  return csr.subjectName.getField(ORGANIZATION_OID);
}

export class CertificateSubjectRestriction implements ValidatingPlugin {
  readonly name = CERTIFICATE_SUBJECT_RESTRICTION_PLUGIN;

  handles(op: Operation): boolean {
    return op === "CREATE";
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (!isCSRRequest(a, "")) return;
    const csr = a.object;
    if (!csr) throw admissionForbidden(a, "expected type CertificateSigningRequest, got: <nil>");
    if (csr.spec?.signerName !== KUBE_APISERVER_CLIENT_SIGNER_NAME) return;
    const request =
      typeof csr.spec?.request === "string" ? Buffer.from(csr.spec.request, "base64") : Buffer.alloc(0);
    let organizations: string[];
    try {
      organizations = await csrOrganizations(request);
    } catch (e) {
      throw admissionForbidden(a, `failed to parse CSR: ${errorMessage(e)}`);
    }
    if (organizations.includes(SYSTEM_MASTERS)) {
      throw admissionForbidden(
        a,
        `use of ${KUBE_APISERVER_CLIENT_SIGNER_NAME} signer with system:masters group is not allowed`,
      );
    }
  }
}
