// Runs postStart and preStop hooks (upstream's pkg/kubelet/lifecycle/handlers.go,
// v1.32): exec through the runtime's ExecSync and sleep on the kubelet's clock.
// httpGet hooks are not run yet: they succeed without a request.
import type { Container, LifecycleHandler, Pod } from "kubernetes-types/core/v1.d.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import type { RuntimeService } from "../runtime/interface.ts";
import { formatPod } from "./format.ts";
import { errorMessage } from "./helpers.ts";

export interface HandlerResult {
  /** What to report when the hook failed (upstream keeps it out of events: it may hold secrets). */
  message: string;
  error?: Error;
}

export class HandlerRunner {
  constructor(
    private readonly runtime: Pick<RuntimeService, "execSync">,
    private readonly clock: Clock,
  ) {}

  async run(containerId: string, pod: Pod, c: Container, handler: LifecycleHandler): Promise<HandlerResult> {
    if (handler.exec) {
      const cmd = handler.exec.command ?? [];
      let output = "";
      let error: Error | undefined;
      try {
        // No timeout, as upstream: preStop is bounded by the grace period instead.
        const r = await this.runtime.execSync(containerId, cmd, 0);
        output = r.stdout.toString("utf8") + r.stderr.toString("utf8");
        if (r.exitCode !== 0) {
          error = new Error(
            `command '${cmd.join(" ")}' exited with ${r.exitCode}: ${r.stderr.toString("utf8")}`,
          );
        }
      } catch (err) {
        error = err instanceof Error ? err : new Error(String(err));
      }
      if (!error) return { message: "" };
      return {
        message: `Exec lifecycle hook ([${cmd.join(" ")}]) for Container "${c.name}" in Pod "${formatPod(pod)}" failed - error: ${errorMessage(error)}, message: ${JSON.stringify(output)}`,
        error,
      };
    }
    if (handler.sleep) {
      await sleep(this.clock, Math.max(0, handler.sleep.seconds) * 1000);
      return { message: "" };
    }
    if (handler.httpGet) return { message: "" };
    const error = new Error(`invalid handler: ${JSON.stringify(handler)}`);
    return { message: `Cannot run handler: ${error.message}`, error };
  }
}
