// Node defaults (SetDefaults_NodeStatus): a node that reports capacity but no
// allocatable can allocate all of its capacity.

import type { Node } from "kubernetes-types/core/v1.d.ts";
import { clone, isUnset, type JsonObject, mapLen, structAt } from "./json.ts";

export function defaultNode(node: Node | JsonObject): void {
  const status = structAt(node as JsonObject, "status");
  if (!status) return;
  if (isUnset(status.allocatable) && mapLen(status.capacity) > 0) status.allocatable = clone(status.capacity);
}
