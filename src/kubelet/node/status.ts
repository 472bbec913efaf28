// The node status loop (upstream's Kubelet.syncNodeStatus / updateNodeStatus /
// tryUpdateNodeStatus with updateRuntimeUp folded in): every
// nodeStatusUpdateFrequency (10 s) ask the runtime how it is, run the status
// setters on a copy of the Node, and PATCH nodes/<name>/status only if
// something other than heartbeat times changed, or if nodeStatusReportFrequency
// (5 min) has passed since the last write. The Lease is the heartbeat; this is
// the report. One timer per kubelet.
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import type { Image, ImageService, RuntimeService } from "../runtime/interface.ts";
import type { KubeletContext } from "../types.ts";
import type { CapacityOptions, NodeAllocatableConfig } from "./capacity.ts";
import type { MachineInfo } from "./machine-info.ts";
import { nodeStatusHasChanged, nodeStatusPatch } from "./node-status-patch.ts";
import { LABEL_ARCH_STABLE, LABEL_OS_STABLE } from "./registration.ts";
import { RuntimeState } from "./runtime-state.ts";
import {
  daemonEndpoints,
  diskPressureCondition,
  goRuntime,
  images,
  machineInfo,
  memoryPressureCondition,
  nodeAddress,
  pidPressureCondition,
  type RecordNodeEvent,
  readyCondition,
  type Setter,
  schedulableEvent,
  versionInfo,
  volumesInUse,
} from "./setters.ts";

/** nodeStatusUpdateFrequency: how often status is computed and compared. */
export const NODE_STATUS_UPDATE_FREQUENCY_MS = 10_000;
/** nodeStatusReportFrequency: the longest time between two writes of an unchanged status. */
export const NODE_STATUS_REPORT_FREQUENCY_MS = 5 * 60_000;
/** nodeStatusUpdateRetry. */
const NODE_STATUS_UPDATE_RETRY = 5;
const JITTER_FACTOR = 0.04;

export interface NodeStatusOptions {
  runtime: Pick<RuntimeService, "status" | "version">;
  images: Pick<ImageService, "listImages">;
  /** hostMachineInfo(...) for this machine, hollowMachineInfo(...) for a hollow node. */
  machineInfo: MachineInfo;
  /** Default the node name. */
  hostname?: string;
  /** --node-ip; default the address of the default route's interface. */
  nodeIP?: string;
  /** The kubelet server's port (daemonEndpoints.kubeletEndpoint.Port); default 10250. */
  kubeletPort?: number;
  /** --max-pods, --pods-per-core. */
  capacity?: CapacityOptions;
  /** --kube-reserved, --system-reserved, --eviction-hard. */
  allocatable?: NodeAllocatableConfig;
  /** --node-status-max-images; default 50, -1 for all. */
  maxImages?: number;
  /** The eviction manager's answers; no pressure by default. */
  pressure?: { memory?: () => boolean; disk?: () => boolean; pid?: () => boolean };
  /** The volume manager's volumes in use; undefined until it has synced. */
  volumesInUse?: () => string[] | undefined;
  /** Records an event on this Node (NodeReady, NodeHasSufficientMemory, NodeRebooted…). */
  recordNodeEvent?: RecordNodeEvent;
  updateFrequencyMs?: number;
  reportFrequencyMs?: number;
  /** A number in [0,1) for the interval's jitter. */
  random?: () => number;
}

export class NodeStatusManager {
  /** The kubelet's view of the container runtime (runtimeState). */
  readonly runtimeState: RuntimeState;
  private readonly setters: Setter[];
  private readonly updateFrequencyMs: number;
  private readonly reportFrequencyMs: number;
  private readonly random: () => number;
  private last?: Node;
  /** The cached Node may be behind the apiserver's: read it before the next update. */
  private stale = false;
  private lastStatusReportTime?: number;
  private runtimeType: string;
  private runtimeVersion?: string;
  private imageList?: Image[];
  private cancelTimer?: () => void;
  private inflight?: Promise<void>;
  private running = false;

  constructor(
    private readonly ctx: KubeletContext,
    private readonly opts: NodeStatusOptions,
  ) {
    this.runtimeState = new RuntimeState(ctx.clock);
    this.updateFrequencyMs = opts.updateFrequencyMs ?? NODE_STATUS_UPDATE_FREQUENCY_MS;
    this.reportFrequencyMs = opts.reportFrequencyMs ?? NODE_STATUS_REPORT_FREQUENCY_MS;
    this.random = opts.random ?? Math.random;
    this.runtimeType = "";
    const now = () => ctx.clock.now();
    const info = () => opts.machineInfo;
    const recordStatusEvent = (type: "Normal" | "Warning", event: string) =>
      opts.recordNodeEvent?.(type, event, `Node ${ctx.nodeName} status is now: ${event}`);
    const never = () => false;
    // defaultNodeStatusFuncs, in upstream's order (conditions end with Ready).
    this.setters = [
      nodeAddress({ nodeIP: opts.nodeIP, hostname: opts.hostname ?? ctx.nodeName }),
      machineInfo({
        nodeName: ctx.nodeName,
        machineInfo: info,
        capacity: opts.capacity,
        allocatable: opts.allocatable,
        recordEvent: opts.recordNodeEvent,
      }),
      versionInfo({
        machineInfo: info,
        runtimeType: () => this.runtimeType,
        runtimeVersion: () => this.runtimeVersion,
      }),
      daemonEndpoints(opts.kubeletPort ?? 10250),
      images({ maxImages: opts.maxImages, imageList: () => this.imageList }),
      goRuntime(info),
      memoryPressureCondition(now, opts.pressure?.memory ?? never, recordStatusEvent),
      diskPressureCondition(now, opts.pressure?.disk ?? never, recordStatusEvent),
      pidPressureCondition(now, opts.pressure?.pid ?? never, recordStatusEvent),
      readyCondition({
        now,
        runtimeErrors: () => this.runtimeState.runtimeErrors(),
        networkErrors: () => this.runtimeState.networkErrors(),
        storageErrors: () => this.runtimeState.storageErrors(),
        recordEvent: recordStatusEvent,
      }),
      volumesInUse(opts.volumesInUse ?? (() => undefined)),
      schedulableEvent(recordStatusEvent),
    ];
  }

