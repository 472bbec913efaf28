// The HPA's replica calculator for resource metrics
// (pkg/controller/podautoscaler/replica_calculator.go, with the resource half
// of metrics/client.go and metrics/utilization.go). Pure functions over the
// pods the selector matches, the metrics-server's PodMetrics and the time:
// the controller fetches both and turns errors into conditions.
//
// Metric values and requests are milli-units as bigint, as upstream's int64
// MilliValue(): memory in millibytes overflows a double's exact range long
// before it overflows int64.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { parseGoDuration } from "../../machinery/go-duration.ts";
import { Quantity } from "../../machinery/quantity.ts";

/** --horizontal-pod-autoscaler-tolerance. */
export const DEFAULT_TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period. */
export const DEFAULT_CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay. */
export const DEFAULT_DELAY_OF_INITIAL_READINESS_STATUS_MS = 30_000;

/** Go's zero time.Time, which an absent timestamp reads as. */
const ZERO_TIME = Date.parse("0001-01-01T00:00:00Z");

/** metrics.k8s.io/v1beta1 PodMetrics, as the metrics-server serves it. */
export interface PodMetrics {
  metadata?: { name?: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: Array<{ name: string; usage?: Record<string, string> }>;
}

export interface PodMetricsList {
  items?: PodMetrics[];
}

/** metricsclient.PodMetric: times in ms since the epoch. */
export interface PodMetric {
  timestamp: number;
  windowMs: number;
  value: bigint;
}

/** metricsclient.PodMetricsInfo: by pod name. */
export type PodMetricsInfo = Map<string, PodMetric>;

export interface ReplicaCalculatorConfig {
  tolerance: number;
  cpuInitializationPeriodMs: number;
  delayOfInitialReadinessStatusMs: number;
  now: () => number;
}

export interface ResourceReplicas {
  replicaCount: number;
  /** Percentage of request. */
  utilization: number;
  /** Average milli-value per pod. */
  rawUtilization: bigint;
  timestamp: number;
}

export interface RawResourceReplicas {
  replicaCount: number;
  /** Average milli-value per pod. */
  usage: bigint;
  timestamp: number;
}

const metaTimeMs = (t: string | undefined): number => {
  if (!t) return ZERO_TIME;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? ZERO_TIME : ms;
};

const durationMs = (d: string | undefined): number => {
  if (!d) return 0;
  try {
    return Number(parseGoDuration(d)) / 1e6;
  } catch {
    return 0;
  }
};

const milliValue = (q: string | number): bigint => Quantity.parse(String(q)).milliValue();

/**
 * resourceMetricsClient.GetResourceMetric after the list: each pod's usage
 * summed over its containers, or one container's for a ContainerResource
 * metric (a pod without that container is left out).
 */
export function getResourceMetric(
  list: PodMetricsList,
  resource: string,
  container: string,
): { metrics: PodMetricsInfo; timestamp: number } {
  const items = list.items ?? [];
  if (items.length === 0) throw new Error("no metrics returned from resource metrics API");
  const metrics = container
    ? getContainerMetrics(items, resource, container)
    : getPodMetrics(items, resource);
  return { metrics, timestamp: metaTimeMs(items[0]!.timestamp) };
}

function getContainerMetrics(items: PodMetrics[], resource: string, container: string): PodMetricsInfo {
  const res: PodMetricsInfo = new Map();
  for (const m of items) {
    const c = m.containers?.find((c) => c.name === container);
    const usage = c?.usage?.[resource];
    if (usage === undefined) continue;
    res.set(m.metadata?.name ?? "", {
      timestamp: metaTimeMs(m.timestamp),
      windowMs: durationMs(m.window),
      value: milliValue(usage),
    });
  }
  return res;
}

function getPodMetrics(items: PodMetrics[], resource: string): PodMetricsInfo {
  const res: PodMetricsInfo = new Map();
  for (const m of items) {
    const containers = m.containers ?? [];
    // A pod with no containers, or one without the resource, has no usable sample.
    if (containers.length === 0) continue;
    let podSum = 0n;
    let missing = false;
    for (const c of containers) {
      const usage = c.usage?.[resource];
      if (usage === undefined) {
        missing = true;
        break;
      }
      podSum += milliValue(usage);
    }
    if (!missing) {
      res.set(m.metadata?.name ?? "", {
        timestamp: metaTimeMs(m.timestamp),
        windowMs: durationMs(m.window),
        value: podSum,
      });
    }
  }
  return res;
}

/**
 * GetResourceUtilizationRatio: the ratio of usage to target utilization, the
 * utilization as a percentage of request, and the average raw usage.
 */
export function getResourceUtilizationRatio(
  metrics: PodMetricsInfo,
  requests: Map<string, bigint>,
  targetUtilization: number,
): { usageRatio: number; utilization: number; rawAverageValue: bigint } {
  let metricsTotal = 0n;
  let requestsTotal = 0n;
  let numEntries = 0n;
  for (const [podName, metric] of metrics) {
    const request = requests.get(podName);
    // Missing requests are checked elsewhere, so a metric without one is for a pod we don't know.
    if (request === undefined) continue;
    metricsTotal += metric.value;
    requestsTotal += request;
    numEntries++;
  }
  // Requests disjoint from the metrics would divide by zero.
  if (requestsTotal === 0n) throw new Error("no metrics returned matched known pods");
  const utilization = Number((metricsTotal * 100n) / requestsTotal);
  return {
    usageRatio: utilization / targetUtilization,
    utilization,
    rawAverageValue: metricsTotal / numEntries,
  };
}

/** GetMetricUsageRatio: the ratio of the average usage to the target, and that average. */
export function getMetricUsageRatio(
  metrics: PodMetricsInfo,
  targetUsage: bigint,
): { usageRatio: number; usage: bigint } {
  let metricsTotal = 0n;
  for (const metric of metrics.values()) metricsTotal += metric.value;
  const usage = metricsTotal / BigInt(metrics.size);
  return { usageRatio: Number(usage) / Number(targetUsage), usage };
}

export interface PodGroups {
  readyPodCount: number;
  unreadyPods: Set<string>;
  missingPods: Set<string>;
  ignoredPods: Set<string>;
}

/**
 * groupPods: deleted and failed pods are ignored; pending pods, and for CPU
 * pods whose sample may still be from their start-up burst, are unready;
 * running pods without a sample are missing.
 */
export function groupPods(
  pods: Pod[],
  metrics: PodMetricsInfo,
  resource: string,
  cpuInitializationPeriodMs: number,
  delayOfInitialReadinessStatusMs: number,
  now: number,
): PodGroups {
  const groups: PodGroups = {
    readyPodCount: 0,
    unreadyPods: new Set(),
    missingPods: new Set(),
    ignoredPods: new Set(),
  };
  for (const pod of pods) {
    const name = pod.metadata?.name ?? "";
    if (pod.metadata?.deletionTimestamp || pod.status?.phase === "Failed") {
      groups.ignoredPods.add(name);
      continue;
    }
    if (pod.status?.phase === "Pending") {
      groups.unreadyPods.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      groups.missingPods.add(name);
      continue;
    }
    if (resource === "cpu") {
      const condition = pod.status?.conditions?.find((c) => c.type === "Ready");
      const startTime = pod.status?.startTime;
      let unready: boolean;
      if (!condition || !startTime) {
        unready = true;
      } else {
        const start = metaTimeMs(startTime);
        const transition = metaTimeMs(condition.lastTransitionTime);
        if (start + cpuInitializationPeriodMs > now) {
          // Still initialising: use the sample only from a ready pod, taken a full window after it became ready.
          unready = condition.status === "False" || metric.timestamp < transition + metric.windowMs;
        } else {
          // Past initialisation: ignore only a pod that has never been ready.
          unready = condition.status === "False" && start + delayOfInitialReadinessStatusMs > transition;
        }
      }
      if (unready) {
        groups.unreadyPods.add(name);
        continue;
      }
    }
    groups.readyPodCount++;
  }
  return groups;
}

/**
 * calculatePodRequests: each pod's request for the resource, summed over its
 * containers and restartable init (sidecar) containers, or one container's.
 */
export function calculatePodRequests(pods: Pod[], container: string, resource: string): Map<string, bigint> {
  const requests = new Map<string, bigint>();
  for (const pod of pods) {
    const podName = pod.metadata?.name ?? "";
    const containers = [
      ...(pod.spec?.containers ?? []),
      ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === "Always"),
    ];
    let podSum = 0n;
    for (const c of containers) {
      if (container !== "" && container !== c.name) continue;
      const request = c.resources?.requests?.[resource];
      if (request === undefined) {
        throw new Error(`missing request for ${resource} in container ${c.name} of Pod ${podName}`);
      }
      podSum += milliValue(request);
    }
    requests.set(podName, podSum);
  }
  return requests;
}

