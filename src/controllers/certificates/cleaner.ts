// upstream's pkg/controller/certificates/cleaner/cleaner.go: with requests
// made and approved automatically, CSRs pile up, so every hour the cleaner
// deletes those past their deadline — issued, denied or failed ones an hour
// after their condition was last updated, pending ones (no conditions) a day
// after creation, and issued ones whose certificate has expired.
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import { isNotFound } from "../../client/api-error.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { firstCertificateNotAfter } from "./x509.ts";

/** How often every CSR is checked. */
export const POLLING_INTERVAL_MS = 60 * 60 * 1000;
export const APPROVED_EXPIRATION_MS = 60 * 60 * 1000;
export const DENIED_EXPIRATION_MS = 60 * 60 * 1000;
export const PENDING_EXPIRATION_MS = 24 * 60 * 60 * 1000;

/** isOlderThan: a set time more than d before now. */
function isOlderThan(t: string | undefined, d: number, now: number): boolean {
  if (!t) return false;
  const ms = Date.parse(t);
  return !Number.isNaN(ms) && ms - now < -d;
}

/** isIssued: a certificate is there (kubectl shows "Issued"). */
const isIssued = (csr: CertificateSigningRequest) => !!csr.status?.certificate;

/** isExpired: the first certificate's NotAfter has passed; unparseable certificates never expire. */
function isExpired(csr: CertificateSigningRequest, now: number): boolean {
  if (!csr.status?.certificate) return false;
  const notAfter = firstCertificateNotAfter(Buffer.from(csr.status.certificate, "base64"));
  return notAfter !== undefined && now > notAfter.getTime();
}

/** Why the cleaner deletes the CSR now (upstream's log line), or undefined to keep it. */
export function cleanupReason(csr: CertificateSigningRequest, now: number): string | undefined {
  const conditions = csr.status?.conditions ?? [];
  const approvedAndIssued = conditions.filter((c) => c.type === "Approved" && isIssued(csr));
  if (approvedAndIssued.some((c) => isOlderThan(c.lastUpdateTime, APPROVED_EXPIRATION_MS, now))) {
    return "Cleaning CSR as it is more than approvedExpiration duration old and approved.";
  }
  if (
    conditions.some((c) => c.type === "Denied" && isOlderThan(c.lastUpdateTime, DENIED_EXPIRATION_MS, now))
  ) {
    return "Cleaning CSR as it is more than deniedExpiration duration old and denied.";
  }
  if (
    conditions.some((c) => c.type === "Failed" && isOlderThan(c.lastUpdateTime, DENIED_EXPIRATION_MS, now))
  ) {
    return "Cleaning CSR as it is more than deniedExpiration duration old and failed.";
  }
  // No conditions: kubectl shows it as Pending.
  if (conditions.length === 0 && isOlderThan(csr.metadata?.creationTimestamp, PENDING_EXPIRATION_MS, now)) {
    return "Cleaning CSR as it is more than pendingExpiration duration old and unhandled.";
  }
  if (approvedAndIssued.length > 0 && isExpired(csr, now)) {
    return "Cleaning CSR as the associated certificate is expired.";
  }
  return undefined;
}

export interface CSRCleanerOptions {
  client: RestClient;
  /** The CSRs in the informer's cache. */
  list(): CertificateSigningRequest[];
  clock: Clock;
  log(msg: string): void;
}

export class CSRCleaner {
  constructor(private readonly o: CSRCleanerOptions) {}

  /** One pass over every CSR (upstream's worker). */
  async cleanOnce(): Promise<void> {
    const now = this.o.clock.now();
    for (const csr of this.o.list()) {
      const name = csr.metadata?.name ?? "";
      const reason = cleanupReason(csr, now);
      if (!reason) continue;
      this.o.log(`${reason} csr=${JSON.stringify(name)}`);
      try {
        await this.o.client.delete(Resources.certificatesigningrequests, name);
      } catch (e) {
        if (isNotFound(e)) continue;
        this.o.log(
          `Error while attempting to clean CSR csr=${JSON.stringify(name)}: unable to delete CSR ${JSON.stringify(name)}: ${(e as Error).message}`,
        );
      }
    }
  }

  /** wait.UntilWithContext: a pass now, then one an hour after each pass ends, until the signal aborts. */
  async run(signal: AbortSignal): Promise<void> {
    this.o.log("Starting CSR cleaner controller");
    while (!signal.aborted) {
      await this.cleanOnce();
      await sleep(this.o.clock, POLLING_INTERVAL_MS, signal);
    }
    this.o.log("Shutting down CSR cleaner controller");
  }
}
