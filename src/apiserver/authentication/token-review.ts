// TokenReview (pkg/registry/authentication/tokenreview): "who is this
// token?", answered by the same token authenticators that guard the API,
// for webhooks and aggregated servers that delegate authentication.
import type { Obj } from "../../api/registry.ts";
import { newBadRequest, newInternalError } from "../../machinery/status.ts";
import type { VirtualCreate } from "../handlers/rest.ts";
import { intersectAudiences, type TokenSource } from "./token-authenticator.ts";
import { type UserInfo, withAuthenticatedGroup } from "./user.ts";

/** authentication.k8s.io/v1 UserInfo: empty fields omitted. */
export function userInfoJSON(u: UserInfo): Obj {
  const out: Obj = {};
  if (u.name) out.username = u.name;
  if (u.uid) out.uid = u.uid;
  if (u.groups.length > 0) out.groups = [...u.groups];
  if (u.extra && Object.keys(u.extra).length > 0) {
    out.extra = Object.fromEntries(Object.entries(u.extra).map(([k, v]) => [k, [...v]]));
  }
  return out;
}

export interface TokenReviewOptions {
  tokens: TokenSource;
  apiAudiences: readonly string[];
}

export function tokenReviewHandler(opts: TokenReviewOptions): VirtualCreate {
  return async (obj) => {
    const spec = obj.spec && typeof obj.spec === "object" ? obj.spec : {};
    const token = typeof spec.token === "string" ? spec.token : "";
    if (token.length === 0) throw newBadRequest("token is required for TokenReview in authentication");
    const requested: string[] =
      Array.isArray(spec.audiences) && spec.audiences.length > 0 ? spec.audiences : [];
    const auds = requested.length > 0 ? requested : [...opts.apiAudiences];

    const status: Obj = {};
    const r = await opts.tokens.authenticate(token, auds);
    if (r.ok) {
      const got = r.result.audiences ?? [];
      // An authenticator that answered for other audiences than asked is a bug, not a user error.
      if (auds.length > 0 && intersectAudiences(auds, got).length === 0) {
        throw newInternalError("error validating audiences");
      }
      status.authenticated = true;
      status.user = userInfoJSON(withAuthenticatedGroup(r.result.user));
      if (got.length > 0) status.audiences = got;
    } else {
      status.user = {};
      status.error = r.error;
    }
    return {
      ...obj,
      kind: "TokenReview",
      apiVersion: "authentication.k8s.io/v1",
      metadata: { ...(obj.metadata ?? {}), creationTimestamp: obj.metadata?.creationTimestamp ?? null },
      spec,
      status,
    };
  };
}
