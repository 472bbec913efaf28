// Label selectors, ported from k8s.io/apimachinery/pkg/labels/selector.go
// (lexer, parser, requirements and their string form) and
// metav1.LabelSelectorAsSelector from pkg/apis/meta/v1/helpers.go, v1.32.
// Parse errors carry upstream's messages: the apiserver returns them as 400s.

import type { LabelSelector } from "kubernetes-types/meta/v1.d.ts";
import {
  Aggregate,
  childOf,
  type FieldError,
  goQuote,
  goStringSlice,
  indexOf,
  invalid,
  keyOf,
  notSupported,
  type Path,
  toAggregate,
} from "./field-errors.ts";
import { isQualifiedName, isValidLabelValue } from "./validation.ts";

/** selection.Operator values. */
export const Operator = {
  DoesNotExist: "!",
  Equals: "=",
  DoubleEquals: "==",
  In: "in",
  NotEquals: "!=",
  NotIn: "notin",
  Exists: "exists",
  GreaterThan: "gt",
  LessThan: "lt",
} as const;
export type Operator = (typeof Operator)[keyof typeof Operator];

const validRequirementOperators: readonly string[] = [
  Operator.In,
  Operator.NotIn,
  Operator.Equals,
  Operator.DoubleEquals,
  Operator.NotEquals,
  Operator.Exists,
  Operator.DoesNotExist,
  Operator.GreaterThan,
  Operator.LessThan,
];

/** The labels of an object; a missing map has no labels. */
export type Labels = Readonly<Record<string, string>> | null | undefined;

function has(ls: Labels, key: string): boolean {
  return ls !== null && ls !== undefined && Object.hasOwn(ls, key);
}

function get(ls: Labels, key: string): string {
  return has(ls, key) ? ls![key] : "";
}

const int64Re = /^[+-]?[0-9]+$/;
const minInt64 = -(2n ** 63n);
const maxInt64 = 2n ** 63n - 1n;

/** strconv.ParseInt(s, 10, 64), or null when it would fail. */
function parseInt64(s: string): bigint | null {
  if (!int64Re.test(s)) return null;
  const v = BigInt(s);
  return v < minInt64 || v > maxInt64 ? null : v;
}

/** One `key op values` term of a selector. Build with newRequirement. */
export class Requirement {
  constructor(
    readonly key: string,
    readonly operator: Operator,
    /** Usually one value; kept in the order given (String() sorts a copy). */
    readonly values: readonly string[],
  ) {}

  private hasValue(value: string): boolean {
    return this.values.includes(value);
  }

  matches(ls: Labels): boolean {
    switch (this.operator) {
      case Operator.In:
      case Operator.Equals:
      case Operator.DoubleEquals:
        if (!has(ls, this.key)) return false;
        return this.hasValue(get(ls, this.key));
      case Operator.NotIn:
      case Operator.NotEquals:
        if (!has(ls, this.key)) return true;
        return !this.hasValue(get(ls, this.key));
      case Operator.Exists:
        return has(ls, this.key);
      case Operator.DoesNotExist:
        return !has(ls, this.key);
      case Operator.GreaterThan:
      case Operator.LessThan: {
        if (!has(ls, this.key)) return false;
        const lsValue = parseInt64(get(ls, this.key));
        if (lsValue === null) return false;
        if (this.values.length !== 1) return false;
        const rValue = parseInt64(this.values[0]);
        if (rValue === null) return false;
        return (
          (this.operator === Operator.GreaterThan && lsValue > rValue) ||
          (this.operator === Operator.LessThan && lsValue < rValue)
        );
      }
      default:
        return false;
    }
  }

  toString(): string {
    let s = "";
    if (this.operator === Operator.DoesNotExist) s += "!";
    s += this.key;
    switch (this.operator) {
      case Operator.Equals:
        s += "=";
        break;
      case Operator.DoubleEquals:
        s += "==";
        break;
      case Operator.NotEquals:
        s += "!=";
        break;
      case Operator.In:
        s += " in ";
        break;
      case Operator.NotIn:
        s += " notin ";
        break;
      case Operator.GreaterThan:
        s += ">";
        break;
      case Operator.LessThan:
        s += "<";
        break;
      case Operator.Exists:
      case Operator.DoesNotExist:
        return s;
    }
    const set = this.operator === Operator.In || this.operator === Operator.NotIn;
    if (set) s += "(";
    s += this.values.length === 1 ? this.values[0] : safeSort(this.values).join(",");
    if (set) s += ")";
    return s;
  }
}

