import assert from "node:assert/strict";
import { once } from "node:events";
import { connect, createServer, type Server, type Socket } from "node:net";
import { after, before, describe, it } from "node:test";
import { createDeflate, inflateSync, constants as zc } from "node:zlib";
import {
  adler32,
  decodeHeaderBlock,
  encodeFrame,
  encodeHeaderBlock,
  FLAG_FIN,
  FrameReader,
  HEADER_DICTIONARY,
  HeaderCompressor,
  RST,
  SpdyConnection,
  type SpdyFrame,
  type SpdyStream,
} from "./spdy.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

function readAll(frames: Buffer[]): Promise<SpdyFrame[]> {
  return new Promise((resolve, reject) => {
    const out: SpdyFrame[] = [];
    const r = new FrameReader((f) => out.push(f), reject);
    for (const b of frames) r.push(b);
    setTimeout(() => resolve(out), 50);
  });
}

describe("SPDY/3.1 framing", () => {
  it("has draft 3's 1423-byte header dictionary", () => {
    assert.equal(HEADER_DICTIONARY.length, 1423);
    assert.deepEqual(HEADER_DICTIONARY.subarray(0, 11), Buffer.from("\0\0\0\x07options", "latin1"));
    assert.equal(HEADER_DICTIONARY.subarray(-6).toString(), "enq=0.");
  });

  it("writes control and data frames byte for byte", () => {
    const c = new HeaderCompressor();
    assert.deepEqual(encodeFrame({ type: "ping", id: 1 }, c), hex("80 03 00 06 00 00 00 04 00 00 00 01"));
    assert.deepEqual(
      encodeFrame({ type: "rst_stream", streamId: 1, status: RST.CANCEL }, c),
      hex("80 03 00 03 00 00 00 08 00 00 00 01 00 00 00 05"),
    );
    assert.deepEqual(
      encodeFrame({ type: "goaway", lastGoodStreamId: 2, status: 0 }, c),
      hex("80 03 00 07 00 00 00 08 00 00 00 02 00 00 00 00"),
    );
    assert.deepEqual(
      encodeFrame({ type: "window_update", streamId: 3, delta: 65536 }, c),
      hex("80 03 00 09 00 00 00 08 00 00 00 03 00 01 00 00"),
    );
    assert.deepEqual(
      encodeFrame({ type: "data", streamId: 3, flags: FLAG_FIN, data: Buffer.from("hi") }, c),
      hex("00 00 00 03 01 00 00 02 68 69"),
    );
  });

  it("encodes name/value blocks with 32-bit lengths and lowercase names", () => {
    const block = encodeHeaderBlock({ streamType: "error" });
    assert.deepEqual(
      block,
      Buffer.concat([
        hex("00000001 0000000a"),
        Buffer.from("streamtype"),
        hex("00000005"),
        Buffer.from("error"),
      ]),
    );
    assert.deepEqual(decodeHeaderBlock(block), { streamtype: "error" });
  });

  it("writes header blocks a standard inflater reads with the dictionary, one context per direction", () => {
    const c = new HeaderCompressor();
    const a = c.compress(encodeHeaderBlock({ streamtype: "stdout" }));
    const b = c.compress(encodeHeaderBlock({ streamtype: "stderr", port: "80" }));
    // The zlib header names the dictionary by its Adler-32 (RFC 1950 DICTID).
    assert.equal(a.readUInt32BE(2), adler32(HEADER_DICTIONARY));
    assert.equal(((a[0] ?? 0) * 256 + (a[1] ?? 0)) % 31, 0);
    // Each block ends at a sync-flush point (an empty stored block), where Go's flate reader stops.
    assert.deepEqual(a.subarray(-5), hex("00 00 00 ff ff"));
    assert.deepEqual(b.subarray(0, 5), hex("00 2a 00 d5 ff"));
    const both = inflateSync(Buffer.concat([a, b]), {
      dictionary: HEADER_DICTIONARY,
      finishFlush: zc.Z_SYNC_FLUSH,
    });
    const first = encodeHeaderBlock({ streamtype: "stdout" });
    assert.deepEqual(decodeHeaderBlock(both.subarray(0, first.length)), { streamtype: "stdout" });
    assert.deepEqual(decodeHeaderBlock(both.subarray(first.length)), { streamtype: "stderr", port: "80" });
  });

  it("reads SYN_STREAMs whose blocks a real deflater wrote with Z_SYNC_FLUSH (as Go's framer)", async () => {
    const deflate = createDeflate({ dictionary: HEADER_DICTIONARY, level: 9 });
    const chunks: Buffer[] = [];
    deflate.on("data", (c: Buffer) => chunks.push(c));
    const compress = (block: Buffer) =>
      new Promise<Buffer>((resolve) => {
        deflate.write(block);
        deflate.flush(zc.Z_SYNC_FLUSH, () => resolve(Buffer.concat(chunks.splice(0))));
      });
    const syn = (id: number, z: Buffer) => {
      const h = hex(`80 03 00 01 00 00 00 00 0000000${id} 00000000 0000`);
      h.writeUInt32BE(10 + z.length, 4);
      return Buffer.concat([h, z]);
    };
    const f1 = syn(1, await compress(encodeHeaderBlock({ streamtype: "error" })));
    const f2 = syn(
      3,
      await compress(encodeHeaderBlock({ streamtype: "data", port: "8080", requestid: "0" })),
    );
    const both = Buffer.concat([f1, f2]);
    const frames = await readAll([both.subarray(0, 7), both.subarray(7, 40), both.subarray(40)]);
    assert.deepEqual(frames, [
      {
        type: "syn_stream",
        streamId: 1,
        associatedTo: 0,
        priority: 0,
        flags: 0,
        headers: { streamtype: "error" },
      },
      {
        type: "syn_stream",
        streamId: 3,
        associatedTo: 0,
        priority: 0,
        flags: 0,
        headers: { streamtype: "data", port: "8080", requestid: "0" },
      },
    ]);
  });

  it("round-trips every frame type through its own reader", async () => {
    const c = new HeaderCompressor();
    const sent: SpdyFrame[] = [
      { type: "syn_stream", streamId: 1, associatedTo: 0, priority: 0, flags: FLAG_FIN, headers: { a: "1" } },
      { type: "syn_reply", streamId: 1, flags: 0, headers: {} },
      { type: "headers", streamId: 1, flags: 0, headers: { b: "2" } },
      { type: "settings", flags: 0, entries: [{ flags: 0, id: 7, value: 65536 }] },
      { type: "data", streamId: 1, flags: 0, data: Buffer.from("x") },
      { type: "window_update", streamId: 1, delta: 10 },
      { type: "ping", id: 2 },
      { type: "rst_stream", streamId: 1, status: RST.PROTOCOL_ERROR },
      { type: "goaway", lastGoodStreamId: 1, status: 0 },
    ];
    assert.deepEqual(await readAll(sent.map((f) => encodeFrame(f, c))), sent);
  });
});