/** removeMetricsForPods. */
export function removeMetricsForPods(metrics: PodMetricsInfo, pods: Set<string>): void {
  for (const pod of pods) metrics.delete(pod);
}

/**
 * The start both calculations share: the pods grouped, the metrics of ignored
 * and unready pods dropped, and an error when no pod is left to go by.
 */
function groupAndFilterPods(
  c: ReplicaCalculatorConfig,
  pods: Pod[],
  metrics: PodMetricsInfo,
  resource: string,
) {
  if (pods.length === 0) throw new Error("no pods returned by selector while calculating replica count");
  const groups = groupPods(
    pods,
    metrics,
    resource,
    c.cpuInitializationPeriodMs,
    c.delayOfInitialReadinessStatusMs,
    c.now(),
  );
  removeMetricsForPods(metrics, groups.ignoredPods);
  removeMetricsForPods(metrics, groups.unreadyPods);
  if (metrics.size === 0) {
    throw new Error("did not receive metrics for targeted pods (pods might be unready)");
  }
  return groups;
}

/**
 * GetResourceReplicas after the metrics fetch: the replica count that brings
 * the pods' utilization (percentage of request) to the target. Takes
 * ownership of metrics (it is rewritten in the second pass).
 */
export function getResourceReplicas(
  c: ReplicaCalculatorConfig,
  currentReplicas: number,
  targetUtilization: number,
  resource: string,
  container: string,
  pods: Pod[],
  metrics: PodMetricsInfo,
  timestamp: number,
): ResourceReplicas {
  const { readyPodCount, unreadyPods, missingPods } = groupAndFilterPods(c, pods, metrics, resource);

  const requests = calculatePodRequests(pods, container, resource);
  const { usageRatio, utilization, rawAverageValue } = getResourceUtilizationRatio(
    metrics,
    requests,
    targetUtilization,
  );
  const current = (replicaCount: number): ResourceReplicas => ({
    replicaCount,
    utilization,
    rawUtilization: rawAverageValue,
    timestamp,
  });

  const scaleUpWithUnready = unreadyPods.size > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && missingPods.size === 0) {
    // Too small a change to act on.
    if (Math.abs(1.0 - usageRatio) <= c.tolerance) return current(currentReplicas);
    return current(Math.ceil(usageRatio * readyPodCount));
  }

  // Assume the worst for the direction we would move in, so a missing sample can't cause flapping.
  if (missingPods.size > 0) {
    if (usageRatio < 1.0) {
      // On a scale-down, missing pods use all of their request (or the target, when it is above 100%).
      const fallbackUtilization = BigInt(Math.max(100, targetUtilization));
      for (const podName of missingPods) {
        metrics.set(podName, {
          timestamp: 0,
          windowMs: 0,
          value: ((requests.get(podName) ?? 0n) * fallbackUtilization) / 100n,
        });
      }
    } else if (usageRatio > 1.0) {
      // On a scale-up, missing pods use nothing.
      for (const podName of missingPods) metrics.set(podName, { timestamp: 0, windowMs: 0, value: 0n });
    }
  }
  if (scaleUpWithUnready) {
    // On a scale-up, unready pods use nothing.
    for (const podName of unreadyPods) metrics.set(podName, { timestamp: 0, windowMs: 0, value: 0n });
  }

  const newUsageRatio = getResourceUtilizationRatio(metrics, requests, targetUtilization).usageRatio;
  if (
    Math.abs(1.0 - newUsageRatio) <= c.tolerance ||
    (usageRatio < 1.0 && newUsageRatio > 1.0) ||
    (usageRatio > 1.0 && newUsageRatio < 1.0)
  ) {
    // Too small a change, or the assumptions would reverse the direction.
    return current(currentReplicas);
  }
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if (
    (newUsageRatio < 1.0 && newReplicas > currentReplicas) ||
    (newUsageRatio > 1.0 && newReplicas < currentReplicas)
  ) {
    // Counting the assumed pods would reverse the direction.
    return current(currentReplicas);
  }
  return current(newReplicas);
}

