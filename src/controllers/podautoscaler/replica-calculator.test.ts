// Upstream's replica_calculator_test.go for resource metrics: pods named
// test-pod-N with two containers, each requesting the pod's request and
// reporting the pod's level, so pod values are twice the levels.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import {
  calculatePodRequests,
  getRawResourceReplicas,
  getResourceMetric,
  getResourceReplicas,
  groupPods,
  type PodMetrics,
  type PodMetricsInfo,
  type ReplicaCalculatorConfig,
} from "./replica-calculator.ts";

const NOW = Date.parse("2025-01-01T12:00:00Z");
const iso = (ms: number) => new Date(ms).toISOString();
// Upstream's testing defaults.
const calc: ReplicaCalculatorConfig = {
  tolerance: 0.1,
  cpuInitializationPeriodMs: 2 * 60_000,
  delayOfInitialReadinessStatusMs: 10_000,
  now: () => NOW,
};
/** Started long before the CPU initialization period. */
const cool = NOW - 10 * 60_000;
/** Started within it, so its sample may still be from start-up. */
const hot = NOW - 30_000;

interface ResourceCase {
  currentReplicas: number;
  resource?: string;
  requests: string[];
  levels: number[];
  podNames?: string[];
  podReadiness?: Array<"True" | "False">;
  podStartTime?: number[];
  podPhase?: string[];
  podDeletionTimestamp?: boolean[];
}

function podsOf(tc: ResourceCase): Pod[] {
  const count = Math.max(tc.currentReplicas, tc.podPhase?.length ?? 0);
  const resource = tc.resource ?? "cpu";
  return Array.from({ length: count }, (_, i): Pod => {
    const start = tc.podStartTime?.[i] ?? cool;
    const request = tc.requests[i];
    const container = (name: string) => ({
      name,
      image: "x",
      ...(request ? { resources: { requests: { [resource]: request } } } : {}),
    });
    return {
      metadata: {
        name: `test-pod-${i}`,
        namespace: "test-namespace",
        labels: { name: "test-pod" },
        ...(tc.podDeletionTimestamp?.[i] ? { deletionTimestamp: iso(NOW) } : {}),
      },
      spec: { containers: [container("container0"), container("container1")] },
      status: {
        phase: tc.podPhase?.[i] ?? "Running",
        startTime: iso(start),
        conditions: [
          { type: "Ready", status: tc.podReadiness?.[i] ?? "True", lastTransitionTime: iso(start) },
        ],
      },
    };
  });
}

function metricsOf(tc: ResourceCase): PodMetricsInfo {
  const items: PodMetrics[] = tc.levels.map((level, i) => ({
    metadata: { name: tc.podNames?.[i] ?? `test-pod-${i}`, namespace: "test-namespace" },
    timestamp: iso(NOW),
    window: "1m",
    containers: ["container0", "container1"].map((name) => ({
      name,
      usage: { [tc.resource ?? "cpu"]: `${level}m` },
    })),
  }));
  return getResourceMetric({ items }, tc.resource ?? "cpu", "").metrics;
}

function run(tc: ResourceCase, targetUtilization: number) {
  return getResourceReplicas(
    calc,
    tc.currentReplicas,
    targetUtilization,
    tc.resource ?? "cpu",
    "",
    podsOf(tc),
    metricsOf(tc),
    NOW,
  );
}

function expectResource(
  tc: ResourceCase,
  targetUtilization: number,
  expected: { replicas: number; utilization: number; value: number },
) {
  const out = run(tc, targetUtilization);
  assert.deepEqual(
    { replicas: out.replicaCount, utilization: out.utilization, value: out.rawUtilization },
    { ...expected, value: BigInt(expected.value) },
  );
  assert.equal(out.timestamp, NOW);
}

const ones = (n: number) => Array.from({ length: n }, () => "1.0");

