// How RestClients reach the apiserver, as client-go's transport does: HTTP/2,
// one connection per TLS identity (server, CA, client certificate and key,
// verification), shared by every client of the process with that identity.
// The controller-manager's controllers, each with a token of its own, multiplex
// their requests and watches over one connection as upstream's do, and a start
// opens a handful of connections instead of one per watch. A server that does
// not offer h2 in ALPN is spoken to in HTTP/1.1: an undici pool for requests
// (about 40% less client CPU than node:https), node:https for streams, which
// hold their connection for minutes. DISABLE_HTTP2 forces HTTP/1.1, as in client-go.
import * as http from "node:http";
import {
  type ClientHttp2Session,
  type ClientHttp2Stream,
  constants,
  connect as h2connect,
  type IncomingHttpHeaders,
} from "node:http2";
import * as https from "node:https";
import { isIP } from "node:net";
import type { Readable } from "node:stream";
import { createSecureContext, type SecureContext, connect as tlsConnect } from "node:tls";
import type { Pool } from "undici";
import type { ClientConfig } from "./kubeconfig.ts";

/** A response whose status is known and whose body is not read yet. */
export interface Sent {
  status: number;
  header(name: string): string | undefined;
  text(): Promise<string>;
  /** Streams only: the body as it arrives. */
  stream?: Readable;
  destroy(): void;
}

export interface RoundTrip {
  method: string;
  url: URL;
  payload?: string;
  /** Header names in lower case; content-length given with a payload. */
  headers: Record<string, string>;
  signal?: AbortSignal;
  /** A body read as it arrives (a watch), without the request timeout. */
  streaming: boolean;
  timeoutMs: number;
}

// As Go's transport: a connection window of 1 GiB and 4 MiB a stream, so that one
// watch whose reader is busy does not hold up the others on the connection.
const CONNECTION_WINDOW = 1 << 30;
const STREAM_WINDOW = 4 << 20;
/** A connection and its TLS handshake, as undici's and Go's dialers bound them. */
const CONNECT_TIMEOUT_MS = 10_000;

const transports = new Map<string, Transport>();

export class Transport {
  private refs = 0;
  private readonly context: SecureContext;
  private mode: "h2" | "h1";
  private session?: ClientHttp2Session;
  private connecting?: Promise<ClientHttp2Session | undefined>;
  private http1?: Promise<Http1>;
  /** Streams open on each session: a session with none does not keep the process alive. */
  private readonly open = new WeakMap<ClientHttp2Session, number>();

  /** The transport of this identity, shared; each acquire wants a release. */
  static acquire(config: ClientConfig, maxConnections: number): Transport {
    const key = JSON.stringify([
      config.server,
      config.ca,
      config.cert,
      config.key,
      config.insecureSkipTlsVerify,
      config.tlsServerName,
    ]);
    let t = transports.get(key);
    if (!t) {
      t = new Transport(key, config, maxConnections);
      transports.set(key, t);
    }
    t.refs++;
    return t;
  }

  private constructor(
    private readonly key: string,
    private readonly config: ClientConfig,
    private readonly maxConnections: number,
  ) {
    this.context = secureContextOf(config);
    // Plain http:// is HTTP/1.1, as in Go (no h2c).
    this.mode = process.env.DISABLE_HTTP2 || config.server.startsWith("http:") ? "h1" : "h2";
  }

  /** Closes the connections once no client holds this transport. */
  release(): void {
    if (--this.refs > 0) return;
    transports.delete(this.key);
    this.session?.destroy();
    this.session = undefined;
    void this.http1?.then((h) => h.close());
  }

