// Impersonation (k8s.io/apiserver/pkg/endpoints/filters/impersonation.go):
// an authenticated user may act as another through the Impersonate-User,
// Impersonate-Uid, Impersonate-Group and Impersonate-Extra-<key> headers,
// each part needing the `impersonate` verb on users, serviceaccounts, uids,
// groups or userextras/<key>. The request then runs as the new user.
import type { IncomingMessage } from "node:http";
import { goQuote } from "../../machinery/field-errors.ts";
import { makeStatus, newForbidden, StatusError, StatusReason } from "../../machinery/status.ts";
import { type Attributes, type Authorizer, forbiddenMessage } from "../authorization/authorizer.ts";
import { makeGroupNames, makeUsername, splitUsername } from "./serviceaccount-info.ts";
import { ALL_AUTHENTICATED, ALL_UNAUTHENTICATED, ANONYMOUS, type UserInfo } from "./user.ts";

export const IMPERSONATE_USER_HEADER = "Impersonate-User";
export const IMPERSONATE_UID_HEADER = "Impersonate-Uid";
export const IMPERSONATE_GROUP_HEADER = "Impersonate-Group";
export const IMPERSONATE_USER_EXTRA_HEADER_PREFIX = "Impersonate-Extra-";

const USER = IMPERSONATE_USER_HEADER.toLowerCase();
const UID = IMPERSONATE_UID_HEADER.toLowerCase();
const GROUP = IMPERSONATE_GROUP_HEADER.toLowerCase();
const EXTRA = IMPERSONATE_USER_EXTRA_HEADER_PREFIX.toLowerCase();

/** One thing to impersonate, as upstream's v1.ObjectReference (extra keys ride in fieldPath). */
export interface ImpersonationRequest {
  kind: "User" | "ServiceAccount" | "Group" | "UserExtra" | "UID";
  namespace: string;
  name: string;
  apiVersion: string;
  fieldPath: string;
}

/** Go's %v of a v1.ObjectReference: the fields in order, space separated. */
function objectReferenceString(r: ImpersonationRequest): string {
  return `{${r.kind} ${r.namespace} ${r.name}  ${r.apiVersion}  ${r.fieldPath}}`;
}

/** url.PathUnescape, keeping the key as sent when it is not valid %-encoding. */
function unescapeExtraKey(key: string): string {
  try {
    return decodeURIComponent(key);
  } catch {
    return key;
  }
}

const PREFIX = "impersonate-";

/**
 * Every value of each Impersonate-* header, by lower-case name, read from rawHeaders (HTTP/2 requests have
 * no headersDistinct); undefined when there is none, as for nearly every request.
 */
function impersonationHeaders(rawHeaders: readonly string[]): Record<string, string[]> | undefined {
  let out: Record<string, string[]> | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const raw = rawHeaders[i];
    if (raw.length <= PREFIX.length || raw.slice(0, PREFIX.length).toLowerCase() !== PREFIX) continue;
    out ??= Object.create(null) as Record<string, string[]>;
    const name = raw.toLowerCase();
    if (!Object.hasOwn(out, name)) out[name] = [];
    out[name].push(rawHeaders[i + 1]);
  }
  return out;
}

/** buildImpersonationRequests: what the headers ask for; throws when groups, extras or uid come without a user. */
export function buildImpersonationRequests(req: IncomingMessage): ImpersonationRequest[] {
  const headers = impersonationHeaders(req.rawHeaders);
  if (!headers) return [];
  const out: ImpersonationRequest[] = [];
  const ref = (kind: ImpersonationRequest["kind"], name: string, more: Partial<ImpersonationRequest> = {}) =>
    out.push({ kind, namespace: "", name, apiVersion: "", fieldPath: "", ...more });

  const requestedUser = headers[USER]?.[0] ?? "";
  const hasUser = requestedUser.length > 0;
  if (hasUser) {
    const sa = splitUsername(requestedUser);
    if (sa) ref("ServiceAccount", sa.name, { namespace: sa.namespace });
    else ref("User", requestedUser);
  }
  const groups = headers[GROUP] ?? [];
  for (const g of groups) ref("Group", g);

  let hasUserExtra = false;
  for (const [header, values] of Object.entries(headers)) {
    if (!header.startsWith(EXTRA) || !values) continue;
    hasUserExtra = true;
    const key = unescapeExtraKey(header.slice(EXTRA.length).toLowerCase());
    for (const v of values) ref("UserExtra", v, { apiVersion: "authentication.k8s.io/v1", fieldPath: key });
  }

  const requestedUID = headers[UID]?.[0] ?? "";
  const hasUID = requestedUID.length > 0;
  if (hasUID) ref("UID", requestedUID, { apiVersion: "authentication.k8s.io/v1" });

  if ((groups.length > 0 || hasUserExtra || hasUID) && !hasUser) {
    throw new Error(`requested [${out.map(objectReferenceString).join(" ")}] without impersonating a user`);
  }
  return out;
}

