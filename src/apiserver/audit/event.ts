// The pieces of an audit Event taken from the request (upstream's
// audit/request.go and util/net SourceIPs), and the Event as Go writes it:
// fields in struct order, empty ones left out.
import type { IncomingMessage } from "node:http";
import { isIP } from "node:net";
import type { UserInfo } from "../authentication/user.ts";
import type { Event, EventUser, ObjectReference, ResponseStatus } from "./types.ts";

const MAX_USER_AGENT = 1024;

/** User-Agent, cut at 1024 characters as upstream's maybeTruncateUserAgent. */
export function userAgentOf(req: IncomingMessage): string {
  const ua = req.headers["user-agent"] ?? "";
  return ua.length > MAX_USER_AGENT ? `${ua.slice(0, MAX_USER_AGENT)}...TRUNCATED` : ua;
}

/** An IP as Go prints it: IPv4-mapped IPv6 addresses in dotted form. */
function normalizeIP(s: string): string | undefined {
  const t = s.trim();
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
  if (m) return m[1];
  return isIP(t) ? t : undefined;
}

/** utilnet.SourceIPs: X-Forwarded-For, then X-Real-Ip, then the peer address unless it repeats the last. */
export function sourceIPsOf(req: IncomingMessage): string[] {
  const ips: string[] = [];
  const header = (name: string) => {
    const v = req.headers[name];
    return Array.isArray(v) ? v[0] : v;
  };
  for (const part of (header("x-forwarded-for") ?? "").split(",")) {
    const ip = normalizeIP(part);
    if (ip) ips.push(ip);
  }
  const real = normalizeIP(header("x-real-ip") ?? "");
  if (real && !ips.includes(real)) ips.push(real);
  const remote = normalizeIP(req.socket?.remoteAddress ?? "");
  if (remote && ips[ips.length - 1] !== remote) ips.push(remote);
  return ips;
}

/** metav1.MicroTime: RFC 3339 with six fractional digits, in UTC. */
export function microTime(epochMs: number): string {
  const micros = Math.floor(epochMs * 1000);
  const seconds = Math.floor(micros / 1_000_000);
  const frac = String(micros - seconds * 1_000_000).padStart(6, "0");
  return `${new Date(seconds * 1000).toISOString().slice(0, 19)}.${frac}Z`;
}

export function eventUser(u: UserInfo | undefined): EventUser {
  if (!u) return {};
  const out: EventUser = {};
  if (u.name) out.username = u.name;
  if (u.uid) out.uid = u.uid;
  if (u.groups.length > 0) out.groups = [...u.groups];
  const extra = sortedMap(u.extra);
  if (extra) out.extra = extra;
  return out;
}

function compact<T extends object>(o: T): T | undefined {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined && v !== "") out[k] = v;
  return Object.keys(out).length > 0 ? (out as T) : undefined;
}

/** Go's encoding/json writes map keys sorted; empty maps are omitted. */
function sortedMap<V>(m: Record<string, V> | undefined): Record<string, V> | undefined {
  if (!m) return undefined;
  const keys = Object.keys(m).sort();
  return keys.length > 0 ? Object.fromEntries(keys.map((k) => [k, m[k]])) : undefined;
}

/** One JSON line of the log, with Go's field order and omitempty. */
export function eventJSON(ev: Event): string {
  const ref = ev.objectRef;
  const status = ev.responseStatus;
  const ordered = {
    kind: ev.kind,
    apiVersion: ev.apiVersion,
    level: ev.level,
    auditID: ev.auditID,
    stage: ev.stage,
    requestURI: ev.requestURI,
    verb: ev.verb,
    user: ev.user,
    impersonatedUser: ev.impersonatedUser,
    sourceIPs: ev.sourceIPs && ev.sourceIPs.length > 0 ? ev.sourceIPs : undefined,
    userAgent: ev.userAgent || undefined,
    objectRef: ref
      ? (compact<ObjectReference>({
          resource: ref.resource,
          namespace: ref.namespace,
          name: ref.name,
          uid: ref.uid,
          apiGroup: ref.apiGroup,
          apiVersion: ref.apiVersion,
          resourceVersion: ref.resourceVersion,
          subresource: ref.subresource,
        }) ?? {})
      : undefined,
    responseStatus: status
      ? ({
          metadata: {},
          status: status.status || undefined,
          message: status.message || undefined,
          reason: status.reason || undefined,
          details: status.details && Object.keys(status.details).length > 0 ? status.details : undefined,
          code: status.code || undefined,
        } satisfies ResponseStatus)
      : undefined,
    requestObject: ev.requestObject,
    responseObject: ev.responseObject,
    requestReceivedTimestamp: ev.requestReceivedTimestamp,
    stageTimestamp: ev.stageTimestamp,
    annotations: sortedMap(ev.annotations),
  };
  return JSON.stringify(ordered);
}