  async roundTrip(r: RoundTrip): Promise<Sent> {
    const session = this.mode === "h2" ? await this.h2session() : undefined;
    if (!session) {
      this.http1 ??= Http1.create(this.config, this.context, this.maxConnections);
      return (await this.http1).roundTrip(r);
    }
    const headers: Record<string, string> = { ":method": r.method, ":path": r.url.pathname + r.url.search };
    Object.assign(headers, r.headers);
    let stream: ClientHttp2Stream;
    try {
      stream = session.request(headers, { endStream: r.payload === undefined, signal: r.signal });
    } catch (e) {
      // The session went away between the check and the request (GOAWAY, a reset).
      if (this.session === session) this.session = undefined;
      throw withNetCode(e as Error);
    }
    this.track(session, stream);
    if (r.payload !== undefined) stream.end(r.payload);
    if (!r.streaming) {
      stream.setTimeout(r.timeoutMs, () =>
        stream.destroy(
          Object.assign(new Error(`no answer from ${this.config.server} within ${r.timeoutMs} ms`), {
            code: "ETIMEDOUT",
          }),
        ),
      );
    }
    return new Promise((resolve, reject) => {
      stream.on("error", (e) => reject(withNetCode(e)));
      // A connection lost without a word closes its streams without an error.
      stream.once("close", () =>
        reject(
          Object.assign(new Error(`the connection to ${this.config.server} was lost`), {
            code: "ECONNRESET",
          }),
        ),
      );
      stream.once("response", (h: IncomingHttpHeaders) => {
        const header = (name: string) => first(h[name]);
        const status = Number(h[":status"]);
        if (r.streaming) {
          resolve({
            status,
            header,
            text: () => readBody(stream),
            stream,
            destroy: () => stream.close(constants.NGHTTP2_CANCEL),
          });
          return;
        }
        // Read at once: the body is wanted either way, and an error that comes
        // before the caller asks for it is then not lost.
        const body = readBody(stream);
        body.catch(() => {});
        resolve({ status, header, text: () => body, destroy: () => stream.destroy() });
      });
    });
  }

  /** The open session, or a new one; undefined once the server has chosen HTTP/1.1. */
  private h2session(): Promise<ClientHttp2Session | undefined> | ClientHttp2Session {
    const s = this.session;
    if (s && !s.closed && !s.destroyed) return s;
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<ClientHttp2Session | undefined> {
    const url = new URL(this.config.server);
    const host = url.hostname.replace(/^\[|\]$/g, "");
    const socket = tlsConnect({
      host,
      port: Number(url.port || 443),
      secureContext: this.context,
      rejectUnauthorized: !this.config.insecureSkipTlsVerify,
      servername: this.config.tlsServerName ?? (isIP(host) ? undefined : host),
      ALPNProtocols: ["h2", "http/1.1"],
    });
    await new Promise<void>((resolve, reject) => {
      socket.once("secureConnect", resolve);
      socket.once("error", reject);
      socket.setTimeout(CONNECT_TIMEOUT_MS, () =>
        reject(
          Object.assign(new Error(`no connection to ${this.config.server} within ${CONNECT_TIMEOUT_MS} ms`), {
            code: "ETIMEDOUT",
          }),
        ),
      );
    }).catch((e: Error) => {
      socket.destroy();
      throw e;
    });
    socket.setTimeout(0);
    if (socket.alpnProtocol !== "h2") {
      socket.destroy();
      this.mode = "h1";
      return undefined;
    }
    const session = h2connect(this.config.server, {
      createConnection: () => socket,
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      // Node's default of 10 MB refuses new streams while large bodies are in flight.
      maxSessionMemory: 256,
    });
    session.setLocalWindowSize(CONNECTION_WINDOW);
    // Stream errors carry what went wrong; the session's own is only its end.
    session.on("error", () => {});
    const forget = () => {
      if (this.session === session) this.session = undefined;
    };
    // After a GOAWAY the streams in flight finish; new ones go to a new connection.
    session.once("goaway", forget);
    session.once("close", forget);
    // An idle connection does not keep the process alive (track() refs it while streams are open).
    session.unref();
    this.session = session;
    return session;
  }

  private track(session: ClientHttp2Session, stream: ClientHttp2Stream): void {
    const n = this.open.get(session) ?? 0;
    if (n === 0) session.ref();
    this.open.set(session, n + 1);
    stream.once("close", () => {
      const left = (this.open.get(session) ?? 1) - 1;
      this.open.set(session, left);
      if (left === 0 && !session.destroyed) session.unref();
    });
  }
}

/** HTTP/1.1, for a server without h2. */
class Http1 {
  private readonly pool: Pool;
  private readonly streams: http.Agent;
  private readonly request: typeof http.request;

