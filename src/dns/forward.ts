// Names outside the cluster zone go to the host's resolvers, as CoreDNS's
// `forward . /etc/resolv.conf` with `cache 30` in front: over UDP with EDNS0
// (TCP again when the answer comes back truncated), the next upstream on a
// timeout, and a cache that honours the answer's TTLs (positive answers at
// most 3600 s, negative ones from the SOA at most 1800 s, as CoreDNS's cache).

import { randomInt } from "node:crypto";
import dgram from "node:dgram";
import { isIP, Socket } from "node:net";
import dnsPacket, { type Answer, type Packet, type Question } from "dns-packet";
import type { Upstream } from "./resolv-conf.ts";

export interface ForwarderOptions {
  upstreams: Upstream[];
  /** Per upstream try. */
  timeoutMs?: number;
  maxCacheEntries?: number;
  /** Milliseconds, injectable for tests. */
  now?: () => number;
}

interface CacheEntry {
  packet: Packet;
  storedAt: number;
  ttl: number;
}

interface Pending {
  resolve(p: Buffer | undefined): void;
  timer: NodeJS.Timeout;
}

const MAX_POSITIVE_TTL = 3600;
const MAX_NEGATIVE_TTL = 1800;
const UPSTREAM_UDP_SIZE = 1232;

export class Forwarder {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly pending = new Map<number, Pending>();
  private sockets: { udp4?: dgram.Socket; udp6?: dgram.Socket } = {};
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly maxEntries: number;
  /** How answers were obtained, for metrics and tests. */
  readonly stats = { cacheHits: 0, cacheMisses: 0, upstreamFailures: 0 };

  constructor(private readonly opts: ForwarderOptions) {
    this.now = opts.now ?? Date.now;
    this.timeoutMs = opts.timeoutMs ?? 2000;
    this.maxEntries = opts.maxCacheEntries ?? 9984;
  }

  get upstreams(): Upstream[] {
    return this.opts.upstreams;
  }

  /**
   * The upstream's answer to one question (id 0, OPT removed; the caller sets
   * both for its client), or undefined when every upstream failed (SERVFAIL).
   */
  async resolve(q: Question): Promise<{ packet: Packet; cached: boolean } | undefined> {
    const key = `${q.name.toLowerCase().replace(/\.$/, "")}|${q.type}|${q.class ?? "IN"}`;
    const hit = this.fromCache(key);
    if (hit) {
      this.stats.cacheHits++;
      return { packet: hit, cached: true };
    }
    this.stats.cacheMisses++;
    for (const up of this.opts.upstreams) {
      const packet = await this.exchange(up, q);
      if (!packet) continue;
      packet.additionals = (packet.additionals ?? []).filter((a) => a.type !== "OPT");
      this.store(key, packet);
      return { packet, cached: false };
    }
    this.stats.upstreamFailures++;
    return undefined;
  }

  private fromCache(key: string): Packet | undefined {
    const e = this.cache.get(key);
    if (!e) return undefined;
    const elapsed = Math.floor((this.now() - e.storedAt) / 1000);
    if (elapsed >= e.ttl) {
      this.cache.delete(key);
      return undefined;
    }
    const age = (rs: Answer[] | undefined) =>
      (rs ?? []).map((r) => ("ttl" in r ? { ...r, ttl: Math.max(0, (r.ttl ?? 0) - elapsed) } : r));
    return {
      ...e.packet,
      answers: age(e.packet.answers),
      authorities: age(e.packet.authorities),
      additionals: age(e.packet.additionals),
    };
  }

  private store(key: string, p: Packet): void {
    const ttl = cacheTTL(p);
    if (ttl <= 0) return;
    if (this.cache.size >= this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(key, { packet: p, storedAt: this.now(), ttl });
  }

  /** One question to one upstream: UDP first, TCP when the answer was truncated. */
  private async exchange(up: Upstream, q: Question): Promise<Packet | undefined> {
    const udp = await this.udpExchange(up, q);
    if (!udp) return undefined;
    if (((udp.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) === 0) return udp;
    return (await this.tcpExchange(up, q)) ?? udp;
  }

  private query(id: number, q: Question): Buffer {
    return dnsPacket.encode({
      id,
      type: "query",
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ name: q.name, type: q.type, class: q.class ?? "IN" }],
      additionals: [
        {
          type: "OPT",
          name: ".",
          udpPayloadSize: UPSTREAM_UDP_SIZE,
          extendedRcode: 0,
          ednsVersion: 0,
          flags: 0,
          options: [],
        } as unknown as Answer,
      ],
    });
  }

