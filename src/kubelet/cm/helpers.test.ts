import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import { milliCPUToQuota, milliCPUToShares, type ResourceConfig, resourceConfigForPod } from "./helpers.ts";

const Mi = 1024 * 1024;

/** getResourceList: empty strings leave the resource out. */
function list(cpu: string, memory: string): Record<string, string> {
  const l: Record<string, string> = {};
  if (cpu) l.cpu = cpu;
  if (memory) l.memory = memory;
  return l;
}

function c(
  requests: Record<string, string>,
  limits: Record<string, string>,
  extra: Partial<Container> = {},
): Container {
  return { name: "c", resources: { requests, limits }, ...extra };
}

function pod(containers: Container[], initContainers?: Container[], overhead?: Record<string, string>): Pod {
  return {
    spec: { containers, ...(initContainers ? { initContainers } : {}), ...(overhead ? { overhead } : {}) },
  };
}

// helpers_linux_test.go TestResourceConfigForPod (v1.32), pod-level resources (an alpha gate) aside.
describe("resourceConfigForPod (upstream's TestResourceConfigForPod)", () => {
  const burstableShares = milliCPUToShares(100);
  const burstablePartialShares = milliCPUToShares(200);
  const burstableQuota = milliCPUToQuota(200, 100000);
  const guaranteedShares = milliCPUToShares(100);
  const guaranteedQuota = milliCPUToQuota(100, 100000);
  const cases: [string, Pod, { enforceCPULimits: boolean; cpuPeriod: number }, ResourceConfig][] = [
    [
      "besteffort",
      pod([c(list("", ""), list("", ""))]),
      { enforceCPULimits: true, cpuPeriod: 100000 },
      { cpuShares: 2 },
    ],
    [
      "burstable-no-limits",
      pod([c(list("100m", "100Mi"), list("", ""))]),
      { enforceCPULimits: true, cpuPeriod: 100000 },
      { cpuShares: burstableShares },
    ],
    [
      "burstable-with-limits",
      pod([c(list("100m", "100Mi"), list("200m", "200Mi"))]),
      { enforceCPULimits: true, cpuPeriod: 100000 },
      { cpuShares: burstableShares, cpuQuota: burstableQuota, cpuPeriod: 100000, memory: 200 * Mi },
    ],
    [
      "burstable-with-limits-no-cpu-enforcement",
      pod([c(list("100m", "100Mi"), list("200m", "200Mi"))]),
      { enforceCPULimits: false, cpuPeriod: 100000 },
      { cpuShares: burstableShares, cpuQuota: -1, cpuPeriod: 100000, memory: 200 * Mi },
    ],
    [
      "burstable-partial-limits",
      pod([c(list("100m", "100Mi"), list("200m", "200Mi")), c(list("100m", "100Mi"), list("", ""))]),
      { enforceCPULimits: true, cpuPeriod: 100000 },
      { cpuShares: burstablePartialShares },
    ],
    [
      "burstable-with-limits-with-tuned-quota",
      pod([c(list("100m", "100Mi"), list("200m", "200Mi"))]),
      { enforceCPULimits: true, cpuPeriod: 5000 },
      // The CPUCFSQuotaPeriod gate is off: the quota stays computed over 100 ms.
      { cpuShares: burstableShares, cpuQuota: burstableQuota, cpuPeriod: 5000, memory: 200 * Mi },
    ],
    [
      "burstable-with-limits-no-cpu-enforcement-with-tuned-quota",
      pod([c(list("100m", "100Mi"), list("200m", "200Mi"))]),
      { enforceCPULimits: false, cpuPeriod: 5000 },
      { cpuShares: burstableShares, cpuQuota: -1, cpuPeriod: 5000, memory: 200 * Mi },
    ],
    [
      "burstable-partial-limits-with-tuned-quota",
      pod([c(list("100m", "100Mi"), list("200m", "200Mi")), c(list("100m", "100Mi"), list("", ""))]),
      { enforceCPULimits: true, cpuPeriod: 5000 },
      { cpuShares: burstablePartialShares },
    ],
    [
      "guaranteed",
      pod([c(list("100m", "100Mi"), list("100m", "100Mi"))]),
      { enforceCPULimits: true, cpuPeriod: 100000 },
      { cpuShares: guaranteedShares, cpuQuota: guaranteedQuota, cpuPeriod: 100000, memory: 100 * Mi },
    ],
    [
      "guaranteed-no-cpu-enforcement",
      pod([c(list("100m", "100Mi"), list("100m", "100Mi"))]),
      { enforceCPULimits: false, cpuPeriod: 100000 },
      { cpuShares: guaranteedShares, cpuQuota: -1, cpuPeriod: 100000, memory: 100 * Mi },
    ],
    [
      "guaranteed-with-tuned-quota",
      pod([c(list("100m", "100Mi"), list("100m", "100Mi"))]),
      { enforceCPULimits: true, cpuPeriod: 5000 },
      { cpuShares: guaranteedShares, cpuQuota: guaranteedQuota, cpuPeriod: 5000, memory: 100 * Mi },
    ],
    [
      "burstable-partial-limits-with-init-containers",
      pod(
        [c(list("100m", "100m"), list("100m", "100Mi")), c(list("100m", "100m"), list("", ""))],
        [c(list("100m", "100m"), list("100m", "100Mi")), c(list("100m", "100m"), list("", ""))],
      ),
      { enforceCPULimits: true, cpuPeriod: 5000 },
      { cpuShares: burstablePartialShares },
    ],
  ];
  for (const [name, p, opts, expected] of cases) {
    it(name, () => assert.deepEqual(resourceConfigForPod(p, opts), expected));
  }

  it("with the CPUCFSQuotaPeriod gate, the quota follows the tuned period (TestResourceConfigForPodWithCustomCPUCFSQuotaPeriod)", () => {
    const opts = { cpuPeriod: 5000, customCPUCFSQuotaPeriod: true };
    assert.deepEqual(resourceConfigForPod(pod([c(list("100m", "100Mi"), list("100m", "100Mi"))]), opts), {
      cpuShares: 102,
      cpuQuota: 1000, // tunedQuota: 100m of 5 ms is 500 µs, raised to the 1 ms minimum
      cpuPeriod: 5000,
      memory: 100 * Mi,
    });
  });
});

