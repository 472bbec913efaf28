// Field paths and field-level validation errors, ported from
// k8s.io/apimachinery/pkg/util/validation/field (errors.go, path.go) as of v1.32,
// plus the util/errors aggregate that ErrorList.ToAggregate() builds.
// The rendered strings reach users verbatim (kubectl prints them), so the
// formatting of bad values follows Go's fmt rules exactly where it can.

/** A path from some root to a field: `spec.containers[0].name`, `metadata.labels[foo]`. */
export class Path {
  private constructor(
    /** The field name, or "" when this element is a subscript. */
    readonly name: string,
    /** The subscript (index or map key) when name is "". */
    readonly subscript: string,
    readonly parent: Path | null,
  ) {}

  /** field.NewPath: a root path, optionally with more child names. */
  static new(name: string, ...moreNames: string[]): Path {
    const p = new Path(name, "", null);
    return moreNames.length === 0 ? p : Path.chain(p, moreNames);
  }

  /** What Go's (*Path)(nil).Index(i) / .Key(k) build: a root that prints as `[k]`. */
  static subscriptRoot(subscript: string): Path {
    return new Path("", subscript, null);
  }

  root(): Path {
    let p: Path = this;
    while (p.parent !== null) p = p.parent;
    return p;
  }

  child(name: string, ...moreNames: string[]): Path {
    const p = new Path(name, "", this);
    return moreNames.length === 0 ? p : Path.chain(p, moreNames);
  }

  /** Subscript by an int (prints the same as key). */
  index(i: number): Path {
    return new Path("", String(i), this);
  }

  /** Subscript by a string. */
  key(key: string): Path {
    return new Path("", key, this);
  }

  toString(): string {
    const elems: Path[] = [];
    for (let p: Path | null = this; p !== null; p = p.parent) elems.push(p);
    let out = "";
    for (let i = elems.length - 1; i >= 0; i--) {
      const p = elems[i];
      if (p.parent !== null && p.name.length > 0) out += ".";
      out += p.name.length > 0 ? p.name : `[${p.subscript}]`;
    }
    return out;
  }

  private static chain(p: Path, moreNames: readonly string[]): Path {
    for (const n of moreNames) p = new Path(n, "", p);
    return p;
  }
}

/** field.NewPath. */
export function newPath(name: string, ...moreNames: string[]): Path {
  return Path.new(name, ...moreNames);
}

/** Go's (*Path)(nil).String() is "<nil>", which upstream messages sometimes show. */
export function pathString(p: Path | null | undefined): string {
  return p ? p.toString() : "<nil>";
}

/** Child of a possibly-nil path, as Go allows: (*Path)(nil).Child("key") prints `key`. */
export function childOf(p: Path | null | undefined, name: string, ...moreNames: string[]): Path {
  return p ? p.child(name, ...moreNames) : Path.new(name, ...moreNames);
}

/** Key of a possibly-nil path: (*Path)(nil).Key("k") prints `[k]`. */
export function keyOf(p: Path | null | undefined, key: string): Path {
  return p ? p.key(key) : Path.subscriptRoot(key);
}

/** Index of a possibly-nil path: (*Path)(nil).Index(0) prints `[0]`. */
export function indexOf(p: Path | null | undefined, i: number): Path {
  return p ? p.index(i) : Path.subscriptRoot(String(i));
}

// ---------------------------------------------------------------------------
// Rendering of bad values as Go's fmt would.

/** strconv.Quote: Go's double-quoted string literal. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case "\\":
        out += "\\\\";
        continue;
      case "\x07":
        out += "\\a";
        continue;
      case "\b":
        out += "\\b";
        continue;
      case "\f":
        out += "\\f";
        continue;
      case "\n":
        out += "\\n";
        continue;
      case "\r":
        out += "\\r";
        continue;
      case "\t":
        out += "\\t";
        continue;
      case "\v":
        out += "\\v";
        continue;
    }
    if (isGoPrintable(cp)) {
      out += ch;
    } else if (cp >= 0xd800 && cp <= 0xdfff) {
      // A lone surrogate is not valid UTF-8; Go would print the replacement rune.
      out += "\\ufffd";
    } else if (cp < 0x80) {
      out += `\\x${cp.toString(16).padStart(2, "0")}`;
    } else if (cp < 0x10000) {
      out += `\\u${cp.toString(16).padStart(4, "0")}`;
    } else {
      out += `\\U${cp.toString(16).padStart(8, "0")}`;
    }
  }
  return `${out}"`;
}

const printable = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrintable(cp: number): boolean {
  if (cp >= 0xd800 && cp <= 0xdfff) return false;
  return printable.test(String.fromCodePoint(cp));
}

/**
 * A bad value that Go would render with %#v or a String() method: the text is
 * printed verbatim. Use the helpers below to build the usual shapes.
 */
