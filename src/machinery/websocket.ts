// RFC 6455 WebSockets over a socket: the server handshake (Sec-WebSocket-Accept,
// subprotocol negotiation), framing (masked client frames, fragmented
// messages, ping/pong, the close handshake) and a client connect helper.
// kubectl's exec/attach (v5.channel.k8s.io) and port-forward
// (SPDY/3.1+portforward.k8s.io) speak it to the kubelet through the apiserver.
import { createHash, randomBytes } from "node:crypto";
import { EventEmitter } from "node:events";
import type { IncomingMessage } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";
import { Duplex } from "node:stream";

const GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";

export const OPCODE = { continuation: 0, text: 1, binary: 2, close: 8, ping: 9, pong: 10 } as const;

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key. */
export function acceptKey(key: string): string {
  return createHash("sha1")
    .update(key + GUID)
    .digest("base64");
}

/** The subprotocols a client offers (Sec-WebSocket-Protocol, comma separated, possibly repeated). */
export function offeredProtocols(header: string | string[] | undefined): string[] {
  const all = Array.isArray(header) ? header.join(",") : (header ?? "");
  return all
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/** The first of the client's protocols (its preference order) that the server supports, as gorilla's Upgrader picks. */
export function negotiateProtocol(offered: string[], supported: string[]): string | undefined {
  return offered.find((p) => supported.includes(p));
}

export function isWebSocketUpgrade(req: IncomingMessage): boolean {
  return (
    (req.headers.upgrade ?? "").toLowerCase() === "websocket" &&
    (req.headers.connection ?? "").toLowerCase().includes("upgrade")
  );
}

export interface Frame {
  fin: boolean;
  opcode: number;
  payload: Buffer;
}

/** One frame's bytes; a client masks its frames (RFC 6455 5.3). */
export function encodeFrame(f: Frame, mask: boolean): Buffer {
  const len = f.payload.length;
  const ext = len < 126 ? 0 : len < 65536 ? 2 : 8;
  const head = Buffer.alloc(2 + ext + (mask ? 4 : 0));
  head[0] = (f.fin ? 0x80 : 0) | f.opcode;
  head[1] = (mask ? 0x80 : 0) | (ext === 0 ? len : ext === 2 ? 126 : 127);
  if (ext === 2) head.writeUInt16BE(len, 2);
  else if (ext === 8) head.writeBigUInt64BE(BigInt(len), 2);
  if (!mask) return Buffer.concat([head, f.payload]);
  const key = randomBytes(4);
  key.copy(head, 2 + ext);
  const body = Buffer.from(f.payload);
  for (let i = 0; i < body.length; i++) body[i] = (body[i] ?? 0) ^ (key[i & 3] ?? 0);
  return Buffer.concat([head, body]);
}

/** Splits bytes into frames, unmasking them. */
export class FrameParser {
  private buf: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    const frames: Frame[] = [];
    for (;;) {
      if (this.buf.length < 2) break;
      const b0 = this.buf[0] ?? 0;
      const b1 = this.buf[1] ?? 0;
      const masked = (b1 & 0x80) !== 0;
      let len = b1 & 0x7f;
      let off = 2;
      if (len === 126) {
        if (this.buf.length < 4) break;
        len = this.buf.readUInt16BE(2);
        off = 4;
      } else if (len === 127) {
        if (this.buf.length < 10) break;
        len = Number(this.buf.readBigUInt64BE(2));
        off = 10;
      }
      const keyOff = off;
      if (masked) off += 4;
      if (this.buf.length < off + len) break;
      const payload = Buffer.from(this.buf.subarray(off, off + len));
      if (masked) {
        for (let i = 0; i < payload.length; i++)
          payload[i] = (payload[i] ?? 0) ^ (this.buf[keyOff + (i & 3)] ?? 0);
      }
      this.buf = this.buf.subarray(off + len);
      frames.push({ fin: (b0 & 0x80) !== 0, opcode: b0 & 0x0f, payload });
    }
    return frames;
  }
}

export interface WebSocketEvents {
  /** A whole message (fragments joined). */
  message: [data: Buffer, binary: boolean];
  ping: [Buffer];
  pong: [Buffer];
  /** Once: the peer's close code (1005 without one, 1006 when the socket went without a close frame). */
  close: [code: number, reason: string];
}

/** A WebSocket over an upgraded socket; the client side masks what it sends. */
export class WebSocket extends EventEmitter<WebSocketEvents> {
  private readonly parser = new FrameParser();
  private fragments: Buffer[] = [];
  private fragmentBinary = false;
  private closeSent = false;
  private closed = false;

