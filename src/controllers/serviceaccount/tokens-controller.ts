// upstream's pkg/controller/serviceaccount/tokens_controller.go (v1.32: no
// more auto-created token Secrets): a kubernetes.io/service-account-token
// Secret naming a ServiceAccount gets its token, namespace and ca.crt; a
// token Secret whose account is gone is deleted, and a deleted Secret leaves
// its account's secrets list. Keys carry uids (and the Secret's account), so
// a Secret or account recreated under the same name is never confused.
import type { Secret, ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import { isConflict, isNotFound } from "../../client/api-error.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { Controller, type ReconcileResult } from "../controller.ts";
import { type LegacyTokenGenerator, legacyClaims } from "./legacy-token.ts";
import {
  SECRET_TYPE_SERVICE_ACCOUNT_TOKEN,
  SERVICE_ACCOUNT_NAME_KEY,
  SERVICE_ACCOUNT_UID_KEY,
} from "./legacy-token-cleaner.ts";

/** The Secret data keys: v1.ServiceAccountTokenKey, ServiceAccountNamespaceKey, ServiceAccountRootCAKey. */
export const SERVICE_ACCOUNT_TOKEN_KEY = "token";
export const SERVICE_ACCOUNT_NAMESPACE_KEY = "namespace";
export const SERVICE_ACCOUNT_ROOT_CA_KEY = "ca.crt";
const DEFAULT_MAX_RETRIES = 10;
/** RemoveTokenBackoff: 10 tries, 100 ms apart with full jitter. */
const REMOVE_TOKEN_STEPS = 10;
const REMOVE_TOKEN_DURATION_MS = 100;

interface ServiceAccountQueueKey {
  namespace: string;
  name: string;
  uid: string;
}

interface SecretQueueKey {
  namespace: string;
  name: string;
  uid: string;
  saName: string;
  /** Blank for tokens without the account's uid annotation. */
  saUID: string;
}

/** IsServiceAccountToken: a token Secret naming this account (and its uid, when annotated). */
export function isServiceAccountToken(secret: Secret, sa: ServiceAccount): boolean {
  if (secret.type !== SECRET_TYPE_SERVICE_ACCOUNT_TOKEN) return false;
  const name = secret.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_KEY];
  const uid = secret.metadata?.annotations?.[SERVICE_ACCOUNT_UID_KEY];
  if (name !== sa.metadata?.name) return false;
  return !uid || uid === sa.metadata?.uid;
}

const b64 = (s: string) => Buffer.from(s, "utf8").toString("base64");
const decoded = (v: string | undefined) => (v ? Buffer.from(v, "base64") : Buffer.alloc(0));

export interface TokensControllerOptions {
  client: RestClient;
  serviceAccounts: SharedInformer<ServiceAccount>;
  secrets: SharedInformer<Secret>;
  token: LegacyTokenGenerator;
  /** Put in every token Secret as ca.crt (when non-empty). */
  rootCA?: string;
  clock: Clock;
  random?: () => number;
  log(msg: string): void;
  maxRetries?: number;
  signal?: AbortSignal;
}

export class TokensController {
  readonly syncServiceAccountQueue: Controller;
  readonly syncSecretQueue: Controller;
  private readonly rootCA: Buffer;

  constructor(private readonly o: TokensControllerOptions) {
    this.rootCA = Buffer.from(o.rootCA ?? "", "utf8");
    const maxRetries = o.maxRetries || DEFAULT_MAX_RETRIES;
    this.syncServiceAccountQueue = new Controller({
      name: "serviceaccount_tokens_service",
      clock: o.clock,
      log: o.log,
      maxRetries,
      reconciler: { reconcile: (k) => this.syncServiceAccount(k) },
    });
    this.syncSecretQueue = new Controller({
      name: "serviceaccount_tokens_secret",
      clock: o.clock,
      log: o.log,
      maxRetries,
      reconciler: { reconcile: (k) => this.syncSecret(k) },
    });
    const queueSA = (sa: ServiceAccount) =>
      this.syncServiceAccountQueue.enqueue(
        JSON.stringify([sa.metadata?.namespace ?? "", sa.metadata?.name ?? "", sa.metadata?.uid ?? ""]),
      );
    o.serviceAccounts.addEventHandler({
      onAdd: queueSA,
      onUpdate: (_old, sa) => queueSA(sa),
      onDelete: queueSA,
    });
    const queueSecret = (s: Secret) => {
      if (s.type !== SECRET_TYPE_SERVICE_ACCOUNT_TOKEN) return;
      const m = s.metadata ?? {};
      this.syncSecretQueue.enqueue(
        JSON.stringify([
          m.namespace ?? "",
          m.name ?? "",
          m.uid ?? "",
          m.annotations?.[SERVICE_ACCOUNT_NAME_KEY] ?? "",
          m.annotations?.[SERVICE_ACCOUNT_UID_KEY] ?? "",
        ]),
      );
    };
    o.secrets.addEventHandler({
      onAdd: queueSecret,
      onUpdate: (_old, s) => queueSecret(s),
      onDelete: queueSecret,
    });
  }

