// SPDY/3.1 framing and a connection with streams, as Go's moby/spdystream
// speaks it (what containerd's streaming server, the kubelet and kubectl use
// for exec, attach and port-forward). Client and server differ only in stream
// and ping id parity. Flow control: spdystream never sends WINDOW_UPDATE and
// ignores the ones it gets, so neither side may wait for a window; we ignore
// windows too, or large transfers would stall at 64 KiB.
//
// Header blocks: one zlib context per direction with SPDY/3's dictionary. We
// inflate what the peer sends with a real inflater; what we send is written
// as deflate *stored* blocks in one zlib stream (header with the dictionary's
// id, no compression), each followed by the empty stored block that ends a
// Z_SYNC_FLUSH; every inflater reads that, and writes stay synchronous.
import { EventEmitter } from "node:events";
import { Duplex } from "node:stream";
import { inflateSync, constants as zc } from "node:zlib";

export type SpdyHeaders = Record<string, string>;

export const FLAG_FIN = 0x01;
export const FLAG_UNIDIRECTIONAL = 0x02;

/** RST_STREAM status codes. */
export const RST = {
  PROTOCOL_ERROR: 1,
  INVALID_STREAM: 2,
  REFUSED_STREAM: 3,
  UNSUPPORTED_VERSION: 4,
  CANCEL: 5,
  INTERNAL_ERROR: 6,
  FLOW_CONTROL_ERROR: 7,
  STREAM_IN_USE: 8,
  STREAM_ALREADY_CLOSED: 9,
} as const;

export type SpdyFrame =
  | { type: "data"; streamId: number; flags: number; data: Buffer }
  | {
      type: "syn_stream";
      streamId: number;
      associatedTo: number;
      priority: number;
      flags: number;
      headers: SpdyHeaders;
    }
  | { type: "syn_reply"; streamId: number; flags: number; headers: SpdyHeaders }
  | { type: "rst_stream"; streamId: number; status: number }
  | { type: "settings"; flags: number; entries: Array<{ flags: number; id: number; value: number }> }
  | { type: "ping"; id: number }
  | { type: "goaway"; lastGoodStreamId: number; status: number }
  | { type: "headers"; streamId: number; flags: number; headers: SpdyHeaders }
  | { type: "window_update"; streamId: number; delta: number };

const TYPE = {
  syn_stream: 1,
  syn_reply: 2,
  rst_stream: 3,
  settings: 4,
  ping: 6,
  goaway: 7,
  headers: 8,
  window_update: 9,
} as const;

// SPDY/3's header dictionary (draft 3, 2.6.10.1): length-prefixed names, then raw text.
const DICT_ENTRIES = [
  "options",
  "head",
  "post",
  "put",
  "delete",
  "trace",
  "accept",
  "accept-charset",
  "accept-encoding",
  "accept-language",
  "accept-ranges",
  "age",
  "allow",
  "authorization",
  "cache-control",
  "connection",
  "content-base",
  "content-encoding",
  "content-language",
  "content-length",
  "content-location",
  "content-md5",
  "content-range",
  "content-type",
  "date",
  "etag",
  "expect",
  "expires",
  "from",
  "host",
  "if-match",
  "if-modified-since",
  "if-none-match",
  "if-range",
  "if-unmodified-since",
  "last-modified",
  "location",
  "max-forwards",
  "pragma",
  "proxy-authenticate",
  "proxy-authorization",
  "range",
  "referer",
  "retry-after",
  "server",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "user-agent",
  "vary",
  "via",
  "warning",
  "www-authenticate",
  "method",
  "get",
  "status",
  "200 OK",
  "version",
  "HTTP/1.1",
  "url",
  "public",
  "set-cookie",
  "keep-alive",
  "origin",
];
const DICT_TAIL =
  "100101201202205206300302303304305306307402405406407408409410411412413414415416417502504505" +
  "203 Non-Authoritative Information204 No Content301 Moved Permanently400 Bad Request401 Unauthorized" +
  "403 Forbidden404 Not Found500 Internal Server Error501 Not Implemented503 Service Unavailable" +
  "Jan Feb Mar Apr May Jun Jul Aug Sept Oct Nov Dec 00:00:00 Mon, Tue, Wed, Thu, Fri, Sat, Sun, GMT" +
  "chunked,text/html,image/png,image/jpg,image/gif,application/xml,application/xhtml+xml,text/plain," +
  "text/javascript,publicprivatemax-age=gzip,deflate,sdchcharset=utf-8charset=iso-8859-1,utf-,*,enq=0.";

