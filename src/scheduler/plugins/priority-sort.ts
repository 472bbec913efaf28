// PrioritySort: the active queue pops the highest priority first, then the
// pod that has waited longest.
import type { PluginFactory } from "../framework/interface.ts";
import type { QueuedPodInfo, QueueSortPlugin } from "../framework/runtime.ts";

export const NAME = "PrioritySort";

export class PrioritySort implements QueueSortPlugin {
  readonly name = NAME;

  less(a: QueuedPodInfo, b: QueuedPodInfo): boolean {
    const p1 = a.pod.spec?.priority ?? 0;
    const p2 = b.pod.spec?.priority ?? 0;
    return p1 > p2 || (p1 === p2 && a.timestamp < b.timestamp);
  }
}

export const newPrioritySort: PluginFactory = () => new PrioritySort();