/** Go's byte-wise string order (sort.Strings). */
function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function safeSort(values: readonly string[]): readonly string[] {
  for (let i = 1; i < values.length; i++) {
    if (compareStrings(values[i - 1], values[i]) > 0) return [...values].sort(compareStrings);
  }
  return values;
}

function validateLabelKey(k: string, path: Path | null): FieldError | null {
  const errs = isQualifiedName(k);
  return errs.length !== 0 ? invalid(path, k, errs.join("; ")) : null;
}

function validateLabelValue(k: string, v: string, path: Path): FieldError | null {
  const errs = isValidLabelValue(v);
  return errs.length !== 0 ? invalid(keyOf(path, k), v, errs.join("; ")) : null;
}

/**
 * NewRequirement: validates the key, the operator and the values; throws an
 * Aggregate of field errors (upstream's error text) when they are invalid.
 * `values` of null stands for Go's nil slice, which renders differently from [].
 */
export function newRequirement(
  key: string,
  op: string,
  values: readonly string[] | null | undefined,
  path: Path | null = null,
): Requirement {
  const vals = values ?? [];
  const allErrs: FieldError[] = [];
  const keyErr = validateLabelKey(key, childOf(path, "key"));
  if (keyErr) allErrs.push(keyErr);
  const valuePath = childOf(path, "values");
  switch (op) {
    case Operator.In:
    case Operator.NotIn:
      if (vals.length === 0) {
        allErrs.push(
          invalid(valuePath, goStringSlice(values), "for 'in', 'notin' operators, values set can't be empty"),
        );
      }
      break;
    case Operator.Equals:
    case Operator.DoubleEquals:
    case Operator.NotEquals:
      if (vals.length !== 1) {
        allErrs.push(
          invalid(valuePath, goStringSlice(values), "exact-match compatibility requires one single value"),
        );
      }
      break;
    case Operator.Exists:
    case Operator.DoesNotExist:
      if (vals.length !== 0) {
        allErrs.push(
          invalid(valuePath, goStringSlice(values), "values set must be empty for exists and does not exist"),
        );
      }
      break;
    case Operator.GreaterThan:
    case Operator.LessThan:
      if (vals.length !== 1) {
        allErrs.push(
          invalid(
            valuePath,
            goStringSlice(values),
            "for 'Gt', 'Lt' operators, exactly one value is required",
          ),
        );
      }
      vals.forEach((v, i) => {
        if (parseInt64(v) === null) {
          allErrs.push(
            invalid(indexOf(valuePath, i), v, "for 'Gt', 'Lt' operators, the value must be an integer"),
          );
        }
      });
      break;
    default:
      allErrs.push(notSupported(childOf(path, "operator"), op, validRequirementOperators));
  }
  vals.forEach((v, i) => {
    const e = validateLabelValue(key, v, indexOf(valuePath, i));
    if (e) allErrs.push(e);
  });
  const agg = toAggregate(allErrs);
  if (agg) throw agg;
  return new Requirement(key, op as Operator, [...vals]);
}

/** A label selector: an AND of requirements, or one that selects nothing. */
export interface Selector {
  matches(labels: Labels): boolean;
  /** True when the selector does not restrict anything. */
  empty(): boolean;
  toString(): string;
  /** A copy with more requirements, sorted by key. */
  add(...reqs: Requirement[]): Selector;
  /** The requirements; selectable is false for the select-nothing selector. */
  requirements(): { requirements: readonly Requirement[]; selectable: boolean };
  /** The value the selector pins `label` to (=, == or a one-value in), if any. */
  requiresExactMatch(label: string): string | undefined;
}

class InternalSelector implements Selector {
  constructor(readonly reqs: readonly Requirement[]) {}

  matches(labels: Labels): boolean {
    return this.reqs.every((r) => r.matches(labels));
  }

  empty(): boolean {
    return this.reqs.length === 0;
  }

  toString(): string {
    return this.reqs.map((r) => r.toString()).join(",");
  }

  add(...reqs: Requirement[]): Selector {
    return new InternalSelector(sortByKey([...this.reqs, ...reqs]));
  }

  requirements(): { requirements: readonly Requirement[]; selectable: boolean } {
    return { requirements: this.reqs, selectable: true };
  }

