// The node's heartbeat: the Lease kube-node-lease/<node>, renewed every
// renewInterval (component-helpers/apimachinery/lease controller.go with the
// kubelet's SetNodeOwnerFunc). Renewal PUTs the lease last written, without a
// GET, because nobody else writes it; a conflict or a missing lease falls back
// to get-or-create with backoff from 200 ms to 7 s. One timer per kubelet.

import type { Lease } from "kubernetes-types/coordination/v1.d.ts";
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { isConflict, isNotFound } from "../../client/api-error.ts";
import { sleep } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import type { KubeletContext } from "../types.ts";

/** v1.NamespaceNodeLease. */
export const NODE_LEASE_NAMESPACE = "kube-node-lease";
/** The kubelet's default nodeLeaseDurationSeconds. */
export const DEFAULT_LEASE_DURATION_SECONDS = 40;
/** nodeLeaseRenewIntervalFraction. */
export const RENEW_INTERVAL_FRACTION = 0.25;
/** maxUpdateRetries: immediate retries of a renewal before waiting for the next interval. */
const MAX_UPDATE_RETRIES = 5;
/** maxBackoff of backoffEnsureLease. */
const MAX_BACKOFF_MS = 7_000;
/** wait.JitterUntil's factor in Run. */
const JITTER_FACTOR = 0.04;

export interface NodeLeaseOptions {
  /** Default 40. */
  leaseDurationSeconds?: number;
  /** Default leaseDurationSeconds × 0.25 (10 s). */
  renewIntervalMs?: number;
  /** Called when renewal fails more than once in a row (upstream closes the heartbeat connections). */
  onRepeatedHeartbeatFailure?: () => void;
  /** A number in [0,1) for the interval's jitter. */
  random?: () => number;
}

/** metav1.MicroTime's JSON form: RFC 3339 with microseconds. */
export function microTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$1000Z");
}

export class NodeLeaseController {
  private readonly leaseDurationSeconds: number;
  private readonly renewIntervalMs: number;
  private readonly random: () => number;
  private latestLease?: Lease;
  private cancelTimer?: () => void;
  private inflight?: Promise<void>;
  private abort?: AbortController;

  constructor(
    private readonly ctx: KubeletContext,
    private readonly opts: NodeLeaseOptions = {},
  ) {
    this.leaseDurationSeconds = opts.leaseDurationSeconds ?? DEFAULT_LEASE_DURATION_SECONDS;
    this.renewIntervalMs = opts.renewIntervalMs ?? this.leaseDurationSeconds * 1000 * RENEW_INTERVAL_FRACTION;
    this.random = opts.random ?? Math.random;
  }

  /** The lease as last written or read. */
  lease(): Lease | undefined {
    return this.latestLease;
  }

  /** Runs sync now and then every renewInterval (plus up to 4% jitter) after each one ends. */
  start(): void {
    if (this.abort) return;
    this.abort = new AbortController();
    this.tick();
  }

  async stop(): Promise<void> {
    this.abort?.abort();
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.inflight;
    this.abort = undefined;
  }

  /** Resolves when no sync is running. */
  async idle(): Promise<void> {
    while (this.inflight) await this.inflight;
  }

  private tick(): void {
    const run = this.sync()
      .catch((e) => this.ctx.log("node lease sync failed", { err: String(e) }))
      .finally(() => {
        if (this.inflight === run) this.inflight = undefined;
        if (!this.abort || this.abort.signal.aborted) return;
        const wait = this.renewIntervalMs * (1 + this.random() * JITTER_FACTOR);
        this.cancelTimer = this.ctx.clock.after(wait, () => this.tick());
      });
    this.inflight = run;
  }

  /** One renewal (controller.sync): update the known lease, else ensure it exists and update it. */
  async sync(): Promise<void> {
    if (this.latestLease) {
      try {
        await this.retryUpdateLease(this.latestLease);
        return;
      } catch (e) {
        this.ctx.log("failed to update lease using latest lease, fallback to ensure lease", {
          err: String(e),
        });
      }
    }
    const { lease, created } = await this.backoffEnsureLease();
    this.latestLease = lease;
    // A lease just created needs no update.
    if (lease && !created) {
      try {
        await this.retryUpdateLease(lease);
      } catch (e) {
        this.ctx.log("Will retry updating lease", { err: String(e), interval: this.renewIntervalMs });
      }
    }
  }

