// Kubernetes' IP, CIDR and URL CEL libraries (k8s.io/apiserver/pkg/cel/library
// ip.go, cidr.go, urls.go): ip('10.0.0.1').family(), cidr('10.0.0.0/8')
// .containsIP('10.1.2.3'), url('https://x.example:8443/p?q=1').getHostname()…
// Addresses parse as Go's netip does: no leading zeros, no zones, and no
// IPv4-mapped IPv6 addresses (upstream refuses them too).
import { isIPv4, isIPv6 } from "node:net";
import type { Environment } from "@marcbachmann/cel-js";
import { formatIP } from "../../machinery/ip.ts";

export class IP {
  constructor(
    /** 4 or 6 */
    readonly family: 4 | 6,
    /** The address as a 32- or 128-bit number. */
    readonly value: bigint,
  ) {}

  get bits(): 32 | 128 {
    return this.family === 4 ? 32 : 128;
  }

  toString(): string {
    return formatIP(this.value, this.bits);
  }
}

export class CIDR {
  constructor(
    readonly ip: IP,
    readonly prefix: number,
  ) {}

  masked(): CIDR {
    const host = (1n << BigInt(this.ip.bits - this.prefix)) - 1n;
    return new CIDR(new IP(this.ip.family, this.ip.value & ~host), this.prefix);
  }

  contains(ip: IP): boolean {
    if (ip.family !== this.ip.family) return false;
    const shift = BigInt(this.ip.bits - this.prefix);
    return ip.value >> shift === this.ip.value >> shift;
  }

  toString(): string {
    return `${this.ip}/${this.prefix}`;
  }
}

/** netip.ParseAddr, less zones and IPv4-mapped IPv6; undefined when it is not an address. */
export function parseIP(s: string): IP | undefined {
  if (isIPv4(s)) {
    const parts = s.split(".");
    if (parts.some((p) => p.length > 1 && p.startsWith("0"))) return undefined;
    return new IP(
      4,
      parts.reduce((v, p) => (v << 8n) | BigInt(p), 0n),
    );
  }
  if (!isIPv6(s) || s.includes("%")) return undefined;
  // Expand "::" and an embedded IPv4 tail into eight groups.
  let text = s;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (v4) {
    const ip4 = parseIP(v4[1]);
    if (!ip4) return undefined;
    text = `${text.slice(0, v4.index)}${(ip4.value >> 16n).toString(16)}:${(ip4.value & 0xffffn).toString(16)}`;
  }
  const [head, tail] = text.includes("::") ? text.split("::") : [text, undefined];
  const h = head ? head.split(":") : [];
  const t = tail ? tail.split(":") : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  const value = groups.reduce((v, g) => (v << 16n) | BigInt(`0x${g}`), 0n);
  // ::ffff:a.b.c.d
  if (value >> 32n === 0xffffn) return undefined;
  return new IP(6, value);
}

export function parseCIDR(s: string): CIDR | undefined {
  const slash = s.indexOf("/");
  if (slash < 0) return undefined;
  const ip = parseIP(s.slice(0, slash));
  const bits = s.slice(slash + 1);
  if (!ip || !/^(0|[1-9][0-9]*)$/.test(bits) || Number(bits) > ip.bits) return undefined;
  return new CIDR(ip, Number(bits));
}

function mustIP(s: string): IP {
  const ip = parseIP(s);
  if (!ip)
    throw new Error(
      `IP Address '${s}' parse error during conversion from string: ParseAddr(${JSON.stringify(s)}): invalid IP address`,
    );
  return ip;
}

function mustCIDR(s: string): CIDR {
  const c = parseCIDR(s);
  if (!c)
    throw new Error(
      `network address parse error during conversion from string: netip.ParsePrefix(${JSON.stringify(s)}): invalid prefix`,
    );
  return c;
}

/** url(): an absolute URI or an absolute path, as upstream's url.ParseRequestURI. */
function parseURL(s: string): URL | undefined {
  try {
    if (s.startsWith("/")) return new URL(s, "http://k8ts.invalid");
    if (!/^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(s)) return undefined;
    return new URL(s);
  } catch {
    return undefined;
  }
}

class CelURL {
  constructor(
    readonly url: URL,
    readonly pathOnly: boolean,
  ) {}
}

