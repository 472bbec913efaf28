// Turns a ClusterZone lookup into a DNS message, as CoreDNS's kubernetes
// plugin handler (plugin/kubernetes/handler.go, plugin/backend_lookup.go)
// does: authoritative answers, NODATA and NXDOMAIN with the zone's SOA in the
// authority section, SRV weights of 100/n with the targets' addresses in the
// additional section, SERVFAIL for NXDOMAIN until the caches are synced.
import type { Answer, Packet, Question } from "dns-packet";
import type { ClusterZone } from "./zone.ts";

export const RCODE = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const;

/** A response made here; `chase` is an ExternalName target outside the zone that the caller resolves upstream. */
export interface ZoneAnswer {
  rcode: number;
  answers: Answer[];
  authorities: Answer[];
  additionals: Answer[];
  chase?: { name: string; type: "A" | "AAAA" };
}

/** CoreDNS's plugin.SOA: ns.dns.<zone>, hostmaster.<zone>, 7200 1800 86400, minimum = TTL, record TTL min(300, TTL). */
export function soaRecord(zone: ClusterZone): Answer {
  return {
    name: zone.zone,
    type: "SOA",
    class: "IN",
    ttl: Math.min(300, zone.ttl),
    data: {
      mname: `ns.dns.${zone.zone}`,
      rname: `hostmaster.${zone.zone}`,
      serial: zone.serial,
      refresh: 7200,
      retry: 1800,
      expire: 86400,
      minimum: zone.ttl,
    },
  };
}

function addr(name: string, ip: string, ttl: number): Answer {
  return { name, type: ip.includes(":") ? "AAAA" : "A", class: "IN", ttl, data: ip };
}

const empty = (zone: ClusterZone, rcode: number): ZoneAnswer => ({
  rcode,
  answers: [],
  authorities: [soaRecord(zone)],
  additionals: [],
});

/**
 * The answer for one question in the cluster zone, or undefined when the
 * name is not the zone's (forward it). `synced` is whether the informer caches
 * are; before that a name error is a SERVFAIL, as in CoreDNS.
 */
export function answerFromZone(zone: ClusterZone, q: Question, synced = true): ZoneAnswer | undefined {
  const qname = q.name.replace(/\.$/, "");
  const ttl = zone.ttl;
  const res = zone.lookup(qname, q.type);
  switch (res.kind) {
    case "forward":
      return undefined;
    case "nxdomain":
      return empty(zone, synced ? RCODE.NXDOMAIN : RCODE.SERVFAIL);
    case "nodata":
      return empty(zone, RCODE.NOERROR);
    case "soa":
      return { rcode: 0, answers: [soaRecord(zone)], authorities: [], additionals: [] };
    case "txt":
      return {
        rcode: 0,
        answers: [{ name: qname, type: "TXT", class: "IN", ttl: res.ttl, data: res.text }],
        authorities: [],
        additionals: [],
      };
    case "ns": {
      const ips = zone.nameserverIPs();
      const ns = `ns.dns.${zone.zone}`;
      if (q.type === "NS") {
        return {
          rcode: 0,
          answers: [{ name: qname, type: "NS", class: "IN", ttl, data: ns }],
          authorities: [],
          additionals: ips.map((ip) => addr(ns, ip, ttl)),
        };
      }
      const a = ips.filter((ip) => !ip.includes(":")).map((ip) => addr(qname, ip, ttl));
      return a.length ? { rcode: 0, answers: a, authorities: [], additionals: [] } : empty(zone, 0);
    }
    case "ptr":
      return {
        rcode: 0,
        answers: res.targets.map((t) => ({ name: qname, type: "PTR", class: "IN", ttl, data: t }) as Answer),
        authorities: [],
        additionals: [],
      };
    case "records": {
      const r = res.records;
      if (r.cname) {
        if (q.type !== "A" && q.type !== "AAAA" && q.type !== "CNAME") return empty(zone, 0);
        const cname: Answer = { name: qname, type: "CNAME", class: "IN", ttl, data: r.cname };
        const out: ZoneAnswer = { rcode: 0, answers: [cname], authorities: [], additionals: [] };
        if (q.type === "CNAME") return out;
        if (zone.inZone(r.cname)) {
          // A target inside the zone is looked up here (one level, as CoreDNS does for in-zone targets).
          const inner = answerFromZone(zone, { name: r.cname, type: q.type }, synced);
          if (inner && inner.rcode === 0) out.answers.push(...inner.answers);
          return out;
        }
        out.chase = { name: r.cname, type: q.type };
        return out;
      }
      let answers: Answer[] = [];
      const additionals: Answer[] = [];
      switch (q.type) {
        case "A":
          answers = r.a.map((ip) => addr(qname, ip, ttl));
          break;
        case "AAAA":
          answers = r.aaaa.map((ip) => addr(qname, ip, ttl));
          break;
        case "SRV": {
          const weight = Math.floor(100 / r.srv.length);
          const seen = new Set<string>();
          for (const s of r.srv) {
            answers.push({
              name: qname,
              type: "SRV",
              class: "IN",
              ttl,
              data: { priority: 0, weight, port: s.port, target: s.target },
            });
            const k = `${s.target}/${s.ip}`;
            if (!seen.has(k)) {
              seen.add(k);
              additionals.push(addr(s.target, s.ip, ttl));
            }
          }
          break;
        }
      }
      if (!answers.length) return empty(zone, 0);
      return { rcode: 0, answers, authorities: [], additionals };
    }
  }
}

/** The response message for a query, from a zone answer: authoritative, RD copied, RA not set (as CoreDNS). */
export function responsePacket(query: Packet, a: ZoneAnswer, flags = 0): Packet {
  const rd = (query.flags ?? 0) & (1 << 8);
  return {
    id: query.id,
    type: "response",
    flags: (1 << 10) | rd | flags | a.rcode,
    questions: query.questions,
    answers: a.answers,
    authorities: a.authorities,
    additionals: a.additionals,
  };
}
