// CertificateSigning (plugin/pkg/admission/certificates/signing): an update
// through certificatesigningrequests/status that changes status.certificate
// or status.conditions (a signer's Failed condition) needs `sign` on the
// stored request's signerName (signers resource, exact name or "<domain>/*").
// Status updates that change neither pass. Validating only, UPDATE only.
import { semanticEqual } from "../../../api/validation/equality.ts";
import { goQuote } from "../../../machinery/field-errors.ts";
import type { Authorizer } from "../../authorization/authorizer.ts";
import type { AdmissionAttributes, Operation, ValidatingPlugin } from "../admission.ts";
import { isAuthorizedForSignerName, isCSRRequest } from "./certificates.ts";
import { admissionForbidden } from "./errors.ts";

export const CERTIFICATE_SIGNING_PLUGIN = "CertificateSigning";

export interface CertificateSigningOptions {
  /** The apiserver's whole authorizer (upstream's WantsAuthorizer). */
  authorizer: Authorizer;
}

export class CertificateSigning implements ValidatingPlugin {
  readonly name = CERTIFICATE_SIGNING_PLUGIN;

  constructor(private readonly opts: CertificateSigningOptions) {}

  handles(op: Operation): boolean {
    return op === "UPDATE";
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (!isCSRRequest(a, "status")) return;
    const oldCSR = a.oldObject;
    const csr = a.object;
    if (!oldCSR || !csr) throw admissionForbidden(a, "expected type CertificateSigningRequest, got: <nil>");
    // reflect.DeepEqual on the certificate bytes: absent and empty differ, as nil and []byte{} do.
    const sameCertificate = oldCSR.status?.certificate === csr.status?.certificate;
    if (sameCertificate && semanticEqual(oldCSR.status?.conditions, csr.status?.conditions)) return;
    const signerName: string = oldCSR.spec?.signerName ?? "";
    if (!(await isAuthorizedForSignerName(this.opts.authorizer, a.user, "sign", signerName))) {
      throw admissionForbidden(
        a,
        `user not permitted to sign requests with signerName ${goQuote(signerName)}`,
      );
    }
  }
}
