// k8s.io/endpointslice/util TriggerTimeTracker: the value of the
// endpoints.kubernetes.io/last-change-trigger-time annotation — when the
// earliest change (a pod's Ready transition, or the Service's creation) that
// this sync acts on happened. It may be wrong when one object changes twice
// between two syncs; upstream accepts that.
import type { Pod, Service } from "kubernetes-types/core/v1.d.ts";
import { podReadyCondition } from "../util/pods.ts";

/** endpoints.kubernetes.io/last-change-trigger-time (v1.EndpointsLastChangeTriggerTime). */
export const ENDPOINTS_LAST_CHANGE_TRIGGER_TIME = "endpoints.kubernetes.io/last-change-trigger-time";

interface ServiceState {
  lastServiceTriggerTime: number;
  lastPodTriggerTimes: Map<string, number>;
}

function parseTime(s: string | undefined): number {
  const t = s ? Date.parse(s) : Number.NaN;
  return Number.isNaN(t) ? 0 : t;
}

/** getPodTriggerTime: the Ready condition's lastTransitionTime (0 when none). */
function podTriggerTime(pod: Pod): number {
  return parseTime(podReadyCondition(pod)?.lastTransitionTime);
}

/** min that treats 0 as unset. */
function minTime(current: number, value: number): number {
  return current === 0 || value < current ? value : current;
}

export class TriggerTimeTracker {
  private readonly states = new Map<string, ServiceState>();

  /**
   * ComputeEndpointLastChangeTriggerTime: updates the Service's state and
   * returns the time to export (ms since the epoch), or 0 for none.
   */
  compute(namespace: string, service: Service, pods: Pod[]): number {
    const key = `${namespace}/${service.metadata?.name ?? ""}`;
    const state = this.states.get(key);
    let minChanged = 0;
    const podTimes = new Map<string, number>();
    for (const pod of pods) {
      const t = podTriggerTime(pod);
      if (t === 0) continue;
      const name = pod.metadata?.name ?? "";
      podTimes.set(name, t);
      if (t > (state?.lastPodTriggerTimes.get(name) ?? 0)) minChanged = minTime(minChanged, t);
    }
    const serviceTime = parseTime(service.metadata?.creationTimestamp);
    if (serviceTime > (state?.lastServiceTriggerTime ?? 0)) minChanged = minTime(minChanged, serviceTime);
    this.states.set(key, { lastServiceTriggerTime: serviceTime, lastPodTriggerTimes: podTimes });
    // A Service seen for the first time: its creation is the trigger.
    if (!state) return serviceTime;
    return minChanged;
  }

  deleteService(namespace: string, name: string): void {
    this.states.delete(`${namespace}/${name}`);
  }
}