describe("resourceConfigForPod: PodRequests and PodLimits rules", () => {
  it("two Guaranteed containers of 100m/32Mi: shares and quota of 200m, 64Mi", () => {
    const g = c(list("100m", "32Mi"), list("100m", "32Mi"));
    assert.deepEqual(resourceConfigForPod(pod([g, { ...g, name: "d" }])), {
      cpuShares: 204,
      cpuQuota: 20000,
      cpuPeriod: 100000,
      memory: 64 * Mi,
    });
  });
  it("an init container larger than the app containers sets the pod's values (max rule)", () => {
    const p = pod(
      [c(list("100m", "32Mi"), list("100m", "32Mi"))],
      [c(list("500m", "128Mi"), list("500m", "128Mi"))],
    );
    assert.deepEqual(resourceConfigForPod(p), {
      cpuShares: 512,
      cpuQuota: 50000,
      cpuPeriod: 100000,
      memory: 128 * Mi,
    });
  });
  it("a sidecar adds to the app containers", () => {
    const sidecar = c(list("100m", "16Mi"), list("100m", "16Mi"), { restartPolicy: "Always" });
    const p = pod([c(list("200m", "32Mi"), list("200m", "32Mi"))], [sidecar]);
    assert.deepEqual(resourceConfigForPod(p), {
      cpuShares: 307,
      cpuQuota: 30000,
      cpuPeriod: 100000,
      memory: 48 * Mi,
    });
  });
  it("the pod overhead adds to the requests and to the limits that are set", () => {
    const p = pod([c(list("100m", "100Mi"), list("100m", "100Mi"))], undefined, {
      cpu: "50m",
      memory: "10Mi",
    });
    assert.deepEqual(resourceConfigForPod(p), {
      cpuShares: 153,
      cpuQuota: 15000,
      cpuPeriod: 100000,
      memory: 110 * Mi,
    });
  });
  it("a Burstable pod with one container without a memory limit gets no pod memory limit", () => {
    const p = pod([c(list("100m", "32Mi"), list("200m", "64Mi")), c(list("100m", ""), list("100m", ""))]);
    assert.deepEqual(resourceConfigForPod(p), { cpuShares: 204, cpuQuota: 30000, cpuPeriod: 100000 });
  });
});

describe("milliCPUToShares (upstream's TestMilliCPUToShares)", () => {
  const cases: [number, number][] = [
    [0, 2],
    [1, 2],
    [2, 2],
    [1000, 1024],
    [500, 512],
    [100, 102],
    [2000, 2048],
    [1000000, 262144],
    [256000, 262144],
  ];
  for (const [input, expected] of cases)
    it(`${input}m → ${expected}`, () => assert.equal(milliCPUToShares(input), expected));
});

describe("milliCPUToQuota (upstream's TestMilliCPUToQuota)", () => {
  const cases: [number, number][] = [
    [0, 0],
    [5, 1000],
    [9, 1000],
    [10, 1000],
    [200, 20000],
    [500, 50000],
    [1000, 100000],
    [1500, 150000],
  ];
  for (const [input, expected] of cases)
    it(`${input}m → ${expected}`, () => assert.equal(milliCPUToQuota(input, 100000), expected));
});
