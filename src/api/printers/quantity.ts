// Quantities and int-or-strings as the printers show them (Quantity.String(),
// IntOrString.String()), on top of src/machinery/quantity.ts.
import { Quantity } from "../../machinery/quantity.ts";

/** Quantity.String() of a serialized quantity; absent values are the zero Quantity ("0"). */
export function formatQuantity(value: string | number | null | undefined): string {
  if (value === null || value === undefined) return "0";
  const text = String(value);
  try {
    return Quantity.parse(text).toString();
  } catch {
    return text;
  }
}

/** intstr.IntOrString.String(). */
export function formatIntOrString(value: number | string): string {
  return typeof value === "number" ? String(Math.trunc(value)) : value;
}
