// MutatingAdmissionWebhook (upstream's webhook/mutating dispatcher.go): the
// matching mutating webhooks are called one after another, in configuration
// name order; each may refuse, or answer a JSON patch that is applied to the
// object before the next webhook sees it.
//
// reinvocationPolicy IfNeeded: upstream's admission chain runs every mutating
// plugin a second time when one of them changed the object. k8ts' chain has
// no second round, so this plugin runs its own: when a webhook changed the
// object after an IfNeeded webhook had seen it, those IfNeeded webhooks (and
// only they) are called once more. Changes made by in-tree plugins later in
// the chain do not cause a reinvocation.

import { isDeepStrictEqual } from "node:util";
import type { AuthorizeFn } from "../../../../api/cel/authorizer.ts";
import { goQuote } from "../../../../machinery/field-errors.ts";
import { applyJSONPatch, decodeJSONPatch } from "../../../../machinery/patch/json-patch.ts";
import { PatchError } from "../../../../machinery/patch/patch-error.ts";
import type { JSONValue } from "../../../../machinery/patch/strategic-merge.ts";
import { newInternalError, newServiceUnavailable } from "../../../../machinery/status.ts";
import { log } from "../../../log.ts";
import type { AdmissionAttributes, MutatingPlugin, Obj, Operation } from "../../admission.ts";
import type { Webhook } from "./accessor.ts";
import { callWebhook } from "./call.ts";
import type { WebhookClient } from "./client.ts";
import { ErrCallingWebhook, ErrWebhookRejection, toStatusErr } from "./errors.ts";
import type { NamespaceMatcher } from "./namespace-matcher.ts";
import { waitForReady } from "./ready.ts";
import { isExemptAdmissionConfigurationResource } from "./rules.ts";
import { shouldCallHook, type WebhookInvocation } from "./should-call-hook.ts";
import type { WebhookSource } from "./source.ts";

export const MUTATING_PLUGIN_NAME = "MutatingAdmissionWebhook";

export interface MutatingWebhookOptions {
  source: WebhookSource;
  namespaceMatcher: NamespaceMatcher;
  client: Pick<WebhookClient, "post">;
  /** What match conditions' `authorizer` asks (celAuthorize of the apiserver's authorizer). */
  authorize?: AuthorizeFn;
  /** Defaults a patched object, as the decoder defaults every object it reads. */
  defaulter?: (a: AdmissionAttributes, obj: Obj) => void;
}

/** Upstream's webhookReinvokeContext. */
class ReinvokeContext {
  /** IfNeeded webhooks called since the object last changed. */
  private previouslyInvoked = new Set<string>();
  /** Webhooks to call in the second round. */
  readonly reinvoke = new Set<string>();
  shouldReinvoke = false;

  requireReinvokingPreviouslyInvoked(): void {
    for (const uid of this.previouslyInvoked) this.reinvoke.add(uid);
    this.previouslyInvoked = new Set();
  }

  addReinvocable(uid: string): void {
    this.previouslyInvoked.add(uid);
  }
}

/** Replaces the contents of `target` with `source`: the registry holds a reference to the object. */
function replaceInPlace(target: Obj, source: Obj): void {
  for (const k of Object.keys(target)) delete target[k];
  Object.assign(target, source);
}

export class MutatingWebhookPlugin implements MutatingPlugin {
  readonly name = MUTATING_PLUGIN_NAME;

  constructor(private readonly opts: MutatingWebhookOptions) {}

  handles(_op: Operation): boolean {
    return true;
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (isExemptAdmissionConfigurationResource(a)) return;
    await waitForReady(this.opts.source, a);
    const hooks = this.opts.source.webhooks();
    if (hooks.length === 0) return;
    const ctx = new ReinvokeContext();
    await this.dispatch(a, hooks, ctx, 0);
    if (ctx.shouldReinvoke && ctx.reinvoke.size > 0) await this.dispatch(a, hooks, ctx, 1);
  }

  private async dispatch(
    a: AdmissionAttributes,
    hooks: Webhook[],
    ctx: ReinvokeContext,
    round: 0 | 1,
  ): Promise<void> {
    for (const hook of hooks) {
      const invocation = await shouldCallHook(hook, a, this.opts.namespaceMatcher);
      if (!invocation) continue;
      // A webhook not called in the first round is not called in the second, even if it now matches.
      if (round === 1 && !ctx.reinvoke.has(hook.uid)) continue;
      let changed = false;
      let err: unknown;
      try {
        changed = await this.callAttrMutatingHook(invocation, a);
      } catch (e) {
        err = e;
      }
      if (changed) {
        ctx.requireReinvokingPreviouslyInvoked();
        ctx.shouldReinvoke = true;
      }
      if (hook.reinvocationPolicy === "IfNeeded") ctx.addReinvocable(hook.uid);
      if (err === undefined) continue;
      if (err instanceof ErrCallingWebhook) {
        if (hook.failurePolicy === "Ignore") {
          log.info("Failed calling webhook, failing open", { webhook: hook.name, err: err.message });
          continue;
        }
        log.info("Failed calling webhook, failing closed", { webhook: hook.name, err: err.message });
        throw newInternalError(err.message);
      }
      if (err instanceof ErrWebhookRejection) throw err.status;
      throw err;
    }
  }

  /** Calls one webhook and applies its patch to a.object; true if the object changed. */
  private async callAttrMutatingHook(
    invocation: WebhookInvocation,
    a: AdmissionAttributes,
  ): Promise<boolean> {
    const hook = invocation.webhook;
    if (!(await hook.matchesConditions(a, this.opts.authorize))) return false;
    const result = await callWebhook(this.opts.client, invocation, a, true);
    if (!result.allowed) throw new ErrWebhookRejection(toStatusErr(hook.name, result.result));
    if (result.patch.length === 0) return false;
    let ops: ReturnType<typeof decodeJSONPatch>;
    try {
      ops = decodeJSONPatch(JSON.parse(result.patch.toString("utf8")));
    } catch (e) {
      throw new ErrCallingWebhook(
        hook.name,
        `received undecodable patch in webhook response: ${(e as Error).message}`,
        newServiceUnavailable("error decoding patch in webhook response"),
      );
    }
    if (ops.length === 0) return false;
    // A patch needs an object to apply to: a DELETE has none.
    if (!a.object) {
      throw newInternalError(
        `admission webhook ${goQuote(hook.name)} attempted to modify the object, which is not supported for this operation`,
      );
    }
    if (result.patchType !== "JSONPatch") {
      throw new ErrCallingWebhook(
        hook.name,
        `unsupported patch type ${goQuote(result.patchType)}`,
        toStatusErr(hook.name, result.result),
      );
    }
    // The patch applies to the object as the webhook saw it: with apiVersion and kind.
    const kind = invocation.kind;
    const before: Obj = {
      apiVersion: kind.group ? `${kind.group}/${kind.version}` : kind.version,
      kind: kind.kind,
      ...a.object,
    };
    let patched: JSONValue;
    try {
      patched = applyJSONPatch(before as JSONValue, ops);
    } catch (e) {
      if (e instanceof PatchError) throw newInternalError(e.message);
      throw e;
    }
    if (typeof patched !== "object" || patched === null || Array.isArray(patched)) {
      throw newInternalError(
        `json: cannot unmarshal ${Array.isArray(patched) ? "array" : patched === null ? "null" : typeof patched} into Go value of type ${kind.kind}`,
      );
    }
    const next = patched as Obj;
    const changed = !isDeepStrictEqual(before, next);
    replaceInPlace(a.object, next);
    this.opts.defaulter?.(a, a.object);
    return changed;
  }
}
