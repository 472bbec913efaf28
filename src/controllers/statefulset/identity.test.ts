// After upstream's stateful_set_utils_test.go: ordinals from names, identity
// and storage checks and repairs, new pods at the right revision.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import {
  ascendingOrdinal,
  getParentNameAndOrdinal,
  getPersistentVolumeClaims,
  getPodRevision,
  identityMatches,
  newStatefulSetPod,
  newVersionedStatefulSetPod,
  podInOrdinalRange,
  storageMatches,
  updateIdentity,
  updateStorage,
} from "./identity.ts";

function newStatefulSet(replicas: number): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "foo", namespace: "default", uid: "test" },
    spec: {
      replicas,
      serviceName: "governingsvc",
      selector: { matchLabels: { foo: "bar" } },
      updateStrategy: { type: "RollingUpdate" },
      template: {
        metadata: { labels: { foo: "bar" } },
        spec: {
          containers: [
            { name: "nginx", image: "nginx", volumeMounts: [{ name: "datadir", mountPath: "/tmp/" }] },
          ],
          volumes: [{ name: "home", hostPath: { path: "/tmp/home" } }],
        },
      },
      volumeClaimTemplates: [
        {
          metadata: { name: "datadir", labels: { tier: "db" } },
          spec: { resources: { requests: { storage: "1" } } },
        },
      ],
    },
  };
}

test("getParentNameAndOrdinal reads <set>-<ordinal> and gives -1 otherwise", () => {
  const set = newStatefulSet(3);
  const pod = newStatefulSetPod(set, 1);
  assert.deepEqual(getParentNameAndOrdinal(pod), { parent: "foo", ordinal: 1 });
  assert.deepEqual(getParentNameAndOrdinal({ metadata: { name: "1-bar" } }), { parent: "", ordinal: -1 });
  assert.deepEqual(getParentNameAndOrdinal({ metadata: { name: "a-b-12" } }), { parent: "a-b", ordinal: 12 });
  // Beyond int32 strconv.ParseInt fails.
  assert.equal(getParentNameAndOrdinal({ metadata: { name: "foo-2147483648" } }).ordinal, -1);
});

test("a new pod carries its identity: name, labels, hostname, subdomain, owner, revision-free", () => {
  const set = newStatefulSet(3);
  const pod = newStatefulSetPod(set, 2);
  assert.equal(pod.metadata?.name, "foo-2");
  assert.equal(pod.metadata?.namespace, "default");
  assert.equal(pod.metadata?.generateName, "foo-");
  assert.deepEqual(pod.metadata?.labels, {
    foo: "bar",
    "statefulset.kubernetes.io/pod-name": "foo-2",
    "apps.kubernetes.io/pod-index": "2",
  });
  assert.equal(pod.spec?.hostname, "foo-2");
  assert.equal(pod.spec?.subdomain, "governingsvc");
  assert.deepEqual(pod.metadata?.ownerReferences, [
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      name: "foo",
      uid: "test",
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  // Claims first (in template order), then the template's other volumes.
  assert.deepEqual(pod.spec?.volumes, [
    { name: "datadir", persistentVolumeClaim: { claimName: "datadir-foo-2" } },
    { name: "home", hostPath: { path: "/tmp/home" } },
  ]);
  assert.equal(getPodRevision(pod), "");
  assert.ok(identityMatches(set, pod));
  assert.ok(storageMatches(set, pod));
});

test("identityMatches and updateIdentity: name, namespace and the pod-name label", () => {
  const set = newStatefulSet(3);
  const pod = newStatefulSetPod(set, 1);
  const other: Pod = structuredClone(pod);
  other.metadata!.namespace = "elsewhere";
  assert.ok(!identityMatches(set, other));
  updateIdentity(set, other);
  assert.ok(identityMatches(set, other));
  delete other.metadata!.labels!["statefulset.kubernetes.io/pod-name"];
  assert.ok(!identityMatches(set, other));
  updateIdentity(set, other);
  assert.equal(other.metadata?.labels?.["statefulset.kubernetes.io/pod-name"], "foo-1");
  assert.equal(other.metadata?.labels?.["apps.kubernetes.io/pod-index"], "1");
  assert.ok(!identityMatches(set, { metadata: { name: "bar-1", namespace: "default" } }));
});

test("storageMatches and updateStorage: a local volume of a claim's name is replaced by the claim", () => {
  const set = newStatefulSet(3);
  const pod = newStatefulSetPod(set, 1);
  pod.spec!.volumes = [
    { name: "datadir", hostPath: { path: "/tmp/x" } },
    { name: "home", emptyDir: {} },
  ];
  assert.ok(!storageMatches(set, pod));
  updateStorage(set, pod);
  assert.ok(storageMatches(set, pod));
  assert.deepEqual(pod.spec?.volumes, [
    { name: "datadir", persistentVolumeClaim: { claimName: "datadir-foo-1" } },
    { name: "home", emptyDir: {} },
  ]);
});

test("claims take the template's labels overlaid with the selector's matchLabels", () => {
  const set = newStatefulSet(3);
  const claims = getPersistentVolumeClaims(set, newStatefulSetPod(set, 0));
  const claim = claims.get("datadir")!;
  assert.equal(claim.metadata?.name, "datadir-foo-0");
  assert.equal(claim.metadata?.namespace, "default");
  assert.deepEqual(claim.metadata?.labels, { tier: "db", foo: "bar" });
  assert.deepEqual(claim.spec, { resources: { requests: { storage: "1" } } });
  // The set's template is untouched.
  assert.deepEqual(set.spec?.volumeClaimTemplates?.[0].metadata?.labels, { tier: "db" });
});

test("spec.ordinals.start shifts the range of ordinals", () => {
  const set = newStatefulSet(2);
  set.spec!.ordinals = { start: 5 };
  const inRange = (n: number) => podInOrdinalRange({ metadata: { name: `foo-${n}` } }, set);
  assert.deepEqual([4, 5, 6, 7].map(inRange), [false, true, true, false]);
});

test("newVersionedStatefulSetPod: below the partition at the current revision, else at the update revision", () => {
  const current = newStatefulSet(3);
  const update = structuredClone(current);
  update.spec!.template!.metadata!.annotations = { v: "2" };
  current.spec!.updateStrategy = { type: "RollingUpdate", rollingUpdate: { partition: 2 } };
  const at = (n: number) => newVersionedStatefulSetPod(current, update, "rev-1", "rev-2", n);
  assert.equal(getPodRevision(at(1)), "rev-1");
  assert.equal(at(1).metadata?.annotations?.v, undefined);
  assert.equal(getPodRevision(at(2)), "rev-2");
  assert.equal(at(2).metadata?.annotations?.v, "2");
  // Without rollingUpdate, status.currentReplicas decides.
  current.spec!.updateStrategy = { type: "RollingUpdate" };
  current.status = { replicas: 3, currentReplicas: 1 };
  assert.equal(getPodRevision(at(0)), "rev-1");
  assert.equal(getPodRevision(at(1)), "rev-2");
  // OnDelete: new pods are made at the update revision.
  current.spec!.updateStrategy = { type: "OnDelete" };
  assert.equal(getPodRevision(at(0)), "rev-2");
});

test("ascendingOrdinal puts pods without an ordinal first", () => {
  const pods: Pod[] = ["foo-10", "foo-2", "bar", "foo-0"].map((name) => ({ metadata: { name } }));
  assert.deepEqual(
    pods.sort(ascendingOrdinal).map((p) => p.metadata?.name),
    ["bar", "foo-0", "foo-2", "foo-10"],
  );
});
