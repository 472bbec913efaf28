// Kubernetes' Common Expression Language: the language of CRD validation
// rules (x-kubernetes-validations), ValidatingAdmissionPolicy and webhook
// match conditions, on @marcbachmann/cel-js. Besides CEL's
// standard definitions and the strings extension cel-js has, Kubernetes adds
// libraries (k8s.io/apiserver/pkg/cel/library); these are here: lists
// (isSorted, sum, min, max, indexOf, lastIndexOf), regex (find, findAll),
// quantity (quantity(), isQuantity() and a Quantity's methods), authz
// (authorizer.ts), IP, CIDR and URL (network.ts), cel-go's sets extension,
// and the strings extension's charAt, replace and format.
//
// Not here: Kubernetes' format library (format.dns1123Label()…), the math and
// encoders extensions, and cost estimation (an expression's size is bounded
// instead).
import { Environment, Optional } from "@marcbachmann/cel-js";
import { Format, Quantity } from "../../machinery/quantity.ts";
import { re2ToRegExp } from "../apiextensions/schema.ts";
import { registerAuthzLibrary } from "./authorizer.ts";
import { registerNetworkLibraries } from "./network.ts";

export { Optional };

/** upstream's celconfig.MaxEvaluatedMessageExpressionSizeBytes */
const MAX_MESSAGE_BYTES = 5 * 1024;

/**
 * What a messageExpression gave, trimmed, if it may be used as a message: a
 * non-empty string of one line and at most 5 KiB; else undefined, and the
 * caller falls back to the static message.
 */
export function usableMessage(m: unknown): string | undefined {
  if (typeof m !== "string") return undefined;
  const trimmed = m.trim();
  return trimmed !== "" && !trimmed.includes("\n") && Buffer.byteLength(trimmed) <= MAX_MESSAGE_BYTES
    ? trimmed
    : undefined;
}

/** CEL's reserved words: no identifier, so a property or variable of such a name needs escaping or is refused. */
export const CEL_RESERVED_WORDS: ReadonlySet<string> = new Set([
  "true",
  "false",
  "null",
  "in",
  "as",
  "break",
  "const",
  "continue",
  "else",
  "for",
  "function",
  "if",
  "import",
  "let",
  "loop",
  "package",
  "namespace",
  "return",
  "var",
  "void",
  "while",
]);

/** A compiled expression, evaluated against the values of its variables. */
export interface CelProgram {
  readonly source: string;
  /** Whether the expression refers to the variable (oldSelf makes a rule a transition rule). */
  uses(variable: string): boolean;
  /**
   * The value, or an Error whose message reads as cel-go's ("no such key: x");
   * a Promise of either when the expression calls the authorizer.
   */
  evaluate(activation: Record<string, unknown>): unknown;
}

export type CompileResult = { program: CelProgram } | { error: string };

// Limits in place of cel-go's cost estimation: an expression stays small.
const LIMITS = {
  maxAstNodes: 5000,
  maxDepth: 100,
  maxListElements: 1000,
  maxMapEntries: 1000,
  maxCallArguments: 32,
};

const environments = new Map<string, Environment>();

/** Variables by name, each with its CEL type ("dyn", "optional<dyn>"). */
export type CelVariables = Readonly<Record<string, string>>;

function environment(variables: CelVariables): Environment {
  const key = JSON.stringify(variables);
  let env = environments.get(key);
  if (!env) {
    env = new Environment({
      enableOptionalTypes: true,
      homogeneousAggregateLiterals: false,
      limits: LIMITS,
    });
    registerKubernetesLibraries(env);
    registerQuantityLibrary(env);
    registerAuthzLibrary(env);
    registerNetworkLibraries(env);
    registerSetsExtension(env);
    for (const [name, type] of Object.entries(variables)) env.registerVariable(name, type);
    environments.set(key, env);
  }
  return env;
}

