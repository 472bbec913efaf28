// Field selectors, ported from k8s.io/apimachinery/pkg/fields/selector.go (v1.32):
// `a=b`, `a==b`, `a!=b` joined by commas, with `\` escaping `\`, `,` and `=` in
// values. The apiserver transforms each term through the kind's field-label
// conversion, which rejects unknown fields with "field label not supported: X".

import { goQuote } from "./field-errors.ts";

/** The fields an object exposes to selectors (e.g. metadata.name, spec.nodeName). */
export type Fields = Readonly<Record<string, string>>;

/** A field requirement as upstream exposes it: operator "=" or "!=" (selection.Equals / NotEquals). */
export interface FieldRequirement {
  readonly field: string;
  readonly operator: "=" | "!=";
  readonly value: string;
}

/** fields.TransformFunc: rewrites (field, value); both empty drops the term. */
export type TransformFunc = (field: string, value: string) => [field: string, value: string];

export interface FieldSelector {
  matches(fields: Fields): boolean;
  /** True when the selector does not restrict anything. */
  empty(): boolean;
  /** The value the selector pins `field` to (an `=` term), if any. */
  requiresExactMatch(field: string): string | undefined;
  /** A copy with every term passed through fn; errors thrown by fn propagate. */
  transform(fn: TransformFunc): FieldSelector;
  requirements(): FieldRequirement[];
  toString(): string;
}

function get(fields: Fields, field: string): string {
  return Object.hasOwn(fields, field) ? fields[field] : "";
}

class HasTerm implements FieldSelector {
  constructor(
    readonly field: string,
    readonly value: string,
  ) {}
  matches(fields: Fields): boolean {
    return get(fields, this.field) === this.value;
  }
  empty(): boolean {
    return false;
  }
  requiresExactMatch(field: string): string | undefined {
    return this.field === field ? this.value : undefined;
  }
  transform(fn: TransformFunc): FieldSelector {
    const [field, value] = fn(this.field, this.value);
    if (field.length === 0 && value.length === 0) return everything();
    return new HasTerm(field, value);
  }
  requirements(): FieldRequirement[] {
    return [{ field: this.field, operator: "=", value: this.value }];
  }
  toString(): string {
    return `${this.field}=${escapeValue(this.value)}`;
  }
}

class NotHasTerm implements FieldSelector {
  constructor(
    readonly field: string,
    readonly value: string,
  ) {}
  matches(fields: Fields): boolean {
    return get(fields, this.field) !== this.value;
  }
  empty(): boolean {
    return false;
  }
  requiresExactMatch(): string | undefined {
    return undefined;
  }
  transform(fn: TransformFunc): FieldSelector {
    const [field, value] = fn(this.field, this.value);
    if (field.length === 0 && value.length === 0) return everything();
    return new NotHasTerm(field, value);
  }
  requirements(): FieldRequirement[] {
    return [{ field: this.field, operator: "!=", value: this.value }];
  }
  toString(): string {
    return `${this.field}!=${escapeValue(this.value)}`;
  }
}

class AndTerm implements FieldSelector {
  constructor(readonly terms: readonly FieldSelector[]) {}
  matches(fields: Fields): boolean {
    return this.terms.every((t) => t.matches(fields));
  }
  empty(): boolean {
    return this.terms.every((t) => t.empty());
  }
  requiresExactMatch(field: string): string | undefined {
    for (const t of this.terms) {
      const v = t.requiresExactMatch(field);
      if (v !== undefined) return v;
    }
    return undefined;
  }
  transform(fn: TransformFunc): FieldSelector {
    const next: FieldSelector[] = [];
    for (const t of this.terms) {
      const n = t.transform(fn);
      if (!n.empty()) next.push(n);
    }
    return new AndTerm(next);
  }
  requirements(): FieldRequirement[] {
    return this.terms.flatMap((t) => t.requirements());
  }
  toString(): string {
    return this.terms.map((t) => t.toString()).join(",");
  }
}

/** fields.Everything(). */
export function everything(): FieldSelector {
  return new AndTerm([]);
}

/** OneTermEqualSelector: `k=v`. */
export function oneTermEqualSelector(field: string, value: string): FieldSelector {
  return new HasTerm(field, value);
}

/** AndSelectors. */
export function andSelectors(...selectors: FieldSelector[]): FieldSelector {
  return new AndTerm(selectors);
}

/** SelectorFromSet: `k=v` for each entry; null selects everything. */
export function selectorFromSet(set: Fields | null | undefined): FieldSelector {
  if (!set) return everything();
  const items = Object.entries(set).map(([f, v]) => new HasTerm(f, v));
  return items.length === 1 ? items[0] : new AndTerm(items);
}