  private socket(family: 4 | 6): dgram.Socket {
    const k = family === 4 ? "udp4" : "udp6";
    let s = this.sockets[k];
    if (!s) {
      s = dgram.createSocket(k);
      s.on("message", (msg) => {
        if (msg.length < 12) return;
        const p = this.pending.get(msg.readUInt16BE(0));
        p?.resolve(msg);
      });
      s.on("error", () => {});
      s.unref();
      this.sockets[k] = s;
    }
    return s;
  }

  private udpExchange(up: Upstream, q: Question): Promise<Packet | undefined> {
    let id = randomInt(0, 65536);
    while (this.pending.has(id)) id = randomInt(0, 65536);
    const sock = this.socket(isIP(up.host.split("%")[0]) === 6 ? 6 : 4);
    return new Promise((resolve) => {
      const done = (buf: Buffer | undefined) => {
        const p = this.pending.get(id);
        if (!p) return;
        clearTimeout(p.timer);
        this.pending.delete(id);
        resolve(buf ? decodeMatching(buf, q) : undefined);
      };
      const timer = setTimeout(() => done(undefined), this.timeoutMs);
      this.pending.set(id, { resolve: done, timer });
      sock.send(this.query(id, q), up.port, up.host, (err) => {
        if (err) done(undefined);
      });
    });
  }

  private tcpExchange(up: Upstream, q: Question): Promise<Packet | undefined> {
    return new Promise((resolve) => {
      const conn = new Socket();
      let buf = Buffer.alloc(0);
      let settled = false;
      const finish = (p: Packet | undefined) => {
        if (settled) return;
        settled = true;
        conn.destroy();
        resolve(p);
      };
      conn.setTimeout(this.timeoutMs, () => finish(undefined));
      conn.on("error", () => finish(undefined));
      conn.on("close", () => finish(undefined));
      conn.on("data", (d) => {
        buf = Buffer.concat([buf, d]);
        if (buf.length < 2) return;
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) return;
        finish(decodeMatching(buf.subarray(2, 2 + len), q));
      });
      conn.connect(up.port, up.host, () => {
        const msg = this.query(randomInt(0, 65536), q);
        const frame = Buffer.alloc(2 + msg.length);
        frame.writeUInt16BE(msg.length, 0);
        msg.copy(frame, 2);
        conn.write(frame);
      });
    });
  }

  close(): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.resolve(undefined);
    }
    this.sockets.udp4?.close();
    this.sockets.udp6?.close();
    this.sockets = {};
  }
}

/** The decoded answer, if it answers our question (a spoofed or stray packet is ignored). */
function decodeMatching(buf: Buffer, q: Question): Packet | undefined {
  try {
    const p = dnsPacket.decode(buf);
    const pq = p.questions?.[0];
    if (
      p.type !== "response" ||
      !pq ||
      pq.type !== q.type ||
      pq.name.toLowerCase() !== q.name.toLowerCase().replace(/\.$/, "")
    ) {
      return undefined;
    }
    // SERVFAIL and REFUSED are the upstream failing: try the next one.
    const rcode = (p.flags ?? 0) & 0xf;
    if (rcode === 2 || rcode === 5) return undefined;
    return p;
  } catch {
    return undefined;
  }
}

/** Seconds to keep an answer: the smallest TTL of its records; a denial uses the SOA (min of its TTL and MINIMUM). */
export function cacheTTL(p: Packet): number {
  const rcode = (p.flags ?? 0) & 0xf;
  if (((p.flags ?? 0) & dnsPacket.TRUNCATED_RESPONSE) !== 0) return 0;
  const answers = p.answers ?? [];
  if (rcode === 0 && answers.length > 0) {
    const min = Math.min(...answers.map((a) => ("ttl" in a ? (a.ttl ?? 0) : 0)));
    return Math.min(min, MAX_POSITIVE_TTL);
  }
  if (rcode === 0 || rcode === 3) {
    const soa = (p.authorities ?? []).find((a) => a.type === "SOA");
    if (soa?.type !== "SOA") return 0;
    return Math.min(soa.ttl ?? 0, soa.data.minimum ?? 0, MAX_NEGATIVE_TTL);
  }
  return 0;
}
