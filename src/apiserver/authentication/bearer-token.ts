// The request side of token authentication (request/bearertoken and the
// audience check of filters.WithAuthentication): "Authorization: Bearer
// <token>" is looked up in the token union for the API audiences; a token
// nobody accepts is 401, never a fall-through to anonymous.
import type { IncomingMessage } from "node:http";
import { log } from "../log.ts";
import { type Authenticator, type AuthResult, unauthorized } from "./authenticator.ts";
import { intersectAudiences, type TokenSource } from "./token-authenticator.ts";

/**
 * The bearer token as upstream reads it: undefined when there is no
 * "Bearer" authorization header; "" for "Bearer" followed by an empty token.
 */
export function parseBearerToken(req: IncomingMessage): string | undefined {
  const auth = (req.headers.authorization ?? "").trim();
  if (auth === "") return undefined;
  const parts = auth.split(" ");
  if (parts.length < 2 || parts[0].toLowerCase() !== "bearer") return undefined;
  return parts[1];
}

export class BearerTokenAuthenticator implements Authenticator {
  constructor(
    private readonly tokens: TokenSource,
    private readonly apiAudiences: readonly string[],
  ) {}

  async authenticate(req: IncomingMessage): Promise<AuthResult | undefined> {
    const token = parseBearerToken(req);
    if (token === undefined) return undefined;
    if (token === "") throw this.fail(req, "invalid bearer token");
    const r = await this.tokens.authenticate(token, [...this.apiAudiences]);
    if (!r.ok) throw this.fail(req, r.error);
    const auds = r.result.audiences ?? [];
    if (
      this.apiAudiences.length > 0 &&
      auds.length > 0 &&
      intersectAudiences(this.apiAudiences, auds).length === 0
    ) {
      throw this.fail(req, `Unable to match the audience: ${JSON.stringify(auds)}`);
    }
    return r.result;
  }

  private fail(req: IncomingMessage, err: string) {
    log.info("Unable to authenticate the request", { path: req.url, err });
    return unauthorized();
  }
}