  constructor(
    readonly socket: Duplex,
    readonly opts: { client: boolean; protocol: string; head?: Buffer },
  ) {
    super();
    socket.on("data", (c: Buffer) => this.onData(c));
    socket.on("close", () => this.finish(1006, ""));
    socket.on("error", () => this.finish(1006, ""));
    // Bytes that came with the upgrade are the first frames: parse them once the caller
    // (resumed from an await, i.e. after microtasks) has its listeners.
    if (opts.head?.length) {
      const head = opts.head;
      setImmediate(() => this.onData(head));
    }
  }

  get protocol(): string {
    return this.opts.protocol;
  }

  get isClosed(): boolean {
    return this.closed || this.closeSent;
  }

  send(data: Buffer | string, binary = typeof data !== "string"): void {
    if (this.closeSent || this.socket.destroyed) return;
    const payload = typeof data === "string" ? Buffer.from(data) : data;
    this.socket.write(
      encodeFrame({ fin: true, opcode: binary ? OPCODE.binary : OPCODE.text, payload }, this.opts.client),
    );
  }

  ping(data: Buffer = Buffer.alloc(0)): void {
    if (this.closeSent || this.socket.destroyed) return;
    this.socket.write(encodeFrame({ fin: true, opcode: OPCODE.ping, payload: data }, this.opts.client));
  }

  /** Sends a close frame; the socket ends when the peer answers (or after timeoutMs). */
  close(code = 1000, reason = "", timeoutMs = 15 * 60_000): void {
    if (this.closeSent || this.socket.destroyed) return;
    this.closeSent = true;
    const r = Buffer.from(reason);
    const payload = Buffer.alloc(2 + r.length);
    payload.writeUInt16BE(code, 0);
    r.copy(payload, 2);
    this.socket.write(encodeFrame({ fin: true, opcode: OPCODE.close, payload }, this.opts.client));
    const t = setTimeout(() => this.socket.destroy(), timeoutMs);
    t.unref();
    this.socket.once("close", () => clearTimeout(t));
  }

  /** Drops the connection without a close handshake. */
  terminate(): void {
    this.socket.destroy();
  }

  private onData(chunk: Buffer): void {
    let frames: Frame[];
    try {
      frames = this.parser.push(chunk);
    } catch {
      this.socket.destroy();
      return;
    }
    for (const f of frames) this.onFrame(f);
  }

  private onFrame(f: Frame): void {
    switch (f.opcode) {
      case OPCODE.text:
      case OPCODE.binary:
      case OPCODE.continuation: {
        if (f.opcode !== OPCODE.continuation) {
          this.fragments = [];
          this.fragmentBinary = f.opcode === OPCODE.binary;
        }
        this.fragments.push(f.payload);
        if (!f.fin) return;
        const data =
          this.fragments.length === 1 ? (this.fragments[0] as Buffer) : Buffer.concat(this.fragments);
        this.fragments = [];
        if (!this.closed) this.emit("message", data, this.fragmentBinary);
        return;
      }
      case OPCODE.ping:
        if (!this.closeSent && !this.socket.destroyed)
          this.socket.write(
            encodeFrame({ fin: true, opcode: OPCODE.pong, payload: f.payload }, this.opts.client),
          );
        this.emit("ping", f.payload);
        return;
      case OPCODE.pong:
        this.emit("pong", f.payload);
        return;
      case OPCODE.close: {
        const code = f.payload.length >= 2 ? f.payload.readUInt16BE(0) : 1005;
        const reason = f.payload.length > 2 ? f.payload.subarray(2).toString() : "";
        if (!this.closeSent) {
          // Echo the close (RFC 6455 5.5.1), then the server closes the TCP connection first.
          this.closeSent = true;
          const echo = f.payload.length >= 2 ? f.payload.subarray(0, 2) : Buffer.alloc(0);
          this.socket.write(
            encodeFrame({ fin: true, opcode: OPCODE.close, payload: echo }, this.opts.client),
          );
        }
        this.finish(code, reason);
        this.socket.end();
        return;
      }
      default:
        this.socket.destroy();
    }
  }

  private finish(code: number, reason: string): void {
    if (this.closed) return;
    this.closed = true;
    this.emit("close", code, reason);
  }
}

/**
 * The server side of the handshake: writes 101 with the negotiated subprotocol
 * and returns the WebSocket, or writes 400 and returns undefined.
 */
