// The delete helper pod: bound to the volume's node, the parent directory
// mounted at the same path, rm -rf of the volume's directory.
import assert from "node:assert/strict";
import { it } from "node:test";
import { helperPodName, newDeleteHelperPod } from "./helper-pod.ts";

it("runs rm -rf on the node with the parent directory mounted", () => {
  const pod = newDeleteHelperPod("pvc-1", "/data/lp/pvc-1_ns_c/", "node-0");
  assert.equal(pod.metadata?.name, "helper-pod-delete-pvc-1");
  assert.equal(pod.metadata?.namespace, "kube-system");
  assert.deepEqual(pod.metadata?.annotations, {
    "local-path.k8ts.io/volume": "pvc-1",
    "fake.k8ts.io/run-seconds": "1",
  });
  assert.equal(pod.spec?.nodeName, "node-0");
  assert.equal(pod.spec?.restartPolicy, "Never");
  assert.equal(pod.spec?.automountServiceAccountToken, false);
  assert.deepEqual(pod.spec?.tolerations, [{ operator: "Exists" }]);
  assert.deepEqual(pod.spec?.volumes, [
    { name: "data", hostPath: { path: "/data/lp", type: "DirectoryOrCreate" } },
  ]);
  const [c] = pod.spec?.containers ?? [];
  assert.equal(c.image, "k8ts.local/busybox:latest");
  assert.deepEqual(c.command, ["rm", "-rf", "/data/lp/pvc-1_ns_c"]);
  assert.deepEqual(c.volumeMounts, [{ name: "data", mountPath: "/data/lp" }]);
});

it("never deletes a top-level or relative path", () => {
  assert.throws(() => newDeleteHelperPod("pvc-1", "/", "n"), /cannot find parent dir or volume dir/);
  assert.throws(() => newDeleteHelperPod("pvc-1", "/top", "n"), /cannot find parent dir or volume dir/);
  assert.throws(() => newDeleteHelperPod("pvc-1", "rel/dir", "n"), {
    message: "volume path rel/dir is not absolute",
  });
  assert.throws(() => newDeleteHelperPod("", "/a/b", "n"), { message: "invalid empty name or path or node" });
});

it("long names are cut at 128 characters", () => {
  assert.equal(helperPodName("delete", "x".repeat(200)).length, 128);
});
