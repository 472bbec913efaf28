// Name and value validators from k8s.io/apimachinery/pkg/util/validation
// (validation.go and ip.go, v1.32). Each returns the list of problems as
// upstream's exact sentences; an empty list means valid. Lengths are counted
// in bytes, as Go's len() does.

import { type FieldError, invalid, type Path, required } from "./field-errors.ts";

function byteLen(s: string): number {
  return Buffer.byteLength(s, "utf8");
}

// --- messages -------------------------------------------------------------

/** MaxLenError: "must be no more than N characters". */
export function maxLenError(length: number): string {
  return `must be no more than ${length} characters`;
}

/** RegexError: the message, examples and the regex used, in upstream's exact layout. */
export function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  msg += " (e.g. ";
  examples.forEach((ex, i) => {
    if (i > 0) msg += " or ";
    msg += `'${ex}', `;
  });
  msg += `regex used for validation is '${fmt}')`;
  return msg;
}

/** EmptyError. */
export function emptyError(): string {
  return "must be non-empty";
}

/** InclusiveRangeError. */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

function prefixEach(msgs: string[], prefix: string): string[] {
  return msgs.map((m) => prefix + m);
}

// --- qualified names and label values ---------------------------------------

const qnameCharFmt = "[A-Za-z0-9]";
const qnameExtCharFmt = "[-A-Za-z0-9_.]";
const qualifiedNameFmt = `(${qnameCharFmt}${qnameExtCharFmt}*)?${qnameCharFmt}`;
const qualifiedNameErrMsg =
  "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
const qualifiedNameMaxLength = 63;
const qualifiedNameRegexp = new RegExp(`^${qualifiedNameFmt}$`);

// Values already found valid. Label keys and values, annotation keys and
// resource names repeat across objects, and a valid value's answer is always
// the same empty list. Cleared when full, so memory stays bounded.
const maxKnownValid = 4096;
const knownQualifiedNames = new Set<string>();
const knownLabelValues = new Set<string>();

function rememberValid(known: Set<string>, value: string, errs: readonly string[]): void {
  if (errs.length !== 0) return;
  if (known.size >= maxKnownValid) known.clear();
  known.add(value);
}

/** IsQualifiedName: `[prefix/]name`, the form of label keys, annotation keys and finalizers. */
export function isQualifiedName(value: string): string[] {
  if (knownQualifiedNames.has(value)) return [];
  const errs = qualifiedNameErrors(value);
  rememberValid(knownQualifiedNames, value, errs);
  return errs;
}

function qualifiedNameErrors(value: string): string[] {
  const errs: string[] = [];
  const parts = value.split("/");
  let name: string;
  switch (parts.length) {
    case 1:
      name = parts[0];
      break;
    case 2: {
      const prefix = parts[0];
      name = parts[1];
      if (prefix.length === 0) {
        errs.push(`prefix part ${emptyError()}`);
      } else {
        const msgs = isDNS1123Subdomain(prefix);
        if (msgs.length !== 0) errs.push(...prefixEach(msgs, "prefix part "));
      }
      break;
    }
    default:
      errs.push(
        `a qualified name ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")}` +
          " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
      );
      return errs;
  }
  if (name.length === 0) {
    errs.push(`name part ${emptyError()}`);
  } else if (byteLen(name) > qualifiedNameMaxLength) {
    errs.push(`name part ${maxLenError(qualifiedNameMaxLength)}`);
  }
  if (!qualifiedNameRegexp.test(name)) {
    errs.push(
      `name part ${regexError(qualifiedNameErrMsg, qualifiedNameFmt, "MyName", "my.name", "123-abc")}`,
    );
  }
  return errs;
}

const labelValueFmt = `(${qualifiedNameFmt})?`;
const labelValueErrMsg =
  "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";
export const LabelValueMaxLength = 63;
const labelValueRegexp = new RegExp(`^${labelValueFmt}$`);

/** IsValidLabelValue. */
export function isValidLabelValue(value: string): string[] {
  if (knownLabelValues.has(value)) return [];
  const errs: string[] = [];
  if (byteLen(value) > LabelValueMaxLength) errs.push(maxLenError(LabelValueMaxLength));
  if (!labelValueRegexp.test(value)) {
    errs.push(regexError(labelValueErrMsg, labelValueFmt, "MyValue", "my_value", "12345"));
  }
  rememberValid(knownLabelValues, value, errs);
  return errs;
}