  /** undici is loaded on first use: 70 ms of every start when h2 does not need it. */
  static async create(
    config: ClientConfig,
    secureContext: SecureContext,
    connections: number,
  ): Promise<Http1> {
    const { Pool } = await import("undici");
    return new Http1(Pool, config, secureContext, connections);
  }

  private constructor(
    Pool: typeof import("undici").Pool,
    config: ClientConfig,
    secureContext: SecureContext,
    connections: number,
  ) {
    const tls = {
      secureContext,
      rejectUnauthorized: !config.insecureSkipTlsVerify,
      servername: config.tlsServerName,
    };
    // A bounded pool: a burst of requests queues for a warm connection instead of
    // paying a TLS handshake (on both ends) for each new one.
    this.pool = new Pool(config.server, { connections, connect: tls });
    const plain = config.server.startsWith("http:");
    this.streams = plain ? new http.Agent({ keepAlive: true }) : new https.Agent({ keepAlive: true, ...tls });
    this.request = plain ? http.request : https.request;
  }

  close(): void {
    void this.pool.destroy().catch(() => {});
    this.streams.destroy();
  }

  roundTrip(r: RoundTrip): Promise<Sent> {
    if (r.streaming) return this.stream(r);
    return this.pool
      .request({
        method: r.method as "GET",
        path: r.url.pathname + r.url.search,
        headers: r.headers,
        body: r.payload,
        signal: r.signal,
        headersTimeout: r.timeoutMs,
        bodyTimeout: r.timeoutMs,
      })
      .then(
        (res): Sent => ({
          status: res.statusCode,
          header: (name) => first(res.headers[name]),
          text: () => res.body.text(),
          destroy: () => res.body.destroy(),
        }),
        (e: Error) => {
          throw withNetCode(e);
        },
      );
  }

  private stream(r: RoundTrip): Promise<Sent> {
    return new Promise((resolve, reject) => {
      const req = this.request(
        r.url,
        { method: r.method, agent: this.streams, headers: r.headers, signal: r.signal },
        (res) =>
          resolve({
            status: res.statusCode ?? 0,
            header: (name) => first(res.headers[name]),
            text: () => readBody(res),
            stream: res,
            destroy: () => req.destroy(),
          }),
      );
      req.on("error", reject);
      req.end(r.payload);
    });
  }
}

function secureContextOf(config: ClientConfig): SecureContext {
  try {
    return createSecureContext({ ca: config.ca, cert: config.cert, key: config.key });
  } catch (e) {
    throw new Error(
      `the client configuration for ${config.server} has an unusable CA, certificate or key (${(e as Error).message}): check the kubeconfig's certificate-authority, client-certificate and client-key`,
    );
  }
}

function first(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** undici's and HTTP/2's connection errors, in the errno terms the retry rules speak. */
function withNetCode(e: Error & { code?: string }): Error {
  switch (e.code) {
    case "UND_ERR_SOCKET":
    case "UND_ERR_CLOSED":
    case "ERR_HTTP2_STREAM_ERROR":
    case "ERR_HTTP2_SESSION_ERROR":
    case "ERR_HTTP2_GOAWAY_SESSION":
    case "ERR_HTTP2_INVALID_SESSION":
    case "ERR_HTTP2_STREAM_CANCEL":
      return Object.assign(e, { code: "ECONNRESET" });
    case "UND_ERR_HEADERS_TIMEOUT":
    case "UND_ERR_BODY_TIMEOUT":
    case "UND_ERR_CONNECT_TIMEOUT":
      return Object.assign(e, { code: "ETIMEDOUT" });
    default:
      return e;
  }
}

/** Events, not an async iterator: this runs for every response, and the iterator costs more than the read. */
function readBody(res: Readable | http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    res.setEncoding("utf8");
    let s = "";
    let ended = false;
    res.on("data", (chunk: string) => {
      s += chunk;
    });
    res.once("end", () => {
      ended = true;
      resolve(s);
    });
    res.on("error", reject);
    // A stream reset or a connection lost mid-body ends in close without end.
    res.once("close", () => {
      if (!ended) reject(Object.assign(new Error("response aborted"), { code: "ECONNRESET" }));
    });
  });
}
