// The part of client-go's util/jsonpath that CRD printer columns and
// selectable fields use: one path of fields (`.spec.replicas`, `['a.b']`,
// `.labels.app\.kubernetes\.io/name`), array subscripts (`[0]`, `[-1]`,
// `[1:3]`, `[*]`), filters (`[?(@.type=="Ready")]`, with == != < > <= >= and
// a bare `@.field` for existence) and `..` recursive descent. Missing keys
// give no result (AllowMissingKeys(true)), as the table convertor asks.

type Step =
  | { kind: "field"; name: string }
  | { kind: "wildcard" }
  | { kind: "recursive" }
  | { kind: "index"; start?: number; end?: number; single: boolean }
  | { kind: "filter"; left: Step[]; op?: string; right?: unknown | Step[] };

export class JSONPathError extends Error {}

/** Parses a path, with or without the `{…}` around it. */
export function parseJSONPath(expr: string): Step[] {
  let s = expr.trim();
  if (s.startsWith("{") && s.endsWith("}")) s = s.slice(1, -1).trim();
  if (s.startsWith("$")) s = s.slice(1);
  const p = new Parser(s);
  const steps = p.steps(false);
  if (!p.done())
    throw new JSONPathError(`unrecognized character in action: ${JSON.stringify(s.slice(p.pos))}`);
  return steps;
}

class Parser {
  pos = 0;
  constructor(private readonly s: string) {}

  done(): boolean {
    return this.pos >= this.s.length;
  }

  steps(inFilter: boolean): Step[] {
    const out: Step[] = [];
    while (!this.done()) {
      const c = this.s[this.pos];
      if (c === ".") {
        if (this.s[this.pos + 1] === ".") {
          this.pos += 2;
          out.push({ kind: "recursive" });
          if (this.s[this.pos] === "[") continue;
        } else this.pos++;
        if (this.s[this.pos] === "*") {
          this.pos++;
          out.push({ kind: "wildcard" });
          continue;
        }
        const name = this.fieldName();
        if (name !== "") out.push({ kind: "field", name });
      } else if (c === "[") {
        out.push(this.bracket());
      } else if (inFilter) {
        break;
      } else {
        throw new JSONPathError(
          `unrecognized character in action: ${JSON.stringify(this.s.slice(this.pos))}`,
        );
      }
    }
    return out;
  }

  private fieldName(): string {
    let name = "";
    while (!this.done()) {
      const c = this.s[this.pos];
      if (c === "\\" && this.pos + 1 < this.s.length) {
        name += this.s[this.pos + 1];
        this.pos += 2;
        continue;
      }
      if (
        c === "." ||
        c === "[" ||
        c === " " ||
        c === ")" ||
        c === "=" ||
        c === "!" ||
        c === "<" ||
        c === ">"
      )
        break;
      name += c;
      this.pos++;
    }
    return name;
  }

