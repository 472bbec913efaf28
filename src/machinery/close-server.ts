// Closing a server at once. http's closeAllConnections() ends the connections
// it tracks, which for HTTPS are those past the TLS handshake: one still
// shaking hands (the aggregator's availability probe of a just-registered
// APIService, a client that has just connected) held server.close() until it
// ended by itself — four seconds of metrics-server at `up`'s Ctrl-C. Upgraded
// sockets (exec, attach, port-forward) have left http's bookkeeping as well.
import type { Server, Socket } from "node:net";

/** Tracks `server`'s sockets from their first byte; the function it returns closes the server and every socket. */
export function closeAtOnce(server: Server): () => Promise<void> {
  const sockets = new Set<Socket>();
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.once("close", () => sockets.delete(s));
  });
  return () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      // Every connection, http's own among them.
      for (const s of sockets) s.destroy();
    });
}
