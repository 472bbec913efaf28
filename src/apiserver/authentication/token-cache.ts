// upstream's cachedTokenAuthenticator (k8s.io/apiserver/pkg/authentication/
// token/cache), which kube-apiserver puts in front of its token union with
// its TokenSuccessCacheTTL: a token that authenticated is not
// verified again for 10 s (a service account token's signature check and its
// lookups were 4.6 % of the apiserver's CPU under the controllers benchmark),
// failures are not cached, and concurrent lookups of one token share one
// verification. Entries are keyed by an HMAC of the audiences and the token
// under a key of this process, so the cache holds no usable token.
import { createHmac, randomBytes } from "node:crypto";
import type { TokenOutcome, TokenSource } from "./token-authenticator.ts";

/** kube-apiserver's TokenSuccessCacheTTL. */
const TOKEN_SUCCESS_CACHE_TTL_MS = 10_000;
/** Above this many entries an insert first drops the expired ones. */
const SWEEP_ABOVE = 4096;

export class CachedTokens implements TokenSource {
  private readonly key = randomBytes(32);
  private readonly entries = new Map<string, { outcome: TokenOutcome; expiresAt: number }>();
  private readonly inFlight = new Map<string, Promise<TokenOutcome>>();
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly source: TokenSource,
    opts: { successTtlMs?: number; now?: () => number } = {},
  ) {
    this.ttlMs = opts.successTtlMs ?? TOKEN_SUCCESS_CACHE_TTL_MS;
    this.now = opts.now ?? Date.now;
  }

  authenticate(token: string, audiences: string[]): Promise<TokenOutcome> {
    if (this.ttlMs <= 0) return this.source.authenticate(token, audiences);
    const hmac = createHmac("sha256", this.key);
    // As upstream's keyFunc: each audience and the token, length-prefixed so that no two inputs meet.
    for (const a of audiences) hmac.update(`${a.length}:${a}`);
    const key = hmac.update(`${token.length}:${token}`).digest("base64");
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) return Promise.resolve(hit.outcome);
    const pending = this.inFlight.get(key);
    if (pending) return pending;
    const p = this.source.authenticate(token, audiences).then(
      (outcome) => {
        this.inFlight.delete(key);
        if (outcome.ok) this.remember(key, outcome);
        else this.entries.delete(key);
        return outcome;
      },
      (e) => {
        this.inFlight.delete(key);
        throw e;
      },
    );
    this.inFlight.set(key, p);
    return p;
  }

  private remember(key: string, outcome: TokenOutcome): void {
    const now = this.now();
    if (this.entries.size >= SWEEP_ABOVE) {
      for (const [k, e] of this.entries) if (e.expiresAt <= now) this.entries.delete(k);
    }
    this.entries.set(key, { outcome, expiresAt: now + this.ttlMs });
  }
}
