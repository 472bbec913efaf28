// Revisions hold upstream's patch {"spec":{"template":{…,"$patch":"replace"}}};
// applying it gives back the template, which is what `kubectl rollout undo` relies on.
import assert from "node:assert/strict";
import { test } from "node:test";
import type { StatefulSet } from "kubernetes-types/apps/v1.d.ts";
import { applyRevision, getPatch, newRevision } from "./revision.ts";

function set(image: string): StatefulSet {
  return {
    apiVersion: "apps/v1",
    kind: "StatefulSet",
    metadata: { name: "web", namespace: "default", uid: "uid-1", annotations: { team: "a" } },
    spec: {
      replicas: 3,
      serviceName: "web",
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" }, creationTimestamp: null as unknown as string },
        spec: {
          containers: [{ name: "c", image, env: [{ name: "A", value: "1" }] }],
          restartPolicy: "Always",
        },
      },
    },
  };
}

test("getPatch is the template with $patch: replace, keys sorted as Go writes a map", () => {
  const patch = getPatch(set("nginx:1"));
  assert.equal(
    JSON.stringify(patch),
    '{"spec":{"template":{"$patch":"replace","metadata":{"creationTimestamp":null,"labels":{"app":"web"}},"spec":{"containers":[{"env":[{"name":"A","value":"1"}],"image":"nginx:1","name":"c"}],"restartPolicy":"Always"}}}}',
  );
});

test("newRevision: named <set>-<hash>, labelled with the template labels and the hash, owned by the set, annotated like it", () => {
  const rev = newRevision(set("nginx:1"), 4, 0);
  const hash = rev.metadata?.labels?.["controller.kubernetes.io/hash"] ?? "";
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rev.metadata?.name, `web-${hash}`);
  assert.equal(rev.metadata?.namespace, "default");
  assert.deepEqual(rev.metadata?.labels, { app: "web", "controller.kubernetes.io/hash": hash });
  assert.deepEqual(rev.metadata?.annotations, { team: "a" });
  assert.deepEqual(rev.metadata?.ownerReferences, [
    {
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      name: "web",
      uid: "uid-1",
      controller: true,
      blockOwnerDeletion: true,
    },
  ]);
  assert.equal(rev.revision, 4);
  assert.deepEqual(rev.data, getPatch(set("nginx:1")));
  // Another template, another hash; a collision count changes it too.
  assert.notEqual(newRevision(set("nginx:2"), 4, 0).metadata?.name, rev.metadata?.name);
  assert.notEqual(newRevision(set("nginx:1"), 4, 1).metadata?.name, rev.metadata?.name);
  // No annotations on the set: none on the revision (Go leaves the empty map out).
  const bare = set("nginx:1");
  delete bare.metadata!.annotations;
  assert.equal(newRevision(bare, 1, 0).metadata?.annotations, undefined);
});

test("applyRevision puts the revision's template back and keeps the rest of the set", () => {
  const old = newRevision(set("nginx:1"), 1, 0);
  const now = set("nginx:2");
  now.spec!.template!.metadata!.annotations = { added: "later" };
  now.spec!.replicas = 5;
  const restored = applyRevision(now, old);
  assert.deepEqual(restored.spec?.template, set("nginx:1").spec?.template);
  assert.equal(restored.spec?.replicas, 5);
  assert.equal(restored.metadata?.name, "web");
  // The input is not modified.
  assert.equal(now.spec?.template?.spec?.containers[0].image, "nginx:2");
});
