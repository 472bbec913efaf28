// One call of one webhook, as both dispatchers make it (upstream's callHook /
// callAttrMutatingHook up to the response): the dry-run check, the review,
// the POST, the checks on the answer, and its warnings. Refusals and patches
// are for the caller. Left out: the answer's auditAnnotations (no audit log yet).
import { randomUUID } from "node:crypto";
import { newBadRequest, newServiceUnavailable, type StatusError } from "../../../../machinery/status.ts";
import type { AdmissionAttributes } from "../../admission.ts";
import {
  createAdmissionReview,
  decodeAdmissionReview,
  pickAdmissionReviewVersion,
  type VerifiedResponse,
  verifyAdmissionResponse,
} from "./admission-review.ts";
import type { WebhookClient } from "./client.ts";
import { WebhookCallError } from "./client.ts";
import { ErrCallingWebhook, newDryRunUnsupportedErr } from "./errors.ts";
import type { WebhookInvocation } from "./should-call-hook.ts";

/** Throws ErrCallingWebhook (subject to failurePolicy) or a StatusError. */
export async function callWebhook(
  client: Pick<WebhookClient, "post">,
  invocation: WebhookInvocation,
  a: AdmissionAttributes,
  mutating: boolean,
): Promise<VerifiedResponse> {
  const hook = invocation.webhook;
  const name = hook.name;
  if (a.dryRun) {
    if (hook.sideEffects === undefined) {
      throw new ErrCallingWebhook(
        name,
        "Webhook SideEffects is nil",
        newBadRequest("Webhook SideEffects is nil"),
      );
    }
    if (hook.sideEffects !== "None" && hook.sideEffects !== "NoneOnDryRun")
      throw newDryRunUnsupportedErr(name);
  }
  const version = pickAdmissionReviewVersion(hook.admissionReviewVersions);
  if (!version) {
    throw new ErrCallingWebhook(
      name,
      "could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)",
      newBadRequest("error creating admission objects"),
    );
  }
  const uid = randomUUID();
  const review = createAdmissionReview(version, uid, a, invocation);
  let answer: ReturnType<typeof decodeAdmissionReview>;
  try {
    answer = decodeAdmissionReview(await client.post(name, hook.clientConfig, review, hook.timeoutSeconds));
  } catch (e) {
    if (e instanceof ErrCallingWebhook) {
      throw new ErrCallingWebhook(
        name,
        `could not get REST client: ${e.message}`,
        newBadRequest("error getting REST client"),
      );
    }
    const status: StatusError =
      e instanceof WebhookCallError && e.status
        ? e.status
        : mutating
          ? newServiceUnavailable("error calling webhook")
          : newBadRequest("error calling webhook");
    throw new ErrCallingWebhook(name, `failed to call webhook: ${(e as Error).message}`, status);
  }
  let result: VerifiedResponse;
  try {
    result = verifyAdmissionResponse(version, uid, mutating, answer);
  } catch (e) {
    throw new ErrCallingWebhook(
      name,
      `received invalid webhook response: ${(e as Error).message}`,
      newServiceUnavailable("error validating webhook response"),
    );
  }
  // The warning recorder keeps one copy of each text.
  for (const w of result.warnings) if (!a.warnings.includes(w)) a.warnings.push(w);
  return result;
}
