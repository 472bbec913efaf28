// Does a policy's matchConstraints, or a binding's matchResources, take this
// request (upstream's policy/matching Matcher)? Its namespaceSelector and
// objectSelector as webhooks match them, then no excludeResourceRules rule
// and some resourceRules rule (none: any), each rule as a webhook rule plus
// its resourceNames. matchPolicy Equivalent matches as Exact does, as for
// webhooks (k8ts serves each resource in one version).
import { labelSelectorAsSelector, type Selector } from "../../../../machinery/labels.ts";
import type { AdmissionAttributes, Obj } from "../../admission.ts";
import type { NamespaceMatcher } from "../webhooks/namespace-matcher.ts";
import { type Rule, ruleMatches } from "../webhooks/rules.ts";
import { matchesSelectors } from "../webhooks/should-call-hook.ts";

/** A MatchResources with its selectors parsed once; a bad selector throws when it is used. */
class Selectors {
  private ns?: Selector;
  private obj?: Selector;

  constructor(private readonly mr: Obj) {}

  namespaceSelector(): Selector {
    this.ns ??= labelSelectorAsSelector(this.mr.namespaceSelector ?? {});
    return this.ns;
  }

  objectSelector(): Selector {
    this.obj ??= labelSelectorAsSelector(this.mr.objectSelector ?? {});
    return this.obj;
  }
}

const selectors = new WeakMap<Obj, Selectors>();

function namedRuleMatches(rule: Rule & { resourceNames?: string[] }, a: AdmissionAttributes): boolean {
  if (!ruleMatches(rule, a)) return false;
  const names = rule.resourceNames ?? [];
  return names.length === 0 || names.includes(a.name);
}

/** Whether the request is matched; throws the StatusError of a selector that cannot be used. */
export async function matchesResources(
  mr: Obj | undefined,
  a: AdmissionAttributes,
  namespaces: NamespaceMatcher,
): Promise<boolean> {
  if (!mr) return true;
  let sel = selectors.get(mr);
  if (!sel) {
    sel = new Selectors(mr);
    selectors.set(mr, sel);
  }
  if (!(await matchesSelectors(sel, a, namespaces))) return false;
  const rules = (k: string): Rule[] => (Array.isArray(mr[k]) ? mr[k] : []);
  if (rules("excludeResourceRules").some((r) => namedRuleMatches(r, a))) return false;
  const include = rules("resourceRules");
  return include.length === 0 || include.some((r) => namedRuleMatches(r, a));
}