  requiresExactMatch(label: string): string | undefined {
    for (const r of this.reqs) {
      if (r.key !== label) continue;
      switch (r.operator) {
        case Operator.Equals:
        case Operator.DoubleEquals:
        case Operator.In:
          if (r.values.length === 1) return r.values[0];
      }
      return undefined;
    }
    return undefined;
  }
}

class NothingSelector implements Selector {
  matches(): boolean {
    return false;
  }
  empty(): boolean {
    return false;
  }
  toString(): string {
    return "";
  }
  add(): Selector {
    return this;
  }
  requirements(): { requirements: readonly Requirement[]; selectable: boolean } {
    return { requirements: [], selectable: false };
  }
  requiresExactMatch(): string | undefined {
    return undefined;
  }
}

function sortByKey(reqs: Requirement[]): Requirement[] {
  return reqs.sort((a, b) => compareStrings(a.key, b.key));
}

/** labels.Everything(): matches every object. */
export function everything(): Selector {
  return new InternalSelector([]);
}

/** labels.Nothing(): matches no object (what a nil metav1.LabelSelector means). */
export function nothing(): Selector {
  return new NothingSelector();
}

/** SelectorFromSet / SelectorFromValidatedSet: key=value for each entry, unvalidated. */
export function selectorFromSet(set: Labels): Selector {
  if (!set) return everything();
  const reqs = Object.entries(set).map(([k, v]) => new Requirement(k, Operator.Equals, [v]));
  return new InternalSelector(sortByKey(reqs));
}

/** ValidatedSelectorFromSet: like selectorFromSet but throws on invalid keys or values. */
export function validatedSelectorFromSet(set: Labels): Selector {
  if (!set) return everything();
  const reqs = Object.entries(set).map(([k, v]) => newRequirement(k, Operator.Equals, [v]));
  return new InternalSelector(sortByKey(reqs));
}

// --- lexer ------------------------------------------------------------------

enum Token {
  Error,
  EndOfString,
  ClosedPar,
  Comma,
  DoesNotExist,
  DoubleEquals,
  Equals,
  GreaterThan,
  Identifier,
  In,
  LessThan,
  NotEquals,
  NotIn,
  OpenPar,
}

const string2token = new Map<string, Token>([
  [")", Token.ClosedPar],
  [",", Token.Comma],
  ["!", Token.DoesNotExist],
  ["==", Token.DoubleEquals],
  ["=", Token.Equals],
  [">", Token.GreaterThan],
  ["in", Token.In],
  ["<", Token.LessThan],
  ["!=", Token.NotEquals],
  ["notin", Token.NotIn],
  ["(", Token.OpenPar],
]);

interface ScannedItem {
  tok: Token;
  literal: string;
}

function isWhitespace(ch: string): boolean {
  return ch === " " || ch === "\t" || ch === "\r" || ch === "\n";
}

function isSpecialSymbol(ch: string): boolean {
  return ch === "=" || ch === "!" || ch === "(" || ch === ")" || ch === "," || ch === ">" || ch === "<";
}

const EOS = "\0";

class Lexer {
  private pos = 0;
  constructor(private readonly s: string) {}

  // Go's lexer returns byte 0 at the end, so a NUL in the input ends it too.
  private read(): string {
    if (this.pos < this.s.length) return this.s[this.pos++];
    return EOS;
  }

  private unread(): void {
    this.pos--;
  }

  private scanIDOrKeyword(): ScannedItem {
    let buffer = "";
    for (;;) {
      const ch = this.read();
      if (ch === EOS) break;
      if (isSpecialSymbol(ch) || isWhitespace(ch)) {
        this.unread();
        break;
      }
      buffer += ch;
    }
    const tok = string2token.get(buffer);
    return { tok: tok ?? Token.Identifier, literal: buffer };
  }

  private scanSpecialSymbol(): ScannedItem {
    let last: ScannedItem = { tok: Token.Error, literal: "" };
    let buffer = "";
    for (;;) {
      const ch = this.read();
      if (ch === EOS) break;
      if (isSpecialSymbol(ch)) {
        buffer += ch;
        const tok = string2token.get(buffer);
        if (tok !== undefined) {
          last = { tok, literal: buffer };
        } else if (last.tok !== Token.Error) {
          this.unread();
          break;
        }
      } else {
        this.unread();
        break;
      }
    }
    if (last.tok === Token.Error)
      return { tok: Token.Error, literal: `error expected: keyword found '${buffer}'` };
    return last;
  }

