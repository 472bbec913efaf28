import assert from "node:assert/strict";
import { existsSync, mkdirSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { cleanupOrphanedPodCgroups, listPodCgroups, podCgroupName } from "./pod-cgroup.ts";

function pod(uid: string, resources: object, qosClass?: string): Pod {
  return {
    metadata: { uid },
    spec: { containers: [{ name: "c", resources }] },
    ...(qosClass ? { status: { qosClass } } : {}),
  } as Pod;
}

describe("podCgroupName (cgroupfs)", () => {
  it("puts Guaranteed pods under kubepods, the others under their QoS class", () => {
    const all = { cpu: "1", memory: "1Gi" };
    assert.equal(podCgroupName(pod("u1", { requests: all, limits: all })), "/k8ts/kubepods/podu1");
    assert.equal(podCgroupName(pod("u2", { requests: { cpu: "100m" } })), "/k8ts/kubepods/burstable/podu2");
    assert.equal(podCgroupName(pod("u3", {})), "/k8ts/kubepods/besteffort/podu3");
    assert.equal(podCgroupName(pod("u4", {}), "/"), "/kubepods/besteffort/podu4");
  });
  it("follows status.qosClass when the apiserver set it", () => {
    assert.equal(podCgroupName(pod("u5", {}, "Burstable")), "/k8ts/kubepods/burstable/podu5");
  });
});

describe("cleanupOrphanedPodCgroups", () => {
  it("removes the pod cgroups of pods not kept, in every hierarchy", () => {
    const mount = mkdtempSync(join(tmpdir(), "cgroup-"));
    const keep = "11111111-aaaa";
    const gone = "22222222-bbbb";
    for (const h of ["memory", "cpu"]) {
      mkdirSync(join(mount, h, "k8ts/kubepods/burstable", `pod${keep}`), { recursive: true });
      mkdirSync(join(mount, h, "k8ts/kubepods", `pod${gone}`), { recursive: true });
    }
    assert.deepEqual([...listPodCgroups("/k8ts", mount).keys()].sort(), [keep, gone]);
    const removed = cleanupOrphanedPodCgroups(new Set([keep]), "/k8ts", mount);
    assert.equal(removed.length, 2);
    assert.equal(existsSync(join(mount, "memory/k8ts/kubepods", `pod${gone}`)), false);
    assert.equal(existsSync(join(mount, "memory/k8ts/kubepods/burstable", `pod${keep}`)), true);
    assert.equal(existsSync(join(mount, "memory/k8ts/kubepods/burstable")), true);
  });
});