  private bracket(): Step {
    const close = this.s.indexOf("]", this.pos);
    if (close === -1) throw new JSONPathError("unterminated array");
    const inner = this.s.slice(this.pos + 1, close);
    if (inner.startsWith("?(")) return this.filter();
    this.pos = close + 1;
    const quoted = /^\s*(['"])(.*)\1\s*$/.exec(inner);
    if (quoted) return { kind: "field", name: quoted[2] };
    if (inner.trim() === "*") return { kind: "wildcard" };
    const m = /^\s*(-?\d+)?\s*(:\s*(-?\d+)?\s*)?$/.exec(inner);
    if (!m) throw new JSONPathError(`invalid array index ${inner}`);
    return {
      kind: "index",
      start: m[1] === undefined ? undefined : Number(m[1]),
      end: m[3] === undefined ? undefined : Number(m[3]),
      single: m[2] === undefined,
    };
  }

  private filter(): Step {
    this.pos += 3; // "[?("
    this.skipSpaces();
    const left = this.operand();
    this.skipSpaces();
    let op: string | undefined;
    let right: unknown;
    const m = /^(==|!=|<=|>=|<|>)/.exec(this.s.slice(this.pos));
    if (m) {
      op = m[1];
      this.pos += op.length;
      this.skipSpaces();
      right = this.operand();
      this.skipSpaces();
    }
    if (this.s.slice(this.pos, this.pos + 2) !== ")]") throw new JSONPathError("unclosed filter");
    this.pos += 2;
    return { kind: "filter", left: left as Step[], op, right };
  }

  private operand(): unknown {
    const c = this.s[this.pos];
    if (c === "@") {
      this.pos++;
      return this.steps(true);
    }
    if (c === "'" || c === '"') {
      const end = this.s.indexOf(c, this.pos + 1);
      if (end === -1) throw new JSONPathError("unterminated string");
      const v = this.s.slice(this.pos + 1, end);
      this.pos = end + 1;
      return v;
    }
    const m = /^(-?\d+(\.\d+)?|true|false)/.exec(this.s.slice(this.pos));
    if (!m) throw new JSONPathError(`unrecognized filter operand ${JSON.stringify(this.s.slice(this.pos))}`);
    this.pos += m[0].length;
    return m[0] === "true" ? true : m[0] === "false" ? false : Number(m[0]);
  }

  private skipSpaces(): void {
    while (this.s[this.pos] === " ") this.pos++;
  }
}

function apply(steps: Step[], roots: unknown[]): unknown[] {
  let cur = roots;
  for (const step of steps) {
    const next: unknown[] = [];
    for (const v of cur) evalStep(step, v, next);
    cur = next;
  }
  return cur;
}

function evalStep(step: Step, v: unknown, out: unknown[]): void {
  switch (step.kind) {
    case "field":
      if (v !== null && typeof v === "object" && !Array.isArray(v) && Object.hasOwn(v, step.name))
        out.push((v as Record<string, unknown>)[step.name]);
      return;
    case "wildcard":
      if (Array.isArray(v)) out.push(...v);
      else if (v !== null && typeof v === "object") out.push(...Object.values(v));
      return;
    case "recursive":
      descend(v, out);
      return;
    case "index": {
      if (!Array.isArray(v)) return;
      const n = v.length;
      const norm = (i: number) => (i < 0 ? i + n : i);
      if (step.single) {
        const i = norm(step.start ?? 0);
        if (i >= 0 && i < n) out.push(v[i]);
        return;
      }
      const start = Math.max(0, norm(step.start ?? 0));
      const end = Math.min(n, step.end === undefined ? n : norm(step.end));
      for (let i = start; i < end; i++) out.push(v[i]);
      return;
    }
    case "filter": {
      const items = Array.isArray(v) ? v : v !== null && typeof v === "object" ? Object.values(v) : [];
      for (const item of items) if (matches(step, item)) out.push(item);
      return;
    }
  }
}

function descend(v: unknown, out: unknown[]): void {
  out.push(v);
  if (Array.isArray(v)) for (const x of v) descend(x, out);
  else if (v !== null && typeof v === "object") for (const x of Object.values(v)) descend(x, out);
}

function matches(f: Extract<Step, { kind: "filter" }>, item: unknown): boolean {
  const lefts = apply(f.left, [item]);
  if (f.op === undefined) return lefts.length > 0;
  const rights = Array.isArray(f.right) ? apply(f.right as Step[], [item]) : [f.right];
  if (lefts.length === 0 || rights.length === 0) return false;
  const a = lefts[0];
  const b = rights[0];
  switch (f.op) {
    case "==":
      return a === b || (typeof a === "number" && typeof b === "number" && a === b);
    case "!=":
      return a !== b;
    case "<":
      return typeof a === "number" && typeof b === "number" && a < b;
    case ">":
      return typeof a === "number" && typeof b === "number" && a > b;
    case "<=":
      return typeof a === "number" && typeof b === "number" && a <= b;
    case ">=":
      return typeof a === "number" && typeof b === "number" && a >= b;
  }
  return false;
}

/** Every value the path finds in obj, in document order. */
export function findResults(obj: unknown, steps: Step[]): unknown[] {
  return apply(steps, [obj]);
}

/** How jsonpath's PrintResults writes one value: strings bare, numbers and booleans as Go prints them, the rest as JSON. */
export function printResult(v: unknown): string {
  if (typeof v === "string") return v;
  if (typeof v === "number" || typeof v === "boolean") return String(v);
  if (v === null || v === undefined) return "<nil>";
  return JSON.stringify(v);
}
