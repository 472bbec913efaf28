// What the certificate controllers share: the built-in signer names
// (k8s.io/api/certificates/v1), the approval helpers of
// pkg/controller/certificates, and the kubelet CSR rules of
// pkg/apis/certificates/helpers.go.
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import type { CertificateRequest } from "./x509.ts";

export const KUBE_APISERVER_CLIENT_SIGNER = "kubernetes.io/kube-apiserver-client";
export const KUBE_APISERVER_CLIENT_KUBELET_SIGNER = "kubernetes.io/kube-apiserver-client-kubelet";
export const KUBELET_SERVING_SIGNER = "kubernetes.io/kubelet-serving";
export const LEGACY_UNKNOWN_SIGNER = "kubernetes.io/legacy-unknown";

/** GetCertApprovalCondition: any Approved and any Denied condition, whatever its status. */
export function getCertApprovalCondition(csr: CertificateSigningRequest): {
  approved: boolean;
  denied: boolean;
} {
  let approved = false;
  let denied = false;
  for (const c of csr.status?.conditions ?? []) {
    if (c.type === "Approved") approved = true;
    if (c.type === "Denied") denied = true;
  }
  return { approved, denied };
}

/** IsCertificateRequestApproved: Approved and not Denied. */
export function isCertificateRequestApproved(csr: CertificateSigningRequest): boolean {
  const { approved, denied } = getCertApprovalCondition(csr);
  return approved && !denied;
}

/** HasTrueCondition: a condition of the type whose status is True or empty. */
export function hasTrueCondition(csr: CertificateSigningRequest, type: string): boolean {
  return (csr.status?.conditions ?? []).some((c) => c.type === type && (!c.status || c.status === "True"));
}

/** The CSR's PEM request (spec.request is base64 on the wire). */
export function requestBytes(csr: CertificateSigningRequest): Buffer {
  return Buffer.from(csr.spec?.request ?? "", "base64");
}

/** sets.String.Equal of usages. */
function sameSet(usages: Set<string>, want: readonly string[]): boolean {
  return usages.size === want.length && want.every((u) => usages.has(u));
}

/** sets.String.List() printed with %v: sorted, in brackets. */
const goList = (xs: readonly string[]) => `[${[...xs].sort().join(" ")}]`;

const KUBELET_SERVING_USAGES = ["digital signature", "key encipherment", "server auth"];
const KUBELET_SERVING_USAGES_NO_RSA = ["digital signature", "server auth"];
const KUBELET_CLIENT_USAGES = ["digital signature", "key encipherment", "client auth"];
const KUBELET_CLIENT_USAGES_NO_RSA = ["digital signature", "client auth"];

const isSystemNodes = (o: string[]) => o.length === 1 && o[0] === "system:nodes";

/** ValidateKubeletServingCSR: the error message, or undefined when the request fits kubernetes.io/kubelet-serving. */
export function validateKubeletServingCSR(req: CertificateRequest, usages: Set<string>): string | undefined {
  if (!isSystemNodes(req.subject.organization)) return "subject organization is not system:nodes";
  if (req.dnsNames.length === 0 && req.ipAddresses.length === 0)
    return "DNS or IP subjectAltName is required";
  if (req.emailAddresses.length > 0) return "Email subjectAltNames are not allowed";
  if (req.uris.length > 0) return "URI subjectAltNames are not allowed";
  if (!sameSet(usages, KUBELET_SERVING_USAGES) && !sameSet(usages, KUBELET_SERVING_USAGES_NO_RSA)) {
    return `usages did not match ${goList(KUBELET_SERVING_USAGES)}`;
  }
  if (!req.subject.commonName.startsWith("system:node:")) {
    return "subject common name does not begin with system:node:";
  }
  return undefined;
}

/** ValidateKubeletClientCSR: the error message, or undefined when the request fits kubernetes.io/kube-apiserver-client-kubelet. */
export function validateKubeletClientCSR(req: CertificateRequest, usages: Set<string>): string | undefined {
  if (!isSystemNodes(req.subject.organization)) return "subject organization is not system:nodes";
  if (req.dnsNames.length > 0) return "DNS subjectAltNames are not allowed";
  if (req.emailAddresses.length > 0) return "Email subjectAltNames are not allowed";
  if (req.ipAddresses.length > 0) return "IP subjectAltNames are not allowed";
  if (req.uris.length > 0) return "URI subjectAltNames are not allowed";
  if (!req.subject.commonName.startsWith("system:node:")) {
    return "subject common name does not begin with system:node:";
  }
  if (!sameSet(usages, KUBELET_CLIENT_USAGES) && !sameSet(usages, KUBELET_CLIENT_USAGES_NO_RSA)) {
    return `usages did not match ${goList(KUBELET_CLIENT_USAGES)}`;
  }
  return undefined;
}

/** validAPIServerClientUsages (signer.go): client auth required; digital signature and key encipherment optional. */
export function validateAPIServerClientUsages(usages: readonly string[]): string | undefined {
  let hasClientAuth = false;
  for (const u of usages) {
    if (u === "digital signature" || u === "key encipherment") continue;
    if (u === "client auth") hasClientAuth = true;
    else return `invalid usage for client certificate: ${u}`;
  }
  return hasClientAuth ? undefined : "missing required usage for client certificate: client auth";
}
