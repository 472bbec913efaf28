// ImageLocality (pkg/scheduler/framework/plugins/imagelocality, v1.32): prefer
// nodes that already hold the pod's images, weighting each image by its size
// and by how widely it has spread, so that pods do not pile onto the few
// nodes that happen to have a large image ("node heating").
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import {
  type Handle,
  MAX_NODE_SCORE,
  type PluginFactory,
  type PreScorePlugin,
  type ScorePlugin,
} from "../framework/interface.ts";
import type { ImageStateSummary, NodeInfo } from "../framework/node-info.ts";
import type { Result } from "../framework/status.ts";

export const NAME = "ImageLocality";

const preScoreStateKey = `PreScore${NAME}`;

// Bounds of the image score: the size range of 90% of Docker Hub's images.
const mb = 1024 * 1024;
const minThreshold = 23 * mb;
const maxContainerThreshold = 1000 * mb;

/**
 * normalizedImageName: the CRI name of an image as node.status.images lists
 * it; a reference without a tag (the last ':' is not after the last '/') gets
 * ":latest". Digests (`name@sha256:...`) are kept as they are.
 */
export function normalizedImageName(name: string): string {
  if (name.lastIndexOf(":") <= name.lastIndexOf("/")) return `${name}:latest`;
  return name;
}

/** The image's size scaled by the fraction of nodes that have it. */
function scaledImageScore(state: ImageStateSummary, totalNumNodes: number): number {
  const spread = state.numNodes / totalNumNodes;
  return Math.trunc(state.size * spread);
}

/** The node's priority: the summed image scores, clamped to [23MB, 1000MB × containers], scaled to [0, 100]. */
export function calculatePriority(sumScores: number, numContainers: number): number {
  const maxThreshold = maxContainerThreshold * numContainers;
  if (sumScores < minThreshold) sumScores = minThreshold;
  else if (sumScores > maxThreshold) sumScores = maxThreshold;
  const score = Math.trunc((MAX_NODE_SCORE * (sumScores - minThreshold)) / (maxThreshold - minThreshold));
  return score === 0 ? 0 : score; // no -0 for a pod without containers
}

/** Per-pod work done once in PreScore (not an upstream extension point of this plugin; Score falls back). */
interface PreScoreState {
  /** Normalized image names of the init containers and containers. */
  images: string[];
  totalNumNodes: number;
}

function podImages(pod: Pod): string[] {
  const images: string[] = [];
  for (const c of pod.spec?.initContainers ?? []) images.push(normalizedImageName(c.image ?? ""));
  for (const c of pod.spec?.containers ?? []) images.push(normalizedImageName(c.image ?? ""));
  return images;
}

export class ImageLocality implements PreScorePlugin, ScorePlugin {
  readonly name = NAME;

  constructor(private readonly handle: Handle) {}

  preScore(state: CycleState, pod: Pod, _nodes: NodeInfo[]): Result {
    const s: PreScoreState = {
      images: podImages(pod),
      totalNumNodes: this.handle.snapshot().nodeInfoList.length,
    };
    state.write(preScoreStateKey, s);
    return null;
  }

  score(state: CycleState, pod: Pod, nodeInfo: NodeInfo): number {
    const s = state.read<PreScoreState>(preScoreStateKey) ?? {
      images: podImages(pod),
      totalNumNodes: this.handle.snapshot().nodeInfoList.length,
    };
    // sumImageScores: init containers count too (their count is in numContainers).
    let sum = 0;
    const imageStates = nodeInfo.imageStates;
    for (let i = 0; i < s.images.length; i++) {
      const st = imageStates.get(s.images[i]);
      if (st) sum += scaledImageScore(st, s.totalNumNodes);
    }
    return calculatePriority(sum, s.images.length);
  }
}

export const newImageLocality: PluginFactory = (_args, handle) => new ImageLocality(handle);
