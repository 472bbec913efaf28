// Label and selector formatting as the printers use it: labels.FormatLabels, metav1.FormatLabelSelector and
// the String() of metav1.LabelSelectorAsSelector (k8s.io/apimachinery/pkg/labels, pkg/apis/meta/v1/helpers.go).
import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";

/** labels.FormatLabels: "k1=v1,k2=v2" sorted by key, or "<none>". */
export function formatLabels(labels: Record<string, string> | null | undefined): string {
  const keys = Object.keys(labels ?? {}).sort();
  if (keys.length === 0) return "<none>";
  return keys.map((k) => `${k}=${labels?.[k]}`).join(",");
}

/**
 * labels.Selector.String() of LabelSelectorAsSelector(selector): "" for a nil selector (labels.Nothing) and for
 * an empty one (labels.Everything); requirements sorted by key; null when the selector cannot be converted.
 */
export function labelSelectorString(selector: LabelSelector | null | undefined): string | null {
  if (!selector) return "";
  const matchLabels = selector.matchLabels ?? {};
  const expressions = selector.matchExpressions ?? [];
  const requirements: { key: string; text: string }[] = [];
  for (const key of Object.keys(matchLabels)) {
    requirements.push({ key, text: `${key}=${matchLabels[key]}` });
  }
  for (const expr of expressions) {
    const values = expr.values ?? [];
    switch (expr.operator) {
      case "In":
      case "NotIn": {
        if (values.length === 0) return null;
        const op = expr.operator === "In" ? " in " : " notin ";
        const sorted = values.length === 1 ? values : [...values].sort();
        requirements.push({ key: expr.key, text: `${expr.key}${op}(${sorted.join(",")})` });
        break;
      }
      case "Exists":
        if (values.length > 0) return null;
        requirements.push({ key: expr.key, text: expr.key });
        break;
      case "DoesNotExist":
        if (values.length > 0) return null;
        requirements.push({ key: expr.key, text: `!${expr.key}` });
        break;
      default:
        return null;
    }
  }
  // internalSelector.Add sorts requirements by key.
  requirements.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return requirements.map((r) => r.text).join(",");
}

/** metav1.FormatLabelSelector: the selector string, "<none>" when empty, "<error>" when invalid. */
export function formatLabelSelector(selector: LabelSelector | null | undefined): string {
  const s = labelSelectorString(selector);
  if (s === null) return "<error>";
  return s.length === 0 ? "<none>" : s;
}
