// Byte-level paths to the runtime's streaming server:
// - port-forward over WebSockets: kubectl 1.32 sends SPDY frames inside binary
//   WebSocket messages (subprotocol SPDY/3.1+portforward.k8s.io). As upstream's
//   TunnelingHandler (apiserver/pkg/util/proxy/streamtunnel.go) the kubelet
//   dials the runtime with a SPDY upgrade first, answers the WebSocket
//   handshake with the protocol the runtime chose, then only moves bytes.
// - a plain `Upgrade: SPDY/3.1` request (kubectl's fallback): the runtime's 101
//   and then bytes both ways, as the upstream kubelet's proxyStream.
import type { IncomingMessage } from "node:http";
import type { Duplex } from "node:stream";
import { acceptWebSocket, offeredProtocols, writeHttpError } from "../../machinery/websocket.ts";
import { dialStreamingServer, StreamingUpgradeError } from "./upgrade.ts";

export const TUNNELING_PREFIX = "SPDY/3.1+";
export const PORT_FORWARD_PROTOCOL = "portforward.k8s.io";

/** spdyProtocolsFromWebsocketProtocols: the offered "SPDY/3.1+…k8s.io" protocols without the prefix. */
export function tunneledProtocols(header: string | string[] | undefined): string[] {
  return offeredProtocols(header)
    .filter((p) => p.startsWith(TUNNELING_PREFIX) && p.endsWith("k8s.io"))
    .map((p) => p.slice(TUNNELING_PREFIX.length));
}

function answerDialError(socket: Duplex, e: unknown): void {
  if (e instanceof StreamingUpgradeError) writeHttpError(socket, e.statusCode, e.body);
  else writeHttpError(socket, 500, `${(e as Error).message}\n`);
}

/** SPDY tunnelled in WebSocket messages, to the runtime's URL. */
export async function tunnelOverWebSocket(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: string,
): Promise<void> {
  const protocols = tunneledProtocols(req.headers["sec-websocket-protocol"]);
  if (protocols.length === 0) {
    writeHttpError(socket, 400, "unable to upgrade: no tunneling spdy protocols provided\n");
    return;
  }
  let backend: Awaited<ReturnType<typeof dialStreamingServer>>;
  try {
    backend = await dialStreamingServer(url, protocols);
  } catch (e) {
    answerDialError(socket, e);
    return;
  }
  const chosen = backend.protocol ? [TUNNELING_PREFIX + backend.protocol] : [];
  const ws = acceptWebSocket(req, socket, head, chosen);
  if (!ws) {
    backend.socket.destroy();
    return;
  }
  const upstream = backend.socket;
  ws.on("message", (data) => {
    if (!upstream.destroyed) upstream.write(data);
  });
  if (backend.head.length) ws.send(backend.head, true);
  upstream.on("data", (c: Buffer) => ws.send(c, true));
  await new Promise<void>((resolve) => {
    let done = false;
    const end = () => {
      if (done) return;
      done = true;
      ws.close(1000);
      upstream.destroy();
      resolve();
    };
    upstream.on("end", end);
    upstream.on("close", end);
    upstream.on("error", end);
    ws.on("close", end);
  });
}

/** The X-Stream-Protocol-Version values of a request (repeated or comma-joined). */
export function streamProtocols(req: IncomingMessage): string[] {
  const v = req.headers["x-stream-protocol-version"];
  return (Array.isArray(v) ? v.join(",") : (v ?? ""))
    .split(",")
    .map((p) => p.trim())
    .filter((p) => p !== "");
}

/** A client's own SPDY upgrade, passed through to the runtime. */
export async function proxySpdyUpgrade(
  req: IncomingMessage,
  socket: Duplex,
  head: Buffer,
  url: string,
): Promise<void> {
  let backend: Awaited<ReturnType<typeof dialStreamingServer>>;
  try {
    backend = await dialStreamingServer(url, streamProtocols(req));
  } catch (e) {
    answerDialError(socket, e);
    return;
  }
  const upstream = backend.socket;
  socket.write(
    [
      "HTTP/1.1 101 Switching Protocols",
      "Connection: Upgrade",
      "Upgrade: SPDY/3.1",
      ...(backend.protocol ? [`X-Stream-Protocol-Version: ${backend.protocol}`] : []),
      "",
      "",
    ].join("\r\n"),
  );
  if (head.length) upstream.write(head);
  if (backend.head.length) socket.write(backend.head);
  socket.pipe(upstream);
  upstream.pipe(socket);
  await new Promise<void>((resolve) => {
    const end = () => {
      socket.destroy();
      upstream.destroy();
      resolve();
    };
    socket.on("close", end);
    upstream.on("close", end);
    socket.on("error", end);
    upstream.on("error", end);
  });
}
