// The kubelet's /metrics (upstream's pkg/kubelet/metrics names): what runs on
// the node, read from the runtime at scrape time, the runtime operations the
// kubelet made, and the process figures every component exposes.
import { processMetrics } from "../machinery/metrics.ts";
import type { RuntimeMetrics } from "./runtime/instrumented.ts";
import type { RuntimeService } from "./runtime/interface.ts";

const CONTAINER_STATES: Record<string, string> = {
  CONTAINER_CREATED: "created",
  CONTAINER_RUNNING: "running",
  CONTAINER_EXITED: "exited",
  CONTAINER_UNKNOWN: "unknown",
};

export async function kubeletMetrics(o: {
  nodeName: string;
  runtime: Pick<RuntimeService, "listPodSandbox" | "listContainers">;
  runtimeMetrics: RuntimeMetrics;
}): Promise<string> {
  const [sandboxes, containers] = await Promise.all([o.runtime.listPodSandbox(), o.runtime.listContainers()]);
  const byState = new Map<string, number>(Object.values(CONTAINER_STATES).map((s) => [s, 0]));
  for (const c of containers) {
    const s = CONTAINER_STATES[c.state] ?? "unknown";
    byState.set(s, (byState.get(s) ?? 0) + 1);
  }
  return [
    "# HELP kubelet_node_name The node's name. The count is always 1.",
    "# TYPE kubelet_node_name gauge",
    `kubelet_node_name{node="${o.nodeName}"} 1`,
    "# HELP kubelet_running_pods Number of pods that have a running pod sandbox",
    "# TYPE kubelet_running_pods gauge",
    `kubelet_running_pods ${sandboxes.filter((s) => s.state === "SANDBOX_READY").length}`,
    "# HELP kubelet_running_containers Number of containers currently running",
    "# TYPE kubelet_running_containers gauge",
    ...[...byState].map(([state, n]) => `kubelet_running_containers{container_state="${state}"} ${n}`),
    o.runtimeMetrics.render(),
    processMetrics(),
  ].join("\n");
}
