// pkg/proxy/userspace/proxysocket.go: the per-service-port listeners of the
// userspace proxy. TCP: each accepted connection is dialled through to an
// endpoint chosen by the LoadBalancerRR, retrying the next endpoint on a
// failed dial (tryConnect). UDP: each client address gets its own socket to
// an endpoint, closed after udpIdleTimeout without traffic. Unlike upstream,
// connections to endpoints that left the service are closed (closeStale).
import { createSocket, type RemoteInfo, type Socket as UdpSocket } from "node:dgram";
import { connect, createServer, type Server, type Socket } from "node:net";
import type { LoadBalancerRR } from "./load-balancer-rr.ts";

/** upstream's EndpointDialTimeouts: one dial attempt per entry, each on the next endpoint. */
export const ENDPOINT_DIAL_TIMEOUTS_MS = [250, 500, 1000, 2000];

export type Log = (msg: string, fields?: Record<string, unknown>) => void;

export interface ProxySocket {
  readonly protocol: "TCP" | "UDP";
  /** The local port it listens on. */
  readonly port: number;
  /** Stops listening and ends every proxied connection. */
  close(): Promise<void>;
  /** Closes the connections to endpoints not in `alive`; returns how many. */
  closeStale(alive: ReadonlySet<string>): number;
  /** Open connections (TCP) or client sessions (UDP), by endpoint. */
  connections(): Map<string, number>;
}

export interface ProxySocketOptions {
  /** The service port key the load balancer knows it by. */
  service: string;
  loadBalancer: LoadBalancerRR;
  listenIP: string;
  /** 0: any free port. */
  port?: number;
  udpIdleTimeoutMs?: number;
  log?: Log;
}

function splitHostPort(endpoint: string): [string, number] {
  const i = endpoint.lastIndexOf(":");
  return [endpoint.slice(0, i), Number(endpoint.slice(i + 1))];
}

function dialTCP(endpoint: string, timeoutMs: number): Promise<Socket> {
  const [host, port] = splitHostPort(endpoint);
  return new Promise((resolve, reject) => {
    const s = connect({ host, port, noDelay: true, allowHalfOpen: true });
    const timer = setTimeout(() => {
      s.destroy();
      reject(new Error(`dial tcp ${endpoint}: i/o timeout`));
    }, timeoutMs);
    s.once("connect", () => {
      clearTimeout(timer);
      s.removeAllListeners("error");
      resolve(s);
    });
    s.once("error", (e) => {
      clearTimeout(timer);
      s.destroy();
      reject(e);
    });
  });
}

function dialUDP(endpoint: string): Promise<UdpSocket> {
  const [host, port] = splitHostPort(endpoint);
  return new Promise((resolve, reject) => {
    const s = createSocket("udp4");
    s.once("error", reject);
    s.connect(port, host, () => {
      s.removeListener("error", reject);
      resolve(s);
    });
  });
}

/**
 * tryConnect: up to four attempts, each on the load balancer's next endpoint with a longer
 * timeout; after a failure the client's session affinity is reset so that it moves on.
 */
export async function tryConnect<T>(
  o: { service: string; loadBalancer: LoadBalancerRR; log?: Log },
  clientIP: string | undefined,
  dial: (endpoint: string, timeoutMs: number) => Promise<T>,
): Promise<{ conn: T; endpoint: string }> {
  let sessionAffinityReset = false;
  for (const timeout of ENDPOINT_DIAL_TIMEOUTS_MS) {
    // Throws when the service has no endpoints: nothing to retry.
    const endpoint = o.loadBalancer.nextEndpoint(o.service, clientIP, sessionAffinityReset);
    try {
      return { conn: await dial(endpoint, timeout), endpoint };
    } catch (e) {
      o.log?.("Dial failed", { service: o.service, endpoint, err: (e as Error).message });
      sessionAffinityReset = true;
    }
  }
  throw new Error("failed to connect to an endpoint.");
}

function listenTCP(server: Server, ip: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen({ host: ip, port, exclusive: true }, () => {
      server.removeListener("error", reject);
      resolve();
    });
  });
}

export class TcpProxySocket implements ProxySocket {
  readonly protocol = "TCP" as const;
  private readonly server: Server;
  /** Live pairs by endpoint, so that an endpoint's connections can be closed when it leaves. */
  private readonly byEndpoint = new Map<string, Set<Socket>>();
  private readonly pendingIn = new Set<Socket>();
  port = 0;

  private constructor(private readonly o: ProxySocketOptions) {
    // Half-close passes through: a client's FIN reaches the endpoint, the response still flows.
    this.server = createServer({ allowHalfOpen: true, pauseOnConnect: true, noDelay: true }, (c) =>
      this.accept(c),
    );
  }

  static async listen(o: ProxySocketOptions): Promise<TcpProxySocket> {
    const s = new TcpProxySocket(o);
    await listenTCP(s.server, o.listenIP, o.port ?? 0);
    const addr = s.server.address();
    s.port = typeof addr === "object" && addr ? addr.port : 0;
    return s;
  }

