// Node selectors and node affinity, ported from
// k8s.io/component-helpers/scheduling/corev1/nodeaffinity (v1.32): a NodeSelector
// is an OR of terms, a term an AND of label expressions (In, NotIn, Exists,
// DoesNotExist, Gt, Lt) and field expressions (In/NotIn on metadata.name).
// Terms are parsed once so that matching a node is cheap: the scheduler calls
// match() for every node, the kubelet and the DaemonSet controller reuse it.
import type {
  Node,
  Pod,
  PreferredSchedulingTerm,
  NodeSelector as V1NodeSelector,
  NodeSelectorRequirement as V1NodeSelectorRequirement,
  NodeSelectorTerm as V1NodeSelectorTerm,
} from "kubernetes-types/core/v1.d.ts";
import {
  Aggregate,
  childOf,
  goStringSlice,
  indexOf,
  invalid,
  newAggregate,
  notSupported,
  type Path,
} from "../../machinery/field-errors.ts";
import {
  everything,
  type Labels,
  newRequirement,
  Operator,
  type Requirement,
  type Selector,
  selectorFromSet,
} from "../../machinery/labels.ts";

/** metav1.ObjectNameField: the one field a node exposes to matchFields. */
export const ObjectNameField = "metadata.name";

export const NodeSelectorOperator = {
  In: "In",
  NotIn: "NotIn",
  Exists: "Exists",
  DoesNotExist: "DoesNotExist",
  Gt: "Gt",
  Lt: "Lt",
} as const;

const validSelectorOperators = ["In", "NotIn", "Exists", "DoesNotExist", "Gt", "Lt"];
const validFieldSelectorOperators = ["In", "NotIn"];

/** One `key = value` (equal) or `key != value` term of a field selector. */
interface FieldTerm {
  key: string;
  value: string;
  equal: boolean;
}

/** errors.Flatten(errors.NewAggregate(errs)): nested aggregates become one flat list. */
function flatten(errs: readonly Error[]): Aggregate | null {
  const out: Error[] = [];
  const visit = (list: readonly Error[]) => {
    for (const e of list) {
      if (e instanceof Aggregate) visit(e.errors);
      else out.push(e);
    }
  };
  visit(errs);
  return newAggregate(out);
}

function isEmptyNodeSelectorTerm(term: V1NodeSelectorTerm | null | undefined): boolean {
  return !term || ((term.matchExpressions?.length ?? 0) === 0 && (term.matchFields?.length ?? 0) === 0);
}

const toLabelOperator: Record<string, Operator> = {
  In: Operator.In,
  NotIn: Operator.NotIn,
  Exists: Operator.Exists,
  DoesNotExist: Operator.DoesNotExist,
  Gt: Operator.GreaterThan,
  Lt: Operator.LessThan,
};

/** nodeSelectorRequirementsAsSelector: matchExpressions as a label selector, or the parse errors. */
function requirementsAsSelector(
  nsm: readonly V1NodeSelectorRequirement[],
  path: Path,
): { selector: Selector | null; errs: Error[] } {
  const errs: Error[] = [];
  const reqs: Requirement[] = [];
  nsm.forEach((expr, i) => {
    const p = indexOf(path, i);
    const op = Object.hasOwn(toLabelOperator, expr.operator) ? toLabelOperator[expr.operator] : undefined;
    if (op === undefined) {
      errs.push(notSupported(childOf(p, "operator"), expr.operator, validSelectorOperators));
      return;
    }
    try {
      reqs.push(newRequirement(expr.key, op, expr.values ?? null, p));
    } catch (e) {
      errs.push(e as Error);
    }
  });
  if (errs.length !== 0) return { selector: null, errs };
  return { selector: everything().add(...reqs), errs };
}

/** nodeSelectorRequirementsAsFieldSelector: matchFields as one-value equal / not-equal terms. */
function requirementsAsFieldTerms(
  nsr: readonly V1NodeSelectorRequirement[],
  path: Path,
): { terms: FieldTerm[] | null; errs: Error[] } {
  const errs: Error[] = [];
  const terms: FieldTerm[] = [];
  nsr.forEach((expr, i) => {
    const p = indexOf(path, i);
    switch (expr.operator) {
      case NodeSelectorOperator.In:
      case NodeSelectorOperator.NotIn:
        if (expr.values?.length !== 1) {
          errs.push(
            invalid(childOf(p, "values"), goStringSlice(expr.values ?? null), "must have one element"),
          );
        } else {
          terms.push({
            key: expr.key,
            value: expr.values[0],
            equal: expr.operator === NodeSelectorOperator.In,
          });
        }
        break;
      default:
        errs.push(notSupported(childOf(p, "operator"), expr.operator, validFieldSelectorOperators));
    }
  });
  if (errs.length !== 0) return { terms: null, errs };
  return { terms, errs };
}

