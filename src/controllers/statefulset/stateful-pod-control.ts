// upstream's StatefulPodControl (stateful_pod_control.go): creates a pod's
// claims before the pod, keeps a pod's identity and storage in line with the
// set, deletes pods, and keeps the claims' owner references in line with the
// retention policy. Events read as upstream's: "create Pod web-0 in
// StatefulSet web successful", "create Claim data-web-0 Pod web-0 in
// StatefulSet web success".
import type { StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { PersistentVolumeClaim, Pod } from "kubernetes-types/core/v1.d.ts";
import { isAlreadyExists, isConflict } from "../../client/api-error.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import {
  getPersistentVolumeClaimRetentionPolicy,
  hasStaleOwnerRef,
  hasUnexpectedController,
  isClaimOwnerUpToDate,
  updateClaimOwnerRefForSetAndPod,
} from "./claim-retention.ts";
import {
  getOrdinal,
  getPersistentVolumeClaimName,
  getPersistentVolumeClaims,
  identityMatches,
  POD_KIND,
  storageMatches,
  updateIdentity,
  updateStorage,
} from "./identity.ts";

/** retry.DefaultBackoff's steps: how often an update is tried when it conflicts. */
const UPDATE_ATTEMPTS = 4;

export interface StatefulPodControlOptions {
  client: RestClient;
  recorder: EventRecorder;
  /** The claims cache. */
  claims: IndexerView<PersistentVolumeClaim>;
}

/** utilerrors.NewAggregate: nothing for no errors, the error itself for one, "[a, b]" for more. */
export function aggregate(errs: Error[]): Error | undefined {
  if (errs.length === 0) return undefined;
  if (errs.length === 1) return errs[0];
  return new AggregateError(errs, `[${errs.map((e) => e.message).join(", ")}]`);
}

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function title(verb: string): string {
  return verb.charAt(0).toUpperCase() + verb.slice(1);
}

export class StatefulPodControl {
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly claims: IndexerView<PersistentVolumeClaim>;

  constructor(o: StatefulPodControlOptions) {
    this.client = o.client;
    this.recorder = o.recorder;
    this.claims = o.claims;
  }

  private getClaim(namespace: string, name: string): PersistentVolumeClaim | undefined {
    return this.claims.get(`${namespace}/${name}`);
  }

