// Bearer tokens (k8s.io/apiserver/pkg/authentication/token/union and
// authenticator/audiences.go): each token authenticator says "not mine",
// "this user" or "mine but invalid"; the union tries them all in order and,
// when none succeeds, reports the errors they gave (or "invalid bearer
// token" when no authenticator recognised the token at all).
import { newAggregate } from "../../machinery/field-errors.ts";
import type { AuthResult } from "./authenticator.ts";

/** A token an authenticator recognised but refuses; the message reaches TokenReview's status.error. */
export class TokenError extends Error {}

export interface TokenAuthenticator {
  /**
   * audiences: those the token must be good for (the API audiences on a
   * request, a TokenReview's spec.audiences); empty when none were asked for.
   * undefined: not this authenticator's token. Throws for a recognised but invalid one.
   */
  authenticateToken(
    token: string,
    audiences: string[],
  ): Promise<AuthResult | undefined> | AuthResult | undefined;
}

export type TokenOutcome = { ok: true; result: AuthResult } | { ok: false; error: string };

/** upstream's bearertoken errInvalidToken. */
export const INVALID_BEARER_TOKEN = "invalid bearer token";

/** Audiences.Intersect: the audiences of `requested` that `have` contains, in requested order. */
export function intersectAudiences(have: readonly string[], requested: readonly string[]): string[] {
  const set = new Set(have);
  return requested.filter((a) => set.has(a));
}

/**
 * WrapAudienceAgnosticToken: a token that carries no audience (a static or
 * bootstrap token) is good only for the API audiences; the response says so.
 */
export function audienceAgnostic(
  implicit: readonly string[],
  delegate: TokenAuthenticator,
): TokenAuthenticator {
  return {
    async authenticateToken(token, audiences) {
      if (audiences.length === 0) return delegate.authenticateToken(token, audiences);
      const auds = intersectAudiences(implicit, audiences);
      if (auds.length === 0) return undefined;
      const r = await delegate.authenticateToken(token, audiences);
      return r ? { ...r, audiences: auds } : undefined;
    },
  };
}

/** What resolves a bearer token: the token union, or the cache in front of it (token-cache.ts). */
export interface TokenSource {
  authenticate(token: string, audiences: string[]): Promise<TokenOutcome>;
}

/** The token union: the first authenticator that accepts the token wins; every error is kept. */
export class TokenUnion implements TokenSource {
  constructor(readonly authenticators: readonly TokenAuthenticator[]) {}

  async authenticate(token: string, audiences: string[]): Promise<TokenOutcome> {
    const errors: Error[] = [];
    for (const a of this.authenticators) {
      try {
        const result = await a.authenticateToken(token, audiences);
        if (result) return { ok: true, result };
      } catch (e) {
        errors.push(e instanceof Error ? e : new Error(String(e)));
      }
    }
    const agg = newAggregate(errors);
    return { ok: false, error: agg ? agg.error() : INVALID_BEARER_TOKEN };
  }
}
