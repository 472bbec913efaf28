// upstream's rangeAllocator (pkg/controller/nodeipam/ipam/range_allocator.go):
// one reconcile per Node. A node that has spec.podCIDRs has its blocks marked
// in use; a node without gets the next free block of each cluster CIDR,
// written with upstream's strategic-merge patch of spec.podCIDR and
// spec.podCIDRs; a node that is gone gives its blocks back.
//
// Unlike upstream, which releases in the informer's delete handler, the
// allocator remembers which node holds which blocks, so the release is a
// reconcile like any other, and a block handed out but not yet seen on the
// watch is patched again rather than a second block being taken.
import type { Node, ObjectReference } from "kubernetes-types/core/v1.d.ts";
import { ApiError } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import type { IndexerView } from "../../client/indexer.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import type { SharedInformer } from "../../client/shared-informer.ts";
import { Controller, type ReconcileResult, type Reconciler } from "../controller.ts";
import { CidrSet, formatCIDR, type IPNet, parseCIDR } from "./cidr-set.ts";

/** Attempts to write a node's podCIDRs before giving the blocks back (upstream's cidrUpdateRetries). */
const CIDR_UPDATE_RETRIES = 3;
/** upstream's cidrUpdateWorkers. */
export const CIDR_UPDATE_WORKERS = 30;

export interface RangeAllocatorOptions {
  client: RestClient;
  recorder: EventRecorder;
  clock: Clock;
  nodeInformer: SharedInformer<Node>;
  /** --cluster-cidr, one per IP family. */
  clusterCIDRs: IPNet[];
  /** --node-cidr-mask-size per cluster CIDR. */
  nodeCIDRMaskSizes: number[];
  log?(msg: string): void;
}

/** A block of cluster CIDR idx, as a string (what podCIDRs holds). */
interface Block {
  idx: number;
  cidr: string;
}

/**
 * What a node holds: its uid (a node recreated under the same name is another
 * node), its podCIDRs as last seen ([] while our patch is on its way), and the
 * blocks marked for it.
 */
interface Holding {
  uid: string;
  seen: string[];
  blocks: Block[];
}

/** The node's podCIDRs, or its podCIDR alone from a writer that set only that. */
function podCIDRsOf(node: Node): string[] {
  if (node.spec?.podCIDRs?.length) return node.spec.podCIDRs;
  return node.spec?.podCIDR ? [node.spec.podCIDR] : [];
}

/** upstream's RecordNodeStatusChange: a Normal event on the node, whose uid stands in as its name. */
function nodeRef(name: string): ObjectReference {
  return { apiVersion: "v1", kind: "Node", name, uid: name, namespace: "" };
}

export class RangeAllocator implements Reconciler {
  readonly controller: Controller;
  readonly cidrSets: CidrSet[];
  private readonly client: RestClient;
  private readonly recorder: EventRecorder;
  private readonly nodes: IndexerView<Node>;
  private readonly holdings = new Map<string, Holding>();
  private readonly log: (msg: string) => void;

  constructor(o: RangeAllocatorOptions) {
    this.client = o.client;
    this.recorder = o.recorder;
    this.log = o.log ?? (() => {});
    this.cidrSets = o.clusterCIDRs.map((c, i) => new CidrSet(c, o.nodeCIDRMaskSizes[i]));
    this.controller = new Controller({
      name: "cidrallocator_node",
      reconciler: this,
      clock: o.clock,
      log: o.log,
    });
    this.nodes = o.nodeInformer.getIndexer();
    o.nodeInformer.addEventHandler({
      onAdd: (n) => this.controller.enqueueObject(n),
      onUpdate: (_old, n) => this.controller.enqueueObject(n),
      onDelete: (n) => this.controller.enqueueObject(n),
    });
  }

  /**
   * Marks the podCIDRs of every node in the cache as used, before any node is
   * given a block (upstream does this with the node list it is created with).
   */
  occupyExisting(): void {
    for (const node of this.nodes.list()) {
      const cidrs = podCIDRsOf(node);
      if (cidrs.length > 0) this.occupy(node, cidrs);
    }
  }

  async reconcile(name: string): Promise<ReconcileResult | undefined> {
    const node = this.nodes.get(name);
    let held = this.holdings.get(name);
    if (!node) {
      if (held) this.releaseHolding(name, held);
      return undefined;
    }
    // Nodes have no finalizers: the blocks go when the node is gone.
    if (node.metadata?.deletionTimestamp) return undefined;
    const uid = node.metadata?.uid ?? "";
    if (held && held.uid !== uid) {
      this.releaseHolding(name, held);
      held = undefined;
    }
    const cidrs = podCIDRsOf(node);
    if (cidrs.length > 0) {
      this.occupy(node, cidrs);
      return undefined;
    }
    // Blocks handed out earlier whose patch the watch has not shown yet: write the same ones again.
    const blocks = held?.blocks.length ? held.blocks : this.allocate(node);
    this.holdings.set(name, { uid, seen: [], blocks });
    await this.updateCIDRsAllocation(name, blocks);
    return undefined;
  }