describe("GetResourceReplicas (upstream's TestReplicaCalc*)", () => {
  it("ScaleUp", () => {
    expectResource({ currentReplicas: 3, requests: ones(3), levels: [300, 500, 700] }, 30, {
      replicas: 5,
      utilization: 50,
      value: 2 * 500,
    });
  });

  it("ScaleUpUnreadyLessScale: an unready pod counts as using nothing", () => {
    expectResource(
      {
        currentReplicas: 3,
        requests: ones(3),
        levels: [300, 500, 700],
        podReadiness: ["False", "True", "True"],
      },
      30,
      { replicas: 4, utilization: 60, value: 2 * 600 },
    );
  });

  it("ScaleUpHotCpuLessScale: a pod in its CPU initialization period counts as unready", () => {
    expectResource(
      { currentReplicas: 3, requests: ones(3), levels: [300, 500, 700], podStartTime: [hot, cool, cool] },
      30,
      { replicas: 4, utilization: 60, value: 2 * 600 },
    );
  });

  it("ScaleUpUnreadyNoScale", () => {
    expectResource(
      {
        currentReplicas: 3,
        requests: ones(3),
        levels: [400, 500, 700],
        podReadiness: ["True", "False", "False"],
      },
      30,
      { replicas: 3, utilization: 40, value: 2 * 400 },
    );
  });

  it("ScaleHotCpuNoScale", () => {
    expectResource(
      {
        currentReplicas: 3,
        requests: ones(3),
        levels: [400, 500, 700],
        podReadiness: ["True", "False", "False"],
        podStartTime: [cool, hot, hot],
      },
      30,
      { replicas: 3, utilization: 40, value: 2 * 400 },
    );
  });

  it("ScaleUpIgnoresFailedPods", () => {
    expectResource(
      {
        currentReplicas: 2,
        requests: ones(4),
        levels: [500, 700],
        podReadiness: ["True", "True", "False", "False"],
        podPhase: ["Running", "Running", "Failed", "Failed"],
      },
      30,
      { replicas: 4, utilization: 60, value: 2 * 600 },
    );
  });

  it("ScaleUpIgnoresDeletionPods", () => {
    expectResource(
      {
        currentReplicas: 2,
        requests: ones(4),
        levels: [500, 700],
        podReadiness: ["True", "True", "False", "False"],
        podPhase: ["Running", "Running", "Running", "Running"],
        podDeletionTimestamp: [false, false, true, true],
      },
      30,
      { replicas: 4, utilization: 60, value: 2 * 600 },
    );
  });

  it("ScaleDown", () => {
    expectResource({ currentReplicas: 5, requests: ones(5), levels: [100, 300, 500, 250, 250] }, 50, {
      replicas: 3,
      utilization: 28,
      value: 2 * 280,
    });
  });

  it("ScaleDownExcludeUnreadyPods", () => {
    expectResource(
      {
        currentReplicas: 5,
        requests: ones(5),
        levels: [100, 300, 500, 250, 250],
        podReadiness: ["True", "True", "True", "False", "False"],
      },
      50,
      { replicas: 2, utilization: 30, value: 2 * 300 },
    );
  });

  it("ScaleDownExcludeUnscheduledPods: pending pods are unready", () => {
    expectResource(
      {
        currentReplicas: 5,
        requests: ones(5),
        levels: [100],
        podReadiness: ["True", "False", "False", "False", "False"],
        podPhase: ["Running", "Pending", "Pending", "Pending", "Pending"],
      },
      50,
      { replicas: 1, utilization: 10, value: 2 * 100 },
    );
  });

  it("ScaleDownIgnoreHotCpuPods", () => {
    expectResource(
      {
        currentReplicas: 5,
        requests: ones(5),
        levels: [100, 300, 500, 250, 250],
        podStartTime: [cool, cool, cool, hot, hot],
      },
      50,
      { replicas: 2, utilization: 30, value: 2 * 300 },
    );
  });

  it("ScaleDownIgnoresFailedPods", () => {
    expectResource(
      {
        currentReplicas: 5,
        requests: ones(7),
        levels: [100, 300, 500, 250, 250],
        podReadiness: ["True", "True", "True", "True", "True", "False", "False"],
        podPhase: ["Running", "Running", "Running", "Running", "Running", "Failed", "Failed"],
      },
      50,
      { replicas: 3, utilization: 28, value: 2 * 280 },
    );
  });

  it("ScaleDownIgnoresDeletionPods", () => {
    expectResource(
      {
        currentReplicas: 5,
        requests: ones(7),
        levels: [100, 300, 500, 250, 250],
        podReadiness: ["True", "True", "True", "True", "True", "False", "False"],
        podPhase: ["Running", "Running", "Running", "Running", "Running", "Running", "Running"],
        podDeletionTimestamp: [false, false, false, false, false, true, true],
      },
      50,
      { replicas: 3, utilization: 28, value: 2 * 280 },
    );
  });

  it("Tolerance: a change within 10% keeps the replicas", () => {
    expectResource({ currentReplicas: 3, requests: ["0.9", "1.0", "1.1"], levels: [1010, 1030, 1020] }, 100, {
      replicas: 3,
      utilization: 102,
      value: 2 * 1020,
    });
  });

  it("SuperfluousMetrics: metrics of pods the selector does not match are ignored", () => {
    expectResource(
      { currentReplicas: 4, requests: ones(4), levels: [4000, 9500, 3000, 7000, 3200, 2000] },
      100,
      { replicas: 24, utilization: 587, value: 2 * 5875 },
    );
  });

  it("MissingMetrics: on a scale-down, missing pods use all of their request", () => {
    expectResource({ currentReplicas: 4, requests: ones(4), levels: [400, 95] }, 100, {
      replicas: 3,
      utilization: 24,
      value: 495,
    });
  });

  it("MissingMetricsScaleDownTargetOver100: missing pods use the target when it is above 100%", () => {
    expectResource({ currentReplicas: 4, requests: ones(4), levels: [1000, 1000] }, 300, {
      replicas: 3,
      utilization: 100,
      value: 2 * 1000,
    });
  });

  it("MissingMetricsNoChangeEq", () => {
    expectResource({ currentReplicas: 2, requests: ones(2), levels: [1000] }, 100, {
      replicas: 2,
      utilization: 100,
      value: 2 * 1000,
    });
  });

  it("MissingMetricsNoChangeGt: on a scale-up, a missing pod uses nothing", () => {
    expectResource({ currentReplicas: 2, requests: ones(2), levels: [1900] }, 100, {
      replicas: 2,
      utilization: 190,
      value: 2 * 1900,
    });
  });

  it("MissingMetricsNoChangeLt", () => {
    expectResource({ currentReplicas: 2, requests: ones(2), levels: [600] }, 100, {
      replicas: 2,
      utilization: 60,
      value: 2 * 600,
    });
  });

  it("MissingMetricsUnreadyChange: the assumptions would reverse the direction", () => {
    expectResource(
      { currentReplicas: 3, requests: ones(3), levels: [100, 450], podReadiness: ["False", "True", "True"] },
      50,
      { replicas: 3, utilization: 45, value: 2 * 450 },
    );
  });

  it("MissingMetricsHotCpuNoChange", () => {
    expectResource(
      { currentReplicas: 3, requests: ones(3), levels: [100, 450], podStartTime: [hot, cool, cool] },
      50,
      { replicas: 3, utilization: 45, value: 2 * 450 },
    );
  });

  it("MissingMetricsUnreadyScaleUp", () => {
    expectResource(
      { currentReplicas: 3, requests: ones(3), levels: [100, 2000], podReadiness: ["False", "True", "True"] },
      50,
      { replicas: 4, utilization: 200, value: 2 * 2000 },
    );
  });

  it("MissingMetricsHotCpuScaleUp", () => {
    expectResource(
      {
        currentReplicas: 3,
        requests: ones(3),
        levels: [100, 2000],
        podReadiness: ["False", "True", "True"],
        podStartTime: [hot, cool, cool],
      },
      50,
      { replicas: 4, utilization: 200, value: 2 * 2000 },
    );
  });

  it("MissingMetricsUnreadyScaleDown", () => {
    expectResource(
      {
        currentReplicas: 4,
        requests: ones(4),
        levels: [100, 100, 100],
        podReadiness: ["False", "True", "True", "True"],
      },
      50,
      { replicas: 3, utilization: 10, value: 2 * 100 },
    );
  });

  it("DuringRollingUpdateWithMaxSurge: a surge pod without metrics does not scale up", () => {
    expectResource(
      {
        currentReplicas: 2,
        requests: ones(3),
        levels: [100, 100],
        podPhase: ["Running", "Running", "Running"],
      },
      50,
      { replicas: 2, utilization: 10, value: 2 * 100 },
    );
  });

  it("ComputedToleranceAlgImplementation: just outside the tolerance scales, just inside does not", () => {
    const startPods = 10;
    const totalUsed = startPods * 150;
    const totalRequested = 2 * totalUsed;
    const perPod = totalRequested / startPods;
    const tc: ResourceCase = {
      currentReplicas: startPods,
      levels: Array.from({ length: 10 }, () => totalUsed / 10),
      requests: [100, -100, 10, -10, 2, -2, 1, -1, 0, 0].map((d) => `${perPod + d}m`),
    };
    let target = Math.abs(1 / (2 * (1 - 0.1))) + 0.01;
    const finalPods = Math.ceil((totalUsed / (totalRequested * target)) * startPods);
    expectResource(tc, Math.trunc(target * 100), {
      replicas: finalPods,
      utilization: Math.trunc((totalUsed * 100) / totalRequested),
      value: (2 * totalUsed) / 10,
    });
    target = Math.abs(1 / (2 * (1 - 0.1))) + 0.004;
    expectResource(tc, Math.trunc(target * 100), {
      replicas: startPods,
      utilization: Math.trunc((totalUsed * 100) / totalRequested),
      value: (2 * totalUsed) / 10,
    });
  });

  it("DisjointResourcesMetrics: errors when no metric is for a known pod", () => {
    assert.throws(
      () =>
        run({ currentReplicas: 1, requests: ones(1), levels: [100], podNames: ["an-older-pod-name"] }, 100),
      { message: "no metrics returned matched known pods" },
    );
  });

  it("EmptyCPURequest: errors on a container without a request", () => {
    assert.throws(() => run({ currentReplicas: 1, requests: [], levels: [200] }, 100), {
      message: "missing request for cpu in container container0 of Pod test-pod-0",
    });
  });

  it("errors without pods, and without metrics of ready pods", () => {
    assert.throws(
      () =>
        getResourceReplicas(
          calc,
          1,
          50,
          "cpu",
          "",
          [],
          metricsOf({ currentReplicas: 1, requests: [], levels: [1] }),
          NOW,
        ),
      { message: "no pods returned by selector while calculating replica count" },
    );
    assert.throws(
      () =>
        run(
          { currentReplicas: 2, requests: ones(2), levels: [100, 100], podPhase: ["Pending", "Pending"] },
          50,
        ),
      { message: "did not receive metrics for targeted pods (pods might be unready)" },
    );
  });

  it("memory: readiness does not matter outside CPU", () => {
    expectResource(
      {
        currentReplicas: 3,
        resource: "memory",
        requests: ["1000", "1000", "1000"],
        levels: [300_000, 500_000, 700_000],
        podReadiness: ["False", "True", "True"],
        podStartTime: [hot, cool, cool],
      },
      30,
      { replicas: 5, utilization: 50, value: 2 * 500_000 },
    );
  });
});

