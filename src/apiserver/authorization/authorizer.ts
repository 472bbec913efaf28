// Authorization (k8s.io/apiserver/pkg/authorization/authorizer): attributes
// of a request, and authorizers that allow, deny or have no opinion; a union
// asks each in turn (--authorization-mode Node,RBAC) until one decides.
import type { UserInfo } from "../authentication/user.ts";

export interface Attributes {
  user: UserInfo;
  /** get, list, watch, create, update, patch, delete, deletecollection; or impersonate, bind, escalate, use… */
  verb: string;
  isResourceRequest: boolean;
  /** Non-resource requests: the URL path. */
  path: string;
  namespace: string;
  apiGroup: string;
  apiVersion: string;
  resource: string;
  subresource: string;
  name: string;
  /** The request's fieldSelector and labelSelector, for authorizers that allow filtered lists (Node). */
  fieldSelector?: string;
  labelSelector?: string;
}

export type Decision = "Allow" | "Deny" | "NoOpinion";

export interface AuthorizationResult {
  decision: Decision;
  reason: string;
}

export interface Authorizer {
  authorize(a: Attributes): Promise<AuthorizationResult> | AuthorizationResult;
}

export const allowAll: Authorizer = { authorize: () => ({ decision: "Allow", reason: "" }) };

export class UnionAuthorizer implements Authorizer {
  constructor(private readonly authorizers: Authorizer[]) {}

  async authorize(a: Attributes): Promise<AuthorizationResult> {
    const reasons: string[] = [];
    for (const z of this.authorizers) {
      const r = await z.authorize(a);
      if (r.decision !== "NoOpinion") return r;
      if (r.reason) reasons.push(r.reason);
    }
    return { decision: "NoOpinion", reason: reasons.join("\n") };
  }
}

/**
 * upstream's forbiddenMessage: `User "alice" cannot list resource "pods" in
 * API group "" in the namespace "default"`, or `... cannot get path "/x"`.
 */
export function forbiddenMessage(a: Attributes): string {
  const who = `User "${a.user.name}"`;
  if (!a.isResourceRequest) return `${who} cannot ${a.verb} path "${a.path}"`;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const where = a.namespace ? ` in the namespace "${a.namespace}"` : " at the cluster scope";
  return `${who} cannot ${a.verb} resource "${resource}" in API group "${a.apiGroup}"${where}`;
}
