// upstream's SAControllerClientBuilder (--use-service-account-credentials):
// each controller runs as its own service account in kube-system, so RBAC
// gives it exactly its system:controller:<name> role. The manager makes the
// account if it is missing and asks the TokenRequest API for a token, renewed
// when 80% of its life has passed, as client-go's dynamic builder does.
import type { ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import { isAlreadyExists } from "../client/api-error.ts";
import { type Clock, realClock } from "../client/clock.ts";
import { Resources } from "../client/resources.ts";
import { RestClient } from "../client/rest-client.ts";

const NAMESPACE = "kube-system";
const TOKEN_SECONDS = 3600;

interface TokenRequestStatus {
  status?: { token?: string; expirationTimestamp?: string };
}

export interface ServiceAccountClientBuilderOptions {
  /** The manager's own client (system:kube-controller-manager may create service accounts and their tokens). */
  client: RestClient;
  clock?: Clock;
  /** Stops renewing tokens. The clients stay open until close(): controllers still flush their events after a stop. */
  signal: AbortSignal;
  log?(msg: string): void;
}

export class ServiceAccountClientBuilder {
  private readonly clock: Clock;
  private readonly clients = new Map<string, RestClient>();
  private readonly pending = new Map<string, Promise<RestClient>>();
  private readonly timers = new Map<string, () => void>();
  private closed = false;

  constructor(private readonly o: ServiceAccountClientBuilderOptions) {
    this.clock = o.clock ?? realClock;
  }

  /**
   * A client that authenticates as system:serviceaccount:kube-system:<name>. Controllers that share an
   * account (the CSR signer, approver and cleaner) share its client, also when they ask at the same time.
   */
  clientFor(name: string): Promise<RestClient> {
    let client = this.pending.get(name);
    if (!client) {
      client = this.newClient(name);
      this.pending.set(name, client);
      client.catch(() => this.pending.delete(name));
    }
    return client;
  }

  private async newClient(name: string): Promise<RestClient> {
    await this.ensureServiceAccount(name);
    const { token, expiresInMs } = await this.requestToken(name);
    const client = new RestClient(
      { ...this.o.client.config, cert: undefined, key: undefined, token },
      {
        userAgent: `k8ts-controller-manager/${name}`,
      },
    );
    if (this.closed) {
      // Closed while the token was on its way: nobody would close this client.
      client.close();
      throw new Error(`the client builder was closed before ${name}'s client was made`);
    }
    this.clients.set(name, client);
    this.scheduleRenewal(name, client, expiresInMs);
    return client;
  }

  close(): void {
    this.closed = true;
    for (const cancel of this.timers.values()) cancel();
    this.timers.clear();
    for (const c of this.clients.values()) c.close();
    this.clients.clear();
    this.pending.clear();
  }

  private scheduleRenewal(name: string, client: RestClient, expiresInMs: number): void {
    const cancel = this.clock.after(Math.max(1000, expiresInMs * 0.8), () => {
      if (this.o.signal.aborted) return;
      this.requestToken(name)
        .then(({ token, expiresInMs: next }) => {
          client.setBearerToken(token);
          this.scheduleRenewal(name, client, next);
        })
        .catch((e) => {
          this.o.log?.(`renewing the token of ${name} failed, retrying in 10 s: ${(e as Error).message}`);
          this.scheduleRenewal(name, client, 12_500);
        });
    });
    this.timers.set(name, cancel);
  }

  private async ensureServiceAccount(name: string): Promise<void> {
    try {
      await this.o.client.create<ServiceAccount & { metadata: object }>(Resources.serviceaccounts, {
        apiVersion: "v1",
        kind: "ServiceAccount",
        metadata: { name, namespace: NAMESPACE },
      });
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }

  private async requestToken(name: string): Promise<{ token: string; expiresInMs: number }> {
    const r = await this.o.client.create<TokenRequestStatus & { metadata: object }>(
      Resources.serviceaccounts,
      {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        metadata: { name, namespace: NAMESPACE },
        spec: { expirationSeconds: TOKEN_SECONDS },
      } as TokenRequestStatus & { metadata: object },
      { namespace: NAMESPACE, subresource: "token" },
    );
    const token = r.status?.token;
    if (!token)
      throw new Error(`the TokenRequest for service account ${NAMESPACE}/${name} returned no token`);
    const expires = Date.parse(r.status?.expirationTimestamp ?? "");
    return { token, expiresInMs: Number.isNaN(expires) ? TOKEN_SECONDS * 1000 : expires - this.clock.now() };
  }
}
