// Who a service account is as a user (k8s.io/apiserver/pkg/authentication/serviceaccount):
// the name system:serviceaccount:<ns>:<name>, its groups, and the extra
// attributes a bound token adds (pod, node, credential id).
import { isDNS1123Label, isDNS1123Subdomain } from "../../machinery/validation.ts";
import { SERVICE_ACCOUNT_PREFIX, SERVICE_ACCOUNTS_GROUP, type UserInfo } from "./user.ts";

export const SERVICE_ACCOUNT_GROUP_PREFIX = "system:serviceaccounts:";

/** Keys of UserInfo.extra for service-account tokens, as upstream names them. */
export const CREDENTIAL_ID_KEY = "authentication.kubernetes.io/credential-id";
export const POD_NAME_KEY = "authentication.kubernetes.io/pod-name";
export const POD_UID_KEY = "authentication.kubernetes.io/pod-uid";
export const NODE_NAME_KEY = "authentication.kubernetes.io/node-name";
export const NODE_UID_KEY = "authentication.kubernetes.io/node-uid";

/** MakeUsername: system:serviceaccount:<namespace>:<name>. */
export function makeUsername(namespace: string, name: string): string {
  return `${SERVICE_ACCOUNT_PREFIX}${namespace}:${name}`;
}

/** MakeGroupNames: every service account is in system:serviceaccounts and its namespace's group. */
export function makeGroupNames(namespace: string): string[] {
  return [SERVICE_ACCOUNTS_GROUP, `${SERVICE_ACCOUNT_GROUP_PREFIX}${namespace}`];
}

/** SplitUsername: the namespace and name of a service-account user name, undefined for any other name. */
export function splitUsername(username: string): { namespace: string; name: string } | undefined {
  if (!username.startsWith(SERVICE_ACCOUNT_PREFIX)) return undefined;
  const parts = username.slice(SERVICE_ACCOUNT_PREFIX.length).split(":");
  if (parts.length !== 2) return undefined;
  const [namespace, name] = parts;
  // ValidateNamespaceName and ValidateServiceAccountName.
  if (isDNS1123Label(namespace).length > 0) return undefined;
  if (isDNS1123Subdomain(name).length > 0) return undefined;
  return { namespace, name };
}

/** CredentialIDForJTI: how a token's jti is recorded in the user's extra. */
export function credentialIDForJTI(jti: string | undefined): string {
  return jti ? `JTI=${jti}` : "";
}

/** ServiceAccountInfo: what a validated service-account token says about its holder. */
export interface ServiceAccountInfo {
  namespace: string;
  name: string;
  uid: string;
  podName?: string;
  podUID?: string;
  nodeName?: string;
  nodeUID?: string;
  credentialID?: string;
}

/** ServiceAccountInfo.UserInfo(). */
export function serviceAccountUser(sa: ServiceAccountInfo): UserInfo {
  const extra: Record<string, string[]> = {};
  if (sa.podName && sa.podUID) {
    extra[POD_NAME_KEY] = [sa.podName];
    extra[POD_UID_KEY] = [sa.podUID];
  }
  if (sa.credentialID) extra[CREDENTIAL_ID_KEY] = [sa.credentialID];
  if (sa.nodeName) {
    extra[NODE_NAME_KEY] = [sa.nodeName];
    // The node uid is optional and only ever set together with the name.
    if (sa.nodeUID) extra[NODE_UID_KEY] = [sa.nodeUID];
  }
  const u: UserInfo = {
    name: makeUsername(sa.namespace, sa.name),
    uid: sa.uid,
    groups: makeGroupNames(sa.namespace),
  };
  if (Object.keys(extra).length > 0) u.extra = extra;
  return u;
}