  /** occupyCIDRs: marks a node's podCIDRs used and remembers them as the node's. */
  private occupy(node: Node, cidrs: string[]): void {
    const name = node.metadata?.name ?? "";
    const uid = node.metadata?.uid ?? "";
    const previous = this.holdings.get(name);
    // Heartbeats update nodes every few seconds: nothing to do unless the CIDRs changed.
    if (previous?.uid === uid && sameStrings(previous.seen, cidrs)) return;
    const blocks: Block[] = [];
    for (const [idx, cidr] of cidrs.entries()) {
      let net: IPNet;
      try {
        net = parseCIDR(cidr);
      } catch {
        this.log(`failed to parse node ${name}, CIDR ${cidr}`);
        continue;
      }
      const set = this.cidrSets[idx];
      if (!set) {
        this.log(
          `node:${name} has an allocated cidr: ${cidr} at index:${idx} that does not exist in cluster cidrs configuration`,
        );
        continue;
      }
      // A block outside the cluster CIDR (a kubelet's --pod-cidr) cannot collide with ours: upstream
      // refuses to start over it, k8ts leaves it be.
      try {
        set.occupy(net);
      } catch (e) {
        this.log(
          `failed to mark cidr[${cidr}] at idx [${idx}] as occupied for node: ${name}: ${(e as Error).message}`,
        );
        continue;
      }
      const block = { idx, cidr: formatCIDR(net) };
      const other = this.holderOf(block, name);
      if (other) this.log(`node ${name} has podCIDR ${cidr}, which node ${other} has too`);
      blocks.push(block);
    }
    // Blocks we gave that the node does not have (it was recreated, or someone else set its CIDRs) go back.
    if (previous) {
      const stale = previous.blocks.filter((b) => !blocks.some((k) => k.idx === b.idx && k.cidr === b.cidr));
      this.holdings.set(name, { uid, seen: [...cidrs], blocks });
      this.releaseBlocks(name, stale);
      return;
    }
    this.holdings.set(name, { uid, seen: [...cidrs], blocks });
  }

  /** One block of each cluster CIDR; on exhaustion the CIDRNotAvailable event and an error (retried with backoff). */
  private allocate(node: Node): Block[] {
    const name = node.metadata?.name ?? "";
    const out: IPNet[] = [];
    for (const [idx, set] of this.cidrSets.entries()) {
      try {
        out.push(set.allocateNext());
      } catch (e) {
        for (const [i, got] of out.entries()) this.cidrSets[i].release(got);
        this.recorder.event(
          nodeRef(name),
          "Normal",
          "CIDRNotAvailable",
          `Node ${name} status is now: CIDRNotAvailable`,
        );
        throw new Error(`failed to allocate cidr from cluster cidr at idx:${idx}: ${(e as Error).message}`);
      }
    }
    return out.map((n, idx) => ({ idx, cidr: formatCIDR(n) }));
  }

  /** updateCIDRsAllocation: patches spec.podCIDR(s), or gives the blocks back if the node got others meanwhile. */
  private async updateCIDRsAllocation(name: string, blocks: Block[]): Promise<void> {
    const cidrs = blocks.map((b) => b.cidr);
    const node = this.nodes.get(name);
    const current = node ? podCIDRsOf(node) : [];
    if (current.length > 0) {
      if (sameStrings(current, cidrs)) return;
      this.log(`Node ${name} already has a CIDR allocated ${JSON.stringify(current)}. Releasing the new one`);
      this.holdings.delete(name);
      this.releaseBlocks(name, blocks);
      return;
    }
    let err: unknown;
    for (let i = 0; i < CIDR_UPDATE_RETRIES; i++) {
      try {
        // upstream's nodeutil.PatchNodeCIDRs.
        await this.client.patch(
          Resources.nodes,
          name,
          { spec: { podCIDR: cidrs[0], podCIDRs: cidrs } },
          { type: "strategic" },
        );
        this.log(`Set node ${name} PodCIDR to ${JSON.stringify(cidrs)}`);
        return;
      } catch (e) {
        err = e;
      }
    }
    this.log(
      `Failed to update node ${name} PodCIDR ${JSON.stringify(cidrs)} after multiple attempts: ${String(err)}`,
    );
    this.recorder.event(
      nodeRef(name),
      "Normal",
      "CIDRAssignmentFailed",
      `Node ${name} status is now: CIDRAssignmentFailed`,
    );
    // A server timeout may have written it after all: leak rather than hand the block out twice.
    if (!(err instanceof ApiError && err.reason === "ServerTimeout")) {
      this.holdings.delete(name);
      this.releaseBlocks(name, blocks);
    }
    throw new Error(`failed to patch node CIDR: ${(err as Error)?.message ?? err}`);
  }

  private releaseHolding(name: string, held: Holding): void {
    this.holdings.delete(name);
    this.releaseBlocks(name, held.blocks);
  }

  /** ReleaseCIDR, but a block another node also has (two kubelets given one --pod-cidr) stays used. */
  private releaseBlocks(name: string, blocks: Block[]): void {
    for (const b of blocks) {
      if (this.holderOf(b, name)) continue;
      try {
        this.cidrSets[b.idx]?.release(parseCIDR(b.cidr));
        this.log(`Released CIDR ${b.cidr} of node ${name}`);
      } catch (e) {
        this.log(`error when releasing CIDR ${b.cidr}: ${(e as Error).message}`);
      }
    }
  }

  /** Another node holding the block, if any. */
  private holderOf(block: Block, except: string): string | undefined {
    for (const [name, h] of this.holdings) {
      if (name !== except && h.blocks.some((b) => b.idx === block.idx && b.cidr === block.cidr)) return name;
    }
    return undefined;
  }
}

function sameStrings(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
