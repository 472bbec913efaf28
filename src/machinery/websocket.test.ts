import assert from "node:assert/strict";
import { once } from "node:events";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { after, before, describe, it } from "node:test";
import {
  acceptKey,
  acceptWebSocket,
  connectWebSocket,
  encodeFrame,
  FrameParser,
  negotiateProtocol,
  OPCODE,
  offeredProtocols,
  tunnelStream,
  UpgradeError,
  type WebSocket,
} from "./websocket.ts";

const hex = (s: string) => Buffer.from(s.replace(/\s+/g, ""), "hex");

describe("WebSocket handshake", () => {
  it("computes Sec-WebSocket-Accept as RFC 6455 1.3's example", () => {
    assert.equal(acceptKey("dGhlIHNhbXBsZSBub25jZQ=="), "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
  });

  it("picks the first offered subprotocol the server supports", () => {
    const offered = offeredProtocols(["v5.channel.k8s.io, v4.channel.k8s.io", "channel.k8s.io"]);
    assert.deepEqual(offered, ["v5.channel.k8s.io", "v4.channel.k8s.io", "channel.k8s.io"]);
    assert.equal(negotiateProtocol(offered, ["v4.channel.k8s.io", "v5.channel.k8s.io"]), "v5.channel.k8s.io");
    assert.equal(negotiateProtocol(["base64.channel.k8s.io"], ["v5.channel.k8s.io"]), undefined);
  });
});

describe("WebSocket framing (RFC 6455 5.7 examples)", () => {
  it("reads a single-frame unmasked and a masked text message", () => {
    const p = new FrameParser();
    assert.deepEqual(p.push(hex("81 05 48 65 6c 6c 6f")), [
      { fin: true, opcode: OPCODE.text, payload: Buffer.from("Hello") },
    ]);
    assert.deepEqual(p.push(hex("81 85 37 fa 21 3d 7f 9f 4d 51 58")), [
      { fin: true, opcode: OPCODE.text, payload: Buffer.from("Hello") },
    ]);
  });

  it("reads fragments and frames split across chunks", () => {
    const p = new FrameParser();
    const bytes = hex("01 03 48 65 6c 80 02 6c 6f 89 05 48 65 6c 6c 6f");
    const frames = [
      ...p.push(bytes.subarray(0, 4)),
      ...p.push(bytes.subarray(4, 11)),
      ...p.push(bytes.subarray(11)),
    ];
    assert.deepEqual(
      frames.map((f) => [f.fin, f.opcode, f.payload.toString()]),
      [
        [false, OPCODE.text, "Hel"],
        [true, OPCODE.continuation, "lo"],
        [true, OPCODE.ping, "Hello"],
      ],
    );
  });

  it("writes 16- and 64-bit lengths", () => {
    const f256 = encodeFrame({ fin: true, opcode: OPCODE.binary, payload: Buffer.alloc(256) }, false);
    assert.deepEqual(f256.subarray(0, 4), hex("82 7e 01 00"));
    const f64k = encodeFrame({ fin: true, opcode: OPCODE.binary, payload: Buffer.alloc(65536) }, false);
    assert.deepEqual(f64k.subarray(0, 10), hex("82 7f 00 00 00 00 00 01 00 00"));
    const masked = encodeFrame({ fin: true, opcode: OPCODE.binary, payload: Buffer.from("abc") }, true);
    assert.equal(masked[1], 0x83);
    assert.deepEqual(new FrameParser().push(masked)[0]?.payload, Buffer.from("abc"));
  });
});

describe("WebSocket over a real connection", () => {
  let server: Server;
  let port: number;
  const serverSockets: WebSocket[] = [];

  before(async () => {
    server = createServer((_req, res) => res.end());
    server.on("upgrade", (req, socket, head) => {
      const ws = acceptWebSocket(req, socket, head, ["v5.channel.k8s.io", "v4.channel.k8s.io"]);
      if (!ws) return;
      serverSockets.push(ws);
      // Echo, with the subprotocol in front.
      ws.on("message", (data, binary) => {
        if (data.toString() === "bye") ws.close(1000);
        else ws.send(binary ? data : `${ws.protocol}:${data.toString()}`, binary);
      });
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    port = (server.address() as AddressInfo).port;
  });

  after(() => {
    server.closeAllConnections();
    server.close();
  });

  it("negotiates, echoes text and large binary messages, answers pings, closes with 1000", async () => {
    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/x`, {
      protocols: ["v4.channel.k8s.io", "v5.channel.k8s.io"],
    });
    assert.equal(ws.protocol, "v4.channel.k8s.io");
    const messages: Array<[string, boolean]> = [];
    let big: Buffer | undefined;
    ws.on("message", (d, binary) => {
      if (d.length > 1000) big = d;
      else messages.push([d.toString(), binary]);
    });
    ws.send("hi", false);
    const payload = Buffer.alloc(200_000, 7);
    ws.send(payload);
    const pong = once(ws, "pong");
    ws.ping(Buffer.from("p"));
    assert.equal(((await pong)[0] as Buffer).toString(), "p");
    const closed = once(ws, "close");
    ws.send("bye", false);
    const [code] = await closed;
    assert.equal(code, 1000);
    assert.deepEqual(messages, [["v4.channel.k8s.io:hi", false]]);
    assert.deepEqual(big, payload);
  });

  it("refuses a handshake without a supported subprotocol", async () => {
    await assert.rejects(
      connectWebSocket(`ws://127.0.0.1:${port}/x`, { protocols: ["base64.channel.k8s.io"] }),
      (e) => {
        assert.ok(e instanceof UpgradeError);
        assert.equal(e.statusCode, 400);
        return true;
      },
    );
  });

  it("carries a byte stream as binary messages (tunnelStream)", async () => {
    const ws = await connectWebSocket(`ws://127.0.0.1:${port}/x`, { protocols: ["v5.channel.k8s.io"] });
    const stream = tunnelStream(ws);
    const got: Buffer[] = [];
    stream.on("data", (c: Buffer) => got.push(c));
    stream.write(Buffer.from("abc"));
    stream.write(Buffer.from("def"));
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(Buffer.concat(got).toString(), "abcdef");
    stream.end();
    await once(stream, "close");
  });
});
