import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { generatePodSandboxConfig } from "./sandbox-config.ts";

const pod: Pod = {
  metadata: { name: "p", namespace: "ns", uid: "u1" },
  spec: {
    securityContext: { runAsUser: 1000, runAsGroup: 3000, fsGroup: 2000, supplementalGroups: [4000] },
    containers: [{ name: "c", resources: { requests: { cpu: "100m" } } }],
  },
};

describe("generatePodSandboxConfig", () => {
  it("runs the sandbox as the pod's user with fsGroup first among the groups", () => {
    const sc = generatePodSandboxConfig(pod, 0, { podLogsDirectory: "/logs", clusterDomain: "cluster.local" })
      .linux?.securityContext as Record<string, unknown>;
    assert.deepEqual(sc.runAsUser, { value: 1000 });
    assert.deepEqual(sc.runAsGroup, { value: 3000 });
    assert.deepEqual(sc.supplementalGroups, [2000, 4000]);
  });
  it("gives the pod cgroup of its QoS class as the cgroup parent, only with a cgroup root", () => {
    const opts = { podLogsDirectory: "/logs", clusterDomain: "cluster.local" };
    assert.equal(
      generatePodSandboxConfig(pod, 0, { ...opts, cgroupRoot: "/k8ts" }).linux?.cgroupParent,
      "/k8ts/kubepods/burstable/podu1",
    );
    assert.equal(generatePodSandboxConfig(pod, 0, opts).linux?.cgroupParent, undefined);
  });
  it("passes the DNS configurer's settings", () => {
    const dns = { servers: ["10.96.0.10"], searches: ["ns.svc.cluster.local"], options: ["ndots:5"] };
    assert.deepEqual(
      generatePodSandboxConfig(pod, 0, { podLogsDirectory: "/l", clusterDomain: "cluster.local", dns })
        .dnsConfig,
      dns,
    );
  });
});
