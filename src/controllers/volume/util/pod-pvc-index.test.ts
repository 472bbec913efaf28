// Pods indexed by claim, and when a pod counts as terminated for volumes.
import assert from "node:assert/strict";
import { it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isPodTerminated, podPVCIndexFunc } from "./pod-pvc-index.ts";

it("indexes claims and generic ephemeral volumes as namespace/claim", () => {
  const pod: Pod = {
    metadata: { name: "p", namespace: "ns" },
    spec: {
      containers: [],
      volumes: [
        { name: "a", persistentVolumeClaim: { claimName: "data" } },
        { name: "scratch", ephemeral: { volumeClaimTemplate: { spec: {} } } },
        { name: "cfg", configMap: { name: "c" } },
      ],
    },
  };
  assert.deepEqual(podPVCIndexFunc(pod), ["ns/data", "ns/p-scratch"]);
});

it("terminated: finished, or deleted with no container running", () => {
  const running = { state: { running: {} } };
  const stopped = { state: { terminated: { exitCode: 0 } } };
  const pod = (phase: string, deleting: boolean, statuses: object[]): Pod =>
    ({
      metadata: { name: "p", deletionTimestamp: deleting ? "2024-01-01T00:00:00Z" : undefined },
      status: { phase, containerStatuses: statuses },
    }) as Pod;
  assert.equal(isPodTerminated(pod("Succeeded", false, [])), true);
  assert.equal(isPodTerminated(pod("Failed", false, [])), true);
  assert.equal(isPodTerminated(pod("Running", false, [stopped])), false);
  assert.equal(isPodTerminated(pod("Running", true, [stopped])), true);
  assert.equal(isPodTerminated(pod("Running", true, [running, stopped])), false);
});
