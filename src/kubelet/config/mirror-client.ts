// Mirror pods: the API's read-only copy of each static pod (upstream's
// pkg/kubelet/pod/mirror_client.go, v1.32, and the mirror pod part of
// Kubelet.SyncPod). A mirror pod is the static pod with the annotation
// kubernetes.io/config.mirror=<config hash> and, as NodeRestriction requires,
// a controller owner reference to this Node. syncMirrorPod keeps it current:
// it deletes a mirror that is being deleted or is out of date (uid
// precondition, grace 0) and creates one where there is none.
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import { isAlreadyExists, isConflict, isNotFound } from "../../client/api-error.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import {
  ConfigMirrorAnnotationKey,
  getHashFromMirrorPod,
  getPodHash,
  isMirrorPodOf,
  isStaticPod,
  parsePodFullName,
  podFullName,
} from "./annotations.ts";

export interface MirrorClientOptions {
  client: RestClient;
  nodeName: string;
  /** The Node as last seen (KubeletContext.node()); read from the API when it has no uid yet. */
  node?: () => Node | undefined;
  log?(msg: string, fields?: Record<string, unknown>): void;
}

/**
 * What syncMirrorPod did: "in-sync" nothing to do; "created" there was none;
 * "recreated" an outdated one replaced; "deleted" an outdated one deleted but
 * not replaced (see the log); "skipped" no Node to own it (unknown or being
 * deleted); "failed" the API refused (logged; the next sync tries again).
 */
export type MirrorSyncResult = "in-sync" | "created" | "recreated" | "deleted" | "skipped" | "failed";

export class MirrorClient {
  constructor(private readonly opts: MirrorClientOptions) {}

  /** Creates the mirror pod of a static pod; an existing mirror with the same hash is success. */
  async createMirrorPod(pod: Pod): Promise<void> {
    const hash = getPodHash(pod);
    // NodeRestriction lets a node create only pods owned by (controller) itself.
    const nodeUID = await this.getNodeUID();
    const metadata = pod.metadata ?? {};
    const mirror: Pod = {
      ...pod,
      apiVersion: "v1",
      kind: "Pod",
      metadata: {
        ...metadata,
        annotations: { ...metadata.annotations, [ConfigMirrorAnnotationKey]: hash },
        ownerReferences: [
          { apiVersion: "v1", kind: "Node", name: this.opts.nodeName, uid: nodeUID, controller: true },
        ],
      },
    };
    try {
      await this.opts.client.create(Resources.pods, mirror, { namespace: metadata.namespace });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
      // The same pod, created before: nothing to do.
      const existing = await this.opts.client.get<Pod>(Resources.pods, metadata.name ?? "", {
        namespace: metadata.namespace,
      });
      if (getHashFromMirrorPod(existing) !== hash) throw err;
    }
  }

  /**
   * Deletes the mirror pod with this full name (name_namespace), with grace 0 and,
   * given a uid, only if it is still that pod. True if it was deleted; a pod
   * already gone or replaced is false, not an error. Throws only for a bad name.
   */
  async deleteMirrorPod(fullName: string, uid?: string): Promise<boolean> {
    const { name, namespace } = parsePodFullName(fullName);
    this.opts.log?.("Deleting a mirror pod", { pod: `${namespace}/${name}`, podUID: uid ?? "" });
    try {
      await this.opts.client.delete(Resources.pods, name, {
        namespace,
        gracePeriodSeconds: 0,
        preconditions: uid ? { uid } : undefined,
      });
      return true;
    } catch (err) {
      // A failed uid precondition answers Conflict.
      if (!isNotFound(err) && !isConflict(err)) {
        this.opts.log?.("Failed deleting a mirror pod", { pod: `${namespace}/${name}`, err: String(err) });
      }
      return false;
    }
  }

  /**
   * Makes the API's mirror of staticPod current (Kubelet.SyncPod): a mirror that is
   * being deleted or no longer matches the static pod's hash is deleted, and a
   * missing one is created.
   */
  async syncMirrorPod(staticPod: Pod, mirrorPod: Pod | undefined): Promise<MirrorSyncResult> {
    if (!isStaticPod(staticPod)) return "in-sync";
    let deleted = false;
    if (mirrorPod) {
      if (mirrorPod.metadata?.deletionTimestamp || !isMirrorPodOf(mirrorPod, staticPod)) {
        // Semantically different from the static pod: remove it; it is made again below.
        this.opts.log?.("Trying to delete pod", { pod: podName(staticPod), podUID: mirrorPod.metadata?.uid });
        deleted = await this.deleteMirrorPod(podFullName(staticPod), mirrorPod.metadata?.uid);
        if (deleted)
          this.opts.log?.("Deleted mirror pod because it is outdated", { pod: podName(mirrorPod) });
      }
    }
    if (mirrorPod && !deleted) return "in-sync";

    let node: Node;
    try {
      node = await this.getNode();
    } catch (err) {
      this.opts.log?.("No need to create a mirror pod, since failed to get node info from the cluster", {
        node: this.opts.nodeName,
        err: String(err),
      });
      return deleted ? "deleted" : "skipped";
    }
    if (node.metadata?.deletionTimestamp) {
      this.opts.log?.("No need to create a mirror pod, since node has been removed from the cluster", {
        node: this.opts.nodeName,
      });
      return deleted ? "deleted" : "skipped";
    }
    this.opts.log?.("Creating a mirror pod for static pod", { pod: podName(staticPod) });
    try {
      await this.createMirrorPod(staticPod);
    } catch (err) {
      this.opts.log?.("Failed creating a mirror pod for", { pod: podName(staticPod), err: String(err) });
      return deleted ? "deleted" : "failed";
    }
    return deleted ? "recreated" : "created";
  }

  private async getNode(): Promise<Node> {
    const known = this.opts.node?.();
    if (known?.metadata?.uid) return known;
    return this.opts.client.get<Node>(Resources.nodes, this.opts.nodeName);
  }

  private async getNodeUID(): Promise<string> {
    let node: Node;
    try {
      node = await this.getNode();
    } catch (err) {
      throw new Error(`failed to get node UID: ${err instanceof Error ? err.message : String(err)}`);
    }
    const uid = node.metadata?.uid;
    if (!uid) throw new Error(`failed to get node UID: UID unset for node ${this.opts.nodeName}`);
    return uid;
  }
}

function podName(pod: Pod): string {
  return `${pod.metadata?.namespace ?? ""}/${pod.metadata?.name ?? ""}`;
}
