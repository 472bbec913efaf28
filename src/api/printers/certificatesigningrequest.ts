// CertificateSigningRequest printer: port of printCertificateSigningRequest and extractCSRStatus.
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { humanDuration } from "./duration.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

/** extractCSRStatus: Denied > Approved > Pending, then ",Failed" and ",Issued". */
function extractCSRStatus(csr: CertificateSigningRequest): string {
  const types = new Set((csr.status?.conditions ?? []).map((c) => c.type));
  let status = types.has("Denied") ? "Denied" : types.has("Approved") ? "Approved" : "Pending";
  if (types.has("Failed")) status += ",Failed";
  if (csr.status?.certificate) status += ",Issued";
  return status;
}

function printCertificateSigningRequest(obj: CertificateSigningRequest, ctx: PrintContext): PrintedRow {
  const expirationSeconds = obj.spec?.expirationSeconds;
  return {
    cells: [
      obj.metadata?.name ?? "",
      translateTimestampSince(obj.metadata?.creationTimestamp, ctx.now),
      obj.spec?.signerName || "<none>",
      obj.spec?.username ?? "",
      expirationSeconds === undefined || expirationSeconds === null
        ? "<none>"
        : humanDuration(expirationSeconds * 1000),
      extractCSRStatus(obj),
    ],
  };
}

const csrSpec = swaggerDoc["certificatesv1beta1.CertificateSigningRequestSpec"];

export const certificateSigningRequestPrinter: TablePrinter<CertificateSigningRequest> = {
  columns: [
    nameColumn(),
    ageColumn(),
    column("SignerName", "string", csrSpec.signerName),
    column("Requestor", "string", csrSpec.request),
    column("RequestedDuration", "string", csrSpec.expirationSeconds),
    column(
      "Condition",
      "string",
      swaggerDoc["certificatesv1beta1.CertificateSigningRequestStatus"].conditions,
    ),
  ],
  print: printCertificateSigningRequest,
};