/** A parsed NodeSelectorTerm: its label selector, its field terms, or why it could not be parsed. */
class NodeSelectorTerm {
  matchLabels: Selector | null = null;
  matchFields: FieldTerm[] | null = null;
  parseErrs: Error[] | null = null;

  constructor(term: V1NodeSelectorTerm, path: Path) {
    const errs: Error[] = [];
    if ((term.matchExpressions?.length ?? 0) !== 0) {
      const r = requirementsAsSelector(term.matchExpressions!, childOf(path, "matchExpressions"));
      this.matchLabels = r.selector;
      errs.push(...r.errs);
    }
    if ((term.matchFields?.length ?? 0) !== 0) {
      const r = requirementsAsFieldTerms(term.matchFields!, childOf(path, "matchFields"));
      this.matchFields = r.terms;
      errs.push(...r.errs);
    }
    if (errs.length !== 0) this.parseErrs = errs;
  }

  /** Only call when parseErrs is null. A node without a name skips the field terms, as upstream. */
  matches(labels: Labels, nodeName: string): boolean {
    if (this.matchLabels !== null && !this.matchLabels.matches(labels)) return false;
    const fields = this.matchFields;
    if (fields !== null && nodeName.length > 0) {
      for (let i = 0; i < fields.length; i++) {
        const f = fields[i];
        // The node's field set holds only metadata.name; a missing field reads as "".
        const v = f.key === ObjectNameField ? nodeName : "";
        if ((v === f.value) !== f.equal) return false;
      }
    }
    return true;
  }
}

function parseTerms(ns: V1NodeSelector, path: Path | null): NodeSelectorTerm[] {
  const termsPath = childOf(path, "nodeSelectorTerms");
  const parsed: NodeSelectorTerm[] = [];
  (ns.nodeSelectorTerms ?? []).forEach((term, i) => {
    // A nil or empty term selects no objects.
    if (isEmptyNodeSelectorTerm(term)) return;
    parsed.push(new NodeSelectorTerm(term, indexOf(termsPath, i)));
  });
  return parsed;
}

/** The result of a match that can also report parse errors. */
export interface MatchResult {
  matches: boolean;
  /** Parse errors of the terms; set only when no term matched. */
  error: Aggregate | null;
}

/**
 * LazyErrorNodeSelector: a NodeSelector that reports the parse errors of its
 * terms only when no other term matches (the scheduler's backwards-compatible
 * reading of pods whose affinity has an invalid term).
 */
export class LazyErrorNodeSelector {
  private readonly terms: readonly NodeSelectorTerm[];

  constructor(ns: V1NodeSelector, path: Path | null = null) {
    this.terms = parseTerms(ns, path);
  }

  /** Every term's parse errors, in order (empty when all parsed). */
  parseErrors(): Error[] {
    const errs: Error[] = [];
    for (const t of this.terms) if (t.parseErrs) errs.push(...t.parseErrs);
    return errs;
  }

  /** The terms ORed; parse errors count as no match. */
  match(node: Node | null | undefined): boolean {
    if (!node) return false;
    const labels = node.metadata?.labels;
    const name = node.metadata?.name ?? "";
    for (const term of this.terms) {
      if (term.parseErrs === null && term.matches(labels, name)) return true;
    }
    return false;
  }

  /** Like match, plus the flattened parse errors when no term matched. */
  matchWithError(node: Node | null | undefined): MatchResult {
    if (!node) return { matches: false, error: null };
    const labels = node.metadata?.labels;
    const name = node.metadata?.name ?? "";
    const errs: Error[] = [];
    for (const term of this.terms) {
      if (term.parseErrs !== null) {
        errs.push(...term.parseErrs);
        continue;
      }
      if (term.matches(labels, name)) return { matches: true, error: null };
    }
    return { matches: false, error: flatten(errs) };
  }
}

/** NodeSelector: a v1.NodeSelector whose terms all parsed. Build with newNodeSelector. */
export class NodeSelector {
  constructor(private readonly lazy: LazyErrorNodeSelector) {}