export class GoValue {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

/** `[]string{"a", "b"}`, `[]string{}` or `[]string(nil)` as %#v prints them. */
export function goStringSlice(values: readonly string[] | null | undefined): GoValue {
  if (values === null || values === undefined) return new GoValue("[]string(nil)");
  return new GoValue(`[]string{${values.map(goQuote).join(", ")}}`);
}

/** The marker field.TooMany uses when the actual count is unknown. */
export const omitValue: unique symbol = Symbol("omitValue");

export type BadValue = string | number | bigint | boolean | null | undefined | GoValue | typeof omitValue;

function renderBadValue(v: BadValue): string {
  if (v === null || v === undefined) return '"null"'; // Go substitutes the string "null" and quotes it
  if (typeof v === "string") return goQuote(v);
  if (typeof v === "number" || typeof v === "bigint" || typeof v === "boolean") return String(v);
  if (v instanceof GoValue) return v.text;
  return "";
}

// ---------------------------------------------------------------------------
// Errors.

/** field.ErrorType; the values double as metav1.CauseType in Status causes. */
export const ErrorType = {
  NotFound: "FieldValueNotFound",
  Required: "FieldValueRequired",
  Duplicate: "FieldValueDuplicate",
  Invalid: "FieldValueInvalid",
  NotSupported: "FieldValueNotSupported",
  Forbidden: "FieldValueForbidden",
  TooLong: "FieldValueTooLong",
  TooMany: "FieldValueTooMany",
  Internal: "InternalError",
  TypeInvalid: "FieldValueTypeInvalid",
} as const;
export type ErrorType = (typeof ErrorType)[keyof typeof ErrorType];

/** ErrorType.String(): the canonical phrase shown in messages. */
export function errorTypeString(t: ErrorType): string {
  switch (t) {
    case ErrorType.NotFound:
      return "Not found";
    case ErrorType.Required:
      return "Required value";
    case ErrorType.Duplicate:
      return "Duplicate value";
    case ErrorType.Invalid:
      return "Invalid value";
    case ErrorType.NotSupported:
      return "Unsupported value";
    case ErrorType.Forbidden:
      return "Forbidden";
    case ErrorType.TooLong:
      return "Too long";
    case ErrorType.TooMany:
      return "Too many";
    case ErrorType.Internal:
      return "Internal error";
    case ErrorType.TypeInvalid:
      return "Invalid value";
  }
}

/** field.Error: one field-level validation failure. */
export class FieldError extends Error {
  constructor(
    readonly type: ErrorType,
    /** The rendered path, e.g. `spec.containers[0].name`. */
    readonly field: string,
    readonly badValue: BadValue,
    readonly detail: string,
  ) {
    super();
    this.name = "FieldError";
    this.message = this.error();
  }

  /** Error(): `<field>: <body>`, exactly Go's text. */
  error(): string {
    return `${this.field}: ${this.errorBody()}`;
  }

  /** ErrorBody(): the message without the field name (used as the Status cause message). */
  errorBody(): string {
    let s: string;
    switch (this.type) {
      case ErrorType.Required:
      case ErrorType.Forbidden:
      case ErrorType.TooLong:
      case ErrorType.Internal:
        s = errorTypeString(this.type);
        break;
      default:
        s =
          this.badValue === omitValue
            ? errorTypeString(this.type)
            : `${errorTypeString(this.type)}: ${renderBadValue(this.badValue)}`;
    }
    if (this.detail.length !== 0) s += `: ${this.detail}`;
    return s;
  }

