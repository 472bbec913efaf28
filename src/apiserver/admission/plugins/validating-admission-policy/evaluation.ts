// One ValidatingAdmissionPolicy compiled, and its expressions run against a
// request (upstream's policy/validating validator.go): matchConditions first
// (any false: the policy has nothing to say; an error: the failure policy
// decides), then every validation, each a decision; then the audit
// annotations. Variables are computed once, in order, before the validations.

import type { AuthorizeFn } from "../../../../api/cel/authorizer.ts";
import { type CelProgram, usableMessage } from "../../../../api/cel/environment.ts";
import { toCel } from "../../../../api/cel/values.ts";
import type { AdmissionAttributes, Obj } from "../../admission.ts";
import {
  type CompiledExpression,
  compileExpression,
  compileMatchConditions,
  matchConditions,
  requestActivation,
  run,
} from "../match-conditions.ts";

/** Admit, or deny with a message and (for a failed validation) a reason. */
export interface PolicyDecision {
  action: "admit" | "deny";
  /** An expression failed to evaluate (the failure policy chose the action). */
  evaluationError?: boolean;
  message: string;
  reason?: string;
}

export interface AuditAnnotationResult {
  key: string;
  value?: string;
  /** The valueExpression failed, under failurePolicy Fail: the request is denied. */
  error?: string;
}

export interface ValidateResult {
  decisions: PolicyDecision[];
  auditAnnotations: AuditAnnotationResult[];
}

export interface CompiledPolicy {
  failurePolicy: "Fail" | "Ignore";
  matchConditions: CompiledExpression[];
  variables: CompiledExpression[];
  validations: (CompiledExpression & { message?: CelProgram })[];
  auditAnnotations: CompiledExpression[];
}

const cache = new WeakMap<Obj, CompiledPolicy>();

/** The policy's expressions compiled once per stored version of it (the cache hands out new objects on change). */
export function compilePolicy(policy: Obj): CompiledPolicy {
  let c = cache.get(policy);
  if (c) return c;
  const spec = policy.spec ?? {};
  const list = (k: string): Obj[] => (Array.isArray(spec[k]) ? spec[k] : []);
  c = {
    failurePolicy: spec.failurePolicy === "Ignore" ? "Ignore" : "Fail",
    matchConditions: compileMatchConditions(list("matchConditions")),
    variables: list("variables").map((v) => compileExpression(v, v.expression, "any")),
    validations: list("validations").map((v) => {
      const base = compileExpression(v, v.expression, "bool");
      if (typeof v.messageExpression !== "string" || v.messageExpression.trim() === "") return base;
      return { ...base, message: compileExpression(v, v.messageExpression, "string").program };
    }),
    auditAnnotations: list("auditAnnotations").map((a) => compileExpression(a, a.valueExpression, "any")),
  };
  cache.set(policy, c);
  return c;
}

/** What `namespaceObject` shows of a namespace (upstream's CreateNamespaceObject). */
export function namespaceObject(ns: Obj): Obj {
  const m = ns.metadata ?? {};
  const meta: Obj = {};
  for (const k of [
    "name",
    "generateName",
    "namespace",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "finalizers",
  ]) {
    if (m[k] !== undefined) meta[k] = m[k];
  }
  return { metadata: meta, spec: ns.spec ?? {}, status: ns.status ?? {} };
}

/** Runs the policy for one param (null without one). */
export async function validatePolicy(
  policy: CompiledPolicy,
  a: AdmissionAttributes,
  param: Obj | null,
  namespace: Obj | null,
  authorize: AuthorizeFn,
): Promise<ValidateResult> {
  const onError = policy.failurePolicy === "Ignore" ? "admit" : "deny";
  const activation = requestActivation(a, authorize);
  activation.params = toCel(param, undefined);
  activation.namespaceObject = namespace ? toCel(namespaceObject(namespace), undefined) : null;

  // Match conditions do not see the variables, as upstream compiles them without.
  const matched = await matchConditions(policy.matchConditions, activation);
  if (matched === false) return { decisions: [], auditAnnotations: [] };
  if (matched instanceof Error) {
    return {
      decisions: [{ action: onError, evaluationError: true, message: matched.message }],
      auditAnnotations: [],
    };
  }

  activation.variables = await computeVariables(policy.variables, activation);

  const decisions: PolicyDecision[] = [];
  for (const v of policy.validations) {
    const r = await run(v, activation);
    if (r instanceof Error) decisions.push({ action: onError, evaluationError: true, message: r.message });
    else if (r === true) decisions.push({ action: "admit", message: "" });
    else {
      decisions.push({
        action: "deny",
        reason: typeof v.source.reason === "string" ? v.source.reason : "Invalid",
        message: await failureMessage(v, activation),
      });
    }
  }

  const auditAnnotations: AuditAnnotationResult[] = [];
  for (const an of policy.auditAnnotations) {
    const key = String(an.source.key ?? "");
    const r = await run(an, activation);
    if (r instanceof Error) {
      if (onError === "deny") auditAnnotations.push({ key, error: r.message });
    } else if (typeof r === "string") {
      if (r.trim() !== "") auditAnnotations.push({ key, value: r.trim() });
    } else if (r !== null) {
      auditAnnotations.push({
        key,
        error: `valueExpression '${an.expression}' resulted in unsupported return type: ${typeof r}. Return type must be either string or null.`,
      });
    }
  }
  return { decisions, auditAnnotations };
}

/** messageExpression's string if it gives a usable one, else message, else the expression. */
async function failureMessage(
  v: CompiledPolicy["validations"][number],
  activation: Record<string, unknown>,
): Promise<string> {
  const fromExpression = usableMessage(await v.message?.evaluate(activation));
  if (fromExpression !== undefined) return fromExpression;
  if (typeof v.source.message === "string" && v.source.message.trim() !== "") return v.source.message.trim();
  return `failed expression: ${v.expression.trim()}`;
}

/**
 * `variables`, each from the ones before it, in order; a variable that fails
 * fails only the expressions that read it (upstream computes them lazily).
 */
async function computeVariables(
  variables: CompiledExpression[],
  activation: Record<string, unknown>,
): Promise<Record<string, unknown>> {
  const values: Record<string, unknown> = {};
  activation.variables = values;
  for (const v of variables) {
    const name = String(v.source.name ?? "");
    const value = v.program ? await v.program.evaluate(activation) : new Error(v.error);
    Object.defineProperty(values, name, {
      enumerable: true,
      get() {
        if (value instanceof Error) {
          throw new Error(`composited variable "${name}" fails to be evaluated: ${value.message}`);
        }
        return value;
      },
    });
  }
  return values;
}