  /** The Node as last registered, written or observed (for admission, the fake runtime's podCIDR…). */
  node(): Node | undefined {
    return this.last;
  }

  /** A newer Node from elsewhere (registration, a node informer): the next update starts from it. */
  observe(node: Node): void {
    const rv = (n?: Node) => Number(n?.metadata?.resourceVersion ?? 0);
    if (!this.last || rv(node) >= rv(this.last)) {
      this.last = node;
      this.stale = false;
    }
  }

  /** The cached Node may be out of date (e.g. heartbeats failed): read it from the apiserver next time. */
  invalidate(): void {
    this.stale = true;
  }

  /** Kubelet.updateRuntimeUp plus what the setters need from the runtime (version, images). */
  async updateRuntimeUp(): Promise<void> {
    await this.runtimeState.update(this.opts.runtime);
    try {
      const v = await this.opts.runtime.version();
      this.runtimeType = v.runtimeName;
      this.runtimeVersion = v.runtimeVersion;
    } catch {
      this.runtimeVersion = undefined;
    }
    try {
      this.imageList = await this.opts.images.listImages();
    } catch {
      this.imageList = undefined;
    }
  }

  /**
   * Kubelet.setNodeStatus: runs every setter on node in place. A failing setter
   * is logged and the rest still run. Registration passes this to initialNode.
   */
  async setNodeStatus(node: Node): Promise<void> {
    await this.updateRuntimeUp();
    this.applySetters(node);
  }

  private applySetters(node: Node): void {
    for (const set of this.setters) {
      try {
        set(node);
      } catch (e) {
        this.ctx.log("Failed to set some node status fields", { node: this.ctx.nodeName, err: String(e) });
      }
    }
  }

  /** Starts the loop: a sync now, then one every updateFrequency (plus up to 4% jitter) after each ends. */
  start(node?: Node): void {
    if (node) this.observe(node);
    if (this.running) return;
    this.running = true;
    this.tick();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    await this.idle();
  }

  /** Resolves when no sync is running. */
  async idle(): Promise<void> {
    while (this.inflight) await this.inflight;
  }

  private tick(): void {
    const run = this.syncNodeStatus()
      .catch((e) => this.ctx.log("Unable to update node status", { err: String(e) }))
      .finally(() => {
        if (this.inflight === run) this.inflight = undefined;
        if (!this.running) return;
        const wait = this.updateFrequencyMs * (1 + this.random() * JITTER_FACTOR);
        this.cancelTimer = this.ctx.clock.after(wait, () => this.tick());
      });
    this.inflight = run;
  }

  /** One round (updateNodeStatus): up to 5 tries; rejects when all fail. */
  async syncNodeStatus(): Promise<void> {
    await this.updateRuntimeUp();
    let lastErr: unknown;
    for (let i = 0; i < NODE_STATUS_UPDATE_RETRY; i++) {
      try {
        await this.tryUpdateNodeStatus(i);
        return;
      } catch (e) {
        lastErr = e;
        this.stale = true;
        this.ctx.log("Error updating node status, will retry", { err: String(e) });
      }
    }
    throw new Error(`update node status exceeds retry count: ${String(lastErr)}`);
  }

  /**
   * tryUpdateNodeStatus: the first try starts from the cached Node (upstream's
   * lister); retries, a stale cache and the periodic report read it fresh.
   */
  private async tryUpdateNodeStatus(tryNumber: number): Promise<void> {
    const now = this.ctx.clock.now();
    const reportDue =
      this.lastStatusReportTime === undefined || now - this.lastStatusReportTime >= this.reportFrequencyMs;
    let original = this.last;
    if (!original || tryNumber > 0 || this.stale || reportDue) {
      original = await this.ctx.client.get<Node>(Resources.nodes, this.ctx.nodeName);
      this.last = original;
      this.stale = false;
    }
    const { node, changed } = this.updateNode(original);
    if (!changed && !reportDue) return;
    const updated = await this.ctx.client.patch<Node>(
      Resources.nodes,
      this.ctx.nodeName,
      nodeStatusPatch(original, node),
      {
        type: "strategic",
        subresource: "status",
      },
    );
    this.lastStatusReportTime = now;
    this.last = updated;
  }

  /** updateNode: a copy of original with status set, and whether anything but heartbeats changed. */
  private updateNode(original: Node): { node: Node; changed: boolean } {
    const node = deepCopyJson(original);
    node.metadata ??= {};
    node.metadata.labels ??= {};
    const labels = node.metadata.labels;
    let requiredLabelsMissing = false;
    const { operatingSystem, architecture } = this.opts.machineInfo;
    if (labels[LABEL_OS_STABLE] !== operatingSystem) {
      labels[LABEL_OS_STABLE] = operatingSystem;
      requiredLabelsMissing = true;
    }
    if (labels[LABEL_ARCH_STABLE] !== architecture) {
      labels[LABEL_ARCH_STABLE] = architecture;
      requiredLabelsMissing = true;
    }
    this.applySetters(node);
    return { node, changed: requiredLabelsMissing || nodeStatusHasChanged(original.status, node.status) };
  }
}