/** responsewriters.InternalError's text, as a Status. */
function internalError(req: IncomingMessage, err: Error): StatusError {
  const text = `Internal Server Error: ${goQuote(req.url ?? "")}: ${err.message}`;
  return new StatusError(
    makeStatus({
      status: "Failure",
      code: 500,
      reason: StatusReason.InternalError,
      message: text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;"),
      details: {},
    }),
  );
}

/**
 * WithImpersonation: the user the request runs as. Without impersonation
 * headers that is `requestor`; otherwise every part must be allowed
 * (403 as upstream's responsewriters.Forbidden) and the headers are removed.
 */
export async function impersonate(
  req: IncomingMessage,
  requestor: UserInfo,
  authorizer: Authorizer,
): Promise<UserInfo> {
  let requests: ImpersonationRequest[];
  try {
    requests = buildImpersonationRequests(req);
  } catch (e) {
    throw internalError(req, e as Error);
  }
  if (requests.length === 0) return requestor;

  // Groups asked for are the whole truth; otherwise a service account gets its fixed groups.
  const groupsSpecified = requests.some((r) => r.kind === "Group");
  let username = "";
  let uid = "";
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of requests) {
    const a: Attributes = {
      user: requestor,
      verb: "impersonate",
      isResourceRequest: true,
      path: "",
      namespace: r.namespace,
      apiGroup: r.apiVersion.includes("/") ? r.apiVersion.split("/")[0] : "",
      apiVersion: r.apiVersion.includes("/") ? r.apiVersion.split("/")[1] : r.apiVersion,
      resource: "",
      subresource: "",
      name: r.name,
    };
    switch (r.kind) {
      case "ServiceAccount":
        a.resource = "serviceaccounts";
        username = makeUsername(r.namespace, r.name);
        if (!groupsSpecified) groups = makeGroupNames(r.namespace);
        break;
      case "User":
        a.resource = "users";
        username = r.name;
        break;
      case "Group":
        a.resource = "groups";
        groups.push(r.name);
        break;
      case "UserExtra":
        a.resource = "userextras";
        a.subresource = r.fieldPath;
        extra[r.fieldPath] = [...(extra[r.fieldPath] ?? []), r.name];
        break;
      case "UID":
        a.resource = "uids";
        uid = r.name;
        break;
    }
    let decision = "Deny";
    let reason = "";
    try {
      ({ decision, reason } = await authorizer.authorize(a));
    } catch {
      // An authorizer error forbids, as upstream.
    }
    if (decision !== "Allow") {
      const msg = reason ? `${forbiddenMessage(a)}: ${reason}` : forbiddenMessage(a);
      throw newForbidden({ group: a.apiGroup, resource: a.resource }, a.name, msg);
    }
  }

  if (username !== ANONYMOUS) {
    // Everyone impersonated is authenticated, unless the caller said outright which of the two they are.
    if (!groups.includes(ALL_AUTHENTICATED) && !groups.includes(ALL_UNAUTHENTICATED))
      groups.push(ALL_AUTHENTICATED);
  } else if (!groups.includes(ALL_UNAUTHENTICATED)) {
    groups.push(ALL_UNAUTHENTICATED);
  }

  for (const h of Object.keys(req.headers)) {
    if (h === USER || h === GROUP || h === UID || h.startsWith(EXTRA)) delete req.headers[h];
  }
  const user: UserInfo = { name: username, groups };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length > 0) user.extra = extra;
  return user;
}
