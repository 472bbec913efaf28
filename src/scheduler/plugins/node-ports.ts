// NodePorts (pkg/scheduler/framework/plugins/nodeports, v1.32): a pod's host
// ports must be free on the node. PreFilter collects the pod's host ports once;
// Filter checks them against NodeInfo.usedPorts, where 0.0.0.0 conflicts with
// every address.
import type { ContainerPort, Pod } from "kubernetes-types/core/v1.d.ts";
import type { CycleState } from "../framework/cycle-state.ts";
import type {
  ClusterEvent,
  EnqueueExtensions,
  FilterPlugin,
  PluginFactory,
  PreFilterPlugin,
  PreFilterResult,
} from "../framework/interface.ts";
import type { HostPortInfo, NodeInfo } from "../framework/node-info.ts";
import { asStatus, type Result, skip, unschedulable } from "../framework/status.ts";

export const NAME = "NodePorts";

const preFilterStateKey = `PreFilter${NAME}`;

export const ERR_REASON = "node(s) didn't have free ports for the requested pod ports";

/**
 * util.GetHostPorts: the ports with a hostPort of the pod's containers and of
 * its restartable (sidecar) init containers, which run as long as the pod.
 */
export function getHostPorts(pod: Pod): ContainerPort[] {
  const ports: ContainerPort[] = [];
  const spec = pod.spec;
  for (const c of spec?.initContainers ?? []) {
    if (c.restartPolicy !== "Always") continue;
    for (const p of c.ports ?? []) if ((p.hostPort ?? 0) > 0) ports.push(p);
  }
  for (const c of spec?.containers ?? []) {
    for (const p of c.ports ?? []) if ((p.hostPort ?? 0) > 0) ports.push(p);
  }
  return ports;
}

function fitsPorts(wantPorts: readonly ContainerPort[], portsInUse: HostPortInfo): boolean {
  for (let i = 0; i < wantPorts.length; i++) {
    const cp = wantPorts[i];
    if (portsInUse.conflicts(cp.hostIP, cp.protocol, cp.hostPort ?? 0)) return false;
  }
  return true;
}

/** Fits: are the pod's host ports free on the node? (The kubelet's admission reuses it.) */
export function fits(pod: Pod, nodeInfo: NodeInfo): boolean {
  return fitsPorts(getHostPorts(pod), nodeInfo.usedPorts);
}

export class NodePorts implements PreFilterPlugin, FilterPlugin, EnqueueExtensions {
  readonly name = NAME;

  preFilter(state: CycleState, pod: Pod, _nodes: NodeInfo[]): { result?: PreFilterResult; status: Result } {
    const ports = getHostPorts(pod);
    // A pod without host ports fits everywhere.
    if (ports.length === 0) return { status: skip() };
    state.write(preFilterStateKey, ports);
    return { status: null };
  }

  preFilterExtensions(): undefined {
    return undefined;
  }

  filter(state: CycleState, _pod: Pod, nodeInfo: NodeInfo): Result {
    const wantPorts = state.read<ContainerPort[]>(preFilterStateKey);
    if (!wantPorts) return asStatus(new Error(`reading "${preFilterStateKey}" from cycleState: not found`));
    return fitsPorts(wantPorts, nodeInfo.usedPorts) ? null : unschedulable(ERR_REASON);
  }

  eventsToRegister(): ClusterEvent[] {
    return [
      // Host ports are immutable, so only a deleted pod can free one.
      { resource: "AssignedPod", actions: ["Delete"] },
      { resource: "Node", actions: ["Add"] },
    ];
  }
}

export const newNodePorts: PluginFactory = () => new NodePorts();
