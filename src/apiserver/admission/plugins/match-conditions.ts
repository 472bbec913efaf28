// What admission's CEL expressions see of a request, and matchConditions
// (upstream's plugin/cel filter and webhook/matchconditions Matcher), shared
// by admission webhooks and ValidatingAdmissionPolicy: `object` (null on
// DELETE), `oldObject` (null on CREATE), `request` (the AdmissionRequest),
// `authorizer` (the apiserver's authorizer, asked about the requesting
// user), then each condition in turn — any false and the webhook or policy
// is not applied; errors otherwise are reported together, for the failure
// policy.

import { type AuthorizeFn, Authorizer as CelAuthorizer } from "../../../api/cel/authorizer.ts";
import { ADMISSION_POLICY_VARIABLES, type CelProgram, compile } from "../../../api/cel/environment.ts";
import { toCel } from "../../../api/cel/values.ts";
import type { Authorizer } from "../../authorization/authorizer.ts";
import type { AdmissionAttributes, Obj } from "../admission.ts";

/** An expression compiled once; `error` when it does not compile (then it fails each time it runs). */
export interface CompiledExpression<T = Obj> {
  source: T;
  expression: string;
  program?: CelProgram;
  error?: string;
}

export function compileExpression<T>(
  source: T,
  expression: unknown,
  resultType: "bool" | "string" | "any",
): CompiledExpression<T> {
  const text = typeof expression === "string" ? expression : "";
  const r = compile(text, ADMISSION_POLICY_VARIABLES, resultType);
  return "error" in r
    ? { source, expression: text, error: r.error }
    : { source, expression: text, program: r.program };
}

/** Runs a compiled expression: its value, or an Error worded as upstream's filter words it. */
export async function run(
  c: CompiledExpression<unknown>,
  activation: Record<string, unknown>,
): Promise<unknown> {
  const r = c.program ? await c.program.evaluate(activation) : new Error(`compilation error: ${c.error}`);
  return r instanceof Error ? new Error(`expression '${c.expression}' resulted in error: ${r.message}`) : r;
}

/** The apiserver's authorizer as CEL's authorizer asks it (any version of the group). */
export function celAuthorize(authorizer: Authorizer | undefined): AuthorizeFn {
  return async (user, c) => {
    if (!authorizer) return { decision: "NoOpinion", reason: "no authorizer is configured" };
    const r = await authorizer.authorize({ ...c, user, apiVersion: "*" });
    return { decision: r.decision, reason: r.reason ?? "" };
  };
}

/** The request as CEL's `request` sees it: upstream's AdmissionRequest. */
export function admissionRequest(a: AdmissionAttributes): Obj {
  const user: Obj = { username: a.user.name };
  if (a.user.uid) user.uid = a.user.uid;
  if (a.user.groups?.length) user.groups = a.user.groups;
  if (a.user.extra && Object.keys(a.user.extra).length > 0) user.extra = a.user.extra;
  const r: Obj = {
    kind: { ...a.kind },
    resource: { ...a.resource },
    requestKind: { ...a.kind },
    requestResource: { ...a.resource },
    operation: a.operation,
    userInfo: user,
    dryRun: a.dryRun,
  };
  if (a.subresource) {
    r.subResource = a.subresource;
    r.requestSubResource = a.subresource;
  }
  if (a.name) r.name = a.name;
  if (a.namespace) r.namespace = a.namespace;
  if (a.options) r.options = a.options;
  return r;
}

/** The variables every admission expression has; a policy adds params, namespaceObject and variables. */
export function requestActivation(a: AdmissionAttributes, authorize: AuthorizeFn): Record<string, unknown> {
  return {
    object: toCel(a.operation === "DELETE" ? null : (a.object ?? null), undefined),
    oldObject: toCel(a.oldObject ?? null, undefined),
    request: toCel(admissionRequest(a), undefined),
    params: null,
    namespaceObject: null,
    variables: {},
    authorizer: new CelAuthorizer(authorize, a.user, {
      apiGroup: a.resource.group,
      resource: a.resource.resource,
      subresource: a.subresource,
      namespace: a.namespace,
      name: a.name,
    }),
  };
}

const compiledConditions = new WeakMap<object, CompiledExpression[]>();

export function compileMatchConditions(conditions: Obj[]): CompiledExpression[] {
  let c = compiledConditions.get(conditions);
  if (!c) {
    c = conditions.map((m) => compileExpression(m, m.expression, "bool"));
    compiledConditions.set(conditions, c);
  }
  return c;
}

/** true or false, or the error of the conditions that failed when none was false. */
export async function matchConditions(
  conditions: CompiledExpression[],
  activation: Record<string, unknown>,
): Promise<boolean | Error> {
  const errors: string[] = [];
  for (const m of conditions) {
    const r = await run(m, activation);
    if (r instanceof Error) errors.push(r.message);
    else if (r === false) return false;
  }
  if (errors.length === 0) return true;
  return new Error(errors.length === 1 ? errors[0] : `[${errors.join(", ")}]`);
}