export const HEADER_DICTIONARY: Buffer = Buffer.concat([
  ...DICT_ENTRIES.map((e) => {
    const b = Buffer.alloc(4 + e.length);
    b.writeUInt32BE(e.length, 0);
    b.write(e, 4, "latin1");
    return b;
  }),
  Buffer.from(DICT_TAIL, "latin1"),
]);

export function adler32(buf: Buffer): number {
  let a = 1;
  let b = 0;
  for (const byte of buf) {
    a = (a + byte) % 65521;
    b = (b + a) % 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** The uncompressed name/value block: count, then length-prefixed lowercase names and values. */
export function encodeHeaderBlock(headers: SpdyHeaders): Buffer {
  const parts: Buffer[] = [];
  const n = Buffer.alloc(4);
  const entries = Object.entries(headers);
  n.writeUInt32BE(entries.length, 0);
  parts.push(n);
  for (const [name, value] of entries) {
    for (const s of [name.toLowerCase(), value]) {
      const b = Buffer.from(s, "utf8");
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length, 0);
      parts.push(len, b);
    }
  }
  return Buffer.concat(parts);
}

export function decodeHeaderBlock(buf: Buffer): SpdyHeaders {
  const headers: SpdyHeaders = {};
  if (buf.length < 4) throw new Error("spdy: short header block");
  const count = buf.readUInt32BE(0);
  let off = 4;
  const str = () => {
    if (off + 4 > buf.length) throw new Error("spdy: short header block");
    const len = buf.readUInt32BE(off);
    off += 4;
    if (off + len > buf.length) throw new Error("spdy: short header block");
    const s = buf.toString("utf8", off, off + len);
    off += len;
    return s;
  };
  for (let i = 0; i < count; i++) {
    const name = str();
    headers[name] = str();
  }
  return headers;
}

/** Our side of a direction's zlib stream: the header first, then one stored block per header block. */
export class HeaderCompressor {
  private started = false;

  compress(block: Buffer): Buffer {
    const parts: Buffer[] = [];
    if (!this.started) {
      this.started = true;
      // CMF 0x78 (deflate, 32K window); FLG with FDICT, FCHECK making CMF*256+FLG a multiple of 31.
      const cmf = 0x78;
      let flg = 0x20;
      flg += 31 - ((cmf * 256 + flg) % 31);
      const head = Buffer.alloc(6);
      head[0] = cmf;
      head[1] = flg;
      head.writeUInt32BE(adler32(HEADER_DICTIONARY), 2);
      parts.push(head);
    }
    for (let off = 0; off < block.length || off === 0; off += 0xffff) {
      const chunk = block.subarray(off, off + 0xffff);
      const h = Buffer.alloc(5);
      h[0] = 0x00; // BFINAL 0, BTYPE 00 (stored)
      h.writeUInt16LE(chunk.length, 1);
      h.writeUInt16LE(~chunk.length & 0xffff, 3);
      parts.push(h, chunk);
      if (block.length === 0) break;
    }
    // The empty stored block a Z_SYNC_FLUSH ends with: Go's flate reader hands out the
    // data only at such a flush point, and would otherwise read past the frame and fail.
    parts.push(Buffer.from([0x00, 0x00, 0x00, 0xff, 0xff]));
    return Buffer.concat(parts);
  }
}

/**
 * The peer's direction: one zlib stream for the connection's life, one
 * header block at a time. Node's synchronous zlib is one-shot and its stream
 * API's flush callback can run before a block's output is readable (whole
 * header blocks went missing under load), so each block inflates the
 * direction's whole input so far, synchronously, and keeps the new output.
 * Sessions here carry a handful of header blocks (exec/attach: one per
 * stream), so the repeated work is small.
 */
export class HeaderDecompressor {
  private input: Buffer[] = [];
  private inputBytes = 0;
  private outputBytes = 0;

  decompress(buf: Buffer): Buffer {
    this.input.push(buf);
    this.inputBytes += buf.length;
    if (this.inputBytes > MAX_HEADER_INPUT) throw new Error("spdy: too many header bytes on one connection");
    const all = inflateSync(Buffer.concat(this.input), {
      dictionary: HEADER_DICTIONARY,
      finishFlush: zc.Z_SYNC_FLUSH,
    });
    const out = all.subarray(this.outputBytes);
    this.outputBytes = all.length;
    return out;
  }

  close(): void {
    this.input = [];
  }
}

/** Header bytes one connection may send (a 1 MiB ceiling keeps the re-inflation cheap). */
const MAX_HEADER_INPUT = 1 << 20;

function controlFrame(type: number, flags: number, body: Buffer): Buffer {
  const h = Buffer.alloc(8);
  h.writeUInt16BE(0x8000 | 3, 0);
  h.writeUInt16BE(type, 2);
  h.writeUInt32BE(body.length, 4);
  h[4] = flags;
  return Buffer.concat([h, body]);
}

/** One frame's bytes; header blocks go through the direction's compressor. */
export function encodeFrame(f: SpdyFrame, compressor: HeaderCompressor): Buffer {
  const u32 = (...vals: number[]) => {
    const b = Buffer.alloc(4 * vals.length);
    vals.forEach((v, i) => {
      b.writeUInt32BE(v >>> 0, i * 4);
    });
    return b;
  };
  switch (f.type) {
    case "data": {
      if (f.data.length > 0xffffff) throw new Error("spdy: data frame too large");
      const h = Buffer.alloc(8);
      h.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      h.writeUInt32BE(f.data.length, 4);
      h[4] = f.flags;
      return Buffer.concat([h, f.data]);
    }
    case "syn_stream": {
      const fixed = Buffer.alloc(10);
      fixed.writeUInt32BE(f.streamId & 0x7fffffff, 0);
      fixed.writeUInt32BE(f.associatedTo & 0x7fffffff, 4);
      fixed[8] = (f.priority & 0x7) << 5;
      const block = compressor.compress(encodeHeaderBlock(f.headers));
      return controlFrame(TYPE.syn_stream, f.flags, Buffer.concat([fixed, block]));
    }
    case "syn_reply":
    case "headers": {
      const block = compressor.compress(encodeHeaderBlock(f.headers));
      return controlFrame(TYPE[f.type], f.flags, Buffer.concat([u32(f.streamId & 0x7fffffff), block]));
    }
    case "rst_stream":
      return controlFrame(TYPE.rst_stream, 0, u32(f.streamId & 0x7fffffff, f.status));
    case "settings": {
      const body = Buffer.alloc(4 + 8 * f.entries.length);
      body.writeUInt32BE(f.entries.length, 0);
      f.entries.forEach((e, i) => {
        body.writeUInt32BE(((e.flags & 0xff) << 24) | (e.id & 0xffffff), 4 + i * 8);
        body.writeUInt32BE(e.value >>> 0, 8 + i * 8);
      });
      return controlFrame(TYPE.settings, f.flags, body);
    }
    case "ping":
      return controlFrame(TYPE.ping, 0, u32(f.id));
    case "goaway":
      return controlFrame(TYPE.goaway, 0, u32(f.lastGoodStreamId & 0x7fffffff, f.status));
    case "window_update":
      return controlFrame(TYPE.window_update, 0, u32(f.streamId & 0x7fffffff, f.delta & 0x7fffffff));
  }
}

/** Splits a byte stream into frames and decodes them in order; the first bad frame ends it. */
export class FrameReader {
  private buf: Buffer = Buffer.alloc(0);
  private failed = false;
  private readonly decompressor = new HeaderDecompressor();

  constructor(
    private readonly onFrame: (f: SpdyFrame) => void,
    private readonly onError: (e: Error) => void,
  ) {}

  push(chunk: Buffer): void {
    if (this.failed) return;
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const len = this.buf.readUInt32BE(4) & 0xffffff;
      if (this.buf.length < 8 + len) break;
      const raw = this.buf.subarray(0, 8 + len);
      this.buf = this.buf.subarray(8 + len);
      let f: SpdyFrame | undefined;
      try {
        f = this.decode(raw);
      } catch (e) {
        this.failed = true;
        this.onError(e as Error);
        return;
      }
      if (f) this.onFrame(f);
    }
  }

  close(): void {
    this.failed = true;
    this.decompressor.close();
  }

  private decode(raw: Buffer): SpdyFrame | undefined {
    const flags = raw[4] ?? 0;
    const body = raw.subarray(8);
    if (!((raw[0] ?? 0) & 0x80)) {
      return { type: "data", streamId: raw.readUInt32BE(0) & 0x7fffffff, flags, data: Buffer.from(body) };
    }
    const version = raw.readUInt16BE(0) & 0x7fff;
    if (version !== 3) throw new Error(`spdy: unsupported version ${version}`);
    const type = raw.readUInt16BE(2);
    const id = () => body.readUInt32BE(0) & 0x7fffffff;
    const headers = (off: number) => decodeHeaderBlock(this.decompressor.decompress(body.subarray(off)));
    switch (type) {
      case TYPE.syn_stream:
        return {
          type: "syn_stream",
          streamId: id(),
          associatedTo: body.readUInt32BE(4) & 0x7fffffff,
          priority: (body[8] ?? 0) >> 5,
          flags,
          headers: headers(10),
        };
      case TYPE.syn_reply:
        return { type: "syn_reply", streamId: id(), flags, headers: headers(4) };
      case TYPE.headers:
        return { type: "headers", streamId: id(), flags, headers: headers(4) };
      case TYPE.rst_stream:
        return { type: "rst_stream", streamId: id(), status: body.readUInt32BE(4) };
      case TYPE.settings: {
        const n = body.readUInt32BE(0);
        const entries = [];
        for (let i = 0; i < n; i++) {
          const w = body.readUInt32BE(4 + i * 8);
          entries.push({ flags: w >>> 24, id: w & 0xffffff, value: body.readUInt32BE(8 + i * 8) });
        }
        return { type: "settings", flags, entries };
      }
      case TYPE.ping:
        return { type: "ping", id: body.readUInt32BE(0) };
      case TYPE.goaway:
        return { type: "goaway", lastGoodStreamId: id(), status: body.readUInt32BE(4) };
      case TYPE.window_update:
        return { type: "window_update", streamId: id(), delta: body.readUInt32BE(4) & 0x7fffffff };
      default:
        return undefined; // unknown control frames are ignored (draft 3, 2.2.1)
    }
  }
}

