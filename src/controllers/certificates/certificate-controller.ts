// upstream's pkg/controller/certificates/certificate_controller.go: the loop
// the signers and the approver share. Every CSR event enqueues its name; a
// sync hands a copy of the cached CSR to the handler unless it is gone or
// already has a certificate. Its queue retries from 200 ms (not the default
// 5 ms): a CSR that fails is usually waiting for someone else.
import type { CertificateSigningRequest } from "kubernetes-types/certificates/v1.d.ts";
import type { Clock } from "../../client/clock.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import {
  BucketRateLimiter,
  ItemExponentialFailureRateLimiter,
  MaxOfRateLimiter,
} from "../../client/workqueue/rate-limiters.ts";
import { Controller, type ReconcileResult } from "../controller.ts";

/** upstream's IgnorableError: expected (waiting for a person or a permission); retried with backoff but not logged. */
export class IgnorableError extends Error {}

export type CSRHandler = (csr: CertificateSigningRequest) => Promise<void>;

export interface CertificateControllerOptions {
  /** The queue's name in metrics. */
  name: string;
  informer: SharedInformer<CertificateSigningRequest>;
  handler: CSRHandler;
  clock: Clock;
  log?(msg: string): void;
}

const BASE_DELAY_MS = 200;
const MAX_DELAY_MS = 1000 * 1000;

function rateLimiter(clock: Clock) {
  return new MaxOfRateLimiter<string>(
    new ItemExponentialFailureRateLimiter<string>(BASE_DELAY_MS, MAX_DELAY_MS),
    // 10 qps, 100 bucket size: only for retry speed, and only the overall factor (not per item).
    new BucketRateLimiter<string>(10, 100, clock),
  );
}

export function newCertificateController(o: CertificateControllerOptions): Controller {
  // Ignorable failures back off on their own schedule, so the controller does not log them as errors.
  const quiet = new ItemExponentialFailureRateLimiter<string>(BASE_DELAY_MS, MAX_DELAY_MS);
  const controller: Controller = new Controller({
    name: o.name,
    clock: o.clock,
    rateLimiter: rateLimiter(o.clock),
    log: o.log,
    reconciler: {
      async reconcile(key: string): Promise<ReconcileResult | undefined> {
        const csr = o.informer.getIndexer().get(key);
        if (!csr) {
          quiet.forget(key);
          return undefined;
        }
        // No need to do anything: it already has a certificate.
        if (csr.status?.certificate) return undefined;
        try {
          // A copy: the handler must not change the shared cache.
          await o.handler(structuredClone(csr));
        } catch (e) {
          if (e instanceof IgnorableError) return { requeueAfterMs: quiet.when(key) };
          throw e;
        }
        quiet.forget(key);
        return undefined;
      },
    },
  });
  o.informer.addEventHandler({
    onAdd: (csr) => controller.enqueueObject(csr),
    onUpdate: (_old, csr) => controller.enqueueObject(csr),
    onDelete: (csr) => controller.enqueueObject(csr),
  });
  return controller;
}