// --- DNS names --------------------------------------------------------------

const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123LabelFmtWithUnderscore = "_?[a-z0-9]([-_a-z0-9]*[a-z0-9])?";
const dns1123LabelErrMsg =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character";
export const DNS1123LabelMaxLength = 63;
const dns1123LabelRegexp = new RegExp(`^${dns1123LabelFmt}$`);

/** IsDNS1123Label: namespace names, container names, port names of services... */
export function isDNS1123Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123LabelMaxLength) errs.push(maxLenError(DNS1123LabelMaxLength));
  if (!dns1123LabelRegexp.test(value)) {
    errs.push(regexError(dns1123LabelErrMsg, dns1123LabelFmt, "my-name", "123-abc"));
  }
  return errs;
}

const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1123SubdomainErrorMsg =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character";
const dns1123SubdomainFmtWithUnderscore = `${dns1123LabelFmtWithUnderscore}(\\.${dns1123LabelFmtWithUnderscore})*`;
const dns1123SubdomainErrorMsgFG =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '_', '-' or '.', and must start and end with an alphanumeric character";
export const DNS1123SubdomainMaxLength = 253;
const dns1123SubdomainRegexp = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1123SubdomainRegexpWithUnderscore = new RegExp(`^${dns1123SubdomainFmtWithUnderscore}$`);

/** IsDNS1123Subdomain: most object names. */
export function isDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!dns1123SubdomainRegexp.test(value)) {
    errs.push(regexError(dns1123SubdomainErrorMsg, dns1123SubdomainFmt, "example.com"));
  }
  return errs;
}

/** IsDNS1123SubdomainWithUnderscore (RelaxedDNSSearchValidation). */
export function isDNS1123SubdomainWithUnderscore(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!dns1123SubdomainRegexpWithUnderscore.test(value)) {
    errs.push(regexError(dns1123SubdomainErrorMsgFG, dns1123SubdomainFmtWithUnderscore, "example.com"));
  }
  return errs;
}

const dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const dns1035LabelErrMsg =
  "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character";
export const DNS1035LabelMaxLength = 63;
const dns1035LabelRegexp = new RegExp(`^${dns1035LabelFmt}$`);

/** IsDNS1035Label: Service names. */
export function isDNS1035Label(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1035LabelMaxLength) errs.push(maxLenError(DNS1035LabelMaxLength));
  if (!dns1035LabelRegexp.test(value)) {
    errs.push(regexError(dns1035LabelErrMsg, dns1035LabelFmt, "my-name", "abc-123"));
  }
  return errs;
}

const wildcardDNS1123SubdomainFmt = `\\*\\.${dns1123SubdomainFmt}`;
const wildcardDNS1123SubdomainErrMsg =
  "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character";
const wildcardDNS1123SubdomainRegexp = new RegExp(`^${wildcardDNS1123SubdomainFmt}$`);

/** IsWildcardDNS1123Subdomain: `*.example.com` (Ingress hosts). */
export function isWildcardDNS1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!wildcardDNS1123SubdomainRegexp.test(value)) {
    errs.push(regexError(wildcardDNS1123SubdomainErrMsg, wildcardDNS1123SubdomainFmt, "*.example.com"));
  }
  return errs;
}

/** IsFullyQualifiedName: a subdomain with at least three segments (no trailing dot). */
export function isFullyQualifiedName(fldPath: Path | null, name: string): FieldError[] {
  if (name.length === 0) return [required(fldPath, "")];
  const errs = isDNS1123Subdomain(name);
  if (errs.length > 0) return [invalid(fldPath, name, errs.join(","))];
  if (name.split(".").length < 3) {
    return [invalid(fldPath, name, "should be a domain with at least three segments separated by dots")];
  }
  return [];
}

/** IsFullyQualifiedDomainName: at least two segments, a trailing dot allowed. */
export function isFullyQualifiedDomainName(fldPath: Path | null, name: string): FieldError[] {
  if (name.length === 0) return [required(fldPath, "")];
  if (name.endsWith(".")) name = name.slice(0, -1);
  const errs = isDNS1123Subdomain(name);
  if (errs.length > 0) return [invalid(fldPath, name, errs.join(","))];
  if (name.split(".").length < 2) {
    return [invalid(fldPath, name, "should be a domain with at least two segments separated by dots")];
  }
  for (const label of name.split(".")) {
    const le = isDNS1123Label(label);
    if (le.length > 0) return [invalid(fldPath, label, le.join(","))];
  }
  return [];
}