  /** Creates the pod's missing claims, then the pod, then sets the claims' owners. An existing pod is an error without an event. */
  async createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.createPersistentVolumeClaims(set, pod);
    } catch (e) {
      this.recordPodEvent("create", set, pod, e);
      throw e;
    }
    let err: unknown;
    try {
      await this.client.create(Resources.pods, pod as Pod & { metadata: object }, {
        namespace: pod.metadata?.namespace,
      });
    } catch (e) {
      err = e;
    }
    if (err !== undefined && isAlreadyExists(err)) throw err;
    // Set the claims' owners as far as possible now (upstream does this even when the create failed).
    try {
      await this.updatePodClaimForRetentionPolicy(set, pod);
    } catch (e) {
      this.recordPodEvent("update", set, pod, e);
      throw e;
    }
    this.recordPodEvent("create", set, pod, err);
    if (err !== undefined) throw err;
  }

  /**
   * Brings an existing pod's identity, storage and claim owners in line with
   * set and writes it back; a no-op when everything matches.
   */
  async updateStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    let attempted = false;
    let err: unknown;
    for (let attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
      err = undefined;
      try {
        let consistent = true;
        if (!identityMatches(set, pod)) {
          updateIdentity(set, pod);
          consistent = false;
        }
        if (!storageMatches(set, pod)) {
          updateStorage(set, pod);
          consistent = false;
          try {
            await this.createPersistentVolumeClaims(set, pod);
          } catch (e) {
            this.recordPodEvent("update", set, pod, e);
            throw e;
          }
        }
        if (!this.claimsMatchRetentionPolicy(set, pod)) {
          try {
            await this.updatePodClaimForRetentionPolicy(set, pod);
          } catch (e) {
            this.recordPodEvent("update", set, pod, e);
            throw e;
          }
          consistent = false;
        }
        if (consistent) return;
        attempted = true;
        try {
          await this.client.update(Resources.pods, pod as Pod & { metadata: object }, {
            namespace: set.metadata?.namespace,
          });
          break;
        } catch (e) {
          // Start again from the pod as it is now.
          if (isConflict(e)) {
            pod = await this.client.get<Pod>(Resources.pods, pod.metadata?.name ?? "", {
              namespace: set.metadata?.namespace,
            });
          }
          throw e;
        }
      } catch (e) {
        err = e;
        if (!isConflict(e)) break;
      }
    }
    if (attempted) this.recordPodEvent("update", set, pod, err);
    if (err !== undefined) throw err;
  }

  async deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    let err: unknown;
    try {
      await this.client.delete(Resources.pods, pod.metadata?.name ?? "", {
        namespace: pod.metadata?.namespace,
      });
    } catch (e) {
      err = e;
    }
    this.recordPodEvent("delete", set, pod, err);
    if (err !== undefined) throw err;
  }

  /** False when a claim of pod that exists has owner references that disagree with the set's policy. */
  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    const ordinal = getOrdinal(pod);
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const claim = this.getClaim(
        set.metadata?.namespace ?? "",
        getPersistentVolumeClaimName(set, template, ordinal),
      );
      // A missing claim is picked up on a later sync.
      if (claim && !isClaimOwnerUpToDate(claim, set, pod)) return false;
    }
    return true;
  }

  /** Rewrites the owner references of pod's claims to follow set's retention policy. */
  async updatePodClaimForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    const ordinal = getOrdinal(pod);
    for (const template of set.spec?.volumeClaimTemplates ?? []) {
      const claimName = getPersistentVolumeClaimName(set, template, ordinal);
      const cached = this.getClaim(set.metadata?.namespace ?? "", claimName);
      if (!cached) continue;
      if (hasUnexpectedController(cached, set, pod)) {
        this.recorder.event(
          set,
          "Warning",
          "ConflictingController",
          `PersistentVolumeClaim ${claimName} has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim`,
        );
      }
      if (isClaimOwnerUpToDate(cached, set, pod)) continue;
      const claim = structuredClone(cached);
      updateClaimOwnerRefForSetAndPod(claim, set, pod);
      try {
        await this.client.update(
          Resources.persistentvolumeclaims,
          claim as PersistentVolumeClaim & { metadata: object },
          {
            namespace: claim.metadata?.namespace,
          },
        );
      } catch (e) {
        throw new Error(`could not update claim ${claimName} for delete policy ownerRefs: ${message(e)}`, {
          cause: e,
        });
      }
    }
  }

  /**
   * With whenScaled: Delete, a claim that still names an earlier pod of this
   * ordinal blocks the new pod until the garbage collector has removed it.
   */
  podClaimIsStale(set: StatefulSet, pod: Pod): boolean {
    if (getPersistentVolumeClaimRetentionPolicy(set).whenScaled === "Retain") return false;
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const pvc = this.getClaim(claim.metadata?.namespace ?? "", claim.metadata?.name ?? "");
      if (pvc && hasStaleOwnerRef(pvc, pod, POD_KIND)) return true;
    }
    return false;
  }

  /** For a pending pod: creates claims that went missing and sets their owners. */
  async createMissingPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    await this.createPersistentVolumeClaims(set, pod);
    try {
      await this.updatePodClaimForRetentionPolicy(set, pod);
    } catch (e) {
      this.recordPodEvent("update", set, pod, e);
      throw e;
    }
  }

  /** Creates each claim of pod that is not in the cache; a claim being deleted is an error. */
  async createPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errs: Error[] = [];
    for (const claim of getPersistentVolumeClaims(set, pod).values()) {
      const name = claim.metadata?.name ?? "";
      const existing = this.getClaim(claim.metadata?.namespace ?? "", name);
      if (!existing) {
        let err: unknown;
        try {
          await this.client.create(
            Resources.persistentvolumeclaims,
            claim as PersistentVolumeClaim & { metadata: object },
            {
              namespace: claim.metadata?.namespace,
            },
          );
        } catch (e) {
          err = e;
          errs.push(new Error(`failed to create PVC ${name}: ${message(e)}`, { cause: e }));
        }
        if (err === undefined || !isAlreadyExists(err)) this.recordClaimEvent("create", set, pod, claim, err);
      } else if (existing.metadata?.deletionTimestamp) {
        errs.push(new Error(`pvc ${name} is being deleted`));
      }
    }
    const err = aggregate(errs);
    if (err) throw err;
  }

  private recordPodEvent(verb: string, set: StatefulSet, pod: Pod, err: unknown): void {
    const name = pod.metadata?.name;
    const setName = set.metadata?.name;
    if (err === undefined) {
      this.recorder.event(
        set,
        "Normal",
        `Successful${title(verb)}`,
        `${verb} Pod ${name} in StatefulSet ${setName} successful`,
      );
    } else {
      this.recorder.event(
        set,
        "Warning",
        `Failed${title(verb)}`,
        `${verb} Pod ${name} in StatefulSet ${setName} failed error: ${message(err)}`,
      );
    }
  }

  private recordClaimEvent(
    verb: string,
    set: StatefulSet,
    pod: Pod,
    claim: PersistentVolumeClaim,
    err: unknown,
  ): void {
    const claimName = claim.metadata?.name;
    const podName = pod.metadata?.name;
    const setName = set.metadata?.name;
    if (err === undefined) {
      this.recorder.event(
        set,
        "Normal",
        `Successful${title(verb)}`,
        `${verb} Claim ${claimName} Pod ${podName} in StatefulSet ${setName} success`,
      );
    } else {
      this.recorder.event(
        set,
        "Warning",
        `Failed${title(verb)}`,
        `${verb} Claim ${claimName} for Pod ${podName} in StatefulSet ${setName} failed error: ${message(err)}`,
      );
    }
  }
}