describe("ContainerResource", () => {
  // container0 idles at 100m; container1 carries the load.
  const items = (c1: number[], skip?: number): PodMetrics[] =>
    c1.map((level, i) => ({
      metadata: { name: `test-pod-${i}`, namespace: "test-namespace" },
      timestamp: iso(NOW),
      window: "1m",
      containers: [
        { name: "container0", usage: { cpu: "100m" } },
        ...(i === skip ? [] : [{ name: "container1", usage: { cpu: `${level}m` } }]),
      ],
    }));
  const pods = podsOf({ currentReplicas: 3, requests: ones(3), levels: [] });

  it("scales on the one container's utilization", () => {
    const { metrics } = getResourceMetric({ items: items([300, 500, 700]) }, "cpu", "container1");
    const out = getResourceReplicas(calc, 3, 30, "cpu", "container1", pods, metrics, NOW);
    assert.deepEqual([out.replicaCount, out.utilization, out.rawUtilization], [5, 50, 500n]);
    // The whole pod is at 30% of its requests: on target.
    const whole = getResourceMetric({ items: items([300, 500, 700]) }, "cpu", "").metrics;
    assert.equal(getResourceReplicas(calc, 3, 30, "cpu", "", pods, whole, NOW).replicaCount, 3);
  });

  it("a pod whose metrics lack the container is left out, then counted as missing", () => {
    const { metrics } = getResourceMetric({ items: items([300, 500, 700], 0) }, "cpu", "container1");
    assert.deepEqual([...metrics.keys()], ["test-pod-1", "test-pod-2"]);
    // 600m of 1 CPU over two pods is 60%; the missing pod uses nothing on a scale-up: 1200/3000 = 40%.
    const out = getResourceReplicas(calc, 3, 30, "cpu", "container1", pods, metrics, NOW);
    assert.deepEqual([out.replicaCount, out.utilization], [4, 60]);
  });
});

