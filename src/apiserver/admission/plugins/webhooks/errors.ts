// Webhook errors (k8s.io/apiserver/pkg/util/webhook/error.go and
// admission/plugin/webhook/errors/statuserror.go): a failure to talk to a
// webhook, which the failurePolicy may ignore, and a webhook's refusal, which
// always stands.
import { goQuote } from "../../../../machinery/field-errors.ts";
import {
  makeStatus,
  newBadRequest,
  type StatusDetails,
  StatusError,
  type StatusReason,
} from "../../../../machinery/status.ts";
import type { WebhookStatus } from "./types.ts";

/** A transport-layer failure calling a webhook, not the webhook rejecting the request. */
export class ErrCallingWebhook extends Error {
  constructor(
    readonly webhookName: string,
    readonly reason: string | undefined,
    /** The status upstream records in metrics; not sent to the client. */
    readonly status?: StatusError,
  ) {
    super(
      reason !== undefined
        ? `failed calling webhook ${goQuote(webhookName)}: ${reason}`
        : `failed calling webhook ${goQuote(webhookName)}; no further details available`,
    );
    this.name = "ErrCallingWebhook";
  }
}

/** A webhook that answered and refused the request. */
export class ErrWebhookRejection extends Error {
  constructor(readonly status: StatusError) {
    super(status.message);
    this.name = "ErrWebhookRejection";
  }
}

/**
 * ToStatusErr: the refusal the client sees, built from the webhook's
 * response.status — a code below 400 becomes 400, and the message names the
 * webhook.
 */
export function toStatusErr(webhookName: string, result: WebhookStatus | undefined): StatusError {
  const deniedBy = `admission webhook ${goQuote(webhookName)} denied the request`;
  const r: WebhookStatus = result ? structuredClone(result) : { status: "Failure" };
  let code = typeof r.code === "number" ? r.code : 0;
  if (code < 400) code = 400;
  if (!r.status || r.status === "Success") r.status = "Failure";
  let message: string;
  if (r.message) message = `${deniedBy}: ${r.message}`;
  else if (r.reason) message = `${deniedBy}: ${r.reason}`;
  else message = `${deniedBy} without explanation`;
  return new StatusError(
    makeStatus({
      status: r.status as "Failure",
      message,
      reason: (r.reason ?? "") as StatusReason,
      details: r.details as StatusDetails | undefined,
      code,
    }),
  );
}

/** NewDryRunUnsupportedErr: 400 for a dry run reaching a webhook that has side effects. */
export function newDryRunUnsupportedErr(webhookName: string): StatusError {
  return newBadRequest(`admission webhook ${goQuote(webhookName)} does not support dry run`);
}