  private async accept(inConn: Socket): Promise<void> {
    this.pendingIn.add(inConn);
    inConn.on("error", () => inConn.destroy());
    let out: { conn: Socket; endpoint: string };
    try {
      out = await tryConnect(this.o, inConn.remoteAddress, dialTCP);
    } catch (e) {
      this.o.log?.("Failed to connect to balancer", { service: this.o.service, err: (e as Error).message });
      this.pendingIn.delete(inConn);
      inConn.destroy();
      return;
    }
    this.pendingIn.delete(inConn);
    const outConn = out.conn;
    if (inConn.destroyed) {
      outConn.destroy();
      return;
    }
    let set = this.byEndpoint.get(out.endpoint);
    if (!set) {
      set = new Set();
      this.byEndpoint.set(out.endpoint, set);
    }
    set.add(inConn);
    const done = () => {
      inConn.destroy();
      outConn.destroy();
      const s = this.byEndpoint.get(out.endpoint);
      s?.delete(inConn);
      if (s?.size === 0) this.byEndpoint.delete(out.endpoint);
    };
    (inConn as Socket & { k8tsPeer?: Socket }).k8tsPeer = outConn;
    outConn.on("error", done);
    inConn.on("error", done);
    inConn.on("close", done);
    outConn.on("close", done);
    // pipe() keeps both directions flow-controlled without copying chunks.
    inConn.pipe(outConn);
    outConn.pipe(inConn);
    inConn.resume();
  }

  closeStale(alive: ReadonlySet<string>): number {
    let n = 0;
    for (const [endpoint, set] of [...this.byEndpoint]) {
      if (alive.has(endpoint)) continue;
      for (const c of [...set]) {
        this.o.log?.("Closing connection to removed endpoint", { service: this.o.service, endpoint });
        (c as Socket & { k8tsPeer?: Socket }).k8tsPeer?.destroy();
        c.destroy();
        n++;
      }
      this.byEndpoint.delete(endpoint);
    }
    return n;
  }

  connections(): Map<string, number> {
    return new Map([...this.byEndpoint].map(([e, s]) => [e, s.size]));
  }

  close(): Promise<void> {
    this.closeStale(new Set());
    for (const c of this.pendingIn) c.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

interface UdpClient {
  endpoint: string;
  backend?: UdpSocket;
  /** Datagrams that arrived while the backend socket was connecting. */
  queue: Buffer[];
  timer: NodeJS.Timeout;
}

export class UdpProxySocket implements ProxySocket {
  readonly protocol = "UDP" as const;
  private readonly socket: UdpSocket;
  /** upstream's ClientCache: one backend socket per client address. */
  private readonly clients = new Map<string, UdpClient>();
  private readonly timeoutMs: number;
  port = 0;

  private constructor(private readonly o: ProxySocketOptions) {
    this.timeoutMs = o.udpIdleTimeoutMs ?? 250;
    this.socket = createSocket({ type: "udp4" });
    this.socket.on("message", (msg, rinfo) => this.onClientMessage(msg, rinfo));
    this.socket.on("error", (e) => o.log?.("ReadFrom failed", { service: o.service, err: e.message }));
  }

  static listen(o: ProxySocketOptions): Promise<UdpProxySocket> {
    const s = new UdpProxySocket(o);
    return new Promise((resolve, reject) => {
      s.socket.once("error", reject);
      s.socket.bind({ address: o.listenIP, port: o.port ?? 0, exclusive: true }, () => {
        s.socket.removeListener("error", reject);
        s.port = s.socket.address().port;
        resolve(s);
      });
    });
  }

  private onClientMessage(msg: Buffer, rinfo: RemoteInfo): void {
    const key = `${rinfo.address}:${rinfo.port}`;
    const c = this.clients.get(key);
    if (c) {
      if (c.backend) {
        c.backend.send(msg);
        c.timer.refresh();
      } else c.queue.push(msg);
      return;
    }
    let endpoint: string;
    try {
      // Dialling UDP cannot fail but for a missing route, so the first pick is used as upstream's would be.
      endpoint = this.o.loadBalancer.nextEndpoint(this.o.service, rinfo.address, false);
    } catch (e) {
      this.o.log?.("Couldn't find an endpoint", { service: this.o.service, err: (e as Error).message });
      return;
    }
    const client: UdpClient = {
      endpoint,
      queue: [msg],
      timer: setTimeout(() => this.drop(key), this.timeoutMs),
    };
    this.clients.set(key, client);
    dialUDP(endpoint).then(
      (backend) => {
        if (this.clients.get(key) !== client) {
          backend.close();
          return;
        }
        client.backend = backend;
        backend.on("message", (reply) => {
          client.timer.refresh();
          this.socket.send(reply, rinfo.port, rinfo.address);
        });
        // An ICMP port unreachable from the endpoint ends the session, as upstream's failed Read.
        backend.on("error", () => this.drop(key));
        for (const m of client.queue) backend.send(m);
        client.queue = [];
        client.timer.refresh();
      },
      (e) => {
        this.o.log?.("Dial failed", { service: this.o.service, endpoint, err: (e as Error).message });
        this.drop(key);
      },
    );
  }

  private drop(key: string): void {
    const c = this.clients.get(key);
    if (!c) return;
    this.clients.delete(key);
    clearTimeout(c.timer);
    try {
      c.backend?.close();
    } catch {
      // already closed
    }
  }

  closeStale(alive: ReadonlySet<string>): number {
    let n = 0;
    for (const [key, c] of [...this.clients]) {
      if (alive.has(c.endpoint)) continue;
      this.drop(key);
      n++;
    }
    return n;
  }

  connections(): Map<string, number> {
    const out = new Map<string, number>();
    for (const c of this.clients.values()) out.set(c.endpoint, (out.get(c.endpoint) ?? 0) + 1);
    return out;
  }

  close(): Promise<void> {
    this.closeStale(new Set());
    return new Promise((resolve) => this.socket.close(() => resolve()));
  }
}

export function newProxySocket(protocol: string, o: ProxySocketOptions): Promise<ProxySocket> {
  switch (protocol.toUpperCase()) {
    case "TCP":
      return TcpProxySocket.listen(o);
    case "UDP":
      return UdpProxySocket.listen(o);
    default:
      return Promise.reject(new Error(`unknown protocol "${protocol}"`));
  }
}
