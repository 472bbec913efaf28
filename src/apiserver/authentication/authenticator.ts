// Authentication as a chain (k8s.io/apiserver/pkg/authentication/request/union):
// each authenticator looks at the request; the first that recognises its
// credential decides. A credential that is recognised but invalid (a bad
// token, an expired certificate) is 401 at once, never a fall-through to the
// next or to anonymous.
import type { IncomingMessage } from "node:http";
import { makeStatus, StatusError, StatusReason } from "../../machinery/status.ts";
import { anonymousUser, type UserInfo, withAuthenticatedGroup } from "./user.ts";

export interface AuthResult {
  user: UserInfo;
  /** The audiences the credential was valid for (tokens), as upstream's Response.Audiences. */
  audiences?: string[];
}

export interface Authenticator {
  /** undefined: not this authenticator's kind of credential. Throws unauthorized() for a bad one. */
  authenticate(req: IncomingMessage): Promise<AuthResult | undefined> | AuthResult | undefined;
}

/** 401 with upstream's body: a Status with reason Unauthorized and message "Unauthorized". */
export function unauthorized(): StatusError {
  return new StatusError(
    makeStatus({
      status: "Failure",
      code: 401,
      reason: StatusReason.Unauthorized,
      message: "Unauthorized",
    }),
  );
}

/** The bearer token of the request, if any ("Authorization: Bearer <token>"). */
export function bearerToken(req: IncomingMessage): string | undefined {
  const h = req.headers.authorization;
  if (!h) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(h);
  return m ? m[1] : undefined;
}

export class AuthenticatorChain {
  constructor(
    private readonly authenticators: Authenticator[],
    private readonly allowAnonymous = true,
  ) {}

  /** The request's user; anonymous when no authenticator recognised a credential (if allowed). */
  async authenticate(req: IncomingMessage): Promise<AuthResult> {
    for (const a of this.authenticators) {
      const r = await a.authenticate(req);
      if (r) return { ...r, user: withAuthenticatedGroup(r.user) };
    }
    // A bearer token nobody recognised is a bad credential, not an anonymous request.
    if (bearerToken(req) !== undefined || !this.allowAnonymous) throw unauthorized();
    return { user: anonymousUser() };
  }
}