function compare(a: unknown, b: unknown): number {
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  if ((typeof a === "number" || typeof a === "bigint") && (typeof b === "number" || typeof b === "bigint")) {
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (a instanceof Date && b instanceof Date) return a.getTime() - b.getTime();
  if (typeof a === "boolean" && typeof b === "boolean") return Number(a) - Number(b);
  throw new Error(`no such overload: ${typeof a} < ${typeof b}`);
}

function celEquals(a: unknown, b: unknown): boolean {
  if ((typeof a === "number" || typeof a === "bigint") && (typeof b === "number" || typeof b === "bigint")) {
    // biome-ignore lint/suspicious/noDoubleEquals: CEL compares int and double by value
    return a == b;
  }
  if (Array.isArray(a) && Array.isArray(b))
    return a.length === b.length && a.every((x, i) => celEquals(x, b[i]));
  return a === b;
}

function regex(pattern: string): RegExp {
  const re = re2ToRegExp(pattern);
  if (!re) throw new Error(`invalid regex: ${pattern}`);
  return re;
}

function registerKubernetesLibraries(env: Environment): void {
  const extreme = (name: string, sign: number) => (list: unknown[]) => {
    if (list.length === 0) throw new Error(`${name}(list) argument must not be empty`);
    return list.reduce((m, x) => (compare(x, m) * sign > 0 ? x : m));
  };
  env
    .registerFunction("list.isSorted(): bool", (list: unknown[]) =>
      list.every((x, i) => i === 0 || compare(list[i - 1], x) <= 0),
    )
    .registerFunction("list.sum(): dyn", (list: unknown[]) => {
      if (list.length === 0) return 0n;
      return list.reduce((a, b) => {
        if (typeof a === "bigint" && typeof b === "bigint") return a + b;
        if (typeof a === "number" && typeof b === "number") return a + b;
        throw new Error("no such overload: sum of mixed types");
      });
    })
    .registerFunction("list.min(): dyn", extreme("min", -1))
    .registerFunction("list.max(): dyn", extreme("max", 1))
    .registerFunction("list.indexOf(dyn): int", (list: unknown[], x: unknown) =>
      BigInt(list.findIndex((y) => celEquals(x, y))),
    )
    .registerFunction("list.lastIndexOf(dyn): int", (list: unknown[], x: unknown) =>
      BigInt(list.findLastIndex((y) => celEquals(x, y))),
    )
    // The standard definitions' global form of matches, which cel-js has only as a method.
    .registerFunction("matches(string, string): bool", (s: string, re: string) => regex(re).test(s))
    .registerFunction("string.find(string): string", (s: string, re: string) => regex(re).exec(s)?.[0] ?? "")
    .registerFunction("string.findAll(string): list<string>", (s: string, re: string) => findAll(s, re, -1n))
    .registerFunction("string.findAll(string, int): list<string>", findAll)
    .registerFunction("string.charAt(int): string", (s: string, i: bigint) => {
      const chars = [...s];
      if (i < 0n || i > BigInt(chars.length)) throw new Error(`index out of range: ${i}`);
      return chars[Number(i)] ?? "";
    })
    .registerFunction("string.format(list): string", (s: string, args: unknown[]) => formatString(s, args))
    .registerFunction("string.replace(string, string): string", (s: string, from: string, to: string) =>
      s.split(from).join(to),
    )
    .registerFunction(
      "string.replace(string, string, int): string",
      (s: string, from: string, to: string, n: bigint) => {
        if (n < 0n) return s.split(from).join(to);
        const parts = s.split(from);
        const k = Math.min(Number(n), parts.length - 1);
        return (
          parts.slice(0, k + 1).join(to) + (k < parts.length - 1 ? from + parts.slice(k + 1).join(from) : "")
        );
      },
    );
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The quantity as an int64 if it is a whole number that fits (resource.Quantity's AsInt64). */
function quantityInt(q: Quantity): bigint | undefined {
  const v = q.value();
  return v >= INT64_MIN && v <= INT64_MAX && q.cmp(Quantity.fromInt(v, Format.DecimalSI)) === 0
    ? v
    : undefined;
}

/** Kubernetes' quantity library (library/quantity.go), over the apiserver's own resource.Quantity. */
function registerQuantityLibrary(env: Environment): void {
  const int = (n: bigint) => Quantity.fromInt(n, Format.DecimalSI);
  env
    .registerType("Quantity", Quantity as never)
    .registerFunction("quantity(string): Quantity", (s: string) => Quantity.parse(s))
    .registerFunction("isQuantity(string): bool", (s: string) => {
      try {
        Quantity.parse(s);
        return true;
      } catch {
        return false;
      }
    })
    .registerFunction("Quantity.sign(): int", (q: Quantity) => BigInt(q.sign()))
    .registerFunction("Quantity.isInteger(): bool", (q: Quantity) => quantityInt(q) !== undefined)
    .registerFunction("Quantity.asInteger(): int", (q: Quantity) => {
      const v = quantityInt(q);
      if (v === undefined) throw new Error("cannot convert value to integer");
      return v;
    })
    .registerFunction("Quantity.asApproximateFloat(): double", (q: Quantity) => q.asApproximateFloat64())
    .registerFunction("Quantity.add(Quantity): Quantity", (a: Quantity, b: Quantity) => a.add(b))
    .registerFunction("Quantity.add(int): Quantity", (a: Quantity, b: bigint) => a.add(int(b)))
    .registerFunction("Quantity.sub(Quantity): Quantity", (a: Quantity, b: Quantity) => a.sub(b))
    .registerFunction("Quantity.sub(int): Quantity", (a: Quantity, b: bigint) => a.sub(int(b)))
    .registerFunction("Quantity.isGreaterThan(Quantity): bool", (a: Quantity, b: Quantity) => a.cmp(b) > 0)
    .registerFunction("Quantity.isLessThan(Quantity): bool", (a: Quantity, b: Quantity) => a.cmp(b) < 0)
    .registerFunction("Quantity.compareTo(Quantity): int", (a: Quantity, b: Quantity) => BigInt(a.cmp(b)))
    .registerOperator("Quantity == Quantity", (a: Quantity, b: Quantity) => a.cmp(b) === 0);
}

/** `%s` of a value, as cel-go's strings extension prints it. */
function formatValue(v: unknown): string {
  if (v === null || v === undefined) return "null";
  if (typeof v === "string") return v;
  if (typeof v === "bigint" || typeof v === "boolean" || typeof v === "number") return String(v);
  if (v instanceof Date) return v.toISOString().replace(".000Z", "Z");
  if (Array.isArray(v)) return `[${v.map(formatValue).join(", ")}]`;
  if (v instanceof Map)
    return `{${[...v].map(([k, x]) => `${formatValue(k)}: ${formatValue(x)}`).join(", ")}}`;
  if (typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (typeof o.seconds === "bigint" && typeof o.nanos === "number") {
      return `${Number(o.seconds) + o.nanos / 1e9}s`;
    }
    if (
      typeof (v as { toString?: unknown }).toString === "function" &&
      v.toString !== Object.prototype.toString
    ) {
      return String(v);
    }
    return `{${Object.entries(o)
      .map(([k, x]) => `${k}: ${formatValue(x)}`)
      .join(", ")}}`;
  }
  return String(v);
}

const asNumber = (v: unknown, clause: string): number | bigint => {
  if (typeof v === "bigint" || typeof v === "number") return v;
  throw new Error(
    `error during formatting: ${clause} clause can only be used on integers and doubles, was given ${typeof v}`,
  );
};

/** Go's %e: a mantissa and an exponent of at least two digits. */
function goExponent(n: number, precision: number): string {
  const [m, e] = n.toExponential(precision).split("e");
  const exp = Number(e);
  return `${m}e${exp < 0 ? "-" : "+"}${String(Math.abs(exp)).padStart(2, "0")}`;
}

/** cel-go's strings extension's format: %s %d %f %e %b %o %x %X and %%, with a precision for %f and %e. */
function formatString(format: string, args: unknown[]): string {
  let next = 0;
  const arg = () => {
    if (next >= args.length) throw new Error(`index ${next} out of range`);
    return args[next++];
  };
  return format.replace(/%(?:\.(\d+))?([a-zA-Z%])/g, (_, precision: string | undefined, verb: string) => {
    if (verb === "%") return "%";
    const p = precision === undefined ? 6 : Number(precision);
    const v = arg();
    switch (verb) {
      case "s":
        return formatValue(v);
      case "d":
        if (typeof v !== "bigint") {
          throw new Error(
            `error during formatting: decimal clause can only be used on integers, was given ${typeof v}`,
          );
        }
        return String(v);
      case "f":
        return Number(asNumber(v, "fixed-point")).toFixed(p);
      case "e":
        return goExponent(Number(asNumber(v, "scientific")), p);
      case "b":
        return typeof v === "boolean" ? (v ? "1" : "0") : BigInt(asNumber(v, "binary")).toString(2);
      case "o":
        return BigInt(asNumber(v, "octal")).toString(8);
      case "x":
      case "X": {
        const hex =
          typeof v === "string"
            ? Buffer.from(v).toString("hex")
            : BigInt(asNumber(v, "hexadecimal")).toString(16);
        return verb === "X" ? hex.toUpperCase() : hex;
      }
      default:
        throw new Error(`could not parse formatting clause: unrecognized formatting clause "${verb}"`);
    }
  });
}

/** The namespace value of the sets extension's functions (sets.contains(…)). */
class SetsExtension {}

/** cel-go's sets extension, which Kubernetes' environment includes: lists as sets, by CEL equality. */
function registerSetsExtension(env: Environment): void {
  const has = (list: unknown[], x: unknown) => list.some((y) => celEquals(x, y));
  env
    .registerType("SetsExtension", SetsExtension as never)
    .registerConstant("sets", "SetsExtension", new SetsExtension())
    .registerFunction(
      "SetsExtension.contains(list, list): bool",
      (_: SetsExtension, a: unknown[], b: unknown[]) => b.every((x) => has(a, x)),
    )
    .registerFunction(
      "SetsExtension.equivalent(list, list): bool",
      (_: SetsExtension, a: unknown[], b: unknown[]) =>
        a.every((x) => has(b, x)) && b.every((x) => has(a, x)),
    )
    .registerFunction(
      "SetsExtension.intersects(list, list): bool",
      (_: SetsExtension, a: unknown[], b: unknown[]) => a.some((x) => has(b, x)),
    );
}

function findAll(s: string, re: string, limit: bigint): string[] {
  const global = new RegExp(regex(re).source, `${regex(re).flags}g`);
  const out: string[] = [];
  for (const m of s.matchAll(global)) {
    if (limit >= 0n && BigInt(out.length) >= limit) break;
    out.push(m[0]);
  }
  return out;
}

/** cel-go's words for what cel-js reports on its first line ("No such key: x" → "no such key: x"). */
function celMessage(e: unknown): string {
  const first = String((e as Error)?.message ?? e).split("\n")[0];
  return /^[A-Z][a-z]/.test(first) ? first.charAt(0).toLowerCase() + first.slice(1) : first;
}

interface AstNode {
  op: string;
  args: unknown;
}

function mentions(node: unknown, variable: string): boolean {
  if (Array.isArray(node)) return node.some((n) => mentions(n, variable));
  if (!node || typeof node !== "object") return false;
  const n = node as AstNode;
  if (n.op === "id") return n.args === variable;
  return mentions(n.args, variable);
}

/**
 * Parses and type-checks an expression over the given variables. `resultType`
 * ("any" for a policy's variables) is what it must evaluate to, as upstream requires
 * a rule to give a bool and a messageExpression a string.
 */
export function compile(
  expression: string,
  variables: CelVariables,
  resultType: "bool" | "string" | "any",
): CompileResult {
  const env = environment(variables);
  let parsed: ReturnType<Environment["parse"]>;
  try {
    parsed = env.parse(expression);
  } catch (e) {
    return { error: `Syntax error: ${celMessage(e)}` };
  }
  const checked = parsed.check();
  if (!checked.valid) return { error: celMessage(checked.error) };
  if (resultType !== "any" && checked.type !== resultType && checked.type !== "dyn") {
    return { error: `cel expression must evaluate to a ${resultType}` };
  }
  return {
    program: {
      source: expression,
      uses: (variable) => mentions(parsed.ast, variable),
      evaluate(activation) {
        try {
          const r = parsed(activation);
          return r instanceof Promise ? r.catch((e: unknown) => new Error(celMessage(e))) : r;
        } catch (e) {
          return new Error(celMessage(e));
        }
      },
    },
  };
}

/**
 * What a ValidatingAdmissionPolicy's expressions see (upstream's
 * plugin/cel filter): the request's objects, the request itself, the
 * binding's param, the namespace, the policy's variables and the authorizer.
 */
export const ADMISSION_POLICY_VARIABLES: CelVariables = {
  object: "dyn",
  oldObject: "dyn",
  request: "dyn",
  params: "dyn",
  namespaceObject: "dyn",
  variables: "dyn",
  authorizer: "Authorizer",
};

/**
 * The type an expression checks to over the given variables, as cel-go's
 * Type.String() names it ("string", "list(int)", "null_type"), for messages
 * such as upstream's "must evaluate to bool but got string"; undefined when
 * it does not compile.
 */
export function checkedTypeName(expression: string, variables: CelVariables): string | undefined {
  try {
    const checked = environment(variables).parse(expression).check();
    if (!checked.valid) return undefined;
    const t = String(checked.type);
    if (t === "null") return "null_type";
    if (t === "list") return "list(dyn)";
    if (t === "map") return "map(dyn, dyn)";
    return t
      .replace(/^optional</, "optional_type<")
      .replaceAll("<", "(")
      .replaceAll(">", ")");
  } catch {
    return undefined;
  }
}
