// Legacy (Secret-based) service-account tokens, upstream's pkg/serviceaccount
// legacy.go: the never-expiring JWTs the controller-manager's tokens
// controller puts into kubernetes.io/service-account-token Secrets, issuer
// "kubernetes/serviceaccount". A token is good only while its Secret exists
// with the same token bytes and its ServiceAccount exists with the uid it
// names. Each use labels the Secret with the day (LegacyServiceAccountTokenTracking);
// a Secret the cleaner labelled invalid-since refuses its token
// (LegacyServiceAccountTokenCleanUp). Left out: the audit annotations
// (authentication.k8s.io/legacy-token*), the warning for auto-generated
// tokens and the metrics, as token authenticators see no request here.
import { timingSafeEqual } from "node:crypto";
import { applySchemaFor, emptyObjectFor } from "../../api/apply-schema.ts";
import type { Obj } from "../../api/registry.ts";
import { updateManagedFields } from "../../machinery/apply/field-manager.ts";
import { log } from "../log.ts";
import type { Registry } from "../registry/index.ts";
import type { ResourceStore } from "../registry/resource-store.ts";
import type { ServiceAccountTokenGetter, ServiceAccountTokenValidator } from "./service-account.ts";
import { type ServiceAccountInfo, splitUsername } from "./serviceaccount-info.ts";
import { TokenError } from "./token-authenticator.ts";

/** serviceaccount.LegacyIssuer */
export const LEGACY_ISSUER = "kubernetes/serviceaccount";
/** serviceaccount.LastUsedLabelKey: the day (UTC) the apiserver last saw the Secret's token. */
export const LAST_USED_LABEL_KEY = "kubernetes.io/legacy-token-last-used";
/** serviceaccount.InvalidSinceLabelKey: set by the controller-manager's legacy token cleaner. */
export const INVALID_SINCE_LABEL_KEY = "kubernetes.io/legacy-token-invalid-since";
/** v1.ServiceAccountTokenKey */
const TOKEN_KEY = "token";

/** legacyPrivateClaims' JSON names. */
const NAMESPACE_CLAIM = "kubernetes.io/serviceaccount/namespace";
const SECRET_NAME_CLAIM = "kubernetes.io/serviceaccount/secret.name";
const SA_NAME_CLAIM = "kubernetes.io/serviceaccount/service-account.name";
const SA_UID_CLAIM = "kubernetes.io/serviceaccount/service-account.uid";

interface LegacyPrivateClaims {
  namespace: string;
  secretName: string;
  serviceAccountName: string;
  serviceAccountUID: string;
}

function goJSONType(v: unknown): string {
  if (Array.isArray(v)) return "array";
  if (typeof v === "boolean") return "bool";
  return typeof v;
}

/** A string field of legacyPrivateClaims as encoding/json fills it: null leaves it empty. */
function claimString(p: Record<string, unknown>, key: string): string {
  const v = p[key];
  if (v === undefined || v === null) return "";
  if (typeof v !== "string") {
    throw new TokenError(
      `json: cannot unmarshal ${goJSONType(v)} into Go struct field legacyPrivateClaims.${key} of type string`,
    );
  }
  return v;
}

function decodeLegacyClaims(p: Record<string, unknown>): LegacyPrivateClaims {
  return {
    serviceAccountName: claimString(p, SA_NAME_CLAIM),
    serviceAccountUID: claimString(p, SA_UID_CLAIM),
    secretName: claimString(p, SECRET_NAME_CLAIM),
    namespace: claimString(p, NAMESPACE_CLAIM),
  };
}

/** time.Format("2006-01-02") in UTC. */
export function formatDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** SecretsWriter: what the validator needs to write (upstream patches through the loopback client). */
export interface LegacyTokenSecretsWriter {
  /** A merge patch of the Secret's labels, refused when the stored Secret has another uid. */
  patchLabels(namespace: string, name: string, uid: string, labels: Record<string, string>): Promise<void>;
}

/** How the apiserver's own loopback writes are tracked in managedFields (manager "kube-apiserver"). */
export function trackedByApiserver(
  store: ResourceStore,
  current: Obj | undefined,
  next: Obj,
  now: Date,
): Obj {
  const t = store.type;
  const gvk = { group: t.group, version: t.version, kind: t.kind };
  return updateManagedFields(current, next, {
    manager: "kube-apiserver",
    apiVersion: t.group ? `${t.group}/${t.version}` : t.version,
    kind: t.kind,
    now,
    schema: applySchemaFor(gvk),
    emptyObject: emptyObjectFor(gvk),
  });
}

/** A SecretsWriter on the registry. */
export function registrySecretsWriter(
  registry: Registry,
  now: () => Date = () => new Date(),
): LegacyTokenSecretsWriter {
  return {
    async patchLabels(namespace, name, uid, labels) {
      const store = registry.byResource("", "v1", "secrets");
      if (!store) throw new Error("no store for secrets");
      await store.guaranteedUpdate(namespace, name, (current) => {
        if (!current) return undefined;
        const next = structuredClone(current);
        // The patch carries the uid: another Secret of the same name fails validation.
        next.metadata.uid = uid;
        next.metadata.labels = { ...(next.metadata.labels ?? {}), ...labels };
        return store.prepareUpdate(trackedByApiserver(store, current, next, now()), current);
      });
    },
  };
}

