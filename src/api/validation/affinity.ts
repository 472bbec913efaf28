// Scheduling constraints of a pod spec: node selectors and affinity, pod
// (anti-)affinity, tolerations and taints, topology spread constraints
// (pkg/apis/core/validation, v1.32).

import type {
  Affinity,
  NodeSelector,
  NodeSelectorRequirement,
  NodeSelectorTerm,
  PodAffinityTerm,
  Taint,
  Toleration,
  TopologySpreadConstraint,
  WeightedPodAffinityTerm,
} from "kubernetes-types/core/v1.d.ts";
import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";
import {
  duplicate,
  ErrorType,
  FieldError,
  forbidden,
  GoValue,
  goQuote,
  invalid,
  notSupported,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { nameIsDNSSubdomain, validateLabelName, validateNamespaceName } from "../../machinery/object-meta.ts";
import { isValidLabelValue } from "../../machinery/validation.ts";
import { append, isNotPositiveErrorMsg, validateLabelSelector } from "./common.ts";

export const taintEffects = ["NoSchedule", "PreferNoSchedule", "NoExecute"];

/** validateTaintEffect. */
export function validateTaintEffect(effect: string, allowEmpty: boolean, path: Path): FieldError[] {
  if (!allowEmpty && effect.length === 0) return [required(path, "")];
  if (taintEffects.includes(effect)) return [];
  return [notSupported(path, effect, taintEffects)];
}

/** ValidateTolerations. */
export function validateTolerations(tolerations: readonly Toleration[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  tolerations.forEach((t, i) => {
    const idx = path.index(i);
    const key = t.key ?? "";
    const operator = t.operator ?? "";
    const effect = t.effect ?? "";
    const value = t.value ?? "";
    if (key.length > 0) append(errs, validateLabelName(key, idx.child("key")));
    if (key.length === 0 && operator !== "Exists") {
      errs.push(
        invalid(
          idx.child("operator"),
          operator,
          'operator must be Exists when `key` is empty, which means "match all values and all keys"',
        ),
      );
    }
    if (t.tolerationSeconds != null && effect !== "NoExecute") {
      errs.push(
        invalid(idx.child("effect"), effect, "effect must be 'NoExecute' when `tolerationSeconds` is set"),
      );
    }
    switch (operator) {
      case "Equal":
      case "": {
        const msgs = isValidLabelValue(value);
        if (msgs.length !== 0) errs.push(invalid(idx.child("operator"), value, msgs.join(";")));
        break;
      }
      case "Exists":
        if (value.length > 0) {
          errs.push(invalid(idx.child("operator"), value, "value must be empty when `operator` is 'Exists'"));
        }
        break;
      default:
        errs.push(notSupported(idx.child("operator"), operator, ["Equal", "Exists"]));
    }
    if (effect.length > 0) append(errs, validateTaintEffect(effect, true, idx.child("effect")));
  });
  return errs;
}

function goTaint(t: Taint): GoValue {
  const added = t.timeAdded == null ? "(*v1.Time)(nil)" : "(*v1.Time)(0xc000000000)";
  return new GoValue(
    `core.Taint{Key:${goQuote(t.key ?? "")}, Value:${goQuote(t.value ?? "")}, Effect:${goQuote(t.effect ?? "")}, TimeAdded:${added}}`,
  );
}

/** validateNodeTaints. */
export function validateNodeTaints(taints: readonly Taint[], path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const unique = new Map<string, Set<string>>();
  taints.forEach((t, i) => {
    const idx = path.index(i);
    const key = t.key ?? "";
    const effect = t.effect ?? "";
    append(errs, validateLabelName(key, idx.child("key")));
    const msgs = isValidLabelValue(t.value ?? "");
    if (msgs.length !== 0) errs.push(invalid(idx.child("value"), t.value ?? "", msgs.join(";")));
    append(errs, validateTaintEffect(effect, false, idx.child("effect")));
    const keys = unique.get(effect);
    if (keys?.has(key)) {
      errs.push(
        new FieldError(
          ErrorType.Duplicate,
          idx.toString(),
          goTaint(t),
          "taints must be unique by key and effect pair",
        ),
      );
      return;
    }
    if (!keys) unique.set(effect, new Set([key]));
    else keys.add(key);
  });
  return errs;
}

/** ValidateNodeSelectorRequirement. */
export function validateNodeSelectorRequirement(
  rq: NodeSelectorRequirement,
  allowInvalidLabelValue: boolean,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const values = rq.values ?? [];
  switch (rq.operator) {
    case "In":
    case "NotIn":
      if (values.length === 0) {
        errs.push(required(path.child("values"), "must be specified when `operator` is 'In' or 'NotIn'"));
      }
      break;
    case "Exists":
    case "DoesNotExist":
      if (values.length > 0) {
        errs.push(
          forbidden(
            path.child("values"),
            "may not be specified when `operator` is 'Exists' or 'DoesNotExist'",
          ),
        );
      }
      break;
    case "Gt":
    case "Lt":
      if (values.length !== 1) {
        errs.push(
          required(path.child("values"), "must be specified single value when `operator` is 'Lt' or 'Gt'"),
        );
      }
      break;
    default:
      errs.push(invalid(path.child("operator"), rq.operator ?? "", "not a valid selector operator"));
  }
  append(errs, validateLabelName(rq.key ?? "", path.child("key")));
  if (!allowInvalidLabelValue) {
    values.forEach((v, i) => {
      for (const msg of isValidLabelValue(v)) errs.push(invalid(path.child("values").index(i), v, msg));
    });
  }
  return errs;
}

/** ValidateNodeFieldSelectorRequirement: only metadata.name, with In/NotIn and one value. */
function validateNodeFieldSelectorRequirement(req: NodeSelectorRequirement, path: Path): FieldError[] {
  const errs: FieldError[] = [];
  const values = req.values ?? [];
  switch (req.operator) {
    case "In":
    case "NotIn":
      if (values.length !== 1) {
        errs.push(
          required(
            path.child("values"),
            "must be only one value when `operator` is 'In' or 'NotIn' for node field selector",
          ),
        );
      }
      break;
    default:
      errs.push(invalid(path.child("operator"), req.operator ?? "", "not a valid selector operator"));
  }
  if (req.key !== "metadata.name") {
    errs.push(invalid(path.child("key"), req.key ?? "", "not a valid field selector key"));
  } else {
    values.forEach((v, i) => {
      for (const msg of nameIsDNSSubdomain(v, false))
        errs.push(invalid(path.child("values").index(i), v, msg));
    });
  }
  return errs;
}

/** ValidateNodeSelectorTerm. */
export function validateNodeSelectorTerm(
  term: NodeSelectorTerm,
  allowInvalidLabelValue: boolean,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  (term.matchExpressions ?? []).forEach((req, j) => {
    append(
      errs,
      validateNodeSelectorRequirement(req, allowInvalidLabelValue, path.child("matchExpressions").index(j)),
    );
  });
  (term.matchFields ?? []).forEach((req, j) => {
    append(errs, validateNodeFieldSelectorRequirement(req, path.child("matchFields").index(j)));
  });
  return errs;
}

/** ValidateNodeSelector. */
export function validateNodeSelector(
  ns: NodeSelector,
  allowInvalidLabelValue: boolean,
  path: Path,
): FieldError[] {
  const termPath = path.child("nodeSelectorTerms");
  const terms = ns.nodeSelectorTerms ?? [];
  if (terms.length === 0) return [required(termPath, "must have at least one node selector term")];
  const errs: FieldError[] = [];
  terms.forEach((t, i) => {
    append(errs, validateNodeSelectorTerm(t, allowInvalidLabelValue, termPath.index(i)));
  });
  return errs;
}

function validateLabelKeys(
  path: Path,
  keys: readonly string[],
  selector: LabelSelector | null | undefined,
): FieldError[] {
  if (keys.length === 0) return [];
  if (selector == null) return [forbidden(path, "must not be specified when labelSelector is not set")];
  const errs: FieldError[] = [];
  keys.forEach((k, i) => {
    append(errs, validateLabelName(k, path.index(i)));
  });
  return errs;
}

/** validateMatchLabelKeysAndMismatchLabelKeys. */
function validateMatchLabelKeysAndMismatchLabelKeys(
  path: Path,
  matchLabelKeys: readonly string[],
  mismatchLabelKeys: readonly string[],
  selector: LabelSelector | null | undefined,
): FieldError[] {
  const errs: FieldError[] = [];
  append(errs, validateLabelKeys(path.child("matchLabelKeys"), matchLabelKeys, selector));
  append(errs, validateLabelKeys(path.child("mismatchLabelKeys"), mismatchLabelKeys, selector));
  if (selector != null) {
    const keyIndex = new Map<string, number>();
    matchLabelKeys.forEach((k, i) => {
      keyIndex.set(k, i);
    });
    const selectorKeys = new Set(Object.keys(selector.matchLabels ?? {}));
    for (const expr of selector.matchExpressions ?? []) {
      const key = expr.key ?? "";
      const i = keyIndex.get(key);
      if (i !== undefined && selectorKeys.has(key)) {
        errs.push(invalid(path.index(i), key, "exists in both matchLabelKeys and labelSelector"));
      }
      selectorKeys.add(key);
    }
  }
  const mismatch = new Set(mismatchLabelKeys);
  matchLabelKeys.forEach((k, i) => {
    if (mismatch.has(k)) {
      errs.push(
        invalid(
          path.child("matchLabelKeys").index(i),
          k,
          "exists in both matchLabelKeys and mismatchLabelKeys",
        ),
      );
    }
  });
  return errs;
}

/** validatePodAffinityTerm. */
function validatePodAffinityTerm(
  term: PodAffinityTerm,
  allowInvalidLabelValue: boolean,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  const opts = { allowInvalidLabelValueInSelector: allowInvalidLabelValue };
  append(errs, validateLabelSelector(term.labelSelector, opts, path.child("labelSelector")));
  append(errs, validateLabelSelector(term.namespaceSelector, opts, path.child("namespaceSelector")));
  for (const name of term.namespaces ?? []) {
    for (const msg of validateNamespaceName(name, false))
      errs.push(invalid(path.child("namespace"), name, msg));
  }
  append(
    errs,
    validateMatchLabelKeysAndMismatchLabelKeys(
      path,
      term.matchLabelKeys ?? [],
      term.mismatchLabelKeys ?? [],
      term.labelSelector,
    ),
  );
  const topologyKey = term.topologyKey ?? "";
  if (topologyKey.length === 0) errs.push(required(path.child("topologyKey"), "can not be empty"));
  append(errs, validateLabelName(topologyKey, path.child("topologyKey")));
  return errs;
}

function validatePodAffinityTerms(
  terms: readonly PodAffinityTerm[],
  allow: boolean,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  terms.forEach((t, i) => {
    append(errs, validatePodAffinityTerm(t, allow, path.index(i)));
  });
  return errs;
}

function validateWeightedPodAffinityTerms(
  terms: readonly WeightedPodAffinityTerm[],
  allow: boolean,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  terms.forEach((t, j) => {
    const weight = t.weight ?? 0;
    if (weight <= 0 || weight > 100)
      errs.push(invalid(path.index(j).child("weight"), weight, "must be in the range 1-100"));
    append(
      errs,
      validatePodAffinityTerm(
        t.podAffinityTerm ?? ({} as PodAffinityTerm),
        allow,
        path.index(j).child("podAffinityTerm"),
      ),
    );
  });
  return errs;
}

export interface AffinityOptions {
  allowInvalidLabelValueInSelector?: boolean;
  allowInvalidLabelValueInRequiredNodeAffinity?: boolean;
}

/** validateAffinity. */
export function validateAffinity(
  affinity: Affinity | null | undefined,
  opts: AffinityOptions,
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  if (affinity == null) return errs;
  const na = affinity.nodeAffinity;
  if (na != null) {
    const p = path.child("nodeAffinity");
    if (na.requiredDuringSchedulingIgnoredDuringExecution != null) {
      append(
        errs,
        validateNodeSelector(
          na.requiredDuringSchedulingIgnoredDuringExecution,
          opts.allowInvalidLabelValueInRequiredNodeAffinity ?? false,
          p.child("requiredDuringSchedulingIgnoredDuringExecution"),
        ),
      );
    }
    const preferred = na.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    preferred.forEach((term, i) => {
      const tp = p.child("preferredDuringSchedulingIgnoredDuringExecution").index(i);
      const weight = term.weight ?? 0;
      if (weight <= 0 || weight > 100)
        errs.push(invalid(tp.child("weight"), weight, "must be in the range 1-100"));
      // Preferred terms always tolerate invalid label values: they can still succeed on a one-node cluster.
      append(errs, validateNodeSelectorTerm(term.preference ?? {}, true, tp.child("preference")));
    });
  }
  const allow = opts.allowInvalidLabelValueInSelector ?? false;
  for (const [field, value] of [
    ["podAffinity", affinity.podAffinity],
    ["podAntiAffinity", affinity.podAntiAffinity],
  ] as const) {
    if (value == null) continue;
    const p = path.child(field);
    if (value.requiredDuringSchedulingIgnoredDuringExecution != null) {
      append(
        errs,
        validatePodAffinityTerms(
          value.requiredDuringSchedulingIgnoredDuringExecution,
          allow,
          p.child("requiredDuringSchedulingIgnoredDuringExecution"),
        ),
      );
    }
    if (value.preferredDuringSchedulingIgnoredDuringExecution != null) {
      append(
        errs,
        validateWeightedPodAffinityTerms(
          value.preferredDuringSchedulingIgnoredDuringExecution,
          allow,
          p.child("preferredDuringSchedulingIgnoredDuringExecution"),
        ),
      );
    }
  }
  return errs;
}

/** validateTopologySpreadConstraints. */
export function validateTopologySpreadConstraints(
  constraints: readonly TopologySpreadConstraint[],
  path: Path,
): FieldError[] {
  const errs: FieldError[] = [];
  constraints.forEach((c, i) => {
    const p = path.index(i);
    const maxSkew = c.maxSkew ?? 0;
    if (maxSkew <= 0) errs.push(invalid(p.child("maxSkew"), maxSkew, isNotPositiveErrorMsg));
    if ((c.topologyKey ?? "").length === 0) errs.push(required(p.child("topologyKey"), "can not be empty"));
    const action = c.whenUnsatisfiable ?? "";
    if (action !== "DoNotSchedule" && action !== "ScheduleAnyway") {
      errs.push(notSupported(p.child("whenUnsatisfiable"), action, ["DoNotSchedule", "ScheduleAnyway"]));
    }
    for (const rest of constraints.slice(i + 1)) {
      if (c.topologyKey === rest.topologyKey && c.whenUnsatisfiable === rest.whenUnsatisfiable) {
        errs.push(
          duplicate(p.child("{topologyKey, whenUnsatisfiable}"), `{${c.topologyKey ?? ""}, ${action}}`),
        );
        break;
      }
    }
    if (c.minDomains != null) {
      if (c.minDomains <= 0) errs.push(invalid(p.child("minDomains"), c.minDomains, isNotPositiveErrorMsg));
      if (action !== "DoNotSchedule") {
        errs.push(
          invalid(
            p.child("minDomains"),
            c.minDomains,
            `can only use minDomains if whenUnsatisfiable=DoNotSchedule, not ${action}`,
          ),
        );
      }
    }
    for (const field of ["nodeAffinityPolicy", "nodeTaintsPolicy"] as const) {
      const policy = c[field];
      if (policy != null && policy !== "Honor" && policy !== "Ignore") {
        errs.push(notSupported(p.child(field), policy, ["Honor", "Ignore"]));
      }
    }
    const keys = c.matchLabelKeys ?? [];
    if (keys.length > 0) {
      const mp = p.child("matchLabelKeys");
      const selectorKeys = new Set<string>();
      if (c.labelSelector != null) {
        for (const k of Object.keys(c.labelSelector.matchLabels ?? {})) selectorKeys.add(k);
        for (const e of c.labelSelector.matchExpressions ?? []) selectorKeys.add(e.key ?? "");
      } else {
        errs.push(forbidden(mp, "must not be specified when labelSelector is not set"));
      }
      keys.forEach((k, j) => {
        append(errs, validateLabelName(k, mp.index(j)));
        if (selectorKeys.has(k))
          errs.push(invalid(mp.index(j), k, "exists in both matchLabelKeys and labelSelector"));
      });
    }
    append(errs, validateLabelSelector(c.labelSelector, {}, p.child("labelSelector")));
  });
  return errs;
}