export function acceptWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  supportedProtocols: string[],
): WebSocket | undefined {
  const key = req.headers["sec-websocket-key"];
  const offered = offeredProtocols(req.headers["sec-websocket-protocol"]);
  const protocol = negotiateProtocol(offered, supportedProtocols);
  if (!isWebSocketUpgrade(req) || typeof key !== "string" || req.headers["sec-websocket-version"] !== "13") {
    writeHttpError(socket, 400, "Bad Request: not a WebSocket version 13 handshake\n");
    return undefined;
  }
  if (offered.length > 0 && protocol === undefined) {
    writeHttpError(socket, 400, `Bad Request: none of the subprotocols ${offered.join(", ")} is supported\n`);
    return undefined;
  }
  socket.write(
    [
      "HTTP/1.1 101 Switching Protocols",
      "Upgrade: websocket",
      "Connection: Upgrade",
      `Sec-WebSocket-Accept: ${acceptKey(key)}`,
      ...(protocol ? [`Sec-WebSocket-Protocol: ${protocol}`] : []),
      "",
      "",
    ].join("\r\n"),
  );
  return new WebSocket(socket, { client: false, protocol: protocol ?? "", head });
}

/** A plain HTTP error on a socket whose request wanted an upgrade. */
export function writeHttpError(socket: Duplex, code: number, body: string, statusText = "Error"): void {
  if (socket.destroyed) return;
  const b = Buffer.from(body);
  socket.end(
    `HTTP/1.1 ${code} ${statusText}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${b.length}\r\nConnection: close\r\n\r\n${body}`,
  );
}

export interface ConnectOptions {
  protocols: string[];
  headers?: Record<string, string>;
  /** TLS options for wss: (ca, cert, key, rejectUnauthorized…). */
  tls?: { ca?: string; cert?: string; key?: string; rejectUnauthorized?: boolean; servername?: string };
}

/** The server's answer when it refused the upgrade. */
export class UpgradeError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    super(`unable to upgrade connection: ${statusCode}: ${body.trim()}`);
  }
}

/** Opens a WebSocket (ws: or wss:, or http:/https:), checking Sec-WebSocket-Accept. */
export function connectWebSocket(url: string, opts: ConnectOptions): Promise<WebSocket> {
  const u = new URL(url);
  const secure = u.protocol === "wss:" || u.protocol === "https:";
  const key = randomBytes(16).toString("base64");
  const headers: Record<string, string> = {
    Connection: "Upgrade",
    Upgrade: "websocket",
    "Sec-WebSocket-Version": "13",
    "Sec-WebSocket-Key": key,
    ...(opts.protocols.length ? { "Sec-WebSocket-Protocol": opts.protocols.join(", ") } : {}),
    ...opts.headers,
  };
  const reqOpts = {
    method: "GET",
    host: u.hostname,
    port: u.port || (secure ? 443 : 80),
    path: u.pathname + u.search,
    headers,
    agent: false as const,
    ...(secure ? (opts.tls ?? {}) : {}),
  };
  return new Promise<WebSocket>((resolve, reject) => {
    const req = secure ? httpsRequest(reqOpts) : httpRequest(reqOpts);
    req.on("upgrade", (res, socket, head) => {
      if (res.headers["sec-websocket-accept"] !== acceptKey(key)) {
        socket.destroy();
        return reject(new Error("websocket: bad Sec-WebSocket-Accept"));
      }
      const protocol = String(res.headers["sec-websocket-protocol"] ?? "");
      resolve(new WebSocket(socket, { client: true, protocol, head }));
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => reject(new UpgradeError(res.statusCode ?? 0, Buffer.concat(chunks).toString())));
    });
    req.on("error", reject);
    req.end();
  });
}

/**
 * A WebSocket as a byte stream: each write is one binary message, each binary
 * message's payload is read as bytes (client-go's TunnelingConnection, which
 * carries SPDY for port-forward).
 */
export function tunnelStream(ws: WebSocket): Duplex {
  const d = new Duplex({
    read() {},
    write(chunk: Buffer, _enc, cb) {
      ws.send(chunk, true);
      cb();
    },
    final(cb) {
      ws.close(1000);
      cb();
    },
    destroy(err, cb) {
      ws.terminate();
      cb(err);
    },
  });
  ws.on("message", (data) => d.push(data));
  ws.on("close", () => {
    d.push(null);
    d.destroy();
  });
  return d;
}