const httpPathFmt = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+";
const httpPathRegexp = new RegExp(`^${httpPathFmt}$`);

/** IsDomainPrefixedPath: `acme.io/foo`. */
export function isDomainPrefixedPath(fldPath: Path | null, dpPath: string): FieldError[] {
  if (dpPath.length === 0) return [required(fldPath, "")];
  const slash = dpPath.indexOf("/");
  const segments = slash < 0 ? [dpPath] : [dpPath.slice(0, slash), dpPath.slice(slash + 1)];
  if (segments.length !== 2 || segments[0].length === 0 || segments[1].length === 0) {
    return [invalid(fldPath, dpPath, 'must be a domain-prefixed path (such as "acme.io/foo")')];
  }
  const errs: FieldError[] = [];
  const host = segments[0];
  for (const e of isDNS1123Subdomain(host)) errs.push(invalid(fldPath, host, e));
  const path = segments[1];
  if (!httpPathRegexp.test(path)) {
    errs.push(invalid(fldPath, path, regexError("Invalid path", httpPathFmt)));
  }
  return errs;
}

// --- identifiers, numbers, ports --------------------------------------------

const cIdentifierFmt = "[A-Za-z_][A-Za-z0-9_]*";
const identifierErrMsg =
  "a valid C identifier must start with alphabetic character or '_', followed by a string of alphanumeric characters or '_'";
const cIdentifierRegexp = new RegExp(`^${cIdentifierFmt}$`);

/** IsCIdentifier. */
export function isCIdentifier(value: string): string[] {
  if (!cIdentifierRegexp.test(value)) {
    return [regexError(identifierErrMsg, cIdentifierFmt, "my_name", "MY_NAME", "MyName")];
  }
  return [];
}

/** IsValidPortNum: 1..65535. */
export function isValidPortNum(port: number): string[] {
  if (port >= 1 && port <= 65535) return [];
  return [inclusiveRangeError(1, 65535)];
}

/** IsInRange: an inclusive range. */
export function isInRange(value: number, min: number, max: number): string[] {
  if (value >= min && value <= max) return [];
  return [inclusiveRangeError(min, max)];
}

const maxUserID = 2147483647;

/** IsValidGroupID: 0..2^31-1. */
export function isValidGroupID(gid: number): string[] {
  if (gid >= 0 && gid <= maxUserID) return [];
  return [inclusiveRangeError(0, maxUserID)];
}

/** IsValidUserID: 0..2^31-1. */
export function isValidUserID(uid: number): string[] {
  if (uid >= 0 && uid <= maxUserID) return [];
  return [inclusiveRangeError(0, maxUserID)];
}

const portNameCharsetRegex = /^[-a-z0-9]+$/;
const portNameOneLetterRegexp = /[a-z]/;

/** IsValidPortName: an IANA_SVC_NAME, 1-15 of [-a-z0-9] with a letter. */
export function isValidPortName(port: string): string[] {
  const errs: string[] = [];
  if (byteLen(port) > 15) errs.push(maxLenError(15));
  if (!portNameCharsetRegex.test(port)) {
    errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  }
  if (!portNameOneLetterRegexp.test(port)) errs.push("must contain at least one letter (a-z)");
  if (port.includes("--")) errs.push("must not contain consecutive hyphens");
  if (port.length > 0 && (port[0] === "-" || port[port.length - 1] === "-")) {
    errs.push("must not begin or end with a hyphen");
  }
  return errs;
}

const percentFmt = "[0-9]+%";
const percentErrMsg = "a valid percent string must be a numeric string followed by an ending '%'";
const percentRegexp = new RegExp(`^${percentFmt}$`);

/** IsValidPercent: `50%`. */
export function isValidPercent(percent: string): string[] {
  if (!percentRegexp.test(percent)) return [regexError(percentErrMsg, percentFmt, "1%", "93%")];
  return [];
}

