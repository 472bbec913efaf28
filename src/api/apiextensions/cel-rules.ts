// The x-kubernetes-validations rules of a custom resource, run as
// apiextensions-apiserver's pkg/apiserver/schema/cel Validator runs them:
// each rule at its schema node with `self` bound to the value there (null
// values are not validated) and, for a transition rule, `oldSelf` bound to
// the value it replaces. Old values are matched through objects by key and
// through x-kubernetes-list-type=map lists by their map keys; a transition
// rule without an old value is skipped unless it sets optionalOldSelf, when
// oldSelf is an optional. Values take the schema's types: integers are CEL
// ints, numbers doubles, date-time and date strings timestamps, duration
// strings durations; properties are reached by upstream's escaped names
// (`foo-bar` as `foo__dash__bar`), and a resource's root shows apiVersion,
// kind and metadata.name/generateName only.
//
// Not here: the runtime cost budget and ratcheting of unchanged values.
import {
  childOf,
  duplicate,
  type FieldError,
  forbidden,
  indexOf,
  invalid,
  keyOf,
  type Path,
  required,
} from "../../machinery/field-errors.ts";
import { type CelProgram, compile, Optional, usableMessage } from "../cel/environment.ts";
import { toCel } from "../cel/values.ts";
import type { Schema } from "./schema.ts";

type J = Record<string, unknown>;

const isObject = (v: unknown): v is J => typeof v === "object" && v !== null && !Array.isArray(v);

export interface CompiledRule {
  program?: CelProgram;
  /** Why the rule does not compile. */
  error?: string;
  messageExpression?: CelProgram;
  messageExpressionError?: string;
  usesOldSelf: boolean;
}

const compiled = new WeakMap<object, CompiledRule>();

/** A rule of x-kubernetes-validations compiled once (the CRD's schema objects live as long as it does). */
export function compileRule(rule: J): CompiledRule {
  let c = compiled.get(rule);
  if (c) return c;
  // With optionalOldSelf, oldSelf is an optional of the old value, as upstream declares it.
  const variables = { self: "dyn", oldSelf: rule.optionalOldSelf === true ? "optional<dyn>" : "dyn" };
  const r = compile(String(rule.rule ?? ""), variables, "bool");
  c =
    "error" in r
      ? { error: r.error, usesOldSelf: false }
      : { program: r.program, usesOldSelf: r.program.uses("oldSelf") };
  if (typeof rule.messageExpression === "string" && rule.messageExpression.trim() !== "") {
    const m = compile(rule.messageExpression, variables, "string");
    if ("error" in m) c.messageExpressionError = m.error;
    else c.messageExpression = m.program;
  }
  compiled.set(rule, c);
  return c;
}

const hasRulesCache = new WeakMap<object, boolean>();

/** Whether the schema has x-kubernetes-validations anywhere (upstream's Validator is nil without). */
export function hasRules(s: unknown): boolean {
  if (!isObject(s)) return false;
  const cached = hasRulesCache.get(s);
  if (cached !== undefined) return cached;
  const rules = s["x-kubernetes-validations"];
  const result =
    (Array.isArray(rules) && rules.length > 0) ||
    hasRules(s.items) ||
    hasRules(s.additionalProperties) ||
    (isObject(s.properties) && Object.values(s.properties).some(hasRules)) ||
    (Array.isArray(s.allOf) && s.allOf.some(hasRules));
  hasRulesCache.set(s, result);
  return result;
}

/** A rule's fieldPath (".spec.x", "['a.b']") as the path it adds to its node's; undefined when malformed. */
export function normalizeFieldPath(fieldPath: string): string | undefined {
  let out = "";
  let rest = fieldPath;
  while (rest.length > 0) {
    const name = /^\.([^.[\]]+)/.exec(rest);
    if (name) {
      out += out === "" ? name[1] : `.${name[1]}`;
      rest = rest.slice(name[0].length);
      continue;
    }
    const key = /^\['((?:[^'\\]|\\.)*)'\]/.exec(rest);
    if (!key) return undefined;
    out += `[${key[1].replace(/\\(.)/g, "$1")}]`;
    rest = rest.slice(key[0].length);
  }
  return out;
}

function ruleErrorString(rule: J): string {
  const message = typeof rule.message === "string" ? rule.message.trim() : "";
  return message || String(rule.rule ?? "").trim();
}

function messageOf(c: CompiledRule, rule: J, activation: J): string {
  const fromExpression = usableMessage(c.messageExpression?.evaluate(activation));
  if (fromExpression !== undefined) return fromExpression;
  const message = typeof rule.message === "string" ? rule.message.trim() : "";
  return message || `failed rule: ${ruleErrorString(rule)}`;
}