/** One SPDY stream as a Node duplex: writes become DATA frames, end() sends FIN. */
export class SpdyStream extends Duplex {
  /** Headers of the SYN_STREAM (ours or the peer's). */
  readonly headers: SpdyHeaders;
  replyHeaders: SpdyHeaders | undefined;
  private remoteClosed = false;
  private replied: Promise<void>;
  private resolveReply!: () => void;
  private rejectReply!: (e: Error) => void;

  constructor(
    private readonly conn: SpdyConnection,
    readonly id: number,
    headers: SpdyHeaders,
  ) {
    super({ allowHalfOpen: true });
    this.headers = headers;
    this.replied = new Promise<void>((resolve, reject) => {
      this.resolveReply = resolve;
      this.rejectReply = reject;
    });
    this.replied.catch(() => {});
  }

  /** Resolves on the peer's SYN_REPLY; rejects on RST_STREAM or connection loss. */
  waitReply(): Promise<void> {
    return this.replied;
  }

  /** Accepts a peer-initiated stream (SYN_REPLY). */
  reply(headers: SpdyHeaders = {}, fin = false): void {
    this.conn.sendFrame({ type: "syn_reply", streamId: this.id, flags: fin ? FLAG_FIN : 0, headers });
  }

  reset(status: number = RST.CANCEL): void {
    this.conn.sendFrame({ type: "rst_stream", streamId: this.id, status });
    this.onRemoteEnd();
    this.destroy();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    for (let off = 0; off < chunk.length; off += 0xffffff) {
      this.conn.sendFrame({
        type: "data",
        streamId: this.id,
        flags: 0,
        data: chunk.subarray(off, off + 0xffffff),
      });
    }
    cb();
  }