/** EscapeValue: backslash-escapes `\`, `,` and `=` for use in a selector value. */
export function escapeValue(s: string): string {
  return s.replace(/[\\,=]/g, (c) => `\\${c}`);
}

/** UnescapeValue: the literal value, or an Error with upstream's message. */
export function unescapeValue(s: string): string {
  if (!/[\\,=]/.test(s)) return s;
  let v = "";
  let inSlash = false;
  for (const c of s) {
    if (inSlash) {
      if (c === "\\" || c === "," || c === "=") {
        v += c;
      } else {
        throw new Error(`invalid field selector: invalid escape sequence: \\${c}`);
      }
      inSlash = false;
      continue;
    }
    switch (c) {
      case "\\":
        inSlash = true;
        break;
      case ",":
      case "=":
        // Go formats the rune with %v, which prints its code point.
        throw new Error(`invalid field selector: unescaped character in value: ${c.codePointAt(0)}`);
      default:
        v += c;
    }
  }
  if (inSlash) throw new Error("invalid field selector: invalid escape sequence: \\");
  return v;
}

/** splitTerms: splits on commas not escaped by a backslash (escapes are kept). */
export function splitTerms(fieldSelector: string): string[] {
  if (fieldSelector.length === 0) return [];
  const terms: string[] = [];
  let start = 0;
  let inSlash = false;
  for (let i = 0; i < fieldSelector.length; i++) {
    const c = fieldSelector[i];
    if (inSlash) inSlash = false;
    else if (c === "\\") inSlash = true;
    else if (c === ",") {
      terms.push(fieldSelector.slice(start, i));
      start = i + 1;
    }
  }
  terms.push(fieldSelector.slice(start));
  return terms;
}

// "==" is tried before "=" so that `a==b` does not leave "=b" as the value.
const termOperators = ["!=", "==", "="] as const;

/** splitTerm: the first operator occurrence splits; the rhs is still escaped. */
export function splitTerm(term: string): { lhs: string; op: string; rhs: string } | null {
  for (let i = 0; i < term.length; i++) {
    for (const op of termOperators) {
      if (term.startsWith(op, i)) return { lhs: term.slice(0, i), op, rhs: term.slice(i + op.length) };
    }
  }
  return null;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const identity: TransformFunc = (f, v) => [f, v];

/** fields.ParseSelector: throws an Error with upstream's message on bad input. */
export function parseSelector(selector: string): FieldSelector {
  return parseAndTransformSelector(selector, identity);
}

/** ParseAndTransformSelector. */
export function parseAndTransformSelector(selector: string, fn: TransformFunc): FieldSelector {
  const parts = splitTerms(selector).sort(compareStrings);
  const items: FieldSelector[] = [];
  for (const part of parts) {
    if (part === "") continue;
    const t = splitTerm(part);
    if (t === null) throw new Error(`invalid selector: '${selector}'; can't understand '${part}'`);
    const value = unescapeValue(t.rhs);
    items.push(t.op === "!=" ? new NotHasTerm(t.lhs, value) : new HasTerm(t.lhs, value));
  }
  if (items.length === 1) return items[0].transform(fn);
  return new AndTerm(items).transform(fn);
}

/** The error a kind's field-label conversion gives for a field it does not index. */
export function fieldLabelNotSupported(label: string): Error {
  return new Error(`field label not supported: ${label}`);
}

/**
 * A field-label conversion like the ones each built-in kind registers: the
 * listed fields pass, `aliases` rename deprecated ones (e.g. spec.host ->
 * spec.nodeName), anything else throws "field label not supported: <name>".
 * metadata.name and metadata.namespace are always supported.
 */
export function fieldLabelConversion(
  supported: Iterable<string>,
  aliases: Readonly<Record<string, string>> = {},
): TransformFunc {
  const ok = new Set(["metadata.name", "metadata.namespace", ...supported]);
  return (label, value) => {
    if (ok.has(label)) return [label, value];
    if (Object.hasOwn(aliases, label)) return [aliases[label], value];
    throw fieldLabelNotSupported(label);
  };
}

/** DefaultMetaV1FieldSelectorConversion: what kinds without their own conversion use (e.g. CRs). */
export const defaultMetaV1FieldSelectorConversion: TransformFunc = (label, value) => {
  if (label === "metadata.name" || label === "metadata.namespace") return [label, value];
  throw new Error(
    `${goQuote(label)} is not a known field selector: only "metadata.name", "metadata.namespace"`,
  );
};
