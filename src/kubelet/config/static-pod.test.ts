import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeStaticPod, generatePodName } from "./static-pod.ts";

const yaml = `apiVersion: v1
kind: Pod
metadata:
  name: web
  labels:
    app: web
spec:
  containers:
  - name: nginx
    image: k8ts.local/busybox:latest
    notAField: dropped
`;

const json = JSON.stringify({
  apiVersion: "v1",
  kind: "Pod",
  metadata: { name: "web", labels: { app: "web" } },
  spec: { containers: [{ name: "nginx", image: "k8ts.local/busybox:latest" }] },
});

const at = { source: "/etc/k8ts/manifests/web.yaml", nodeName: "node-a" };

test("a static pod is named <name>-<node>, bound to the node, annotated and defaulted", () => {
  const pod = decodeStaticPod(yaml, at);
  assert.equal(pod.metadata?.name, "web-node-a");
  assert.equal(pod.metadata?.namespace, "default");
  assert.match(pod.metadata?.uid ?? "", /^[0-9a-f]{32}$/);
  assert.deepEqual(pod.metadata?.annotations, { "kubernetes.io/config.hash": pod.metadata?.uid });
  assert.deepEqual(pod.metadata?.labels, { app: "web" });
  assert.equal(pod.spec?.nodeName, "node-a");
  // Static pods tolerate every NoExecute taint: node problems never evict them.
  assert.deepEqual(pod.spec?.tolerations, [{ operator: "Exists", effect: "NoExecute" }]);
  assert.deepEqual(pod.status, { phase: "Pending" });
  // The API's own defaults, as the scheme's decoder applies them.
  assert.equal(pod.spec?.restartPolicy, "Always");
  assert.equal(pod.spec?.dnsPolicy, "ClusterFirst");
  assert.equal(pod.spec?.terminationGracePeriodSeconds, 30);
  assert.equal(pod.spec?.schedulerName, "default-scheduler");
  assert.equal(pod.spec?.containers[0].imagePullPolicy, "Always");
  assert.equal(pod.spec?.containers[0].terminationMessagePath, "/dev/termination-log");
  assert.equal(Object.hasOwn(pod.spec?.containers[0] ?? {}, "notAField"), false);
});

test("the uid is a hash of the pod, the node and the file", () => {
  const uid = decodeStaticPod(yaml, at).metadata?.uid;
  assert.equal(decodeStaticPod(yaml, at).metadata?.uid, uid, "stable");
  assert.equal(decodeStaticPod(json, at).metadata?.uid, uid, "the same pod in JSON");
  assert.notEqual(decodeStaticPod(yaml, { ...at, nodeName: "node-b" }).metadata?.uid, uid);
  assert.notEqual(
    decodeStaticPod(yaml, { ...at, source: "/etc/k8ts/manifests/other.yaml" }).metadata?.uid,
    uid,
  );
  assert.notEqual(decodeStaticPod(yaml.replace("app: web", "app: web2"), at).metadata?.uid, uid);
});

test("a uid and namespace in the manifest are kept; the node name is lowercased in the pod name", () => {
  const pod = decodeStaticPod(
    yaml.replace("  name: web\n", "  name: web\n  namespace: kube-system\n  uid: fixed-uid\n"),
    at,
  );
  assert.equal(pod.metadata?.uid, "fixed-uid");
  assert.equal(pod.metadata?.namespace, "kube-system");
  assert.equal(pod.metadata?.annotations?.["kubernetes.io/config.hash"], "fixed-uid");
  assert.equal(generatePodName("etcd", "Master-1"), "etcd-master-1");
});

test("an existing NoExecute toleration is not repeated; others are kept", () => {
  const pod = decodeStaticPod(
    `${yaml}  tolerations:
  - operator: Exists
    effect: NoExecute
  - key: dedicated
    operator: Equal
    value: infra
    effect: NoSchedule
`,
    at,
  );
  assert.deepEqual(pod.spec?.tolerations, [
    { operator: "Exists", effect: "NoExecute" },
    { key: "dedicated", operator: "Equal", value: "infra", effect: "NoSchedule" },
  ]);
});

test("manifests that are not valid pods give upstream's errors", () => {
  const err = (data: string) => {
    try {
      decodeStaticPod(data, at);
    } catch (e) {
      return (e as Error).message;
    }
    return "no error";
  };
  assert.equal(
    err('{"apiVersion":"v1","metadata":{"name":"x"}}'),
    `/etc/k8ts/manifests/web.yaml: couldn't parse as pod(Object 'Kind' is missing in '{"apiVersion":"v1","metadata":{"name":"x"}}'), please check config file`,
  );
  assert.equal(err("apiVersion: v1\nkind: Pod\nspec: {}\n"), "invalid pod: name is needed for the pod");
  assert.equal(
    err("apiVersion: v1\nkind: Pod\nmetadata: {name: x}\nspec: {containers: []}\n"),
    "invalid pod: [spec.containers: Required value]",
  );
  assert.equal(
    err(`${yaml}  resourceClaims:\n  - name: gpu\n    resourceClaimName: gpu\n`),
    "static pods may not use ResourceClaims",
  );
  assert.equal(
    err(
      `${yaml}  volumes:\n  - name: v\n    projected:\n      sources:\n      - clusterTrustBundle: {name: b, path: p}\n`,
    ),
    "static pods may not use ClusterTrustBundle projected volume sources",
  );
  assert.match(err("apiVersion: apps/v1\nkind: Deployment\n"), /couldn't parse as pod\(/);
});