  override _final(cb: (e?: Error | null) => void): void {
    this.conn.sendFrame({ type: "data", streamId: this.id, flags: FLAG_FIN, data: Buffer.alloc(0) });
    cb();
  }

  override _read(): void {
    // no flow control: data is pushed as it arrives
  }

  /** @internal */
  onReply(headers: SpdyHeaders): void {
    this.replyHeaders = headers;
    this.resolveReply();
  }

  /** @internal */
  onData(data: Buffer): void {
    if (!this.remoteClosed && data.length > 0) this.push(data);
  }

  /** @internal The peer's FIN, RST or the connection's end. */
  onRemoteEnd(error?: Error): void {
    if (error) this.rejectReply(error);
    else this.resolveReply();
    if (this.remoteClosed) return;
    this.remoteClosed = true;
    this.push(null);
  }
}

export interface SpdyConnectionEvents {
  stream: [SpdyStream];
  close: [];
  error: [Error];
}

/** A SPDY/3.1 session over a byte stream (a socket, or a WebSocket tunnel). */
export class SpdyConnection extends EventEmitter<SpdyConnectionEvents> {
  private readonly compressor = new HeaderCompressor();
  private readonly reader: FrameReader;
  private readonly streams = new Map<number, SpdyStream>();
  private nextStreamId: number;
  private nextPingId: number;
  private readonly pings = new Map<number, () => void>();
  private closed = false;
  private lastReceivedId = 0;

