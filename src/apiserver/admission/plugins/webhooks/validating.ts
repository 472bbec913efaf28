// ValidatingAdmissionWebhook (upstream's webhook/validating dispatcher.go):
// every matching validating webhook is called at once; the request fails with
// the first error to come back (a refusal, or a call failure under
// failurePolicy Fail), and the others are logged.
import type { AuthorizeFn } from "../../../../api/cel/authorizer.ts";
import { newInternalError } from "../../../../machinery/status.ts";
import { log } from "../../../log.ts";
import type { AdmissionAttributes, Operation, ValidatingPlugin } from "../../admission.ts";
import { callWebhook } from "./call.ts";
import type { WebhookClient } from "./client.ts";
import { ErrCallingWebhook, toStatusErr } from "./errors.ts";
import type { NamespaceMatcher } from "./namespace-matcher.ts";
import { waitForReady } from "./ready.ts";
import { isExemptAdmissionConfigurationResource } from "./rules.ts";
import { shouldCallHook, type WebhookInvocation } from "./should-call-hook.ts";
import type { WebhookSource } from "./source.ts";

export const VALIDATING_PLUGIN_NAME = "ValidatingAdmissionWebhook";

export interface ValidatingWebhookOptions {
  source: WebhookSource;
  namespaceMatcher: NamespaceMatcher;
  client: Pick<WebhookClient, "post">;
  /** What match conditions' `authorizer` asks (celAuthorize of the apiserver's authorizer). */
  authorize?: AuthorizeFn;
}

export class ValidatingWebhookPlugin implements ValidatingPlugin {
  readonly name = VALIDATING_PLUGIN_NAME;

  constructor(private readonly opts: ValidatingWebhookOptions) {}

  handles(_op: Operation): boolean {
    return true;
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (isExemptAdmissionConfigurationResource(a)) return;
    await waitForReady(this.opts.source, a);
    const relevant: WebhookInvocation[] = [];
    for (const hook of this.opts.source.webhooks()) {
      const invocation = await shouldCallHook(hook, a, this.opts.namespaceMatcher);
      if (invocation) relevant.push(invocation);
    }
    if (relevant.length === 0) return;
    // Errors in the order they arrive, as upstream's channel collects them.
    const errs: Error[] = [];
    await Promise.all(
      relevant.map(async (invocation) => {
        const err = await this.callHook(invocation, a);
        if (err) errs.push(err);
      }),
    );
    if (errs.length === 0) return;
    for (const e of errs.slice(1)) log.info("rejected by webhook", { err: e.message });
    throw errs[0];
  }

  /** The error this webhook's call ends the request with, if any. */
  private async callHook(invocation: WebhookInvocation, a: AdmissionAttributes): Promise<Error | undefined> {
    const hook = invocation.webhook;
    try {
      if (!(await hook.matchesConditions(a, this.opts.authorize))) return undefined;
      const result = await callWebhook(this.opts.client, invocation, a, false);
      if (result.allowed) return undefined;
      return toStatusErr(hook.name, result.result);
    } catch (e) {
      if (e instanceof ErrCallingWebhook) {
        if (hook.failurePolicy === "Ignore") {
          log.info("Failed calling webhook, failing open", { webhook: hook.name, err: e.message });
          return undefined;
        }
        log.info("Failed calling webhook, failing closed", { webhook: hook.name, err: e.message });
        return newInternalError(e.message);
      }
      return e as Error;
    }
  }
}
