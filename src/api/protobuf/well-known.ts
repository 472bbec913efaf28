// Messages whose JSON form is not an object of their fields: the Go types
// behind them have their own MarshalJSON. Each converter gets the message's raw
// bytes and its decoded fields by number.
import { parseQuantity, QuantityParseError } from "../../machinery/quantity.ts";
import { malformed } from "./errors.ts";

export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

export type DecodedFields = ReadonlyMap<number, unknown>;

type Converter = (bytes: Uint8Array, fields: DecodedFields) => JsonValue;

// 0001-01-01T00:00:00Z, Go's zero time.Time, which metav1.Time prints as null.
const zeroTimeSeconds = -62135596800;

function num(fields: DecodedFields, n: number): number {
  return (fields.get(n) as number | undefined) ?? 0;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, "0");
}

/** Go's t.UTC().Format(time.RFC3339) (fraction false) or RFC3339Micro (fraction true). */
export function formatRFC3339(seconds: number, nanos: number, fraction: boolean): string {
  const date = new Date(seconds * 1000);
  if (Number.isNaN(date.getTime())) throw malformed(`time out of range: ${seconds}s`);
  const year = date.getUTCFullYear();
  const yyyy = year < 0 ? `-${pad(-year, 4)}` : pad(year, 4);
  const frac = fraction ? `.${pad(Math.floor(nanos / 1000), 6)}` : "";
  return (
    `${yyyy}-${pad(date.getUTCMonth() + 1, 2)}-${pad(date.getUTCDate(), 2)}` +
    `T${pad(date.getUTCHours(), 2)}:${pad(date.getUTCMinutes(), 2)}:${pad(date.getUTCSeconds(), 2)}${frac}Z`
  );
}

/** Go's time.Unix(sec, nsec) normalisation of nanoseconds into [0, 1e9). */
function normalize(seconds: number, nanos: number): [number, number] {
  if (nanos < 0 || nanos >= 1e9) {
    const n = Math.trunc(nanos / 1e9);
    seconds += n;
    nanos -= n * 1e9;
    if (nanos < 0) {
      nanos += 1e9;
      seconds--;
    }
  }
  return [seconds, nanos];
}

// metav1.Time: an empty message is the zero time; nanoseconds are dropped on
// decode (time_proto.go) and JSON carries whole seconds.
const time: Converter = (bytes, fields) => {
  if (bytes.length === 0) return null;
  const seconds = num(fields, 1);
  if (seconds === zeroTimeSeconds) return null;
  return formatRFC3339(seconds, 0, false);
};

// metav1.MicroTime keeps the nanoseconds and prints microseconds.
const microTime: Converter = (bytes, fields) => {
  if (bytes.length === 0) return null;
  const [seconds, nanos] = normalize(num(fields, 1), num(fields, 2));
  if (seconds === zeroTimeSeconds && nanos === 0) return null;
  return formatRFC3339(seconds, nanos, true);
};

/** Go's time.Duration.String(): "1h2m3.5s", "1.5ms", "0s". */
export function formatDuration(nanoseconds: bigint): string {
  const neg = nanoseconds < 0n;
  let u = neg ? -nanoseconds : nanoseconds;
  let out: string;
  // fmtFrac: the fraction of u/10^prec without trailing zeros, and the integer part.
  const frac = (v: bigint, prec: number): [string, bigint] => {
    let digits = "";
    let print = false;
    for (let i = 0; i < prec; i++) {
      const d = v % 10n;
      print ||= d !== 0n;
      if (print) digits = d.toString() + digits;
      v /= 10n;
    }
    return [print ? `.${digits}` : "", v];
  };
  if (u < 1_000_000_000n) {
    if (u === 0n) return "0s";
    let prec: number;
    let unit: string;
    if (u < 1000n) {
      prec = 0;
      unit = "ns";
    } else if (u < 1_000_000n) {
      prec = 3;
      unit = "µs";
    } else {
      prec = 6;
      unit = "ms";
    }
    const [f, whole] = frac(u, prec);
    out = `${whole}${f}${unit}`;
  } else {
    const [f, secs] = frac(u, 9);
    u = secs;
    out = `${u % 60n}${f}s`;
    u /= 60n;
    if (u > 0n) {
      out = `${u % 60n}m${out}`;
      u /= 60n;
      if (u > 0n) out = `${u}h${out}`;
    }
  }
  return neg ? `-${out}` : out;
}

const duration: Converter = (_bytes, fields) => formatDuration(BigInt(num(fields, 1)));

// resource.Quantity: the string is parsed on decode (an invalid one fails the
// request, as in upstream's quantity_proto.go) and printed in canonical form.
const quantity: Converter = (_bytes, fields) => {
  const s = fields.get(1) as string | undefined;
  if (s === undefined) return "0";
  try {
    return parseQuantity(s).toJSON();
  } catch (err) {
    if (err instanceof QuantityParseError) throw malformed(err.message);
    throw err;
  }
};

// intstr.IntOrString: {type, intVal, strVal} prints as a number or a string.
const intOrString: Converter = (_bytes, fields) => {
  switch (num(fields, 1)) {
    case 0:
      return num(fields, 2);
    case 1:
      return (fields.get(3) as string | undefined) ?? "";
    default:
      throw malformed("impossible IntOrString.Type");
  }
};

// runtime.RawExtension and metav1.FieldsV1 carry JSON bytes and print them as they are.
function embeddedJson(what: string): Converter {
  return (_bytes, fields) => {
    const raw = fields.get(1) as Uint8Array | undefined;
    if (raw === undefined || raw.length === 0) return null;
    try {
      return JSON.parse(new TextDecoder().decode(raw)) as JsonValue;
    } catch {
      throw malformed(`${what} does not hold JSON`);
    }
  };
}

export const wellKnownMessages: Readonly<Record<string, Converter>> = {
  "meta.v1.Time": time,
  "meta.v1.MicroTime": microTime,
  "meta.v1.Duration": duration,
  "meta.v1.FieldsV1": embeddedJson("FieldsV1"),
  "resource.Quantity": quantity,
  "intstr.IntOrString": intOrString,
  "runtime.RawExtension": embeddedJson("RawExtension"),
};
