// upstream's pkg/controller/serviceaccount/legacy_serviceaccount_token_cleaner.go:
// once a day, auto-generated kubernetes.io/service-account-token Secrets
// (referenced by their ServiceAccount) that no pod mounts and that nobody has
// used for the clean-up period are first labelled invalid-since today, then,
// a clean-up period later, deleted. Usage is tracked by the apiserver (the
// last-used label and the tracking ConfigMap's "since" date); before a full
// period of tracking nothing is touched.
import type { ConfigMap, Pod, Secret, ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import { isConflict, isNotFound } from "../../client/api-error.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { podSecretNames } from "./pod-secrets.ts";

/** DefaultCleanerSyncInterval */
export const DEFAULT_CLEANER_SYNC_INTERVAL_MS = 24 * 60 * 60 * 1000;
/** --legacy-service-account-token-clean-up-period's default: 365 days. */
export const DEFAULT_CLEAN_UP_PERIOD_MS = 365 * 24 * 60 * 60 * 1000;
/** serviceaccount.LastUsedLabelKey: the day the apiserver last saw the token. */
export const LAST_USED_LABEL_KEY = "kubernetes.io/legacy-token-last-used";
/** serviceaccount.InvalidSinceLabelKey: the day the cleaner marked the token invalid. */
export const INVALID_SINCE_LABEL_KEY = "kubernetes.io/legacy-token-invalid-since";
/** legacytokentracking.ConfigMapName (kube-system) and its data key. */
export const TRACKING_CONFIG_MAP_NAME = "kube-apiserver-legacy-service-account-token-tracking";
export const TRACKING_CONFIG_MAP_DATA_KEY = "since";
export const SECRET_TYPE_SERVICE_ACCOUNT_TOKEN = "kubernetes.io/service-account-token";
export const SERVICE_ACCOUNT_NAME_KEY = "kubernetes.io/service-account.name";
export const SERVICE_ACCOUNT_UID_KEY = "kubernetes.io/service-account.uid";

const DAY_MS = 24 * 60 * 60 * 1000;

/** time.Format("2006-01-02") in UTC. */
export function formatDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** time.Parse("2006-01-02", s): midnight UTC, or undefined when malformed or out of range. */
export function parseDate(s: string | undefined): number | undefined {
  if (s === undefined || !/^\d{4}-\d{2}-\d{2}$/.test(s)) return undefined;
  const ms = Date.parse(`${s}T00:00:00Z`);
  return Number.isNaN(ms) || formatDate(ms) !== s ? undefined : ms;
}

export interface LegacySATokenCleanerOptions {
  client: RestClient;
  serviceAccounts: SharedInformer<ServiceAccount>;
  secrets: SharedInformer<Secret>;
  pods: SharedInformer<Pod>;
  clock: Clock;
  log(msg: string): void;
  /** How long a token must go unused (and then stay invalid) before it goes. */
  cleanUpPeriodMs?: number;
  syncIntervalMs?: number;
}

export class LegacySATokenCleaner {
  private readonly minimumSinceLastUsedMs: number;
  private readonly syncIntervalMs: number;

  constructor(private readonly o: LegacySATokenCleanerOptions) {
    this.minimumSinceLastUsedMs = o.cleanUpPeriodMs ?? DEFAULT_CLEAN_UP_PERIOD_MS;
    this.syncIntervalMs = o.syncIntervalMs ?? DEFAULT_CLEANER_SYNC_INTERVAL_MS;
    if (!(this.minimumSinceLastUsedMs > 0))
      throw new Error(`invalid CleanUpPeriod: ${this.minimumSinceLastUsedMs}ms`);
    if (!(this.syncIntervalMs > 0)) throw new Error(`invalid SyncInterval: ${this.syncIntervalMs}ms`);
  }

  /** wait.UntilWithContext: a pass now, then one every sync interval after the last ended. */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      try {
        await this.evaluateSATokens();
      } catch (e) {
        this.o.log(`evaluating legacy service account tokens: ${(e as Error).message}`);
      }
      await sleep(this.o.clock, this.syncIntervalMs, signal);
    }
  }

  /** evaluateSATokens: one pass over every cached Secret. */
  async evaluateSATokens(): Promise<void> {
    const now = this.o.clock.now();
    let trackedSince: number;
    try {
      trackedSince = await this.latestPossibleTrackedSinceTime();
    } catch (e) {
      this.o.log(`Getting lastest possible tracked_since time: ${(e as Error).message}`);
      return;
    }
    // Not tracking long enough to know a token is unused.
    if (now < trackedSince + this.minimumSinceLastUsedMs) return;

    const preserveCreatedOnOrAfter = now - this.minimumSinceLastUsedMs;
    const preserveUsedOnOrAfter = formatDate(now - this.minimumSinceLastUsedMs);
    const mountedByNamespace = new Map<string, Set<string>>();
    for (const secret of this.o.secrets.getIndexer().list()) {
      if (secret.type !== SECRET_TYPE_SERVICE_ACCOUNT_TOKEN) continue;
      const meta = secret.metadata ?? {};
      const ref = `${meta.namespace}/${meta.name}`;
      if (!(Date.parse(meta.creationTimestamp ?? "") < preserveCreatedOnOrAfter)) continue;
      if (meta.deletionTimestamp) continue;
      // Without the label the token has not been used since tracking began.
      const lastUsed = meta.labels?.[LAST_USED_LABEL_KEY];
      if (lastUsed !== undefined) {
        if (parseDate(lastUsed) === undefined) {
          this.o.log(`Parsing lastUsed time: cannot parse "${lastUsed}" secret=${ref}`);
          continue;
        }
        if (lastUsed >= preserveUsedOnOrAfter) continue;
      }
      const sa = this.getServiceAccount(secret);
      // Only a token its account references is known to be auto-generated.
      if (!sa || !(sa.secrets ?? []).some((s) => s.name === meta.name)) continue;
      if (this.mountedSecretNames(meta.namespace ?? "", mountedByNamespace).has(meta.name ?? "")) continue;

      let invalidSince = meta.labels?.[INVALID_SINCE_LABEL_KEY];
      if (parseDate(invalidSince) === undefined) {
        invalidSince = formatDate(now);
        this.o.log(
          `Mark the auto-generated service account token as invalid invalidSince="${invalidSince}" secret=${ref}`,
        );
        const patch = {
          kind: "Secret",
          apiVersion: "v1",
          metadata: {
            name: meta.name,
            namespace: meta.namespace,
            uid: meta.uid,
            labels: { [INVALID_SINCE_LABEL_KEY]: invalidSince },
          },
        };
        try {
          await this.o.client.patch(Resources.secrets, meta.name ?? "", patch, {
            type: "merge",
            namespace: meta.namespace,
          });
        } catch (e) {
          this.o.log(
            `Failed to label legacy service account token secret with invalid since date: ${(e as Error).message}`,
          );
        }
        continue;
      }
      if (invalidSince! >= preserveUsedOnOrAfter) continue;

      this.o.log(
        `Delete auto-generated service account token secret=${ref} lastUsed="${lastUsed ?? ""}" invalidSince="${invalidSince}"`,
      );
      try {
        await this.o.client.delete(Resources.secrets, meta.name ?? "", {
          namespace: meta.namespace,
          preconditions: { resourceVersion: meta.resourceVersion },
        });
      } catch (e) {
        if (!isConflict(e) && !isNotFound(e)) {
          this.o.log(
            `Deleting legacy service account token secret=${ref} serviceaccount=${sa.metadata?.name}: ${(e as Error).message}`,
          );
        }
      }
    }
  }

  private mountedSecretNames(namespace: string, cache: Map<string, Set<string>>): Set<string> {
    const cached = cache.get(namespace);
    if (cached) return cached;
    const names = new Set<string>();
    for (const pod of this.o.pods.getIndexer().byNamespace(namespace))
      for (const n of podSecretNames(pod)) names.add(n);
    cache.set(namespace, names);
    return names;
  }

  /** getServiceAccount: the account the secret names, if its uid (when given) matches. */
  private getServiceAccount(secret: Secret): ServiceAccount | undefined {
    const name = secret.metadata?.annotations?.[SERVICE_ACCOUNT_NAME_KEY];
    if (!name) return undefined;
    const uid = secret.metadata?.annotations?.[SERVICE_ACCOUNT_UID_KEY];
    const sa = this.o.serviceAccounts.getIndexer().get(`${secret.metadata?.namespace}/${name}`);
    if (!sa) return undefined;
    return !uid || uid === sa.metadata?.uid ? sa : undefined;
  }

  /** latestPossibleTrackedSinceTime: the day after tracking began, from the apiserver's ConfigMap. */
  private async latestPossibleTrackedSinceTime(): Promise<number> {
    const cm = await this.o.client.get<ConfigMap>(Resources.configmaps, TRACKING_CONFIG_MAP_NAME, {
      namespace: "kube-system",
    });
    const since = cm.data?.[TRACKING_CONFIG_MAP_DATA_KEY];
    if (since === undefined) throw new Error("configMap does not have since label");
    const ms = parseDate(since);
    if (ms === undefined) throw new Error(`error parsing trackedSince time: cannot parse "${since}"`);
    // 00:00 on the day after tracking began.
    return ms + DAY_MS;
  }
}