export interface LegacyTokenValidatorOptions {
  getter: Pick<ServiceAccountTokenGetter, "getSecret" | "getServiceAccount">;
  /** --service-account-lookup (default true): check the Secret and ServiceAccount still exist. */
  lookup?: boolean;
  /** Labels used Secrets; required with lookup. */
  secretsWriter?: LegacyTokenSecretsWriter;
  now?: () => Date;
}

const b64decode = (v: unknown) => (typeof v === "string" ? Buffer.from(v, "base64") : Buffer.alloc(0));

/** subtle.ConstantTimeCompare(a, b) == 1. */
function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}

/** legacyValidator */
export class LegacyTokenValidator implements ServiceAccountTokenValidator {
  private readonly lookup: boolean;
  private readonly now: () => Date;

  constructor(private readonly opts: LegacyTokenValidatorOptions) {
    this.lookup = opts.lookup ?? true;
    if (this.lookup && !opts.secretsWriter) throw new Error("SecretsWriter must be provided");
    this.now = opts.now ?? (() => new Date());
  }

  async validate(
    token: string,
    publicClaims: { sub: string },
    payload: Record<string, unknown>,
  ): Promise<ServiceAccountInfo> {
    const c = decodeLegacyClaims(payload);
    // Make sure the claims we need exist.
    if (!publicClaims.sub) throw new TokenError("sub claim is missing");
    const { namespace, secretName, serviceAccountName, serviceAccountUID } = c;
    if (!namespace) throw new TokenError("namespace claim is missing");
    if (!secretName) throw new TokenError("secretName claim is missing");
    if (!serviceAccountName) throw new TokenError("serviceAccountName claim is missing");
    if (!serviceAccountUID) throw new TokenError("serviceAccountUID claim is missing");
    const subject = splitUsername(publicClaims.sub);
    if (!subject || subject.namespace !== namespace || subject.name !== serviceAccountName) {
      throw new TokenError("sub claim is invalid");
    }

    if (this.lookup) {
      // The token is invalidated by deleting its Secret (or replacing the token in it).
      let secret: Obj;
      try {
        secret = await this.opts.getter.getSecret(namespace, secretName);
      } catch {
        throw new TokenError("Token has been invalidated");
      }
      if (secret.metadata?.deletionTimestamp) throw new TokenError("Token has been invalidated");
      if (!sameBytes(b64decode(secret.data?.[TOKEN_KEY]), Buffer.from(token, "utf8"))) {
        throw new TokenError("Token does not match server's copy");
      }

      // The ServiceAccount must still exist, under the same uid.
      let sa: Obj;
      try {
        sa = await this.opts.getter.getServiceAccount(namespace, serviceAccountName);
      } catch (e) {
        throw new TokenError((e as Error).message);
      }
      if (sa.metadata?.deletionTimestamp) {
        throw new TokenError(`ServiceAccount ${namespace}/${serviceAccountName} has been deleted`);
      }
      if ((sa.metadata?.uid ?? "") !== serviceAccountUID) {
        throw new TokenError(
          `ServiceAccount UID (${sa.metadata?.uid ?? ""}) does not match claim (${serviceAccountUID})`,
        );
      }

      if (secret.metadata?.labels?.[INVALID_SINCE_LABEL_KEY]) {
        // Still recorded as used: the cleaner must not delete a token someone is trying to use.
        await this.patchSecretWithLastUsedDate(secret);
        throw new TokenError(
          `the token in secret ${namespace}/${secretName} for service account ${namespace}/${serviceAccountName} has been marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or remove the '${INVALID_SINCE_LABEL_KEY}' label from the secret to temporarily allow use of this token`,
        );
      }
      await this.patchSecretWithLastUsedDate(secret);
    }

    return { namespace, name: serviceAccountName, uid: serviceAccountUID };
  }

  /** At most one write a day: skipped when the label already says today (or, across a clock skew, tomorrow). */
  private async patchSecretWithLastUsedDate(secret: Obj): Promise<void> {
    const now = this.now();
    const today = formatDate(now);
    const tomorrow = formatDate(new Date(now.getTime() + 24 * 60 * 60 * 1000));
    const lastUsed = secret.metadata?.labels?.[LAST_USED_LABEL_KEY];
    if (lastUsed === today || lastUsed === tomorrow) return;
    const { namespace = "", name = "", uid = "" } = secret.metadata ?? {};
    try {
      await this.opts.secretsWriter?.patchLabels(namespace, name, uid, { [LAST_USED_LABEL_KEY]: today });
    } catch (e) {
      // Tracking is best effort: the token stays good.
      log.error(
        `Failed to label legacy service account token ${name}/${namespace} with last-used date, err: ${(e as Error).message}`,
      );
    }
  }
}