  /** backoffEnsureLease: get-or-create until it works (200 ms doubling to 7 s between tries), or stop. */
  private async backoffEnsureLease(): Promise<{ lease?: Lease; created: boolean }> {
    let sleepMs = 100;
    for (;;) {
      try {
        return await this.ensureLease();
      } catch (e) {
        sleepMs = Math.min(2 * sleepMs, MAX_BACKOFF_MS);
        this.ctx.log("Failed to ensure lease exists, will retry", { err: String(e), interval: sleepMs });
        const signal = this.abort?.signal;
        if (signal?.aborted) return { created: false };
        await sleep(this.ctx.clock, sleepMs, signal);
        if (signal?.aborted) return { created: false };
      }
    }
  }

  /**
   * ensureLease: the lease, created when missing. A lease that cannot be built
   * (its owner Node not readable yet) is not created this time, without error:
   * the next interval tries again.
   */
  private async ensureLease(): Promise<{ lease?: Lease; created: boolean }> {
    try {
      const lease = await this.ctx.client.get<Lease>(Resources.leases, this.ctx.nodeName, {
        namespace: NODE_LEASE_NAMESPACE,
      });
      return { lease, created: false };
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const { lease: toCreate, ok } = await this.newLease(undefined);
    if (!ok) return { created: false };
    const lease = await this.ctx.client.create(Resources.leases, toCreate, {
      namespace: NODE_LEASE_NAMESPACE,
    });
    return { lease, created: true };
  }

  /** retryUpdateLease: up to 5 PUTs; a conflict re-reads the lease first. */
  private async retryUpdateLease(base: Lease | undefined): Promise<void> {
    for (let i = 0; i < MAX_UPDATE_RETRIES; i++) {
      const { lease: toUpdate } = await this.newLease(base);
      try {
        this.latestLease = await this.ctx.client.update(Resources.leases, toUpdate, {
          namespace: NODE_LEASE_NAMESPACE,
        });
        return;
      } catch (e) {
        this.ctx.log("Failed to update lease", { err: String(e) });
        // An optimistic-lock failure needs the newer lease to go on.
        if (isConflict(e)) {
          base = (await this.backoffEnsureLease()).lease;
          continue;
        }
        if (i > 0) this.opts.onRepeatedHeartbeatFailure?.();
      }
    }
    throw new Error(`failed ${MAX_UPDATE_RETRIES} attempts to update lease`);
  }

  /**
   * newLease: a fresh lease (or a copy of base) renewed now, owned by the Node.
   * ok is false when the owner could not be set (setNodeOwnerFunc's error).
   */
  private async newLease(base: Lease | undefined): Promise<{ lease: Lease; ok: boolean }> {
    const lease: Lease = base
      ? deepCopyJson(base)
      : {
          apiVersion: "coordination.k8s.io/v1",
          kind: "Lease",
          metadata: { name: this.ctx.nodeName, namespace: NODE_LEASE_NAMESPACE },
          spec: { holderIdentity: this.ctx.nodeName, leaseDurationSeconds: this.leaseDurationSeconds },
        };
    lease.spec ??= {};
    lease.spec.renewTime = microTime(this.ctx.clock.now());
    // The owner needs the Node's UID, which may not exist yet: try on every renewal until it does.
    if (!lease.metadata?.ownerReferences?.length) {
      try {
        const node = await this.ctx.client.get<Node>(Resources.nodes, this.ctx.nodeName);
        lease.metadata ??= {};
        lease.metadata.ownerReferences = [
          { apiVersion: "v1", kind: "Node", name: this.ctx.nodeName, uid: node.metadata?.uid ?? "" },
        ];
      } catch (e) {
        this.ctx.log("Failed to get node when trying to set owner ref to the node lease", {
          node: this.ctx.nodeName,
          err: String(e),
        });
        return { lease, ok: false };
      }
    }
    return { lease, ok: true };
  }
}