  constructor(
    private readonly socket: Duplex,
    readonly opts: { server: boolean },
  ) {
    super();
    this.nextStreamId = opts.server ? 2 : 1;
    this.nextPingId = opts.server ? 2 : 1;
    this.reader = new FrameReader(
      (f) => this.handle(f),
      (e) => {
        this.emit("error", e);
        this.destroy();
      },
    );
    socket.on("data", (c: Buffer) => this.reader.push(c));
    socket.on("end", () => this.destroy());
    socket.on("close", () => this.destroy());
    socket.on("error", () => this.destroy());
  }

  get isClosed(): boolean {
    return this.closed;
  }

  sendFrame(f: SpdyFrame): void {
    if (this.closed) return;
    this.socket.write(encodeFrame(f, this.compressor));
  }

  /** Opens a stream (SYN_STREAM); wait for the peer's reply with stream.waitReply(). */
  createStream(headers: SpdyHeaders, opts: { fin?: boolean } = {}): SpdyStream {
    if (this.closed) throw new Error("spdy: connection closed");
    const id = this.nextStreamId;
    this.nextStreamId += 2;
    const s = new SpdyStream(this, id, headers);
    this.streams.set(id, s);
    this.sendFrame({
      type: "syn_stream",
      streamId: id,
      associatedTo: 0,
      priority: 0,
      flags: opts.fin ? FLAG_FIN : 0,
      headers,
    });
    return s;
  }

  ping(): Promise<void> {
    const id = this.nextPingId;
    this.nextPingId += 2;
    return new Promise<void>((resolve) => {
      this.pings.set(id, resolve);
      this.sendFrame({ type: "ping", id });
    });
  }

  /** GOAWAY, then ends the socket. */
  close(): void {
    if (this.closed) return;
    this.sendFrame({ type: "goaway", lastGoodStreamId: this.lastReceivedId, status: 0 });
    this.socket.end();
    this.destroy();
  }

  destroy(): void {
    if (this.closed) return;
    this.closed = true;
    for (const s of this.streams.values()) s.onRemoteEnd(new Error("spdy: connection closed"));
    this.streams.clear();
    for (const p of this.pings.values()) p();
    this.pings.clear();
    this.reader.close();
    if (!this.socket.destroyed) this.socket.destroy();
    this.emit("close");
  }

  private handle(f: SpdyFrame): void {
    switch (f.type) {
      case "syn_stream": {
        const s = new SpdyStream(this, f.streamId, f.headers);
        this.lastReceivedId = f.streamId;
        this.streams.set(f.streamId, s);
        if (f.flags & FLAG_FIN) s.onRemoteEnd();
        this.emit("stream", s);
        return;
      }
      case "syn_reply": {
        const s = this.streams.get(f.streamId);
        s?.onReply(f.headers);
        if (s && f.flags & FLAG_FIN) s.onRemoteEnd();
        return;
      }
      case "headers":
        if (f.flags & FLAG_FIN) this.streams.get(f.streamId)?.onRemoteEnd();
        return;
      case "data": {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        s.onData(f.data);
        if (f.flags & FLAG_FIN) s.onRemoteEnd();
        return;
      }
      case "rst_stream": {
        const s = this.streams.get(f.streamId);
        if (!s) return;
        this.streams.delete(f.streamId);
        s.onRemoteEnd(new Error(`spdy: stream ${f.streamId} reset (status ${f.status})`));
        return;
      }
      case "ping":
        // Our own ids have our parity: that is the answer to our ping; otherwise echo it.
        if ((f.id & 1) === (this.nextPingId & 1)) {
          this.pings.get(f.id)?.();
          this.pings.delete(f.id);
        } else this.sendFrame(f);
        return;
      case "goaway":
        // The peer takes no new streams; the existing ones run to their end.
        return;
      case "settings":
      case "window_update":
        return;
    }
  }
}