const httpHeaderNameFmt = "[-A-Za-z0-9]+";
const httpHeaderNameErrMsg = "a valid HTTP header must consist of alphanumeric characters or '-'";
const httpHeaderNameRegexp = new RegExp(`^${httpHeaderNameFmt}$`);

/** IsHTTPHeaderName. */
export function isHTTPHeaderName(value: string): string[] {
  if (!httpHeaderNameRegexp.test(value)) {
    return [regexError(httpHeaderNameErrMsg, httpHeaderNameFmt, "X-Header-Name")];
  }
  return [];
}

const envVarNameFmt = "[-._a-zA-Z][-._a-zA-Z0-9]*";
const envVarNameFmtErrMsg =
  "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit";
const relaxedEnvVarNameFmtErrMsg =
  "a valid environment variable name must consist only of printable ASCII characters other than '='";
const envVarNameRegexp = new RegExp(`^${envVarNameFmt}$`);

/** IsEnvVarName. */
export function isEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (!envVarNameRegexp.test(value)) {
    errs.push(regexError(envVarNameFmtErrMsg, envVarNameFmt, "my.env-name", "MY_ENV.NAME", "MyEnvName1"));
  }
  errs.push(...hasChDirPrefix(value));
  return errs;
}

/** IsRelaxedEnvVarName (RelaxedEnvironmentVariableValidation). */
export function isRelaxedEnvVarName(value: string): string[] {
  const errs: string[] = [];
  if (value.length === 0) errs.push(`environment variable name ${emptyError()}`);
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    // unicode.IsPrint restricted to ASCII: 0x20..0x7e.
    if (cp > 0x7f || cp < 0x20 || cp === 0x7f || ch === "=") {
      errs.push(relaxedEnvVarNameFmtErrMsg);
      break;
    }
  }
  return errs;
}

const configMapKeyFmt = "[-._a-zA-Z0-9]+";
const configMapKeyErrMsg = "a valid config key must consist of alphanumeric characters, '-', '_' or '.'";
const configMapKeyRegexp = new RegExp(`^${configMapKeyFmt}$`);

/** IsConfigMapKey: keys of ConfigMap and Secret data. */
export function isConfigMapKey(value: string): string[] {
  const errs: string[] = [];
  if (byteLen(value) > DNS1123SubdomainMaxLength) errs.push(maxLenError(DNS1123SubdomainMaxLength));
  if (!configMapKeyRegexp.test(value)) {
    errs.push(regexError(configMapKeyErrMsg, configMapKeyFmt, "key.name", "KEY_NAME", "key-name"));
  }
  errs.push(...hasChDirPrefix(value));
  return errs;
}

function hasChDirPrefix(value: string): string[] {
  if (value === ".") return ["must not be '.'"];
  if (value === "..") return ["must not be '..'"];
  if (value.startsWith("..")) return ["must not start with '..'"];
  return [];
}

// --- IP addresses (netutils.ParseIPSloppy / ParseCIDRSloppy: Go 1.16 rules) --

/** Decimal digits at the start of s, as Go's dtoi: [value, consumed], or null. */
function dtoi(s: string): [number, number] | null {
  const big = 0xffffff;
  let n = 0;
  let i = 0;
  for (; i < s.length && s[i] >= "0" && s[i] <= "9"; i++) {
    n = n * 10 + (s.charCodeAt(i) - 48);
    if (n >= big) return null;
  }
  return i === 0 ? null : [n, i];
}

/** Hex digits at the start of s, as Go's xtoi. */
function xtoi(s: string): [number, number] | null {
  const big = 0xffffff;
  let n = 0;
  let i = 0;
  for (; i < s.length; i++) {
    const c = s[i];
    let d: number;
    if (c >= "0" && c <= "9") d = c.charCodeAt(0) - 48;
    else if (c >= "a" && c <= "f") d = c.charCodeAt(0) - 87;
    else if (c >= "A" && c <= "F") d = c.charCodeAt(0) - 55;
    else break;
    n = n * 16 + d;
    if (n >= big) return null;
  }
  return i === 0 ? null : [n, i];
}