  lex(): ScannedItem {
    let ch = this.read();
    while (isWhitespace(ch)) ch = this.read();
    if (ch === EOS) return { tok: Token.EndOfString, literal: "" };
    this.unread();
    return isSpecialSymbol(ch) ? this.scanSpecialSymbol() : this.scanIDOrKeyword();
  }
}

// --- parser -----------------------------------------------------------------

enum Context {
  KeyAndOperator,
  Values,
}

class ParseError extends Error {}

class Parser {
  private readonly items: ScannedItem[] = [];
  private position = 0;

  constructor(
    private readonly l: Lexer,
    private readonly path: Path | null,
  ) {}

  // In a values context "in" and "notin" are plain identifiers: `x in (in)`.
  private lookahead(context: Context): ScannedItem {
    const { tok, literal } = this.items[this.position];
    if (context === Context.Values && (tok === Token.In || tok === Token.NotIn)) {
      return { tok: Token.Identifier, literal };
    }
    return { tok, literal };
  }

  private consume(context: Context): ScannedItem {
    this.position++;
    const { tok, literal } = this.items[this.position - 1];
    if (context === Context.Values && (tok === Token.In || tok === Token.NotIn)) {
      return { tok: Token.Identifier, literal };
    }
    return { tok, literal };
  }

  private scan(): void {
    for (;;) {
      const item = this.l.lex();
      this.items.push(item);
      if (item.tok === Token.EndOfString) break;
    }
  }

  parse(): Requirement[] {
    this.scan();
    const requirements: Requirement[] = [];
    for (;;) {
      const { tok, literal } = this.lookahead(Context.Values);
      switch (tok) {
        case Token.Identifier:
        case Token.DoesNotExist: {
          let r: Requirement;
          try {
            r = this.parseRequirement();
          } catch (e) {
            throw new ParseError(`unable to parse requirement: ${(e as Error).message}`);
          }
          requirements.push(r);
          const t = this.consume(Context.Values);
          switch (t.tok) {
            case Token.EndOfString:
              return requirements;
            case Token.Comma: {
              const t2 = this.lookahead(Context.Values);
              if (t2.tok !== Token.Identifier && t2.tok !== Token.DoesNotExist) {
                throw new ParseError(`found '${t2.literal}', expected: identifier after ','`);
              }
              break;
            }
            default:
              throw new ParseError(`found '${t.literal}', expected: ',' or 'end of string'`);
          }
          break;
        }
        case Token.EndOfString:
          return requirements;
        default:
          throw new ParseError(`found '${literal}', expected: !, identifier, or 'end of string'`);
      }
    }
  }

  private parseRequirement(): Requirement {
    const { key, operator } = this.parseKeyAndInferOperator();
    if (operator === Operator.Exists || operator === Operator.DoesNotExist) {
      return newRequirement(key, operator, [], this.path);
    }
    const op = this.parseOperator();
    let values: Set<string>;
    switch (op) {
      case Operator.In:
      case Operator.NotIn:
        values = this.parseValues();
        break;
      default:
        values = this.parseExactValue();
    }
    // sets.String.List() is sorted.
    return newRequirement(key, op, [...values].sort(compareStrings), this.path);
  }

  private parseKeyAndInferOperator(): { key: string; operator: Operator | "" } {
    let operator: Operator | "" = "";
    let { tok, literal } = this.consume(Context.Values);
    if (tok === Token.DoesNotExist) {
      operator = Operator.DoesNotExist;
      ({ tok, literal } = this.consume(Context.Values));
    }
    if (tok !== Token.Identifier) throw new ParseError(`found '${literal}', expected: identifier`);
    const err = validateLabelKey(literal, this.path);
    if (err) throw err;
    const t = this.lookahead(Context.Values).tok;
    if ((t === Token.EndOfString || t === Token.Comma) && operator !== Operator.DoesNotExist) {
      operator = Operator.Exists;
    }
    return { key: literal, operator };
  }

  private parseOperator(): Operator {
    const { tok, literal } = this.consume(Context.KeyAndOperator);
    switch (tok) {
      case Token.In:
        return Operator.In;
      case Token.Equals:
        return Operator.Equals;
      case Token.DoubleEquals:
        return Operator.DoubleEquals;
      case Token.GreaterThan:
        return Operator.GreaterThan;
      case Token.LessThan:
        return Operator.LessThan;
      case Token.NotIn:
        return Operator.NotIn;
      case Token.NotEquals:
        return Operator.NotEquals;
      default:
        throw new ParseError(`found '${literal}', expected: '=', '!=', '==', 'in', notin'`);
    }
  }