/**
 * GetRawResourceReplicas after the metrics fetch: the replica count that
 * brings the pods' average usage (milli-units) to the target.
 */
export function getRawResourceReplicas(
  c: ReplicaCalculatorConfig,
  currentReplicas: number,
  targetUsage: bigint,
  resource: string,
  pods: Pod[],
  metrics: PodMetricsInfo,
  timestamp: number,
): RawResourceReplicas {
  const { replicaCount, usage } = calcPlainMetricReplicas(
    c,
    metrics,
    currentReplicas,
    targetUsage,
    pods,
    resource,
  );
  return { replicaCount, usage, timestamp };
}

/** calcPlainMetricReplicas: the replica count for a plain (not percentage of request) per-pod metric. */
export function calcPlainMetricReplicas(
  c: ReplicaCalculatorConfig,
  metrics: PodMetricsInfo,
  currentReplicas: number,
  targetUsage: bigint,
  pods: Pod[],
  resource: string,
): { replicaCount: number; usage: bigint } {
  const { readyPodCount, unreadyPods, missingPods } = groupAndFilterPods(c, pods, metrics, resource);

  const { usageRatio, usage } = getMetricUsageRatio(metrics, targetUsage);
  const scaleUpWithUnready = unreadyPods.size > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && missingPods.size === 0) {
    if (Math.abs(1.0 - usageRatio) <= c.tolerance) return { replicaCount: currentReplicas, usage };
    return { replicaCount: Math.ceil(usageRatio * readyPodCount), usage };
  }

  if (missingPods.size > 0) {
    if (usageRatio < 1.0) {
      // On a scale-down, missing pods use exactly the target.
      for (const podName of missingPods)
        metrics.set(podName, { timestamp: 0, windowMs: 0, value: targetUsage });
    } else if (usageRatio > 1.0) {
      for (const podName of missingPods) metrics.set(podName, { timestamp: 0, windowMs: 0, value: 0n });
    }
  }
  if (scaleUpWithUnready) {
    for (const podName of unreadyPods) metrics.set(podName, { timestamp: 0, windowMs: 0, value: 0n });
  }

  const newUsageRatio = getMetricUsageRatio(metrics, targetUsage).usageRatio;
  if (
    Math.abs(1.0 - newUsageRatio) <= c.tolerance ||
    (usageRatio < 1.0 && newUsageRatio > 1.0) ||
    (usageRatio > 1.0 && newUsageRatio < 1.0)
  ) {
    return { replicaCount: currentReplicas, usage };
  }
  const newReplicas = Math.ceil(newUsageRatio * metrics.size);
  if (
    (newUsageRatio < 1.0 && newReplicas > currentReplicas) ||
    (newUsageRatio > 1.0 && newReplicas < currentReplicas)
  ) {
    return { replicaCount: currentReplicas, usage };
  }
  return { replicaCount: newReplicas, usage };
}
