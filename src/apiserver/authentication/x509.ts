// Client certificates signed by the cluster CA: CN is the user, O the groups.
// The TLS layer already verified the chain; the user is read once per
// connection (keep-alive and HTTP/2 streams reuse it). A certificate the TLS layer rejected
// (another CA, expired) is a bad credential: 401.
import type { IncomingMessage } from "node:http";
import type { TLSSocket } from "node:tls";
import { userFromCertificateSubject } from "../certs.ts";
import { connectionOf } from "../http.ts";
import { type Authenticator, type AuthResult, unauthorized } from "./authenticator.ts";

export class X509Authenticator implements Authenticator {
  private readonly users = new WeakMap<TLSSocket, AuthResult | null>();

  authenticate(req: IncomingMessage): AuthResult | undefined {
    const socket = connectionOf(req);
    const known = this.users.get(socket);
    if (known !== undefined) {
      if (known === null) return undefined;
      return known;
    }
    const cert = socket.getPeerCertificate?.();
    const presented = !!cert && Object.keys(cert).length > 0;
    if (!presented) {
      this.users.set(socket, null);
      return undefined;
    }
    if (!socket.authorized) throw unauthorized();
    const u = cert.subject
      ? userFromCertificateSubject(cert.subject as unknown as Record<string, string | string[]>)
      : undefined;
    if (!u) throw unauthorized();
    const r: AuthResult = { user: { name: u.name, groups: [...u.groups] } };
    this.users.set(socket, r);
    return r;
  }
}
