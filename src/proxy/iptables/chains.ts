// Chain names of the iptables proxier (pkg/proxy/iptables/proxier.go): fixed
// top-level chains, and per-service / per-endpoint chains named by a hash so
// that they fit iptables' 28-character limit and stay stable across restarts.
import { createHash } from "node:crypto";

export const KUBE_SERVICES = "KUBE-SERVICES";
export const KUBE_EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
export const KUBE_NODEPORTS = "KUBE-NODEPORTS";
export const KUBE_POSTROUTING = "KUBE-POSTROUTING";
export const KUBE_MARK_MASQ = "KUBE-MARK-MASQ";
export const KUBE_FORWARD = "KUBE-FORWARD";
export const KUBE_PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";
export const KUBE_PROXY_CANARY = "KUBE-PROXY-CANARY";
/** The kubelet's copy of the anti-martian rule, which kube-proxy also writes. */
export const KUBELET_FIREWALL = "KUBE-FIREWALL";

const SVC_PREFIX = "KUBE-SVC-";
const SVL_PREFIX = "KUBE-SVL-";
const FW_PREFIX = "KUBE-FW-";
const EXT_PREFIX = "KUBE-EXT-";
const SEP_PREFIX = "KUBE-SEP-";

const BASE32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/** Go's base32.StdEncoding (RFC 4648, upper case); only the first 16 characters are ever used. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const b of bytes) {
    value = (value << 8) | b;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  while (out.length % 8 !== 0) out += "=";
  return out;
}

// Every sync needs every service's chain names; hashing them again each time costs more than the rules.
const hashCache = new Map<string, string>();

function hash16(s: string): string {
  let h = hashCache.get(s);
  if (h === undefined) {
    h = base32(createHash("sha256").update(s).digest()).slice(0, 16);
    if (hashCache.size >= 500_000) hashCache.clear();
    hashCache.set(s, h);
  }
  return h;
}

/** upstream portProtoHash: sha256 of "<ns>/<svc>:<port><protocol>", base32, 16 characters. */
export function portProtoHash(servicePortName: string, protocol: string): string {
  return hash16(servicePortName + protocol);
}

export const servicePortPolicyClusterChain = (spn: string, proto: string): string =>
  SVC_PREFIX + portProtoHash(spn, proto);
export const servicePortPolicyLocalChain = (spn: string, proto: string): string =>
  SVL_PREFIX + portProtoHash(spn, proto);
export const serviceFirewallChain = (spn: string, proto: string): string =>
  FW_PREFIX + portProtoHash(spn, proto);
export const serviceExternalChain = (spn: string, proto: string): string =>
  EXT_PREFIX + portProtoHash(spn, proto);
/** KUBE-SEP-: the hash also covers the endpoint ("ip:port"). */
export const servicePortEndpointChain = (spn: string, proto: string, endpoint: string): string =>
  SEP_PREFIX + hash16(spn + proto + endpoint);

/** The per-service chains kube-proxy owns and deletes when they fall out of use. */
export function isServiceChainName(chain: string): boolean {
  return [SVC_PREFIX, SVL_PREFIX, SEP_PREFIX, FW_PREFIX, EXT_PREFIX].some((p) => chain.startsWith(p));
}
