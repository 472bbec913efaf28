// objectSelector (upstream's predicates/object/matcher.go): a webhook sees a
// request only if the labels of the new or the old object match.

import type { Labels, Selector } from "../../../../machinery/labels.ts";
import { newInternalError } from "../../../../machinery/status.ts";
import type { AdmissionAttributes, Obj } from "../../admission.ts";
import type { Webhook } from "./accessor.ts";
import type { MatchResult } from "./namespace-matcher.ts";

function matchObject(obj: Obj | undefined, selector: Selector): boolean {
  // Objects without ObjectMeta (CONNECT options) have no labels to match.
  if (!obj || typeof obj.metadata !== "object" || obj.metadata === null) return false;
  return selector.matches((obj.metadata.labels ?? {}) as Labels);
}

export function matchObjectSelector(
  hook: Pick<Webhook, "objectSelector">,
  a: AdmissionAttributes,
): MatchResult {
  let selector: Selector;
  try {
    selector = hook.objectSelector();
  } catch (e) {
    return { matches: false, err: newInternalError(e as Error) };
  }
  if (selector.empty()) return { matches: true };
  return { matches: matchObject(a.object, selector) || matchObject(a.oldObject, selector) };
}