describe("SPDY connection", () => {
  let server: Server;
  let serverConn: SpdyConnection | undefined;
  let client: SpdyConnection;

  before(async () => {
    server = createServer((socket: Socket) => {
      serverConn = new SpdyConnection(socket, { server: true });
      // An echo server: every stream is accepted and its bytes sent back; the stream ends when the client's does.
      serverConn.on("stream", (s: SpdyStream) => {
        if (s.headers.streamtype === "refuse") return s.reset(RST.REFUSED_STREAM);
        s.reply({});
        s.on("data", (d: Buffer) => s.write(d));
        s.on("end", () => s.end());
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const port = (server.address() as { port: number }).port;
    const socket = connect(port, "127.0.0.1");
    await once(socket, "connect");
    client = new SpdyConnection(socket, { server: false });
  });

  after(() => {
    client.close();
    serverConn?.destroy();
    server.close();
  });

  it("opens streams with odd ids, echoes 4 MiB with no WINDOW_UPDATE, ends with FIN", async () => {
    const s = client.createStream({ streamtype: "data" });
    assert.equal(s.id, 1);
    await s.waitReply();
    const payload = Buffer.alloc(4 * 1024 * 1024);
    for (let i = 0; i < payload.length; i++) payload[i] = i & 0xff;
    const got: Buffer[] = [];
    s.on("data", (d: Buffer) => got.push(d));
    s.end(payload);
    await once(s, "end");
    assert.ok(Buffer.concat(got).equals(payload));
    assert.equal(client.createStream({ streamtype: "x" }).id, 3);
  });

  it("answers pings and reports a reset stream", async () => {
    await client.ping();
    const s = client.createStream({ streamtype: "refuse" });
    await assert.rejects(s.waitReply(), /reset \(status 3\)/);
  });
});