export function registerNetworkLibraries(env: Environment): void {
  const isLoopback = (ip: IP) => (ip.family === 4 ? ip.value >> 24n === 127n : ip.value === 1n);
  env
    .registerType("IP", IP as never)
    .registerType("CIDR", CIDR as never)
    .registerType("URL", CelURL as never)
    .registerFunction("isIP(string): bool", (s: string) => parseIP(s) !== undefined)
    .registerFunction("ip(string): IP", mustIP)
    .registerFunction("IP.family(): int", (ip: IP) => BigInt(ip.family))
    .registerFunction("IP.isUnspecified(): bool", (ip: IP) => ip.value === 0n)
    .registerFunction("IP.isLoopback(): bool", isLoopback)
    .registerFunction("IP.isLinkLocalMulticast(): bool", (ip: IP) =>
      ip.family === 4 ? ip.value >> 8n === 0xe00000n : ip.value >> 112n === 0xff02n,
    )
    .registerFunction("IP.isLinkLocalUnicast(): bool", (ip: IP) =>
      ip.family === 4 ? ip.value >> 16n === 0xa9fen : ip.value >> 118n === 0x3fan,
    )
    .registerFunction("IP.isGlobalUnicast(): bool", (ip: IP) => {
      if (ip.value === 0n || isLoopback(ip)) return false;
      if (ip.family === 4)
        return ip.value >> 28n !== 0xen && ip.value >> 16n !== 0xa9fen && ip.value !== 0xffffffffn;
      return ip.value >> 120n !== 0xffn && ip.value >> 118n !== 0x3fan;
    })
    .registerFunction("string(IP): string", (ip: IP) => ip.toString())
    .registerOperator("IP == IP", (a: IP, b: IP) => a.family === b.family && a.value === b.value)
    .registerFunction("isCIDR(string): bool", (s: string) => parseCIDR(s) !== undefined)
    .registerFunction("cidr(string): CIDR", mustCIDR)
    .registerFunction("CIDR.containsIP(IP): bool", (c: CIDR, ip: IP) => c.contains(ip))
    .registerFunction("CIDR.containsIP(string): bool", (c: CIDR, s: string) => c.contains(mustIP(s)))
    .registerFunction(
      "CIDR.containsCIDR(CIDR): bool",
      (c: CIDR, o: CIDR) => o.prefix >= c.prefix && c.contains(o.ip),
    )
    .registerFunction("CIDR.containsCIDR(string): bool", (c: CIDR, s: string) => {
      const o = mustCIDR(s);
      return o.prefix >= c.prefix && c.contains(o.ip);
    })
    .registerFunction("CIDR.ip(): IP", (c: CIDR) => c.ip)
    .registerFunction("CIDR.masked(): CIDR", (c: CIDR) => c.masked())
    .registerFunction("CIDR.prefixLength(): int", (c: CIDR) => BigInt(c.prefix))
    .registerFunction("string(CIDR): string", (c: CIDR) => c.toString())
    .registerOperator(
      "CIDR == CIDR",
      (a: CIDR, b: CIDR) => a.prefix === b.prefix && a.ip.family === b.ip.family && a.ip.value === b.ip.value,
    )
    .registerFunction("isURL(string): bool", (s: string) => parseURL(s) !== undefined)
    .registerFunction("url(string): URL", (s: string) => {
      const u = parseURL(s);
      if (!u)
        throw new Error(
          `URL parse error during conversion from string: parse ${JSON.stringify(s)}: invalid URI for request`,
        );
      return new CelURL(u, s.startsWith("/"));
    })
    .registerFunction("URL.getScheme(): string", (u: CelURL) =>
      u.pathOnly ? "" : u.url.protocol.slice(0, -1),
    )
    .registerFunction("URL.getHost(): string", (u: CelURL) => (u.pathOnly ? "" : u.url.host))
    .registerFunction("URL.getHostname(): string", (u: CelURL) =>
      u.pathOnly ? "" : u.url.hostname.replace(/^\[(.*)\]$/, "$1"),
    )
    .registerFunction("URL.getPort(): string", (u: CelURL) => (u.pathOnly ? "" : u.url.port))
    .registerFunction("URL.getEscapedPath(): string", (u: CelURL) => u.url.pathname)
    .registerFunction("URL.getQuery(): map", (u: CelURL) => {
      const q: Record<string, string[]> = {};
      for (const k of new Set(u.url.searchParams.keys())) q[k] = u.url.searchParams.getAll(k);
      return q;
    });
}