  /** Does the node's labels and name match one of the terms? */
  match(node: Node | null | undefined): boolean {
    return this.lazy.match(node);
  }
}

/** NewLazyErrorNodeSelector. */
export function newLazyErrorNodeSelector(
  ns: V1NodeSelector,
  path: Path | null = null,
): LazyErrorNodeSelector {
  return new LazyErrorNodeSelector(ns, path);
}

/**
 * NewNodeSelector: throws the flattened Aggregate of every term's parse errors
 * (field paths under `nodeSelectorTerms[i]`, prefixed by `path`).
 */
export function newNodeSelector(ns: V1NodeSelector, path: Path | null = null): NodeSelector {
  const lazy = new LazyErrorNodeSelector(ns, path);
  const agg = flatten(lazy.parseErrors());
  if (agg) throw agg;
  return new NodeSelector(lazy);
}

/** MatchNodeSelectorTerms: the terms ORed; a nil or empty term matches nothing. */
export function matchNodeSelectorTerms(node: Node | null | undefined, nodeSelector: V1NodeSelector): boolean {
  if (!node) return false;
  return new LazyErrorNodeSelector(nodeSelector).match(node);
}

interface WeightedTerm {
  term: NodeSelectorTerm;
  weight: number;
}

/** PreferredSchedulingTerms: preferred node affinity, scored by the weights of the terms a node matches. */
export class PreferredSchedulingTerms {
  constructor(private readonly terms: readonly WeightedTerm[]) {}

  /** The sum of the weights of the terms that match the node. */
  score(node: Node): number {
    const labels = node.metadata?.labels;
    const name = node.metadata?.name ?? "";
    let score = 0;
    for (let i = 0; i < this.terms.length; i++) {
      const t = this.terms[i];
      if (t.term.matches(labels, name)) score += t.weight;
    }
    return score;
  }
}

/**
 * NewPreferredSchedulingTerms: terms of weight 0 or with no expressions are
 * skipped; throws the flattened Aggregate of the parse errors (paths `[i]...`).
 */
export function newPreferredSchedulingTerms(
  terms: readonly PreferredSchedulingTerm[],
  path: Path | null = null,
): PreferredSchedulingTerms {
  const errs: Error[] = [];
  const parsed: WeightedTerm[] = [];
  terms.forEach((t, i) => {
    if (!t.weight || isEmptyNodeSelectorTerm(t.preference)) return;
    const term = new NodeSelectorTerm(t.preference, indexOf(path, i));
    if (term.parseErrs) errs.push(...term.parseErrs);
    else parsed.push({ term, weight: t.weight });
  });
  const agg = flatten(errs);
  if (agg) throw agg;
  return new PreferredSchedulingTerms(parsed);
}

/** A pod's spec.nodeSelector and required node affinity, parsed (upstream's RequiredNodeAffinity). */
export class RequiredNodeAffinity {
  constructor(
    /** spec.nodeSelector; null when the pod has none. */
    readonly labelSelector: Selector | null,
    /** The required affinity; null when the pod has none. */
    readonly nodeSelector: LazyErrorNodeSelector | null,
  ) {}

  /** Does the node satisfy both the nodeSelector and the required affinity? Parse errors count as no match. */
  match(node: Node): boolean {
    if (this.labelSelector !== null && !this.labelSelector.matches(node.metadata?.labels)) return false;
    if (this.nodeSelector !== null) return this.nodeSelector.match(node);
    return true;
  }

  /** Like match, plus the affinity's parse errors when no term matched. */
  matchWithError(node: Node): MatchResult {
    if (this.labelSelector !== null && !this.labelSelector.matches(node.metadata?.labels)) {
      return { matches: false, error: null };
    }
    if (this.nodeSelector !== null) return this.nodeSelector.matchWithError(node);
    return { matches: true, error: null };
  }
}

/** GetRequiredNodeAffinity: parses the pod's nodeSelector and requiredDuringSchedulingIgnoredDuringExecution. */
export function getRequiredNodeAffinity(pod: Pod): RequiredNodeAffinity {
  const spec = pod.spec;
  const ns = spec?.nodeSelector;
  const labelSelector = ns && Object.keys(ns).length > 0 ? selectorFromSet(ns) : null;
  const required = spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  // The lazy selector keeps pods with an invalid but unused term schedulable, as upstream.
  const nodeSelector = required ? new LazyErrorNodeSelector(required) : null;
  return new RequiredNodeAffinity(labelSelector, nodeSelector);
}