  /** Throws to retry (rate-limited, up to maxRetries); logs and forgets what should not be retried. */
  private async syncServiceAccount(key: string): Promise<ReconcileResult | undefined> {
    const info = parseServiceAccountKey(key);
    if (!info) {
      this.o.log(`Parsing service account key: invalid serviceaccount key: ${key}`);
      return undefined;
    }
    const sa = this.cachedServiceAccount(info.namespace, info.name, info.uid);
    if (sa) return undefined;
    // The account is gone: so are its tokens.
    const { retry, errors } = await this.deleteTokens({
      metadata: { namespace: info.namespace, name: info.name, uid: info.uid },
    });
    if (errors.length > 0) {
      const msg = `Error deleting serviceaccount tokens namespace=${info.namespace} serviceaccount=${info.name}: ${errors.map((e) => e.message).join(", ")}`;
      if (retry) throw new Error(msg);
      this.o.log(msg);
    }
    return undefined;
  }

  private async syncSecret(key: string): Promise<ReconcileResult | undefined> {
    const info = parseSecretQueueKey(key);
    if (!info) {
      this.o.log(`Parsing secret queue key: invalid secret key: ${key}`);
      return undefined;
    }
    const secret = this.cachedSecret(info.namespace, info.name, info.uid);
    if (!secret) {
      // The Secret is gone: its account no longer refers to it.
      if (this.cachedServiceAccount(info.namespace, info.saName, info.saUID)) {
        try {
          await this.retryOnConflict(() => this.removeSecretReference(info));
        } catch (e) {
          this.o.log(`Removing secret reference: ${(e as Error).message}`);
        }
      }
      return undefined;
    }
    const sa = await this.getServiceAccount(info.namespace, info.saName, info.saUID);
    if (!sa) {
      const { retry, error } = await this.deleteToken(info.namespace, info.name, info.uid);
      if (error) {
        const msg = `Deleting serviceaccount token secret=${info.namespace}/${info.name} serviceAccount=${info.namespace}/${info.saName}: ${error.message}`;
        if (retry) throw new Error(msg);
        this.o.log(msg);
      }
      return undefined;
    }
    const { retry, error } = await this.generateTokenIfNeeded(sa, secret);
    if (error) {
      const msg = `Populating serviceaccount token secret=${info.namespace}/${info.name} serviceAccount=${info.namespace}/${info.saName}: ${error.message}`;
      if (retry) throw new Error(msg);
      this.o.log(msg);
    }
    return undefined;
  }

  private async deleteTokens(sa: ServiceAccount): Promise<{ retry: boolean; errors: Error[] }> {
    let retry = false;
    const errors: Error[] = [];
    for (const token of this.listTokenSecrets(sa)) {
      const m = token.metadata ?? {};
      const r = await this.deleteToken(m.namespace ?? "", m.name ?? "", m.uid ?? "");
      if (r.error) errors.push(r.error);
      if (r.retry) retry = true;
    }
    return { retry, errors };
  }

  private async deleteToken(
    ns: string,
    name: string,
    uid: string,
  ): Promise<{ retry: boolean; error?: Error }> {
    try {
      await this.o.client.delete(Resources.secrets, name, {
        namespace: ns,
        preconditions: uid ? { uid } : undefined,
      });
      return { retry: false };
    } catch (e) {
      // Already gone, or the uid precondition failed: nothing to retry.
      if (isNotFound(e) || isConflict(e)) return { retry: false };
      return { retry: true, error: e as Error };
    }
  }

  /** secretUpdateNeeded: a CA that differs, a missing namespace or a missing token. */
  private secretUpdateNeeded(secret: Secret): {
    needsCA: boolean;
    needsNamespace: boolean;
    needsToken: boolean;
  } {
    const data = secret.data ?? {};
    return {
      needsCA: this.rootCA.length > 0 && !decoded(data[SERVICE_ACCOUNT_ROOT_CA_KEY]).equals(this.rootCA),
      needsNamespace: decoded(data[SERVICE_ACCOUNT_NAMESPACE_KEY]).length === 0,
      needsToken: decoded(data[SERVICE_ACCOUNT_TOKEN_KEY]).length === 0,
    };
  }