  private parseValues(): Set<string> {
    const open = this.consume(Context.Values);
    if (open.tok !== Token.OpenPar) throw new ParseError(`found '${open.literal}' expected: '('`);
    const { tok, literal } = this.lookahead(Context.Values);
    switch (tok) {
      case Token.Identifier:
      case Token.Comma: {
        const s = this.parseIdentifiersList();
        if (this.consume(Context.Values).tok !== Token.ClosedPar) {
          throw new ParseError(`found '${literal}', expected: ')'`);
        }
        return s;
      }
      case Token.ClosedPar:
        this.consume(Context.Values);
        return new Set([""]);
      default:
        throw new ParseError(`found '${literal}', expected: ',', ')' or identifier`);
    }
  }

  private parseIdentifiersList(): Set<string> {
    const s = new Set<string>();
    for (;;) {
      const { tok, literal } = this.consume(Context.Values);
      switch (tok) {
        case Token.Identifier: {
          s.add(literal);
          const t2 = this.lookahead(Context.Values);
          switch (t2.tok) {
            case Token.Comma:
              continue;
            case Token.ClosedPar:
              return s;
            default:
              throw new ParseError(`found '${t2.literal}', expected: ',' or ')'`);
          }
        }
        case Token.Comma: {
          if (s.size === 0) s.add(""); // "(,"
          const t2 = this.lookahead(Context.Values).tok;
          if (t2 === Token.ClosedPar) {
            s.add(""); // ",)"
            return s;
          }
          if (t2 === Token.Comma) {
            this.consume(Context.Values);
            s.add(""); // ",,"
          }
          break;
        }
        default:
          throw new ParseError(`found '${literal}', expected: ',', or identifier`);
      }
    }
  }

  private parseExactValue(): Set<string> {
    const s = new Set<string>();
    const ahead = this.lookahead(Context.Values).tok;
    if (ahead === Token.EndOfString || ahead === Token.Comma) {
      s.add("");
      return s;
    }
    const { tok, literal } = this.consume(Context.Values);
    if (tok === Token.Identifier) {
      s.add(literal);
      return s;
    }
    throw new ParseError(`found '${literal}', expected: identifier`);
  }
}

/**
 * labels.Parse: the string form (`a=b,c in (x,y),!d`). Throws an Error whose
 * message is upstream's (e.g. "unable to parse requirement: ...").
 * `path` is upstream's field.WithPath option; it only changes error prefixes.
 */
export function parse(selector: string, path: Path | null = null): Selector {
  return new InternalSelector(parseToRequirements(selector, path));
}

/** ParseToRequirements: the parsed requirements, sorted by key. */
export function parseToRequirements(selector: string, path: Path | null = null): Requirement[] {
  const p = new Parser(new Lexer(selector), path);
  return sortByKey(p.parse());
}

/** True if e is an error thrown by parse() or newRequirement(). */
export function isSelectorError(e: unknown): e is Error {
  return e instanceof ParseError || e instanceof Aggregate;
}

/**
 * metav1.LabelSelectorAsSelector: null/undefined selects nothing, an empty
 * selector selects everything. Throws upstream's error for a bad requirement.
 */
export function labelSelectorAsSelector(ps: LabelSelector | null | undefined): Selector {
  if (ps === null || ps === undefined) return nothing();
  const matchLabels = ps.matchLabels ?? {};
  const matchExpressions = ps.matchExpressions ?? [];
  if (Object.keys(matchLabels).length + matchExpressions.length === 0) return everything();
  const reqs: Requirement[] = [];
  for (const [k, v] of Object.entries(matchLabels)) reqs.push(newRequirement(k, Operator.Equals, [v]));
  for (const expr of matchExpressions) {
    let op: Operator;
    switch (expr.operator) {
      case "In":
        op = Operator.In;
        break;
      case "NotIn":
        op = Operator.NotIn;
        break;
      case "Exists":
        op = Operator.Exists;
        break;
      case "DoesNotExist":
        op = Operator.DoesNotExist;
        break;
      default:
        throw new Error(`${goQuote(expr.operator ?? "")} is not a valid label selector operator`);
    }
    // append([]string(nil), values...) is nil when there are no values.
    const values = expr.values && expr.values.length > 0 ? [...expr.values] : null;
    reqs.push(newRequirement(expr.key, op, values));
  }
  return everything().add(...reqs);
}
