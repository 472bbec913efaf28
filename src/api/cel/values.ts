// JSON values as CEL sees them (upstream's UnstructuredToVal): typed by an
// OpenAPI schema where there is one (a CRD's), else as JSON decodes them —
// integral numbers are ints, others doubles. Shared by CRD validation rules
// and admission policies.
import { Duration } from "@marcbachmann/cel-js/evaluator";
import { parseGoDuration } from "../../machinery/go-duration.ts";
import type { Schema } from "../apiextensions/schema.ts";
import { CEL_RESERVED_WORDS } from "./environment.ts";

type J = Record<string, unknown>;

const isObject = (v: unknown): v is J => typeof v === "object" && v !== null && !Array.isArray(v);

const ESCAPES: Record<string, string> = {
  __: "__underscores__",
  ".": "__dot__",
  "-": "__dash__",
  "/": "__slash__",
};

/** A property's name as CEL reaches it (upstream's cel.Escape); undefined when it cannot. */
export function escapeName(name: string): string | undefined {
  if (CEL_RESERVED_WORDS.has(name)) return `__${name}__`;
  if (!/^[a-zA-Z_.\-/][a-zA-Z0-9_.\-/]*$/.test(name)) return undefined;
  return name.replace(/__|[.\-/]/g, (m) => ESCAPES[m]);
}

/** A JSON value as the CEL value its schema makes it (upstream's UnstructuredToVal). */
export function toCel(v: unknown, s: Schema | undefined, resourceRoot = false): unknown {
  if (v === null || v === undefined) return null;
  if (typeof v === "number") return s?.type === "number" || !Number.isInteger(v) ? v : BigInt(v);
  if (typeof v === "string") return stringToCel(v, s?.format);
  if (typeof v === "boolean") return v;
  if (Array.isArray(v)) return v.map((x) => toCel(x, isObject(s?.items) ? s.items : undefined));
  if (!isObject(v)) return v;
  const out: J = {};
  const properties = isObject(s?.properties) ? (s.properties as J) : undefined;
  if (resourceRoot || s?.["x-kubernetes-embedded-resource"] === true) {
    for (const k of ["apiVersion", "kind"]) if (typeof v[k] === "string") out[k] = v[k];
    const meta = isObject(v.metadata) ? v.metadata : {};
    out.metadata = {
      ...(typeof meta.name === "string" ? { name: meta.name } : {}),
      ...(typeof meta.generateName === "string" ? { generateName: meta.generateName } : {}),
    };
  }
  if (properties) {
    for (const [k, x] of Object.entries(v)) {
      const ps = properties[k];
      const name = escapeName(k);
      if (isObject(ps) && name !== undefined) out[name] = toCel(x, ps);
    }
    return out;
  }
  const additional = isObject(s?.additionalProperties) ? (s.additionalProperties as Schema) : undefined;
  for (const [k, x] of Object.entries(v)) {
    if (resourceRoot && (k === "apiVersion" || k === "kind" || k === "metadata")) continue;
    out[k] = toCel(x, additional);
  }
  return out;
}

function stringToCel(v: string, format: unknown): unknown {
  if (format === "date-time" || format === "date") {
    const t = new Date(format === "date" ? `${v}T00:00:00Z` : v);
    return Number.isNaN(t.getTime()) ? v : t;
  }
  if (format === "duration") {
    try {
      const ns = parseGoDuration(v);
      return new Duration(ns / 1_000_000_000n, Number(ns % 1_000_000_000n));
    } catch {
      return v;
    }
  }
  return v;
}
