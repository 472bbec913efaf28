import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import { milliCPUToQuota, milliCPUToShares, QUOTA_PERIOD } from "../cm/helpers.ts";
import { generateContainerConfig } from "./container-config.ts";

function config(c: Container, psc?: NonNullable<Pod["spec"]>["securityContext"]) {
  const pod: Pod = {
    metadata: { name: "p", namespace: "ns", uid: "u" },
    spec: { securityContext: psc, containers: [c] },
  };
  return generateContainerConfig({
    pod,
    container: c,
    restartCount: 0,
    envs: [],
    memoryCapacity: 8 * 2 ** 30,
  }).linux!;
}

describe("generateContainerConfig (linux)", () => {
  it("turns requests and limits into cpu shares, CFS quota and the memory limit", () => {
    const { resources } = config({
      name: "c",
      resources: { requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "500m", memory: "64Mi" } },
    });
    assert.deepEqual(
      { ...resources, oomScoreAdj: undefined },
      {
        cpuShares: 256,
        cpuPeriod: 100000,
        cpuQuota: 50000,
        memoryLimitInBytes: 64 * 1024 * 1024,
        oomScoreAdj: undefined,
      },
    );
    // Burstable: 1000 - 1000 * request / capacity.
    assert.equal(resources?.oomScoreAdj, 1000 - Math.floor((1000 * 64 * 1024 * 1024) / (8 * 2 ** 30)));
  });
  it("gives BestEffort the minimum shares and the highest OOM score, Guaranteed the lowest", () => {
    assert.deepEqual(config({ name: "c" }).resources, { cpuShares: 2, oomScoreAdj: 1000 });
    const all = { cpu: "1", memory: "1Gi" };
    assert.equal(
      config({ name: "c", resources: { requests: all, limits: all } }).resources?.oomScoreAdj,
      -997,
    );
  });
  it("carries the merged security context", () => {
    const sc = config(
      { name: "c", securityContext: { runAsUser: 5, allowPrivilegeEscalation: false } },
      {
        runAsUser: 1,
        runAsGroup: 2,
        fsGroup: 3,
      },
    ).securityContext as Record<string, unknown>;
    assert.deepEqual(
      [sc.runAsUser, sc.runAsGroup, sc.supplementalGroups, sc.noNewPrivs],
      [{ value: 5 }, { value: 2 }, [3], true],
    );
  });
  it("gives each container a PID namespace of its own unless the pod shares one or takes the node's", () => {
    const ns = (spec: Partial<NonNullable<Pod["spec"]>>, targetId?: string) =>
      generateContainerConfig({
        pod: { metadata: { name: "p" }, spec: { containers: [{ name: "c" }], ...spec } },
        container: { name: "c" },
        restartCount: 0,
        envs: [],
        memoryCapacity: 0,
        targetId,
      }).linux?.securityContext?.namespaceOptions;
    assert.deepEqual(ns({}), { network: "POD", pid: "CONTAINER", ipc: "POD" });
    assert.deepEqual(ns({ shareProcessNamespace: true }), { network: "POD", pid: "POD", ipc: "POD" });
    assert.deepEqual(ns({ hostNetwork: true, hostPID: true, hostIPC: true }), {
      network: "NODE",
      pid: "NODE",
      ipc: "NODE",
    });
    // An ephemeral container with a target joins that container's processes...
    assert.deepEqual(ns({}, "ctr-1"), { network: "POD", pid: "TARGET", targetId: "ctr-1", ipc: "POD" });
    // ...which it sees anyway when the pod shares its PID namespace.
    assert.deepEqual(ns({ shareProcessNamespace: true }, "ctr-1"), {
      network: "POD",
      pid: "POD",
      ipc: "POD",
    });
  });
  it("milliCPUToShares and milliCPUToQuota as upstream rounds them", () => {
    assert.deepEqual([milliCPUToShares(0), milliCPUToShares(1), milliCPUToShares(1500)], [2, 2, 1536]);
    assert.deepEqual(
      [
        milliCPUToQuota(0, QUOTA_PERIOD),
        milliCPUToQuota(5, QUOTA_PERIOD),
        milliCPUToQuota(250, QUOTA_PERIOD),
      ],
      [0, 1000, 25000],
    );
  });
});
