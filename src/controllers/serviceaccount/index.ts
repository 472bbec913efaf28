// The service-account controllers' entry points for the controller-manager
// (upstream's cmd/kube-controller-manager/app/core.go and controllermanager.go):
// the "default" account in every namespace, the legacy token cleaner, and the
// token controller that fills kubernetes.io/service-account-token Secrets.
import type { Namespace, Pod, Secret, ServiceAccount } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerDescriptor } from "../context.ts";
import { LEGACY_ISSUER, LegacyTokenGenerator } from "./legacy-token.ts";
import { LegacySATokenCleaner } from "./legacy-token-cleaner.ts";
import { ServiceAccountsController } from "./serviceaccounts-controller.ts";
import { TokensController } from "./tokens-controller.ts";

export { keyIDFromPublicKey, LEGACY_ISSUER, LegacyTokenGenerator, legacyClaims } from "./legacy-token.ts";
export {
  DEFAULT_CLEAN_UP_PERIOD_MS,
  DEFAULT_CLEANER_SYNC_INTERVAL_MS,
  formatDate,
  INVALID_SINCE_LABEL_KEY,
  LAST_USED_LABEL_KEY,
  LegacySATokenCleaner,
  parseDate,
  SECRET_TYPE_SERVICE_ACCOUNT_TOKEN,
  SERVICE_ACCOUNT_NAME_KEY,
  SERVICE_ACCOUNT_UID_KEY,
  TRACKING_CONFIG_MAP_DATA_KEY,
  TRACKING_CONFIG_MAP_NAME,
} from "./legacy-token-cleaner.ts";
export { podSecretNames } from "./pod-secrets.ts";
export {
  DEFAULT_SERVICE_ACCOUNTS,
  hasStatusCause,
  NAMESPACE_TERMINATING_CAUSE,
  ServiceAccountsController,
} from "./serviceaccounts-controller.ts";
export { isServiceAccountToken, TokensController } from "./tokens-controller.ts";

export const serviceAccountControllerDescriptor: ControllerDescriptor = {
  name: "serviceaccount-controller",
  aliases: ["serviceaccount"],
  serviceAccount: "service-account-controller",
  eventSource: "serviceaccount-controller",
  init(ctx) {
    const sac = new ServiceAccountsController({
      client: ctx.client,
      serviceAccounts: ctx.informers.forResource<ServiceAccount>(Resources.serviceaccounts),
      namespaces: ctx.informers.forResource<Namespace>(Resources.namespaces),
      clock: ctx.clock,
      log: ctx.log,
    });
    // Upstream runs it with one worker and no flag.
    return { controllers: [sac.controller], run: () => sac.controller.run(1, ctx.signal) };
  },
};

export interface LegacyServiceAccountTokenCleanerSettings {
  /** --legacy-service-account-token-clean-up-period (default one year). */
  cleanUpPeriodMs?: number;
  /** How often it looks (upstream: a day, no flag). */
  syncIntervalMs?: number;
}

/** The cleaner with a --legacy-service-account-token-clean-up-period other than the default. */
export function newLegacyServiceAccountTokenCleanerDescriptor(
  settings: LegacyServiceAccountTokenCleanerSettings = {},
): ControllerDescriptor {
  return {
    name: "legacy-serviceaccount-token-cleaner-controller",
    aliases: ["legacy-service-account-token-cleaner"],
    serviceAccount: "legacy-service-account-token-cleaner",
    eventSource: "legacy-serviceaccount-token-cleaner-controller",
    init(ctx) {
      const cleaner = new LegacySATokenCleaner({
        client: ctx.client,
        serviceAccounts: ctx.informers.forResource<ServiceAccount>(Resources.serviceaccounts),
        secrets: ctx.informers.forResource<Secret>(Resources.secrets),
        pods: ctx.informers.forResource<Pod>(Resources.pods),
        clock: ctx.clock,
        log: ctx.log,
        cleanUpPeriodMs: settings.cleanUpPeriodMs,
        syncIntervalMs: settings.syncIntervalMs,
      });
      return { controllers: [], run: () => cleaner.run(ctx.signal) };
    },
  };
}

export const legacyServiceAccountTokenCleanerDescriptor = newLegacyServiceAccountTokenCleanerDescriptor();

/**
 * The token controller (upstream's serviceAccountTokenControllerStarter):
 * signingKeyPem is --service-account-private-key-file's content (k8ts:
 * <data-dir>/pki/sa.key); upstream signs with the legacy issuer
 * "kubernetes/serviceaccount" (LEGACY_ISSUER). ca.crt is rootCAPem, else
 * --root-ca-file, else the controller's own client CA. Without a key it does
 * not start, as upstream.
 */
export function serviceAccountTokenControllerDescriptor(
  signingKeyPem: string | undefined,
  issuer: string = LEGACY_ISSUER,
  rootCAPem?: string,
): ControllerDescriptor {
  return {
    name: "serviceaccount-token-controller",
    aliases: ["serviceaccount-token"],
    // Upstream runs it with the manager's root credentials ("tokens-controller"), never a service account.
    serviceAccount: "tokens-controller",
    rootClient: true,
    eventSource: "serviceaccount-token-controller",
    concurrency: { flag: "concurrent-serviceaccount-token-syncs", default: 5 },
    init(ctx) {
      signingKeyPem ??= ctx.config.serviceAccountPrivateKeyPem;
      if (!signingKeyPem) {
        ctx.log(`"serviceaccount-token-controller" is disabled because there is no private key`);
        return { controllers: [], run: async () => {} };
      }
      let token: LegacyTokenGenerator;
      try {
        token = new LegacyTokenGenerator(issuer, signingKeyPem);
      } catch (e) {
        throw new Error(`error reading key for service account token controller: ${(e as Error).message}`);
      }
      const tc = new TokensController({
        client: ctx.client,
        serviceAccounts: ctx.informers.forResource<ServiceAccount>(Resources.serviceaccounts),
        secrets: ctx.informers.forResource<Secret>(Resources.secrets),
        token,
        rootCA: rootCAPem ?? ctx.config.rootCAPem ?? ctx.client.config.ca,
        clock: ctx.clock,
        random: ctx.random,
        log: ctx.log,
        signal: ctx.signal,
      });
      const controllers = [tc.syncServiceAccountQueue, tc.syncSecretQueue];
      return { controllers };
    },
  };
}
