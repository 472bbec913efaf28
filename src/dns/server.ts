// The DNS server: UDP and TCP (RFC 1035 4.2: a 2-byte length before each
// message) on one address and port. A query for the cluster zone is answered
// from the ClusterZone; anything else goes to the Forwarder. UDP answers
// larger than 512 bytes (or the client's EDNS0 size) lose records and carry
// TC, as CoreDNS's Scrub does, so the client asks again over TCP.
// Encoded zone answers are kept per query bytes until the zone changes: a
// repeated query costs a map lookup and a copy.
import dgram from "node:dgram";
import { createServer as createTcpServer, isIP, type Server, type Socket } from "node:net";
import dnsPacket, { type Answer, type Packet } from "dns-packet";
import { answerFromZone, RCODE, responsePacket } from "./answer.ts";
import type { Forwarder } from "./forward.ts";
import type { DnsMetrics } from "./metrics.ts";
import type { ClusterZone } from "./zone.ts";

export interface DnsServerOptions {
  zone: ClusterZone;
  forwarder: Forwarder;
  metrics: DnsMetrics;
  /** Whether the informer caches are synced (before that an in-zone name error is SERVFAIL). */
  synced(): boolean;
  host?: string;
  /** 0 picks a free port (the same one for UDP and TCP). */
  port?: number;
  /** Encoded answers kept at most. */
  maxCachedAnswers?: number;
  log?(msg: string): void;
}

type Proto = "udp" | "tcp";

interface CachedAnswer {
  generation: number;
  buf: Buffer;
  qtype: string;
  rcode: number;
}

const TCP_IDLE_MS = 10_000;

export class DnsServer {
  private udp?: dgram.Socket;
  private tcp?: Server;
  private readonly conns = new Set<Socket>();
  private readonly answers = new Map<string, CachedAnswer>();
  private readonly maxCached: number;
  port = 0;

  constructor(private readonly o: DnsServerOptions) {
    this.maxCached = o.maxCachedAnswers ?? 10_000;
  }

  async start(): Promise<void> {
    // With port 0 the TCP listener takes the number the kernel gave UDP, which another socket
    // may hold for TCP: then both are given up and another number is tried.
    for (let attempt = 1; ; attempt++) {
      try {
        await this.listen();
        return;
      } catch (e) {
        await this.stop();
        const ephemeral = this.o.port === 0;
        if (!ephemeral || attempt >= 10 || (e as NodeJS.ErrnoException).code !== "EADDRINUSE") throw e;
      }
    }
  }

