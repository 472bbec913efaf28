// Bootstrap tokens (plugin/pkg/auth/authenticator/token/bootstrap and
// k8s.io/cluster-bootstrap): "<id>.<secret>" checked against the Secret
// kube-system/bootstrap-token-<id> of type bootstrap.kubernetes.io/token.
// A token that does not check out is simply not recognised, as upstream.
import { timingSafeEqual } from "node:crypto";
import type { Obj } from "../../api/registry.ts";
import { goQuote } from "../../machinery/field-errors.ts";
import { isNotFound } from "../../machinery/status.ts";
import type { Registry } from "../registry/index.ts";
import type { AuthResult } from "./authenticator.ts";
import type { TokenAuthenticator } from "./token-authenticator.ts";

export const BOOTSTRAP_TOKEN_SECRET_PREFIX = "bootstrap-token-";
export const SECRET_TYPE_BOOTSTRAP_TOKEN = "bootstrap.kubernetes.io/token";
export const BOOTSTRAP_TOKEN_ID_KEY = "token-id";
export const BOOTSTRAP_TOKEN_SECRET_KEY = "token-secret";
export const BOOTSTRAP_TOKEN_EXPIRATION_KEY = "expiration";
export const BOOTSTRAP_TOKEN_USAGE_AUTHENTICATION = "usage-bootstrap-authentication";
export const BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY = "auth-extra-groups";
export const BOOTSTRAP_USER_PREFIX = "system:bootstrap:";
export const BOOTSTRAP_DEFAULT_GROUP = "system:bootstrappers";
export const BOOTSTRAP_GROUP_PATTERN = "\\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\\z";

const TOKEN_RE = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const GROUP_RE = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
// time.RFC3339 as time.Parse accepts it (fractional seconds allowed, a zone required).
const RFC3339_RE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

/** ParseToken: the token id and secret, or undefined when the token is not of the form. */
export function parseBootstrapToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_RE.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

/** GetData: a key of the Secret's data as a string, "" when missing. */
function getData(secret: Obj, key: string): string {
  const v = secret.data?.[key];
  return typeof v === "string" ? Buffer.from(v, "base64").toString("utf8") : "";
}

/** HasExpired: an unparseable expiration counts as expired. */
export function bootstrapTokenExpired(secret: Obj, now: Date): boolean {
  const exp = getData(secret, BOOTSTRAP_TOKEN_EXPIRATION_KEY);
  if (exp === "") return false;
  const t = RFC3339_RE.test(exp) ? Date.parse(exp) : Number.NaN;
  if (Number.isNaN(t)) return true;
  return t - now.getTime() <= 0;
}

/** GetGroups: system:bootstrappers plus valid extra groups, sorted and deduplicated; throws for an invalid one. */
export function bootstrapTokenGroups(secret: Obj): string[] {
  const groups = new Set([BOOTSTRAP_DEFAULT_GROUP]);
  const extra = getData(secret, BOOTSTRAP_TOKEN_EXTRA_GROUPS_KEY);
  if (extra !== "") {
    for (const g of extra.split(",")) {
      if (!GROUP_RE.test(g)) {
        throw new Error(`bootstrap group ${goQuote(g)} is invalid (must match ${BOOTSTRAP_GROUP_PATTERN})`);
      }
      groups.add(g);
    }
  }
  return [...groups].sort();
}

function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

export interface BootstrapTokenOptions {
  registry: Registry;
  now?: () => Date;
}

export class BootstrapTokenAuthenticator implements TokenAuthenticator {
  private readonly now: () => Date;

  constructor(private readonly opts: BootstrapTokenOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  async authenticateToken(token: string): Promise<AuthResult | undefined> {
    const parsed = parseBootstrapToken(token);
    if (!parsed) return undefined;
    const secrets = this.opts.registry.byResource("", "v1", "secrets");
    if (!secrets) return undefined;
    let secret: Obj;
    try {
      secret = await secrets.get("kube-system", BOOTSTRAP_TOKEN_SECRET_PREFIX + parsed.id);
    } catch (e) {
      // No such secret: not a bootstrap token we know. Other errors are errors.
      if (isNotFound(e)) return undefined;
      throw e;
    }
    if (secret.metadata?.deletionTimestamp) return undefined;
    if (secret.type !== SECRET_TYPE_BOOTSTRAP_TOKEN || !secret.data) return undefined;
    if (!constantTimeEqual(getData(secret, BOOTSTRAP_TOKEN_SECRET_KEY), parsed.secret)) return undefined;
    const id = getData(secret, BOOTSTRAP_TOKEN_ID_KEY);
    if (id !== parsed.id) return undefined;
    if (bootstrapTokenExpired(secret, this.now())) return undefined;
    if (getData(secret, BOOTSTRAP_TOKEN_USAGE_AUTHENTICATION) !== "true") return undefined;
    let groups: string[];
    try {
      groups = bootstrapTokenGroups(secret);
    } catch {
      return undefined;
    }
    return { user: { name: BOOTSTRAP_USER_PREFIX + id, groups } };
  }
}
