// upstream's pkg/controller/certificates/approver/sarapprove.go: approves
// kubelet client certificate requests when a SubjectAccessReview says the
// requester may: "create certificatesigningrequests/selfnodeclient" to renew
// its own node certificate, "…/nodeclient" to ask for a new node's (what
// bootstrap tokens are given). Anything else waits for a person
// (`kubectl certificate approve`).
import type {
  CertificateSigningRequest,
  CertificateSigningRequestCondition,
} from "kubernetes-types/certificates/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { KubeObject, ResourceRef, RestClient } from "../../client/rest-client.ts";
import { IgnorableError } from "./certificate-controller.ts";
import {
  getCertApprovalCondition,
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  requestBytes,
  validateKubeletClientCSR,
} from "./helpers.ts";
import { rfc3339 } from "./signer.ts";
import { type CertificateRequest, parseCSR } from "./x509.ts";

const SUBJECT_ACCESS_REVIEWS: ResourceRef = {
  group: "authorization.k8s.io",
  version: "v1",
  resource: "subjectaccessreviews",
  namespaced: false,
};

interface SubjectAccessReview extends KubeObject {
  spec: Record<string, unknown>;
  status?: { allowed?: boolean };
}

interface ResourceAttributes {
  group: string;
  resource: string;
  verb: string;
  subresource: string;
}

export interface CSRRecognizer {
  recognize(csr: CertificateSigningRequest, req: CertificateRequest): boolean;
  permission: ResourceAttributes;
  successMessage: string;
}

/** isNodeClientCert: a request for kube-apiserver-client-kubelet that passes the kubelet client rules. */
export function isNodeClientCert(csr: CertificateSigningRequest, req: CertificateRequest): boolean {
  if (csr.spec?.signerName !== KUBE_APISERVER_CLIENT_KUBELET_SIGNER) return false;
  return validateKubeletClientCSR(req, new Set(csr.spec?.usages ?? [])) === undefined;
}

/** isSelfNodeClientCert: a node client request whose CN is the requester itself. */
export function isSelfNodeClientCert(csr: CertificateSigningRequest, req: CertificateRequest): boolean {
  if (csr.spec?.username !== req.subject.commonName) return false;
  return isNodeClientCert(csr, req);
}

/** recognizers(): renewal first, then a new node. */
export function recognizers(): CSRRecognizer[] {
  const permission = (subresource: string): ResourceAttributes => ({
    group: "certificates.k8s.io",
    resource: "certificatesigningrequests",
    verb: "create",
    subresource,
  });
  return [
    {
      recognize: isSelfNodeClientCert,
      permission: permission("selfnodeclient"),
      successMessage: "Auto approving self kubelet client certificate after SubjectAccessReview.",
    },
    {
      recognize: isNodeClientCert,
      permission: permission("nodeclient"),
      successMessage: "Auto approving kubelet client certificate after SubjectAccessReview.",
    },
  ];
}

export interface SARApproverOptions {
  client: RestClient;
  clock: Clock;
}

export class SARApprover {
  private readonly recognizers = recognizers();

  constructor(private readonly o: SARApproverOptions) {}

  /** sarApprover.handle. */
  async handle(csr: CertificateSigningRequest): Promise<void> {
    if (csr.status?.certificate) return;
    const { approved, denied } = getCertApprovalCondition(csr);
    if (approved || denied) return;
    const name = csr.metadata?.name ?? "";
    let req: CertificateRequest;
    try {
      req = await parseCSR(requestBytes(csr));
    } catch (e) {
      throw new Error(`unable to parse csr ${JSON.stringify(name)}: ${(e as Error).message}`);
    }
    const tried: string[] = [];
    for (const r of this.recognizers) {
      if (!r.recognize(csr, req)) continue;
      tried.push(r.permission.subresource);
      if (await this.authorize(csr, r.permission)) {
        const now = rfc3339(this.o.clock.now());
        const condition: CertificateSigningRequestCondition = {
          type: "Approved",
          status: "True",
          reason: "AutoApproved",
          message: r.successMessage,
          // upstream's apiserver fills these in on /approval; set here so the cleaner can age the request.
          lastUpdateTime: now,
          lastTransitionTime: now,
        };
        csr.status = { ...(csr.status ?? {}), conditions: [...(csr.status?.conditions ?? []), condition] };
        try {
          await this.o.client.update(Resources.certificatesigningrequests, csr, { subresource: "approval" });
        } catch (e) {
          throw new Error(`error updating approval for csr: ${(e as Error).message}`);
        }
        return;
      }
    }
    if (tried.length > 0) {
      throw new IgnorableError(
        `recognized csr ${JSON.stringify(name)} as [${tried.join(" ")}] but subject access review was not approved`,
      );
    }
  }

  /** sarApprover.authorize: a SubjectAccessReview for the requester as the apiserver recorded it. */
  private async authorize(csr: CertificateSigningRequest, attrs: ResourceAttributes): Promise<boolean> {
    const spec: Record<string, unknown> = {
      user: csr.spec?.username ?? "",
      groups: csr.spec?.groups ?? [],
      resourceAttributes: attrs,
    };
    if (csr.spec?.uid) spec.uid = csr.spec.uid;
    if (csr.spec?.extra) spec.extra = csr.spec.extra;
    const review: SubjectAccessReview = {
      apiVersion: "authorization.k8s.io/v1",
      kind: "SubjectAccessReview",
      spec,
    };
    const sar = await this.o.client.create(SUBJECT_ACCESS_REVIEWS, review);
    return sar.status?.allowed === true;
  }
}