describe("GetRawResourceReplicas (AverageValue targets)", () => {
  const memory = (tc: Omit<ResourceCase, "resource">) => ({ ...tc, resource: "memory" });

  it("scales up to bring the average usage to the target", () => {
    const tc = memory({ currentReplicas: 3, requests: [], levels: [20_000, 10_000, 30_000] });
    const out = getRawResourceReplicas(calc, 3, 30_000n, "memory", podsOf(tc), metricsOf(tc), NOW);
    // Pods use 40, 20 and 60 (milli-units, two containers each): average 40 of 30.
    assert.deepEqual([out.replicaCount, out.usage], [4, 40_000n]);
  });

  it("scales down, with missing pods counted at the target", () => {
    const tc = memory({ currentReplicas: 5, requests: [], levels: [6000, 6000, 6000, 6000] });
    const out = getRawResourceReplicas(calc, 5, 20_000n, "memory", podsOf(tc), metricsOf(tc), NOW);
    // 4 × 12000 + 20000 over 5 pods: 13600 of 20000 → ceil(0.68 × 5) = 4.
    assert.deepEqual([out.replicaCount, out.usage], [4, 12_000n]);
  });

  it("keeps the replicas within the tolerance", () => {
    const tc = memory({ currentReplicas: 3, requests: [], levels: [10_000, 10_500, 10_500] });
    assert.equal(
      getRawResourceReplicas(calc, 3, 20_000n, "memory", podsOf(tc), metricsOf(tc), NOW).replicaCount,
      3,
    );
  });
});

