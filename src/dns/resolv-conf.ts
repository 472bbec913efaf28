// The upstream resolvers of a resolv.conf (resolv.conf(5)): the nameserver
// lines, in order, as CoreDNS's `forward . /etc/resolv.conf` reads them.
import { readFileSync } from "node:fs";
import { isIP } from "node:net";

export interface Upstream {
  host: string;
  port: number;
}

/** The nameservers of resolv.conf text; a server may carry a port as ip:port or [ipv6]:port (CoreDNS accepts that too). */
export function parseResolvConf(text: string): Upstream[] {
  const out: Upstream[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/[#;].*$/, "").trim();
    const [key, value] = line.split(/\s+/);
    if (key !== "nameserver" || !value) continue;
    const u = parseUpstream(value);
    if (u) out.push(u);
  }
  return out;
}

export function parseUpstream(value: string): Upstream | undefined {
  // A zone index (fe80::1%eth0) is kept: node's dgram accepts it.
  if (isIP(value.split("%")[0])) return { host: value, port: 53 };
  const m = /^\[([^\]]+)\]:(\d+)$/.exec(value) ?? /^([^:]+):(\d+)$/.exec(value);
  if (m && isIP(m[1].split("%")[0])) return { host: m[1], port: Number(m[2]) };
  return undefined;
}

export function readResolvConf(path: string): Upstream[] {
  return parseResolvConf(readFileSync(path, "utf8"));
}
