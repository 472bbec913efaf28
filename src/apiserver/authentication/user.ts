// Who is asking (k8s.io/apiserver/pkg/authentication/user): a name, a uid,
// groups and extra attributes, as every authenticator produces and every
// authorizer and admission plugin reads.

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export const ANONYMOUS = "system:anonymous";
export const ALL_AUTHENTICATED = "system:authenticated";
export const ALL_UNAUTHENTICATED = "system:unauthenticated";
export const SYSTEM_MASTERS = "system:masters";
export const NODES_GROUP = "system:nodes";
export const SERVICE_ACCOUNTS_GROUP = "system:serviceaccounts";
export const SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

export const anonymousUser = (): UserInfo => ({ name: ANONYMOUS, groups: [ALL_UNAUTHENTICATED] });

/** Adds system:authenticated (once), as upstream's AuthenticatedGroupAdder does for every authenticated user. */
export function withAuthenticatedGroup(u: UserInfo): UserInfo {
  if (u.name === ANONYMOUS || u.groups.includes(ALL_AUTHENTICATED)) return u;
  return { ...u, groups: [...u.groups, ALL_AUTHENTICATED] };
}
