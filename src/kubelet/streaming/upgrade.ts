// Dialing the container runtime's streaming server: POST <url> with
// Upgrade: SPDY/3.1 and the protocol versions we speak, as client-go's SPDY
// round tripper does. containerd's server is plain HTTP on 127.0.0.1.
import type { IncomingHttpHeaders } from "node:http";
import { request } from "node:http";
import type { Duplex } from "node:stream";

export interface UpgradedConnection {
  socket: Duplex;
  /** Bytes that came after the 101 response's head. */
  head: Buffer;
  headers: IncomingHttpHeaders;
  /** The X-Stream-Protocol-Version the server chose. */
  protocol: string;
}

/** A refused upgrade: the runtime's status and body. */
export class StreamingUpgradeError extends Error {
  constructor(
    readonly statusCode: number,
    readonly body: string,
  ) {
    // client-go's SPDY round tripper: "unable to upgrade connection: <trimmed body>".
    super(`unable to upgrade connection: ${body.trim()}`);
  }
}

export function dialStreamingServer(url: string, protocols: string[]): Promise<UpgradedConnection> {
  const u = new URL(url);
  if (u.protocol !== "http:") return Promise.reject(new Error(`unsupported streaming URL ${url}`));
  return new Promise<UpgradedConnection>((resolve, reject) => {
    const req = request({
      method: "POST",
      host: u.hostname,
      port: u.port || 80,
      path: u.pathname + u.search,
      agent: false,
      headers: {
        Connection: "Upgrade",
        Upgrade: "SPDY/3.1",
        "X-Stream-Protocol-Version": protocols,
        "Content-Length": "0",
      },
    });
    req.on("upgrade", (res, socket, head) => {
      socket.setNoDelay(true);
      resolve({
        socket,
        head,
        headers: res.headers,
        protocol: String(res.headers["x-stream-protocol-version"] ?? ""),
      });
    });
    req.on("response", (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        reject(new StreamingUpgradeError(res.statusCode ?? 0, Buffer.concat(chunks).toString())),
      );
    });
    req.on("error", reject);
    req.end();
  });
}
