import assert from "node:assert/strict";
import { test } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import {
  formatRFC3339Nano,
  isMirrorPod,
  isMirrorPodOf,
  isStaticPod,
  parsePodFullName,
  podFullName,
} from "./annotations.ts";

const withAnnotations = (annotations: Record<string, string>, name = "p"): Pod => ({
  metadata: { name, namespace: "ns", annotations },
});

test("static pods are those from any source but the API; mirror pods carry the mirror annotation", () => {
  assert.equal(isStaticPod(withAnnotations({ "kubernetes.io/config.source": "file" })), true);
  assert.equal(isStaticPod(withAnnotations({ "kubernetes.io/config.source": "api" })), false);
  assert.equal(isStaticPod(withAnnotations({})), false);
  assert.equal(isMirrorPod(withAnnotations({ "kubernetes.io/config.mirror": "" })), true);
  assert.equal(isMirrorPod(withAnnotations({})), false);
});

test("a mirror pod is of a static pod when name, namespace and hash match", () => {
  const staticPod = withAnnotations({ "kubernetes.io/config.hash": "h1" });
  assert.equal(isMirrorPodOf(withAnnotations({ "kubernetes.io/config.mirror": "h1" }), staticPod), true);
  assert.equal(isMirrorPodOf(withAnnotations({ "kubernetes.io/config.mirror": "h0" }), staticPod), false);
  assert.equal(
    isMirrorPodOf(withAnnotations({ "kubernetes.io/config.mirror": "h1" }, "q"), staticPod),
    false,
  );
  assert.equal(isMirrorPodOf(withAnnotations({}), staticPod), false);
});

test("pod full names are name_namespace", () => {
  assert.equal(podFullName(withAnnotations({})), "p_ns");
  assert.deepEqual(parsePodFullName("etcd-node-a_kube-system"), {
    name: "etcd-node-a",
    namespace: "kube-system",
  });
  assert.throws(() => parsePodFullName("a_b_c"), { message: 'failed to parse the pod full name "a_b_c"' });
  assert.throws(() => parsePodFullName("_b"), { message: 'failed to parse the pod full name "_b"' });
});

test("config.seen is time.RFC3339Nano in UTC", () => {
  assert.equal(formatRFC3339Nano(Date.UTC(2025, 4, 6, 7, 8, 9, 0)), "2025-05-06T07:08:09Z");
  assert.equal(formatRFC3339Nano(Date.UTC(2025, 4, 6, 7, 8, 9, 500)), "2025-05-06T07:08:09.5Z");
  assert.equal(formatRFC3339Nano(Date.UTC(2025, 4, 6, 7, 8, 9, 123)), "2025-05-06T07:08:09.123Z");
});
