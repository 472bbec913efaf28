// CertificateApproval (plugin/pkg/admission/certificates/approval): any
// update through certificatesigningrequests/approval needs `approve` on the
// request's signerName (signers resource, exact name or "<domain>/*"). The
// stored object's signerName is the one checked, so a request cannot name
// another signer on its way through. Validating only, UPDATE only, as upstream.
import { goQuote } from "../../../machinery/field-errors.ts";
import type { Authorizer } from "../../authorization/authorizer.ts";
import type { AdmissionAttributes, Operation, ValidatingPlugin } from "../admission.ts";
import { isAuthorizedForSignerName, isCSRRequest } from "./certificates.ts";
import { admissionForbidden } from "./errors.ts";

export const CERTIFICATE_APPROVAL_PLUGIN = "CertificateApproval";

export interface CertificateApprovalOptions {
  /** The apiserver's whole authorizer (upstream's WantsAuthorizer). */
  authorizer: Authorizer;
}

export class CertificateApproval implements ValidatingPlugin {
  readonly name = CERTIFICATE_APPROVAL_PLUGIN;

  constructor(private readonly opts: CertificateApprovalOptions) {}

  handles(op: Operation): boolean {
    return op === "UPDATE";
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (!isCSRRequest(a, "approval")) return;
    const csr = a.oldObject;
    if (!csr) throw admissionForbidden(a, "expected type CertificateSigningRequest, got: <nil>");
    const signerName: string = csr.spec?.signerName ?? "";
    if (!(await isAuthorizedForSignerName(this.opts.authorizer, a.user, "approve", signerName))) {
      throw admissionForbidden(
        a,
        `user not permitted to approve requests with signerName ${goQuote(signerName)}`,
      );
    }
  }
}
