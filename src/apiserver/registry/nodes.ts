// Nodes: a status write (the kubelet's) may change metadata — labels,
// annotations — but not spec (upstream's nodeStatusStrategy.PrepareForUpdate
// resets spec only), so a restarted kubelet can restore its own labels.
import type { Obj } from "../../api/registry.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";
import { GenericStrategy } from "./strategy.ts";

export class NodeStrategy extends GenericStrategy {
  override prepareForStatusUpdate(node: Obj, old: Obj): void {
    node.spec = deepCopyJson(old.spec);
  }
}