/** Leading zeros are allowed ("sloppy"), as in Go before 1.17. */
function parseIPv4(s: string): number[] | null {
  const p: number[] = [];
  for (let i = 0; i < 4; i++) {
    if (s.length === 0) return null;
    if (i > 0) {
      if (s[0] !== ".") return null;
      s = s.slice(1);
    }
    const r = dtoi(s);
    if (r === null || r[0] > 0xff) return null;
    s = s.slice(r[1]);
    p.push(r[0]);
  }
  if (s.length !== 0) return null;
  return [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, ...p];
}

function parseIPv6(s: string): number[] | null {
  const ip = new Array<number>(16).fill(0);
  let ellipsis = -1;
  if (s.length >= 2 && s[0] === ":" && s[1] === ":") {
    ellipsis = 0;
    s = s.slice(2);
    if (s.length === 0) return ip;
  }
  let i = 0;
  while (i < 16) {
    const r = xtoi(s);
    if (r === null || r[0] > 0xffff) return null;
    const [n, c] = r;
    if (c < s.length && s[c] === ".") {
      if (ellipsis < 0 && i !== 12) return null;
      if (i + 4 > 16) return null;
      const ip4 = parseIPv4(s);
      if (ip4 === null) return null;
      ip[i] = ip4[12];
      ip[i + 1] = ip4[13];
      ip[i + 2] = ip4[14];
      ip[i + 3] = ip4[15];
      s = "";
      i += 4;
      break;
    }
    ip[i] = n >> 8;
    ip[i + 1] = n & 0xff;
    i += 2;
    s = s.slice(c);
    if (s.length === 0) break;
    if (s[0] !== ":" || s.length === 1) return null;
    s = s.slice(1);
    if (s[0] === ":") {
      if (ellipsis >= 0) return null;
      ellipsis = i;
      s = s.slice(1);
      if (s.length === 0) break;
    }
  }
  if (s.length !== 0) return null;
  if (i < 16) {
    if (ellipsis < 0) return null;
    const n = 16 - i;
    for (let j = i - 1; j >= ellipsis; j--) ip[j + n] = ip[j];
    for (let j = ellipsis + n - 1; j >= ellipsis; j--) ip[j] = 0;
  } else if (ellipsis >= 0) {
    return null;
  }
  return ip;
}

/** netutils.ParseIPSloppy: 16 bytes (IPv4 as IPv4-mapped), or null. */
export function parseIPSloppy(s: string): number[] | null {
  for (const c of s) {
    if (c === ".") return parseIPv4(s);
    if (c === ":") return parseIPv6(s);
  }
  return null;
}

function isIPv4Bytes(ip: number[]): boolean {
  for (let i = 0; i < 10; i++) if (ip[i] !== 0) return false;
  return ip[10] === 0xff && ip[11] === 0xff;
}

/** netutils.ParseCIDRSloppy: the address bytes and prefix length, or null. */
export function parseCIDRSloppy(s: string): { ip: number[]; prefix: number; ipv4: boolean } | null {
  const slash = s.indexOf("/");
  if (slash < 0) return null;
  const addr = s.slice(0, slash);
  const mask = s.slice(slash + 1);
  let iplen = 4;
  let ip = parseIPv4(addr);
  if (ip === null) {
    iplen = 16;
    ip = parseIPv6(addr);
  }
  const n = dtoi(mask);
  if (ip === null || n === null || n[1] !== mask.length || n[0] < 0 || n[0] > 8 * iplen) return null;
  return { ip, prefix: n[0], ipv4: iplen === 4 };
}

/** IsValidIP (messages only; upstream wraps them in field.Invalid at fldPath). */
export function isValidIP(value: string): string[] {
  if (parseIPSloppy(value) === null) return ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"];
  return [];
}

/** IsValidIPv4Address. */
export function isValidIPv4Address(value: string): string[] {
  const ip = parseIPSloppy(value);
  if (ip === null || !isIPv4Bytes(ip)) return ["must be a valid IPv4 address"];
  return [];
}

/** IsValidIPv6Address. */
export function isValidIPv6Address(value: string): string[] {
  const ip = parseIPSloppy(value);
  if (ip === null || isIPv4Bytes(ip)) return ["must be a valid IPv6 address"];
  return [];
}

/** IsValidCIDR. */
export function isValidCIDR(value: string): string[] {
  if (parseCIDRSloppy(value) === null)
    return ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"];
  return [];
}

/** Alias named as the brief and older upstream call it. */
export const isCIDR = isValidCIDR;