  /** generateTokenIfNeeded: fills the Secret from a fresh read, only if our cache was current. */
  private async generateTokenIfNeeded(
    sa: ServiceAccount,
    cached: Secret,
  ): Promise<{ retry: boolean; error?: Error }> {
    const first = this.secretUpdateNeeded(cached);
    if (!first.needsCA && !first.needsNamespace && !first.needsToken) return { retry: false };
    const m = cached.metadata ?? {};
    let live: Secret;
    try {
      live = await this.o.client.get<Secret>(Resources.secrets, m.name ?? "", { namespace: m.namespace });
    } catch (e) {
      return { retry: !isNotFound(e), error: e as Error };
    }
    if (live.metadata?.resourceVersion !== m.resourceVersion) {
      // We will hear of the newer version and try again then.
      this.o.log(`Secret is not up to date, skipping token population secret=${m.namespace}/${m.name}`);
      return { retry: false };
    }
    const { needsCA, needsNamespace, needsToken } = this.secretUpdateNeeded(live);
    if (!needsCA && !needsNamespace && !needsToken) return { retry: false };
    live.metadata ??= {};
    live.metadata.annotations ??= {};
    live.data ??= {};
    if (needsCA) live.data[SERVICE_ACCOUNT_ROOT_CA_KEY] = this.rootCA.toString("base64");
    if (needsNamespace) live.data[SERVICE_ACCOUNT_NAMESPACE_KEY] = b64(live.metadata.namespace ?? "");
    if (needsToken) {
      try {
        live.data[SERVICE_ACCOUNT_TOKEN_KEY] = b64(this.o.token.generateToken(legacyClaims(sa, live)));
      } catch (e) {
        return { retry: false, error: e as Error };
      }
    }
    live.metadata.annotations[SERVICE_ACCOUNT_NAME_KEY] = sa.metadata?.name ?? "";
    live.metadata.annotations[SERVICE_ACCOUNT_UID_KEY] = sa.metadata?.uid ?? "";
    try {
      await this.o.client.update(Resources.secrets, live);
    } catch (e) {
      // Someone else changed it (we will hear of it), or it is gone.
      if (isConflict(e) || isNotFound(e)) return { retry: false };
      return { retry: true, error: e as Error };
    }
    return { retry: false };
  }

  /** removeSecretReference: drops the Secret from a fresh copy of its account's secrets list. */
  private async removeSecretReference(info: SecretQueueKey): Promise<void> {
    let sa: ServiceAccount;
    try {
      sa = await this.o.client.get<ServiceAccount>(Resources.serviceaccounts, info.saName, {
        namespace: info.namespace,
      });
    } catch (e) {
      if (isNotFound(e)) return;
      throw e;
    }
    if (info.saUID && info.saUID !== sa.metadata?.uid) return;
    if (!(sa.secrets ?? []).some((s) => s.name === info.name)) return;
    sa.secrets = (sa.secrets ?? []).filter((s) => s.name !== info.name);
    try {
      await this.o.client.update(Resources.serviceaccounts, sa);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  /** clientretry.RetryOnConflict with RemoveTokenBackoff. */
  private async retryOnConflict(fn: () => Promise<void>): Promise<void> {
    const random = this.o.random ?? Math.random;
    for (let i = 0; ; i++) {
      try {
        return await fn();
      } catch (e) {
        if (!isConflict(e) || i === REMOVE_TOKEN_STEPS - 1) throw e;
      }
      await sleep(this.o.clock, REMOVE_TOKEN_DURATION_MS * (1 + random()), this.o.signal);
    }
  }

  private cachedServiceAccount(ns: string, name: string, uid: string): ServiceAccount | undefined {
    const sa = this.o.serviceAccounts.getIndexer().get(`${ns}/${name}`);
    return sa && (!uid || uid === sa.metadata?.uid) ? sa : undefined;
  }

  /** getServiceAccount with fetchOnCacheMiss: a new account may not be in the cache yet. */
  private async getServiceAccount(
    ns: string,
    name: string,
    uid: string,
  ): Promise<ServiceAccount | undefined> {
    const cached = this.cachedServiceAccount(ns, name, uid);
    if (cached) return cached;
    let sa: ServiceAccount;
    try {
      sa = await this.o.client.get<ServiceAccount>(Resources.serviceaccounts, name, { namespace: ns });
    } catch (e) {
      if (isNotFound(e)) return undefined;
      throw e;
    }
    return !uid || uid === sa.metadata?.uid ? sa : undefined;
  }

  private cachedSecret(ns: string, name: string, uid: string): Secret | undefined {
    const s = this.o.secrets.getIndexer().get(`${ns}/${name}`);
    return s && (!uid || uid === s.metadata?.uid) ? s : undefined;
  }

  /** listTokenSecrets: the namespace's token Secrets of this account. */
  private listTokenSecrets(sa: ServiceAccount): Secret[] {
    return this.o.secrets
      .getIndexer()
      .byNamespace(sa.metadata?.namespace ?? "")
      .filter((s) => isServiceAccountToken(s, sa));
  }
}

function parseServiceAccountKey(key: string): ServiceAccountQueueKey | undefined {
  const [namespace, name, uid] = JSON.parse(key) as string[];
  if (!namespace || !name || !uid) return undefined;
  return { namespace, name, uid };
}

function parseSecretQueueKey(key: string): SecretQueueKey | undefined {
  const [namespace, name, uid, saName, saUID] = JSON.parse(key) as string[];
  if (!namespace || !name || !uid || !saName) return undefined;
  return { namespace, name, uid, saName, saUID: saUID ?? "" };
}