  override toString(): string {
    return this.error();
  }
}

type PathLike = Path | null | undefined;

export function notFound(path: PathLike, value: BadValue): FieldError {
  return new FieldError(ErrorType.NotFound, pathString(path), value, "");
}

export function required(path: PathLike, detail: string): FieldError {
  return new FieldError(ErrorType.Required, pathString(path), "", detail);
}

export function duplicate(path: PathLike, value: BadValue): FieldError {
  return new FieldError(ErrorType.Duplicate, pathString(path), value, "");
}

export function invalid(path: PathLike, value: BadValue, detail: string): FieldError {
  return new FieldError(ErrorType.Invalid, pathString(path), value, detail);
}

export function typeInvalid(path: PathLike, value: BadValue, detail: string): FieldError {
  return new FieldError(ErrorType.TypeInvalid, pathString(path), value, detail);
}

export function notSupported(path: PathLike, value: BadValue, validValues: readonly string[]): FieldError {
  const detail = validValues.length > 0 ? `supported values: ${validValues.map(goQuote).join(", ")}` : "";
  return new FieldError(ErrorType.NotSupported, pathString(path), value, detail);
}

export function forbidden(path: PathLike, detail: string): FieldError {
  return new FieldError(ErrorType.Forbidden, pathString(path), "", detail);
}

/** field.TooLong (v1.32 wording; the value itself is never shown). */
export function tooLong(path: PathLike, _value: BadValue, maxLength: number): FieldError {
  let msg: string;
  if (maxLength >= 0) {
    msg = `may not be more than ${maxLength} ${maxLength === 1 ? "byte" : "bytes"}`;
  } else {
    msg = "value is too long";
  }
  return new FieldError(ErrorType.TooLong, pathString(path), "<value omitted>", msg);
}

export function tooMany(path: PathLike, actualQuantity: number, maxQuantity: number): FieldError {
  let msg: string;
  if (maxQuantity >= 0) {
    msg = `must have at most ${maxQuantity} ${maxQuantity === 1 ? "item" : "items"}`;
  } else {
    msg = "has too many items";
  }
  const actual: BadValue = actualQuantity >= 0 ? actualQuantity : omitValue;
  return new FieldError(ErrorType.TooMany, pathString(path), actual, msg);
}

export function internalError(path: PathLike, err: Error | string): FieldError {
  return new FieldError(
    ErrorType.Internal,
    pathString(path),
    null,
    typeof err === "string" ? err : err.message,
  );
}

// ---------------------------------------------------------------------------
// Aggregates (k8s.io/apimachinery/pkg/util/errors).

/** utilerrors.Aggregate: several errors reported as one. */
export class Aggregate extends Error {
  readonly errors: readonly Error[];

  constructor(errors: readonly Error[]) {
    super();
    this.name = "Aggregate";
    this.errors = errors;
    this.message = this.error();
  }

  /** Error(): the single message, or `[a, b]` with duplicates dropped. */
  error(): string {
    if (this.errors.length === 0) return "";
    if (this.errors.length === 1) return messageOf(this.errors[0]);
    const seen = new Set<string>();
    let result = "";
    const visit = (errs: readonly Error[]) => {
      for (const e of errs) {
        if (e instanceof Aggregate) {
          visit(e.errors);
          continue;
        }
        const msg = messageOf(e);
        if (seen.has(msg)) continue;
        seen.add(msg);
        if (seen.size > 1) result += ", ";
        result += msg;
      }
    };
    visit(this.errors);
    if (seen.size === 1) return result;
    return `[${result}]`;
  }

  override toString(): string {
    return this.error();
  }
}

function messageOf(e: Error): string {
  if (e instanceof FieldError) return e.error();
  if (e instanceof Aggregate) return e.error();
  return e.message;
}

/** utilerrors.NewAggregate: null when there is nothing to report. */
export function newAggregate(errs: readonly (Error | null | undefined)[]): Aggregate | null {
  const kept = errs.filter((e): e is Error => e !== null && e !== undefined);
  return kept.length === 0 ? null : new Aggregate(kept);
}

/** ErrorList.ToAggregate: drops errors whose message repeats; null when empty. */
export function toAggregate(list: readonly FieldError[] | null | undefined): Aggregate | null {
  if (!list || list.length === 0) return null;
  const seen = new Set<string>();
  const errs: FieldError[] = [];
  for (const e of list) {
    const msg = e.error();
    if (seen.has(msg)) continue;
    seen.add(msg);
    errs.push(e);
  }
  return newAggregate(errs);
}

/** field.ErrorList: an array of FieldError with ToAggregate(). */
export class ErrorList extends Array<FieldError> {
  static of_(...errs: FieldError[]): ErrorList {
    const l = new ErrorList();
    l.push(...errs);
    return l;
  }

  static from_(errs: Iterable<FieldError>): ErrorList {
    const l = new ErrorList();
    for (const e of errs) l.push(e);
    return l;
  }

  toAggregate(): Aggregate | null {
    return toAggregate(this);
  }

  /** Keeps the errors whose type is not one of `types` (ErrorList.Filter with type matchers). */
  filterOutTypes(...types: ErrorType[]): ErrorList {
    return ErrorList.from_(this.filter((e) => !types.includes(e.type)));
  }
}
