// Node printer: port of printNode. STATUS is Ready/NotReady/Unknown (+ ",SchedulingDisabled"); ROLES come from
// node-role.kubernetes.io/<role> and kubernetes.io/role labels.
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { ageColumn, nameColumn } from "./common.ts";
import { swaggerDoc } from "./descriptions.ts";
import { column, type PrintContext, type PrintedRow, type TablePrinter } from "./table.ts";
import { translateTimestampSince } from "./timestamp.ts";

const LABEL_NODE_ROLE_PREFIX = "node-role.kubernetes.io/";
const NODE_LABEL_ROLE = "kubernetes.io/role";

/** findNodeRoles: sorted, de-duplicated roles from the node's labels. */
export function findNodeRoles(node: Node): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(node.metadata?.labels ?? {})) {
    if (k.startsWith(LABEL_NODE_ROLE_PREFIX)) {
      const role = k.slice(LABEL_NODE_ROLE_PREFIX.length);
      if (role.length > 0) roles.add(role);
    } else if (k === NODE_LABEL_ROLE && v !== "") {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

function nodeAddress(node: Node, type: string): string {
  return node.status?.addresses?.find((a) => a.type === type)?.address ?? "<none>";
}

function printNode(node: Node, ctx: PrintContext): PrintedRow {
  // Later conditions of the same type win, as in the Go map.
  const conditionMap = new Map<string, string>();
  for (const c of node.status?.conditions ?? []) conditionMap.set(c.type, c.status);
  const status: string[] = [];
  for (const valid of ["Ready"]) {
    const s = conditionMap.get(valid);
    if (s !== undefined) status.push(s === "True" ? valid : `Not${valid}`);
  }
  if (status.length === 0) status.push("Unknown");
  if (node.spec?.unschedulable) status.push("SchedulingDisabled");

  const roles = findNodeRoles(node).join(",") || "<none>";
  const info = node.status?.nodeInfo;
  return {
    cells: [
      node.metadata?.name ?? "",
      status.join(","),
      roles,
      translateTimestampSince(node.metadata?.creationTimestamp, ctx.now),
      info?.kubeletVersion ?? "",
      nodeAddress(node, "InternalIP"),
      nodeAddress(node, "ExternalIP"),
      info?.osImage || "<unknown>",
      info?.kernelVersion || "<unknown>",
      info?.containerRuntimeVersion || "<unknown>",
    ],
  };
}

const nodeSystemInfo = swaggerDoc["apiv1.NodeSystemInfo"];

export const nodePrinter: TablePrinter<Node> = {
  columns: [
    nameColumn(),
    column("Status", "string", "The status of the node"),
    column("Roles", "string", "The roles of the node"),
    ageColumn(),
    column("Version", "string", nodeSystemInfo.kubeletVersion),
    column("Internal-IP", "string", swaggerDoc["apiv1.NodeStatus"].addresses, { priority: 1 }),
    column("External-IP", "string", swaggerDoc["apiv1.NodeStatus"].addresses, { priority: 1 }),
    column("OS-Image", "string", nodeSystemInfo.osImage, { priority: 1 }),
    column("Kernel-Version", "string", nodeSystemInfo.kernelVersion, { priority: 1 }),
    column("Container-Runtime", "string", nodeSystemInfo.containerRuntimeVersion, { priority: 1 }),
  ],
  print: printNode,
};