describe("metrics client and helpers", () => {
  it("GetResourceMetric sums containers in milli-units and skips pods missing the resource", () => {
    const { metrics, timestamp } = getResourceMetric(
      {
        items: [
          {
            metadata: { name: "a" },
            timestamp: "2025-01-01T12:00:00Z",
            window: "15s",
            containers: [
              { name: "x", usage: { cpu: "250m", memory: "12Mi" } },
              { name: "y", usage: { cpu: "1234567n", memory: "1Ki" } },
            ],
          },
          { metadata: { name: "b" }, containers: [{ name: "x", usage: { memory: "1" } }] },
          { metadata: { name: "c" }, containers: [] },
        ],
      },
      "cpu",
      "",
    );
    assert.equal(timestamp, NOW);
    // 1234567n is 1.234567m, rounded up as MilliValue does.
    assert.deepEqual([...metrics], [["a", { timestamp: NOW, windowMs: 15_000, value: 252n }]]);
    const mem = getResourceMetric(
      { items: [{ metadata: { name: "a" }, containers: [{ name: "x", usage: { memory: "12Mi" } }] }] },
      "memory",
      "",
    );
    assert.equal(mem.metrics.get("a")?.value, 12n * 1024n * 1024n * 1000n);
  });

  it("GetResourceMetric errors on an empty list", () => {
    assert.throws(() => getResourceMetric({ items: [] }, "cpu", ""), {
      message: "no metrics returned from resource metrics API",
    });
  });

  it("calculatePodRequests counts restartable init containers, and one container when named", () => {
    const pod: Pod = {
      metadata: { name: "p" },
      spec: {
        containers: [{ name: "app", resources: { requests: { cpu: "500m" } } }],
        initContainers: [
          { name: "sidecar", restartPolicy: "Always", resources: { requests: { cpu: "100m" } } },
          { name: "init", resources: { requests: { cpu: "2" } } },
        ],
      },
    };
    assert.deepEqual([...calculatePodRequests([pod], "", "cpu")], [["p", 600n]]);
    assert.deepEqual([...calculatePodRequests([pod], "app", "cpu")], [["p", 500n]]);
  });

  it("groupPods: a ready pod's sample taken less than a window after readiness is unready while initializing", () => {
    const pod = (transition: number): Pod => ({
      metadata: { name: "p" },
      status: {
        phase: "Running",
        startTime: iso(NOW - 60_000),
        conditions: [{ type: "Ready", status: "True", lastTransitionTime: iso(transition) }],
      },
    });
    const metrics = (windowMs: number): PodMetricsInfo =>
      new Map([["p", { timestamp: NOW, windowMs, value: 1n }]]);
    const group = (p: Pod, m: PodMetricsInfo) => groupPods([p], m, "cpu", 2 * 60_000, 10_000, NOW);
    assert.equal(group(pod(NOW - 30_000), metrics(30_000)).readyPodCount, 1);
    assert.deepEqual([...group(pod(NOW - 30_000), metrics(60_000)).unreadyPods], ["p"]);
    // Memory samples are always used.
    assert.equal(groupPods([pod(NOW)], metrics(60_000), "memory", 2 * 60_000, 10_000, NOW).readyPodCount, 1);
  });
});
