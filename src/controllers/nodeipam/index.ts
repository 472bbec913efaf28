// Node IPAM (upstream's pkg/controller/nodeipam with the RangeAllocator): every
// node gets a pod CIDR block of --cluster-cidr, unless it already has one.
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../client/resources.ts";
import type { ControllerContext, ControllerDescriptor, InitializedController } from "../context.ts";
import { type IPNet, parseCIDR } from "./cidr-set.ts";
import { CIDR_UPDATE_WORKERS, RangeAllocator } from "./range-allocator.ts";

export {
  CIDR_RANGE_NO_CIDRS_REMAINING,
  CIDR_SET_SUBNET_TOO_BIG,
  CidrSet,
  formatCIDR,
  formatIP,
  type IPNet,
  parseCIDR,
} from "./cidr-set.ts";
export { CIDR_UPDATE_WORKERS, RangeAllocator, type RangeAllocatorOptions } from "./range-allocator.ts";

export const DEFAULT_CLUSTER_CIDR = "10.244.0.0/16";
/** upstream's defaults: --node-cidr-mask-size-ipv4 24, --node-cidr-mask-size-ipv6 64. */
const DEFAULT_NODE_CIDR_MASK_SIZE_IPV4 = 24;
const DEFAULT_NODE_CIDR_MASK_SIZE_IPV6 = 64;

/** --cluster-cidr ("a,b" for dual stack) and the node mask size of each family. */
export function clusterCIDRsFromConfig(
  clusterCIDR: string,
  nodeCIDRMaskSize: number | undefined,
): { clusterCIDRs: IPNet[]; nodeCIDRMaskSizes: number[] } {
  const clusterCIDRs = clusterCIDR
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s !== "")
    .map(parseCIDR);
  if (clusterCIDRs.length === 0) throw new Error("NodeIpamController expected non-empty clusterCIDRs");
  if (
    clusterCIDRs.length > 2 ||
    (clusterCIDRs.length === 2 && clusterCIDRs[0].bits === clusterCIDRs[1].bits)
  ) {
    throw new Error("len of clusters cidrs is:2 and it must be dualstack (one IPv4 and one IPv6)");
  }
  const nodeCIDRMaskSizes = clusterCIDRs.map((c) =>
    c.bits === 32
      ? (nodeCIDRMaskSize ?? DEFAULT_NODE_CIDR_MASK_SIZE_IPV4)
      : // One --node-cidr-mask-size is an IPv4 size; IPv6 takes upstream's own default.
        DEFAULT_NODE_CIDR_MASK_SIZE_IPV6,
  );
  for (const [i, c] of clusterCIDRs.entries()) {
    if (c.prefix > nodeCIDRMaskSizes[i]) {
      throw new Error(
        "controller: Invalid --cluster-cidr, mask size of cluster CIDR must be less than or equal to --node-cidr-mask-size configured for CIDR family",
      );
    }
  }
  return { clusterCIDRs, nodeCIDRMaskSizes };
}

function init(ctx: ControllerContext): InitializedController {
  // upstream: "--allocate-node-cidrs is false: skipping" (the controller does not start).
  if (ctx.config.allocateNodeCIDRs === false) return { controllers: [], run: async () => {} };
  const { clusterCIDRs, nodeCIDRMaskSizes } = clusterCIDRsFromConfig(
    ctx.config.clusterCIDR ?? DEFAULT_CLUSTER_CIDR,
    ctx.config.nodeCIDRMaskSize,
  );
  const allocator = new RangeAllocator({
    client: ctx.client,
    recorder: ctx.recorder,
    clock: ctx.clock,
    nodeInformer: ctx.informers.forResource<Node>(Resources.nodes),
    clusterCIDRs,
    nodeCIDRMaskSizes,
    log: ctx.log,
  });
  return {
    controllers: [allocator.controller],
    async run() {
      // Every block a node has is taken before the first node is given one.
      allocator.occupyExisting();
      await allocator.controller.run(CIDR_UPDATE_WORKERS, ctx.signal);
    },
  };
}

export const nodeIpamControllerDescriptor: ControllerDescriptor = {
  name: "node-ipam-controller",
  aliases: ["nodeipam"],
  // upstream's startNodeIpamController runs as the node controller's account.
  serviceAccount: "node-controller",
  eventSource: "cidrAllocator",
  init,
};
