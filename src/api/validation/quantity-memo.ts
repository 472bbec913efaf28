// Quantity.fromJSON with a bounded memo. The same few quantity strings
// ("100m", "500Mi") come back in every pod, and validation parses each one
// several times (the JSON type check, the resource checks, semantic equality
// on update). Quantities are immutable, so a parsed one can be shared.

import { Quantity } from "../../machinery/quantity.ts";

// Cleared when full: a client sending endless distinct quantities costs a
// parse each, as before, and memory stays bounded.
const maxEntries = 1024;
const parsed = new Map<string, Quantity>();

/** Quantity.fromJSON (a JSON string, trimmed, or number); throws its QuantityParseError. */
export function quantityFromJSON(v: unknown): Quantity {
  if (typeof v !== "string" && typeof v !== "number") return Quantity.fromJSON(v);
  const text = typeof v === "number" ? String(v) : v.trim();
  let q = parsed.get(text);
  if (q === undefined) {
    q = Quantity.parse(text);
    if (parsed.size >= maxEntries) parsed.clear();
    parsed.set(text, q);
  }
  return q;
}