  private async listen(): Promise<void> {
    const host = this.o.host ?? "0.0.0.0";
    const family = isIP(host) === 6 ? "udp6" : "udp4";
    // UDP first: with port 0 the TCP listener then takes the same port number.
    const udp = dgram.createSocket({ type: family, reuseAddr: false });
    udp.on("message", (msg, rinfo) => {
      const fam = rinfo.family === "IPv6" ? 2 : 1;
      const out = this.handle(msg, "udp", fam);
      if (out instanceof Promise) void out.then((b) => b && udp.send(b, rinfo.port, rinfo.address));
      else udp.send(out, rinfo.port, rinfo.address);
    });
    udp.on("error", (e) => this.o.log?.(`udp: ${e.message}`));
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(this.o.port ?? 53, host, () => {
        udp.off("error", reject);
        resolve();
      });
    });
    this.udp = udp;
    this.port = udp.address().port;
    const tcp = createTcpServer((c) => this.serveTcp(c));
    await new Promise<void>((resolve, reject) => {
      tcp.once("error", reject);
      tcp.listen(this.port, host, () => {
        tcp.off("error", reject);
        resolve();
      });
    });
    this.tcp = tcp;
  }

  async stop(): Promise<void> {
    for (const c of this.conns) c.destroy();
    const { udp, tcp } = this;
    this.udp = undefined;
    this.tcp = undefined;
    await Promise.all([
      new Promise<void>((r) => (udp ? udp.close(() => r()) : r())),
      new Promise<void>((r) => (tcp?.listening ? tcp.close(() => r()) : r())),
    ]);
  }

  private serveTcp(c: Socket): void {
    this.conns.add(c);
    c.setTimeout(TCP_IDLE_MS, () => c.destroy());
    c.on("close", () => this.conns.delete(c));
    c.on("error", () => {});
    const fam = c.remoteFamily === "IPv6" ? 2 : 1;
    let buf = Buffer.alloc(0);
    c.on("data", (d) => {
      buf = buf.length ? Buffer.concat([buf, d]) : d;
      while (buf.length >= 2) {
        const len = buf.readUInt16BE(0);
        if (buf.length < 2 + len) break;
        const msg = buf.subarray(2, 2 + len);
        buf = buf.subarray(2 + len);
        const write = (out: Buffer | undefined) => {
          if (!out || c.destroyed) return;
          const frame = Buffer.allocUnsafe(2 + out.length);
          frame.writeUInt16BE(out.length, 0);
          out.copy(frame, 2);
          c.write(frame);
        };
        const out = this.handle(msg, "tcp", fam);
        if (out instanceof Promise) void out.then(write);
        else write(out);
      }
    });
  }

  /** One query message in, its response out (undefined: nothing to answer, e.g. not a query). */
  handle(msg: Buffer, proto: Proto, family: 1 | 2): Buffer | Promise<Buffer | undefined> {
    const start = performance.now();
    if (msg.length < 12 || msg[2] & 0x80) return Promise.resolve(undefined);
    const key = proto === "udp" ? msg.toString("latin1", 2) : `t${msg.toString("latin1", 2)}`;
    const hit = this.answers.get(key);
    if (hit && hit.generation === this.o.zone.generation) {
      const out = Buffer.from(hit.buf);
      out[0] = msg[0];
      out[1] = msg[1];
      this.o.metrics.observe(
        proto,
        family,
        hit.qtype,
        hit.rcode,
        "kubernetes",
        (performance.now() - start) / 1000,
      );
      return out;
    }
    let query: Packet;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return this.finish(headerOnly(msg, RCODE.FORMERR), proto, family, "other", RCODE.FORMERR, "", start);
    }
    const opcode = (msg[2] >> 3) & 0xf;
    if (opcode !== 0)
      return this.finish(headerOnly(msg, RCODE.NOTIMP), proto, family, "other", RCODE.NOTIMP, "", start);
    const q = query.questions?.[0];
    if (!q || query.questions?.length !== 1) {
      return this.finish(headerOnly(msg, RCODE.FORMERR), proto, family, "other", RCODE.FORMERR, "", start);
    }
    const opt = (query.additionals ?? []).find((a) => a.type === "OPT") as
      | { udpPayloadSize?: number }
      | undefined;
    const max = proto === "tcp" ? 65535 : Math.max(512, opt?.udpPayloadSize ?? 512);
    const zoneAnswer =
      q.class === "IN" || q.class === undefined ? answerFromZone(this.o.zone, q, this.o.synced()) : undefined;

    if (zoneAnswer && !zoneAnswer.chase) {
      const resp = responsePacket(query, zoneAnswer);
      if (opt) resp.additionals = [...(resp.additionals ?? []), optRecord(opt.udpPayloadSize)];
      const out = fit(resp, max);
      if (this.answers.size >= this.maxCached) this.answers.clear();
      if (this.o.synced())
        this.answers.set(key, {
          generation: this.o.zone.generation,
          buf: out,
          qtype: q.type,
          rcode: zoneAnswer.rcode,
        });
      return this.finish(out, proto, family, q.type, zoneAnswer.rcode, "kubernetes", start);
    }

    return (async () => {
      if (zoneAnswer?.chase) {
        // An ExternalName outside the zone: the CNAME, then what the upstream says about its target.
        const up = await this.o.forwarder.resolve({
          name: zoneAnswer.chase.name,
          type: zoneAnswer.chase.type,
          class: "IN",
        });
        const upRcode = up ? (up.packet.flags ?? 0) & 0xf : -1;
        if (up && upRcode === 0) zoneAnswer.answers.push(...(up.packet.answers ?? []));
        const resp = responsePacket(query, zoneAnswer);
        if (opt) resp.additionals = [...(resp.additionals ?? []), optRecord(opt.udpPayloadSize)];
        return this.finish(fit(resp, max), proto, family, q.type, 0, "kubernetes", start);
      }
      const up = await this.o.forwarder.resolve(q);
      if (!up)
        return this.finish(
          headerOnly(msg, RCODE.SERVFAIL, true),
          proto,
          family,
          q.type,
          RCODE.SERVFAIL,
          "forward",
          start,
        );
      const rd = (query.flags ?? 0) & dnsPacket.RECURSION_DESIRED;
      const resp: Packet = {
        ...up.packet,
        id: query.id,
        // The upstream's flags (RA, AA, rcode), our client's RD.
        flags: ((up.packet.flags ?? 0) & ~dnsPacket.RECURSION_DESIRED & ~dnsPacket.TRUNCATED_RESPONSE) | rd,
        questions: query.questions,
        additionals: [...(up.packet.additionals ?? []), ...(opt ? [optRecord(opt.udpPayloadSize)] : [])],
      };
      const rcode = (up.packet.flags ?? 0) & 0xf;
      return this.finish(
        fit(resp, max),
        proto,
        family,
        q.type,
        rcode,
        up.cached ? "cache" : "forward",
        start,
      );
    })();
  }

  private finish(
    out: Buffer,
    proto: Proto,
    family: 1 | 2,
    qtype: string,
    rcode: number,
    plugin: string,
    start: number,
  ): Buffer {
    this.o.metrics.observe(proto, family, qtype, rcode, plugin, (performance.now() - start) / 1000);
    return out;
  }
}