function errorForReason(path: Path | null, type: string, detail: string, reason: unknown): FieldError {
  switch (reason) {
    case "FieldValueForbidden":
      return forbidden(path, detail);
    case "FieldValueRequired":
      return required(path, detail);
    case "FieldValueDuplicate":
      return duplicate(path, type);
    default:
      return invalid(path, type, detail);
  }
}

function evaluateRules(
  vs: Schema,
  ns: Schema,
  value: unknown,
  old: unknown,
  path: Path | null,
  root: boolean,
  errs: FieldError[],
) {
  const rules = vs["x-kubernetes-validations"];
  if (!Array.isArray(rules) || rules.length === 0) return;
  const type = typeof ns.type === "string" ? ns.type : "";
  let self: unknown;
  for (const rule of rules as J[]) {
    const c = compileRule(rule);
    if (!c.program) {
      errs.push(invalid(path, type, `rule compile error: ${c.error}`));
      continue;
    }
    const optionalOldSelf = rule.optionalOldSelf === true;
    if (c.usesOldSelf && (old === undefined || old === null) && !optionalOldSelf) continue;
    self ??= toCel(value, ns, root);
    const activation: J = { self };
    if (c.usesOldSelf) {
      const oldSelf = old === undefined || old === null ? undefined : toCel(old, ns, root);
      activation.oldSelf = optionalOldSelf ? Optional.of(oldSelf ?? undefined) : oldSelf;
    }
    const result = c.program.evaluate(activation);
    if (result instanceof Error) {
      const detail = /^(no such overload|found no matching overload)/.test(result.message)
        ? `'${result.message}': call arguments did not match a supported operator, function or macro signature for rule: ${ruleErrorString(rule)}`
        : `${result.message} evaluating rule: ${ruleErrorString(rule)}`;
      errs.push(invalid(path, type, detail));
      continue;
    }
    if (result === true) continue;
    const fieldPath =
      typeof rule.fieldPath === "string" && rule.fieldPath ? normalizeFieldPath(rule.fieldPath) : undefined;
    const at = fieldPath ? childOf(path, fieldPath) : path;
    errs.push(errorForReason(at, type, messageOf(c, rule, activation), rule.reason));
  }
}

/** The old item an x-kubernetes-list-type=map item replaces: the one with the same map keys. */
function oldListItem(ns: Schema, old: unknown): (item: unknown) => unknown {
  const keys = ns["x-kubernetes-list-map-keys"];
  if (ns["x-kubernetes-list-type"] !== "map" || !Array.isArray(keys) || !Array.isArray(old))
    return () => undefined;
  const keyOfItem = (x: unknown) => (isObject(x) ? JSON.stringify(keys.map((k) => x[k] ?? null)) : undefined);
  const byKey = new Map(old.map((x) => [keyOfItem(x), x]));
  return (item) => byKey.get(keyOfItem(item));
}

function walk(
  vs: Schema,
  ns: Schema,
  value: unknown,
  old: unknown,
  path: Path | null,
  root: boolean,
  errs: FieldError[],
) {
  if (value === null || value === undefined || !hasRules(vs)) return;
  evaluateRules(vs, ns, value, old, path, root, errs);
  if (Array.isArray(vs.allOf)) {
    for (const allOf of vs.allOf) if (isObject(allOf)) walk(allOf, ns, value, old, path, root, errs);
  }
  const embedded = (s: Schema) => s["x-kubernetes-embedded-resource"] === true;
  if (Array.isArray(value)) {
    if (!isObject(vs.items) || !isObject(ns.items)) return;
    const oldItem = oldListItem(ns, old);
    const items = ns.items;
    value.forEach((x, i) => {
      walk(vs.items as Schema, items, x, oldItem(x), indexOf(path, i), embedded(items), errs);
    });
    return;
  }
  if (!isObject(value)) return;
  const oldMap = isObject(old) ? old : undefined;
  const vap = vs.additionalProperties;
  const nap = ns.additionalProperties;
  if (isObject(vap) && isObject(nap)) {
    for (const [k, x] of Object.entries(value))
      walk(vap, nap, x, oldMap?.[k], keyOf(path, k), embedded(nap), errs);
  }
  if (isObject(vs.properties) && isObject(ns.properties)) {
    for (const [k, x] of Object.entries(value)) {
      const vp = vs.properties[k];
      const np = ns.properties[k];
      if (isObject(vp) && isObject(np)) walk(vp, np, x, oldMap?.[k], childOf(path, k), embedded(np), errs);
    }
  }
}

/**
 * Runs the schema's x-kubernetes-validations over a custom resource (`old`
 * on update, for transition rules); nothing to do, and nothing spent, when
 * the schema has no rules.
 */
export function validateCustomResourceRules(obj: unknown, old: unknown, schema: Schema | null): FieldError[] {
  if (!schema || !hasRules(schema)) return [];
  const errs: FieldError[] = [];
  walk(schema, schema, obj, old, null, true, errs);
  return errs;
}
