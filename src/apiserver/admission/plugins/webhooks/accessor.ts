// One webhook of a configuration (upstream's webhook.WebhookAccessor): its
// identity for reinvocation, its settings with v1 defaults, and its selectors
// parsed once.
import type {
  MutatingWebhook,
  MutatingWebhookConfiguration,
  ValidatingWebhook,
  ValidatingWebhookConfiguration,
  WebhookClientConfig,
} from "kubernetes-types/admissionregistration/v1.d.ts";
import type { AuthorizeFn } from "../../../../api/cel/authorizer.ts";
import { labelSelectorAsSelector, type Selector } from "../../../../machinery/labels.ts";
import type { AdmissionAttributes } from "../../admission.ts";
import {
  celAuthorize,
  compileMatchConditions,
  matchConditions,
  requestActivation,
} from "../match-conditions.ts";
import { ErrCallingWebhook } from "./errors.ts";
import type { Rule } from "./rules.ts";

export type WebhookType = "mutating" | "validating";

/** Without the apiserver's authorizer, every check of `authorizer` has no opinion. */
const NO_AUTHORIZER: AuthorizeFn = celAuthorize(undefined);

/** A selector, or the error parsing it gave (reported only when the webhook would be called). */
type Parsed = { selector: Selector } | { error: Error };

function parse(sel: MutatingWebhook["namespaceSelector"]): Parsed {
  try {
    // An absent selector is defaulted to {} in v1: everything.
    return { selector: labelSelectorAsSelector(sel ?? {}) };
  } catch (e) {
    return { error: e as Error };
  }
}

export class Webhook {
  private parsedNamespaceSelector: Parsed | undefined;
  private parsedObjectSelector: Parsed | undefined;

  constructor(
    /** `<configuration>/<webhook>/<n>`: unique even when webhook names repeat. */
    readonly uid: string,
    readonly configurationName: string,
    readonly type: WebhookType,
    readonly hook: MutatingWebhook | ValidatingWebhook,
  ) {}

  get name(): string {
    return this.hook.name;
  }

  get rules(): Rule[] {
    return this.hook.rules ?? [];
  }

  get clientConfig(): WebhookClientConfig {
    return this.hook.clientConfig ?? {};
  }

  /** v1 defaults Fail. */
  get failurePolicy(): string {
    return this.hook.failurePolicy ?? "Fail";
  }

  /** v1 defaults Equivalent. */
  get matchPolicy(): string {
    return this.hook.matchPolicy ?? "Equivalent";
  }

  /** Required in v1; undefined means a stored object from before validation. */
  get sideEffects(): string | undefined {
    return this.hook.sideEffects;
  }

  /** v1 defaults 10 seconds. */
  get timeoutSeconds(): number {
    return this.hook.timeoutSeconds ?? 10;
  }

  get admissionReviewVersions(): string[] {
    return this.hook.admissionReviewVersions ?? [];
  }

  get reinvocationPolicy(): string {
    return (this.hook as MutatingWebhook).reinvocationPolicy ?? "Never";
  }

  /** Throws the parse error of a bad selector. */
  namespaceSelector(): Selector {
    this.parsedNamespaceSelector ??= parse(this.hook.namespaceSelector);
    if ("error" in this.parsedNamespaceSelector) throw this.parsedNamespaceSelector.error;
    return this.parsedNamespaceSelector.selector;
  }

  /**
   * Whether the request passes the webhook's matchConditions (CEL); a failure
   * to evaluate them is a failure to call the webhook, for its failurePolicy.
   */
  async matchesConditions(a: AdmissionAttributes, authorize = NO_AUTHORIZER): Promise<boolean> {
    const conditions = this.hook.matchConditions ?? [];
    if (conditions.length === 0) return true;
    const m = await matchConditions(compileMatchConditions(conditions), requestActivation(a, authorize));
    if (m instanceof Error)
      throw new ErrCallingWebhook(this.name, `failed to evaluate match conditions: ${m.message}`);
    return m;
  }

  /** Throws the parse error of a bad selector. */
  objectSelector(): Selector {
    this.parsedObjectSelector ??= parse(this.hook.objectSelector);
    if ("error" in this.parsedObjectSelector) throw this.parsedObjectSelector.error;
    return this.parsedObjectSelector.selector;
  }
}

/**
 * mergeMutatingWebhookConfigurations / mergeValidatingWebhookConfigurations:
 * configurations sorted by name (they run in this order), each one's webhooks
 * in the order the user gave, repeated names told apart by a counter.
 */
export function mergeConfigurations(
  type: WebhookType,
  configurations: Iterable<MutatingWebhookConfiguration | ValidatingWebhookConfiguration>,
): Webhook[] {
  const sorted = [...configurations].sort((a, b) => {
    const x = a.metadata?.name ?? "";
    const y = b.metadata?.name ?? "";
    return x < y ? -1 : x > y ? 1 : 0;
  });
  const out: Webhook[] = [];
  for (const c of sorted) {
    const configName = c.metadata?.name ?? "";
    const seen = new Map<string, number>();
    for (const hook of c.webhooks ?? []) {
      const n = seen.get(hook.name) ?? 0;
      seen.set(hook.name, n + 1);
      out.push(new Webhook(`${configName}/${hook.name}/${n}`, configName, type, hook));
    }
  }
  return out;
}
