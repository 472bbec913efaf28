// The forwarder against stub upstreams on loopback.
import assert from "node:assert/strict";
import dgram from "node:dgram";
import { createServer, type Server, type Socket } from "node:net";
import { after, test } from "node:test";
import dnsPacket, { type Answer, type Packet } from "dns-packet";
import { cacheTTL, Forwarder } from "./forward.ts";

const closers: Array<() => void> = [];
after(() => {
  for (const c of closers) c();
});

/** A UDP (and optionally TCP, same port) upstream answering with `answer(question)`. */
async function stub(
  answer: (p: Packet, tcp: boolean) => Packet | undefined,
): Promise<{ port: number; count: () => number }> {
  let n = 0;
  const onUdp = (udp: dgram.Socket) => (msg: Buffer, r: dgram.RemoteInfo) => {
    n++;
    const q = dnsPacket.decode(msg);
    const a = answer(q, false);
    if (a)
      udp.send(
        dnsPacket.encode({ ...a, id: q.id, type: "response", questions: q.questions }),
        r.port,
        r.address,
      );
  };
  const onTcp = (c: Socket) => {
    c.on("data", (d) => {
      n++;
      const q = dnsPacket.decode(d.subarray(2));
      const a = answer(q, true);
      if (!a) return;
      const out = dnsPacket.encode({ ...a, id: q.id, type: "response", questions: q.questions });
      const frame = Buffer.alloc(out.length + 2);
      frame.writeUInt16BE(out.length);
      out.copy(frame, 2);
      c.end(frame);
    });
  };
  // The OS picks a free UDP port; its TCP twin may be taken by another test meanwhile: then pick again.
  for (let attempt = 1; ; attempt++) {
    const udp = dgram.createSocket("udp4");
    udp.on("message", onUdp(udp));
    await new Promise<void>((r) => udp.bind(0, "127.0.0.1", () => r()));
    const port = udp.address().port;
    const tcp: Server = createServer(onTcp);
    const listened = await new Promise<Error | undefined>((r) => {
      tcp.once("error", r);
      tcp.listen(port, "127.0.0.1", () => r(undefined));
    });
    if (listened) {
      udp.close();
      if (attempt < 20 && (listened as NodeJS.ErrnoException).code === "EADDRINUSE") continue;
      throw listened;
    }
    closers.push(() => {
      udp.close();
      tcp.close();
    });
    return { port, count: () => n };
  }
}

const a = (name: string, ip: string, ttl: number): Answer => ({
  name,
  type: "A",
  class: "IN",
  ttl,
  data: ip,
});

test("cacheTTL: the smallest answer TTL (at most 3600); a denial the SOA's min(TTL, MINIMUM) (at most 1800); SERVFAIL and TC not cached", () => {
  assert.equal(cacheTTL({ flags: 0, answers: [a("x", "192.0.2.1", 300), a("x", "192.0.2.2", 60)] }), 60);
  assert.equal(cacheTTL({ flags: 0, answers: [a("x", "192.0.2.1", 86400)] }), 3600);
  const soa: Answer = {
    name: "example.com",
    type: "SOA",
    ttl: 900,
    data: { mname: "a", rname: "b", minimum: 7200 },
  };
  assert.equal(cacheTTL({ flags: 3, answers: [], authorities: [soa] }), 900);
  assert.equal(cacheTTL({ flags: 3, answers: [], authorities: [{ ...soa, ttl: 86400 }] }), 1800);
  assert.equal(cacheTTL({ flags: 3, answers: [] }), 0);
  assert.equal(cacheTTL({ flags: 2, answers: [] }), 0);
  assert.equal(cacheTTL({ flags: dnsPacket.TRUNCATED_RESPONSE, answers: [a("x", "192.0.2.1", 300)] }), 0);
});

test("answers are cached with TTLs counting down, and expire", async () => {
  const up = await stub(() => ({
    flags: dnsPacket.RECURSION_AVAILABLE,
    answers: [a("www.example.com", "192.0.2.1", 30)],
  }));
  let now = 1_000_000;
  const f = new Forwarder({ upstreams: [{ host: "127.0.0.1", port: up.port }], now: () => now });
  closers.push(() => f.close());
  const first = await f.resolve({ name: "www.example.com", type: "A" });
  assert.equal(first?.cached, false);
  now += 10_000;
  const second = await f.resolve({ name: "www.example.com", type: "A" });
  assert.equal(second?.cached, true);
  assert.equal(second?.packet.answers?.[0].type === "A" && second.packet.answers[0].ttl, 20);
  assert.equal(up.count(), 1);
  now += 20_000;
  assert.equal((await f.resolve({ name: "www.example.com", type: "A" }))?.cached, false);
  assert.equal(up.count(), 2);
});

test("a truncated UDP answer is asked again over TCP", async () => {
  const many = Array.from({ length: 40 }, (_, i) => a("big.example.com", `192.0.2.${i + 1}`, 60));
  const up = await stub((_, tcp) =>
    tcp ? { flags: 0, answers: many } : { flags: dnsPacket.TRUNCATED_RESPONSE, answers: many.slice(0, 3) },
  );
  const f = new Forwarder({ upstreams: [{ host: "127.0.0.1", port: up.port }] });
  closers.push(() => f.close());
  const r = await f.resolve({ name: "big.example.com", type: "A" });
  assert.equal(r?.packet.answers?.length, 40);
});

test("a silent or failing upstream: the next one answers; none left: undefined (SERVFAIL)", async () => {
  const silent = await stub(() => undefined);
  const failing = await stub(() => ({ flags: 2, answers: [] }));
  const good = await stub(() => ({ flags: 0, answers: [a("x.example.com", "192.0.2.9", 60)] }));
  const f = new Forwarder({
    upstreams: [
      { host: "127.0.0.1", port: silent.port },
      { host: "127.0.0.1", port: failing.port },
      { host: "127.0.0.1", port: good.port },
    ],
    timeoutMs: 100,
  });
  closers.push(() => f.close());
  const r = await f.resolve({ name: "x.example.com", type: "A" });
  assert.deepEqual(
    r?.packet.answers?.map((x) => x.type === "A" && x.data),
    ["192.0.2.9"],
  );
  const none = new Forwarder({ upstreams: [{ host: "127.0.0.1", port: silent.port }], timeoutMs: 100 });
  closers.push(() => none.close());
  assert.equal(await none.resolve({ name: "y.example.com", type: "A" }), undefined);
});