/** Our OPT record: the client's UDP size echoed (at least 512), as CoreDNS's SizeAndDo. */
function optRecord(size: number | undefined): Answer {
  return {
    type: "OPT",
    name: ".",
    udpPayloadSize: Math.max(512, Math.min(size ?? 512, 65535)),
    extendedRcode: 0,
    ednsVersion: 0,
    flags: 0,
    options: [],
  } as unknown as Answer;
}

/** A reply with only the header and the question, for errors. */
function headerOnly(msg: Buffer, rcode: number, ra = false): Buffer {
  let qlen = 0;
  // Copy the question when there is exactly one and it is well formed; otherwise no question.
  if (msg.readUInt16BE(4) === 1) {
    let i = 12;
    while (i < msg.length && msg[i] !== 0 && (msg[i] & 0xc0) === 0) i += msg[i] + 1;
    if (i < msg.length && msg[i] === 0 && i + 5 <= msg.length) qlen = i + 5 - 12;
  }
  const out = Buffer.alloc(12 + qlen);
  msg.copy(out, 0, 0, 2);
  const rd = msg[2] & 0x01;
  out[2] = 0x80 | (msg[2] & 0x78) | rd;
  out[3] = (ra ? 0x80 : 0) | rcode;
  out.writeUInt16BE(qlen ? 1 : 0, 4);
  if (qlen) msg.copy(out, 12, 12, 12 + qlen);
  return out;
}

/**
 * The encoded message, made to fit `max` bytes: first the additional section
 * goes (but OPT), then answer and authority records from the end, with TC set
 * (miekg/dns Msg.Truncate, which CoreDNS uses).
 */
export function fit(p: Packet, max: number): Buffer {
  let buf = dnsPacket.encode(p);
  if (buf.length <= max) return buf;
  const opt = (p.additionals ?? []).filter((a) => a.type === "OPT");
  const trimmed: Packet = { ...p, additionals: opt };
  buf = dnsPacket.encode(trimmed);
  if (buf.length <= max) return buf;
  const answers = p.answers ?? [];
  const authorities = p.authorities ?? [];
  trimmed.flags = (p.flags ?? 0) | dnsPacket.TRUNCATED_RESPONSE;
  // The largest number of answers (then authorities) that fits.
  let lo = 0;
  let hi = answers.length;
  trimmed.authorities = [];
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    trimmed.answers = answers.slice(0, mid);
    if (dnsPacket.encodingLength(trimmed) <= max) lo = mid;
    else hi = mid - 1;
  }
  trimmed.answers = answers.slice(0, lo);
  if (lo === answers.length) {
    let n = authorities.length;
    while (n > 0) {
      trimmed.authorities = authorities.slice(0, n);
      if (dnsPacket.encodingLength(trimmed) <= max) break;
      n--;
    }
    trimmed.authorities = authorities.slice(0, n);
  }
  return dnsPacket.encode(trimmed);
}
