// What the CertificateSigningRequest admission plugins share
// (plugin/pkg/admission/certificates/util.go): who may approve or sign for a
// signerName is asked of the authorizer as a verb on the synthetic `signers`
// resource, named after the signer or after its whole domain ("example.com/*").
import { SYSTEM_MASTERS, type UserInfo } from "../../authentication/user.ts";
import type { Attributes, Authorizer } from "../../authorization/authorizer.ts";
import type { AdmissionAttributes } from "../admission.ts";

export const CERTIFICATES_GROUP = "certificates.k8s.io";
export const KUBE_APISERVER_CLIENT_SIGNER_NAME = "kubernetes.io/kube-apiserver-client";

/** The signer authorizer of an apiserver built without one: only system:masters may approve or sign. */
export const mastersOnly: Authorizer = {
  authorize: (a) => ({
    decision: a.user.groups.includes(SYSTEM_MASTERS) ? "Allow" : "NoOpinion",
    reason: "",
  }),
};

/** The request is on certificatesigningrequests (of any version) with this subresource. */
export function isCSRRequest(a: AdmissionAttributes, subresource: string): boolean {
  return (
    a.resource.group === CERTIFICATES_GROUP &&
    a.resource.resource === "certificatesigningrequests" &&
    a.subresource === subresource
  );
}

function signerAttributes(user: UserInfo, verb: string, name: string): Attributes {
  return {
    user,
    verb,
    isResourceRequest: true,
    path: "",
    namespace: "",
    apiGroup: CERTIFICATES_GROUP,
    apiVersion: "*",
    resource: "signers",
    subresource: "",
    name,
  };
}

async function allowed(authz: Authorizer, a: Attributes): Promise<boolean> {
  try {
    return (await authz.authorize(a)).decision === "Allow";
  } catch {
    // Upstream logs an authorizer error and treats it as not allowed.
    return false;
  }
}

/**
 * IsAuthorizedForSignerName: `verb` on signers named signerName, else on
 * "<domain>/*" (the part before the first "/"), so one grant covers a domain.
 */
export async function isAuthorizedForSignerName(
  authz: Authorizer,
  user: UserInfo,
  verb: string,
  signerName: string,
): Promise<boolean> {
  if (await allowed(authz, signerAttributes(user, verb, signerName))) return true;
  const domain = signerName.split("/")[0];
  return allowed(authz, signerAttributes(user, verb, `${domain}/*`));
}
