// Should this webhook see this request (upstream's generic.Webhook.ShouldCallHook)?
// Its namespaceSelector, objectSelector and rules must all match (its
// matchConditions are evaluated just before the call, as upstream's
// dispatchers do: Webhook.matchesConditions). Left out: matchPolicy
// Equivalent matches only the requested group/version/resource, as Exact
// does (k8ts serves each resource in one version and cannot convert objects
// between versions for a webhook).
import type { AdmissionAttributes } from "../../admission.ts";
import type { Webhook } from "./accessor.ts";
import type { NamespaceMatcher } from "./namespace-matcher.ts";
import { matchObjectSelector } from "./object-matcher.ts";
import { ruleMatches } from "./rules.ts";
import type { GroupVersionKind, GroupVersionResource } from "./types.ts";

/** What a matched webhook is called with: the resource and kind its rule matched. */
export interface WebhookInvocation {
  webhook: Webhook;
  resource: GroupVersionResource;
  subresource: string;
  kind: GroupVersionKind;
}

/**
 * The namespaceSelector and objectSelector of a webhook (or of a policy's
 * matchResources): false if either rules the request out, else throws the
 * StatusError of one that could not be applied, else true. A selector that
 * does not match never reports an error, even an unexpected one.
 */
export async function matchesSelectors(
  hook: Pick<Webhook, "namespaceSelector" | "objectSelector">,
  a: AdmissionAttributes,
  namespaceMatcher: NamespaceMatcher,
): Promise<boolean> {
  const ns = await namespaceMatcher.matchNamespaceSelector(hook, a);
  if (!ns.matches && !ns.err) return false;
  const obj = matchObjectSelector(hook, a);
  if (!obj.matches && !obj.err) return false;
  if (ns.err) throw ns.err;
  if (obj.err) throw obj.err;
  return true;
}

/** The invocation, undefined if the webhook does not apply, or throws a StatusError. */
export async function shouldCallHook(
  hook: Webhook,
  a: AdmissionAttributes,
  namespaceMatcher: NamespaceMatcher,
): Promise<WebhookInvocation | undefined> {
  // Every way out below without a matching rule is "not called", so the rules go first: that spares namespace reads.
  if (!hook.rules.some((r) => ruleMatches(r, a))) return undefined;
  if (!(await matchesSelectors(hook, a, namespaceMatcher))) return undefined;
  return {
    webhook: hook,
    resource: { ...a.resource },
    subresource: a.subresource,
    kind: { ...a.kind },
  };
}
