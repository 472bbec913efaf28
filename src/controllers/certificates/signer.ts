// upstream's pkg/controller/certificates/signer/signer.go: one signer per
// built-in signerName. It signs approved requests (not denied, not failed)
// for its signerName once they pass the signer's rules; a request that breaks
// them gets a Failed condition (reason SignerValidationFailure) instead.
import type {
  CertificateSigningRequest,
  CertificateSigningRequestCondition,
} from "kubernetes-types/certificates/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { SigningAuthority } from "./authority.ts";
import {
  hasTrueCondition,
  isCertificateRequestApproved,
  KUBE_APISERVER_CLIENT_KUBELET_SIGNER,
  KUBE_APISERVER_CLIENT_SIGNER,
  KUBELET_SERVING_SIGNER,
  LEGACY_UNKNOWN_SIGNER,
  requestBytes,
  validateAPIServerClientUsages,
  validateKubeletClientCSR,
  validateKubeletServingCSR,
} from "./helpers.ts";
import { type CertificateRequest, parseCSR } from "./x509.ts";

/** The error of the signer's rules, or undefined when the request may be signed. */
export type SignerRules = (req: CertificateRequest, usages: readonly string[]) => string | undefined;

/** getCSRVerificationFuncForSignerName. */
export function signerRules(signerName: string): SignerRules {
  switch (signerName) {
    case KUBELET_SERVING_SIGNER:
      return (req, usages) => validateKubeletServingCSR(req, new Set(usages));
    case KUBE_APISERVER_CLIENT_KUBELET_SIGNER:
      return (req, usages) => validateKubeletClientCSR(req, new Set(usages));
    case KUBE_APISERVER_CLIENT_SIGNER:
      return (_req, usages) => validateAPIServerClientUsages(usages);
    case LEGACY_UNKNOWN_SIGNER:
      // No restrictions, for backward compatibility in v1.
      return () => undefined;
    default:
      throw new Error(`unrecognized signerName: ${JSON.stringify(signerName)}`);
  }
}

/** The shortest certificate a request may ask for: twice the backdate. */
const MIN_DURATION_MS = 10 * 60 * 1000;
const BACKDATE_MS = 5 * 60 * 1000;
/** 5 minutes of backdating is roughly 1% of 8 hours. */
const SHORT_MS = 8 * 60 * 60 * 1000;

/** signer.duration: spec.expirationSeconds if given, between 10 minutes and the signer's TTL. */
export function certificateDurationMs(certTTLMs: number, expirationSeconds: number | undefined): number {
  if (expirationSeconds === undefined || expirationSeconds === null) return certTTLMs;
  const requested = expirationSeconds * 1000;
  if (requested > certTTLMs) return certTTLMs;
  if (requested < MIN_DURATION_MS) return MIN_DURATION_MS;
  return requested;
}

/** metav1.Now() on the wire: RFC 3339 in whole seconds. */
export function rfc3339(ms: number): string {
  return `${new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19)}Z`;
}

export interface SignerOptions {
  signerName: string;
  authority: SigningAuthority;
  /** --cluster-signing-duration: the longest certificate it issues. */
  certTTLMs: number;
  client: RestClient;
  clock: Clock;
}

export class CSRSigner {
  readonly signerName: string;
  private readonly rules: SignerRules;

  constructor(private readonly o: SignerOptions) {
    this.signerName = o.signerName;
    this.rules = signerRules(o.signerName);
  }

  /** signer.handle. */
  async handle(csr: CertificateSigningRequest): Promise<void> {
    // Ignore unapproved or failed requests.
    if (!isCertificateRequestApproved(csr) || hasTrueCondition(csr, "Failed")) return;
    // Fast path: not ours.
    if (csr.spec?.signerName !== this.signerName) return;
    const name = csr.metadata?.name ?? "";
    let req: CertificateRequest;
    try {
      req = await parseCSR(requestBytes(csr));
    } catch (e) {
      throw new Error(`unable to parse csr ${JSON.stringify(name)}: ${(e as Error).message}`);
    }
    const invalid = this.rules(req, csr.spec?.usages ?? []);
    if (invalid !== undefined) {
      const failed: CertificateSigningRequestCondition = {
        type: "Failed",
        status: "True",
        reason: "SignerValidationFailure",
        message: invalid,
        lastUpdateTime: rfc3339(this.o.clock.now()),
      };
      csr.status = { ...(csr.status ?? {}), conditions: [...(csr.status?.conditions ?? []), failed] };
      try {
        await this.updateStatus(csr);
      } catch (e) {
        throw new Error(`error adding failure condition for csr: ${(e as Error).message}`);
      }
      return;
    }
    let der: Buffer;
    try {
      der = await this.o.authority.sign(req, {
        ttlMs: certificateDurationMs(this.o.certTTLMs, csr.spec?.expirationSeconds),
        usages: csr.spec?.usages ?? [],
        // Always less than the shortest duration a request may ask for (see certificateDurationMs).
        backdateMs: BACKDATE_MS,
        shortMs: SHORT_MS,
        now: () => this.o.clock.now(),
      });
    } catch (e) {
      throw new Error(`error auto signing csr: ${(e as Error).message}`);
    }
    csr.status = {
      ...(csr.status ?? {}),
      certificate: Buffer.from(SigningAuthority.pem(der)).toString("base64"),
    };
    try {
      await this.updateStatus(csr);
    } catch (e) {
      throw new Error(`error updating signature for csr: ${(e as Error).message}`);
    }
  }

  private async updateStatus(csr: CertificateSigningRequest): Promise<void> {
    await this.o.client.update(Resources.certificatesigningrequests, csr, { subresource: "status" });
  }
}
