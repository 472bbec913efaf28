// Which FlowSchema a request belongs to (upstream's apf_controller matching,
// rule.go): the first schema by matchingPrecedence, then name, one of whose
// rules matches both the requester (a subject) and the request (a resource or
// non-resource rule).

import type { Obj } from "../../api/registry.ts";
import { SERVICE_ACCOUNT_PREFIX, type UserInfo } from "../authentication/user.ts";
import type { RequestInfo } from "../request-info.ts";

/** The parts of a request a FlowSchema looks at. */
export interface RequestDigest {
  user: UserInfo;
  info: Pick<
    RequestInfo,
    "isResourceRequest" | "verb" | "apiGroup" | "resource" | "subresource" | "namespace" | "path"
  >;
  /** The query, where a LIST's limit and selectors are (its work estimate). */
  query?: URLSearchParams;
}

export function matchesFlowSchema(fs: Obj, d: RequestDigest): boolean {
  for (const rule of fs.spec?.rules ?? []) if (matchesRule(rule, d)) return true;
  return false;
}

function matchesRule(rule: Obj, d: RequestDigest): boolean {
  if (!(rule.subjects ?? []).some((s: Obj) => matchesSubject(s, d.user))) return false;
  if (d.info.isResourceRequest)
    return (rule.resourceRules ?? []).some((r: Obj) => matchesResourceRule(r, d.info));
  return (rule.nonResourceRules ?? []).some((r: Obj) => matchesNonResourceRule(r, d.info));
}

function matchesSubject(s: Obj, user: UserInfo): boolean {
  switch (s.kind) {
    case "User":
      return s.user?.name === "*" || s.user?.name === user.name;
    case "Group":
      return s.group?.name === "*" || user.groups.includes(s.group?.name);
    case "ServiceAccount": {
      const ns = s.serviceAccount?.namespace;
      const name = s.serviceAccount?.name;
      if (name === "*") return user.name.startsWith(`${SERVICE_ACCOUNT_PREFIX}${ns}:`);
      return user.name === `${SERVICE_ACCOUNT_PREFIX}${ns}:${name}`;
    }
  }
  return false;
}

function matchesResourceRule(r: Obj, info: RequestDigest["info"]): boolean {
  if (!has(r.verbs, info.verb)) return false;
  if (!has(r.apiGroups, info.apiGroup)) return false;
  const resource = info.subresource ? `${info.resource}/${info.subresource}` : info.resource;
  if (!has(r.resources, resource)) return false;
  if (!info.namespace) return r.clusterScope === true;
  return has(r.namespaces, info.namespace);
}

function matchesNonResourceRule(r: Obj, info: RequestDigest["info"]): boolean {
  if (!has(r.verbs, info.verb)) return false;
  for (const u of (r.nonResourceURLs ?? []) as string[]) {
    if (u === "*" || u === info.path) return true;
    if (u.endsWith("/*") && info.path.startsWith(u.slice(0, -1))) return true;
  }
  return false;
}

/** The list holds the value or the wildcard "*". */
function has(list: string[] | undefined, v: string): boolean {
  if (!list) return false;
  for (const x of list) if (x === "*" || x === v) return true;
  return false;
}

/** The flow a request joins within its schema: by user, by namespace, or one flow for all. */
export function flowDistinguisher(fs: Obj, d: RequestDigest): string {
  switch (fs.spec?.distinguisherMethod?.type) {
    case "ByUser":
      return d.user.name;
    case "ByNamespace":
      return d.info.namespace;
  }
  return "";
}
