// Upstream's kubelet token manager (pkg/kubelet/token): service account
// tokens bound to the pod, from the TokenRequest API, cached and renewed once
// 80% of their life has passed or they are older than 24 h.
import type { Clock } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";

const MAX_TTL_MS = 24 * 3600 * 1000;

interface TokenRequest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace: string };
  spec: {
    audiences: string[];
    expirationSeconds: number;
    boundObjectRef: { apiVersion: string; kind: string; name: string; uid: string };
  };
  status?: { token?: string; expirationTimestamp?: string };
}

interface Cached {
  token: string;
  issuedAt: number;
  expiresAt: number;
}

export interface TokenSpec {
  namespace: string;
  serviceAccount: string;
  audience: string;
  expirationSeconds: number;
  podName: string;
  podUid: string;
}

export class TokenManager {
  private readonly cache = new Map<string, Cached>();

  constructor(
    private readonly client: RestClient,
    private readonly clock: Clock,
  ) {}

  async getServiceAccountToken(s: TokenSpec): Promise<string> {
    const key = `${s.namespace}/${s.serviceAccount}/${s.audience}/${s.expirationSeconds}/${s.podUid}`;
    const c = this.cache.get(key);
    if (c && !this.requiresRefresh(c)) return c.token;
    const body: TokenRequest = {
      apiVersion: "authentication.k8s.io/v1",
      kind: "TokenRequest",
      metadata: { name: s.serviceAccount, namespace: s.namespace },
      spec: {
        audiences: s.audience === "" ? [] : [s.audience],
        expirationSeconds: s.expirationSeconds,
        boundObjectRef: { apiVersion: "v1", kind: "Pod", name: s.podName, uid: s.podUid },
      },
    };
    let r: TokenRequest;
    try {
      r = await this.client.create<TokenRequest>(Resources.serviceaccounts, body, {
        namespace: s.namespace,
        subresource: "token",
      });
    } catch (err) {
      // A cached token still valid is better than none.
      if (c && this.clock.now() < c.expiresAt) return c.token;
      throw err;
    }
    const token = r.status?.token;
    if (!token) throw new Error("failed to fetch token: no token in the TokenRequest status");
    const now = this.clock.now();
    const exp = Date.parse(r.status?.expirationTimestamp ?? "");
    const entry = {
      token,
      issuedAt: now,
      expiresAt: Number.isNaN(exp) ? now + s.expirationSeconds * 1000 : exp,
    };
    this.cache.set(key, entry);
    return token;
  }

  /** requiresRefresh: past 80% of the token's life, or older than 24 h. */
  private requiresRefresh(c: Cached): boolean {
    const now = this.clock.now();
    const ttl = c.expiresAt - c.issuedAt;
    return now > c.issuedAt + ttl * 0.8 || now - c.issuedAt > MAX_TTL_MS;
  }

  /** The pod is gone: its tokens go too. */
  deletePodTokens(podUid: string): void {
    for (const k of this.cache.keys()) if (k.endsWith(`/${podUid}`)) this.cache.delete(k);
  }
}
