// DefaultBinder: binds through the pods/binding subresource, the only way the
// scheduler puts a pod on a node.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import type { BindPlugin, Handle, PluginFactory } from "../framework/interface.ts";
import type { Result } from "../framework/status.ts";

export const NAME = "DefaultBinder";

export class DefaultBinder implements BindPlugin {
  readonly name = NAME;
  constructor(private readonly handle: Handle) {}

  async bind(_state: CycleState, pod: Pod, nodeName: string): Promise<Result> {
    await this.handle.api.bindPod(pod, nodeName);
    return null;
  }
}

export const newDefaultBinder: PluginFactory = (_args, handle) => new DefaultBinder(handle);
