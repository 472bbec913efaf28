// Lookups on the shipped v1.32.0 document, and strategic merge patches as
// kubectl sends them, applied with the metadata patchSchemaFor reads from it.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { PatchError } from "../machinery/patch/patch-error.ts";
import { type JSONObject, strategicMergePatch } from "../machinery/patch/strategic-merge.ts";
import {
  definitionFor,
  definitionNameFor,
  openAPIDocument,
  openAPIV2Bytes,
  patchMetaOf,
  patchSchemaFor,
  resolveRef,
  resolveSchema,
  schemaAtPath,
  schemaKind,
} from "./openapi.ts";

// Reads a nested value of decoded JSON.
function dig(v: unknown, ...path: (string | number)[]): unknown {
  let cur = v;
  for (const k of path) cur = (cur as Record<string | number, unknown> | undefined)?.[k];
  return cur;
}

const deployment = { group: "apps", version: "v1", kind: "Deployment" };
const pod = { group: "", version: "v1", kind: "Pod" };

describe("document", () => {
  test("is Kubernetes v1.32.0's swagger 2.0 document", () => {
    const doc = openAPIDocument();
    assert.equal(doc.swagger, "2.0");
    assert.deepEqual(doc.info, { title: "Kubernetes", version: "unversioned" });
    assert.equal(Object.keys(doc.paths).length, 478);
    assert.equal(Object.keys(doc.definitions).length, 638);
    assert.equal(JSON.parse(openAPIV2Bytes().toString()).swagger, "2.0");
  });

  test("finds definitions by group/version/kind", () => {
    assert.equal(definitionNameFor(deployment), "io.k8s.api.apps.v1.Deployment");
    assert.equal(definitionNameFor(pod), "io.k8s.api.core.v1.Pod");
    assert.equal(
      definitionNameFor({ group: "autoscaling", version: "v1", kind: "Scale" }),
      "io.k8s.api.autoscaling.v1.Scale",
    );
    assert.equal(definitionNameFor({ group: "apps", version: "v1", kind: "Nope" }), undefined);
    assert.equal(
      definitionFor(deployment)?.description,
      "Deployment enables declarative updates for Pods and ReplicaSets.",
    );
  });

  test("resolves $ref", () => {
    const meta = definitionFor(deployment)!.properties!.metadata;
    assert.equal(meta.$ref, "#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
    assert.ok(resolveRef(meta.$ref!)?.properties?.ownerReferences);
    assert.equal(resolveSchema(meta), resolveRef(meta.$ref!));
    assert.equal(resolveRef("#/definitions/missing"), undefined);
  });
});

describe("field paths and patch metadata", () => {
  const at = (path: string) => schemaAtPath(deployment, path.split("."));

  test("containers merge by name; ports by containerPort; env by name", () => {
    assert.deepEqual(patchMetaOf(at("spec.template.spec.containers")!), {
      patchStrategies: ["merge"],
      patchMergeKey: "name",
      listType: "map",
      listMapKeys: ["name"],
      mapType: undefined,
    });
    const ports = patchMetaOf(at("spec.template.spec.containers.ports")!);
    assert.deepEqual(
      [ports.patchStrategies, ports.patchMergeKey, ports.listMapKeys],
      [["merge"], "containerPort", ["containerPort", "protocol"]],
    );
    assert.equal(patchMetaOf(at("spec.template.spec.containers.env")!).patchMergeKey, "name");
  });

  test("volumes are merge,retainKeys; the deployment strategy is retainKeys", () => {
    assert.deepEqual(patchMetaOf(at("spec.template.spec.volumes")!).patchStrategies, ["merge", "retainKeys"]);
    assert.deepEqual(patchMetaOf(at("spec.strategy")!).patchStrategies, ["retainKeys"]);
  });

  test("ObjectMeta: finalizers a merged set, ownerReferences merged by uid, managedFields atomic", () => {
    const fin = patchMetaOf(at("metadata.finalizers")!);
    assert.deepEqual([fin.patchStrategies, fin.patchMergeKey, fin.listType], [["merge"], "", "set"]);
    assert.equal(patchMetaOf(at("metadata.ownerReferences")!).patchMergeKey, "uid");
    assert.equal(patchMetaOf(at("metadata.managedFields")!).listType, "atomic");
  });

  test("maps select their value schema for any key", () => {
    assert.equal(at("metadata.labels.app")?.type, "string");
    assert.equal(
      at("spec.template.spec.containers.resources.limits.cpu")?.$ref,
      "#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity",
    );
    assert.equal(at("spec.nope"), undefined);
  });

  test("schema kinds, special apimachinery types included", () => {
    assert.equal(schemaKind(at("spec.strategy.rollingUpdate.maxSurge")), "int-or-string");
    assert.equal(schemaKind(at("spec.template.spec.containers.resources.limits")), "map");
    assert.equal(schemaKind(at("spec.template.spec.containers.resources.limits.cpu")), "quantity");
    assert.equal(schemaKind(at("metadata.creationTimestamp")), "time");
    assert.equal(schemaKind(at("metadata.managedFields.fieldsV1")), "opaque");
    assert.equal(schemaKind(at("spec.replicas")), "integer");
    assert.equal(schemaKind(at("spec.template.spec.containers")), "list");
    assert.equal(schemaKind(at("spec")), "object");
    const raw = schemaAtPath({ group: "apps", version: "v1", kind: "ControllerRevision" }, ["data"]);
    assert.equal(schemaKind(raw), "opaque");
    const secretData = schemaAtPath({ group: "", version: "v1", kind: "Secret" }, ["data", "x"]);
    assert.equal(schemaKind(secretData), "bytes");
  });
});

// A Deployment as the apiserver stores it after defaulting.
function liveDeployment(): JSONObject {
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: "web",
      namespace: "default",
      labels: { app: "web", tier: "frontend" },
      finalizers: ["example.com/a", "example.com/b"],
      annotations: { "kubectl.kubernetes.io/last-applied-configuration": "{}" },
    },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: "web" } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxSurge: "25%", maxUnavailable: "25%" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          containers: [
            {
              name: "web",
              image: "nginx:1.26",
              ports: [{ containerPort: 80, protocol: "TCP" }],
              env: [
                { name: "A", value: "1" },
                { name: "B", value: "2" },
              ],
              terminationMessagePath: "/dev/termination-log",
              imagePullPolicy: "IfNotPresent",
            },
            { name: "sidecar", image: "busybox", terminationMessagePath: "/dev/termination-log" },
          ],
          volumes: [{ name: "data", emptyDir: {} }],
          restartPolicy: "Always",
        },
      },
    },
  };
}

describe("strategic merge patch with the Deployment schema", () => {
  const schema = patchSchemaFor(deployment);
  const apply = (patch: unknown) => strategicMergePatch(liveDeployment(), patch, schema);

  test("kubectl apply removing a container: $setElementOrder and $patch: delete", () => {
    const got = apply({
      metadata: { annotations: { "kubectl.kubernetes.io/last-applied-configuration": '{"new":true}\n' } },
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "web" }],
            containers: [{ $patch: "delete", name: "sidecar" }],
          },
        },
      },
    });
    const containers = dig(got, "spec", "template", "spec", "containers") as unknown[];
    assert.equal(containers.length, 1);
    // Server-side defaults of the remaining container survive.
    assert.deepEqual(containers[0], dig(liveDeployment(), "spec", "template", "spec", "containers", 0));
    assert.equal(
      dig(got, "metadata", "annotations", "kubectl.kubernetes.io/last-applied-configuration"),
      '{"new":true}\n',
    );
  });

  test("kubectl apply changing an image, adding a port and reordering containers", () => {
    const got = apply({
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "sidecar" }, { name: "web" }],
            containers: [
              {
                name: "web",
                image: "nginx:1.27",
                "$setElementOrder/ports": [{ containerPort: 80 }, { containerPort: 443 }],
                ports: [{ containerPort: 443, protocol: "TCP" }],
              },
            ],
          },
        },
      },
    });
    const [sidecar, web] = dig(got, "spec", "template", "spec", "containers") as JSONObject[];
    assert.equal(sidecar.name, "sidecar");
    assert.equal(web.image, "nginx:1.27");
    assert.equal(web.imagePullPolicy, "IfNotPresent");
    assert.deepEqual(web.ports, [
      { containerPort: 80, protocol: "TCP" },
      { containerPort: 443, protocol: "TCP" },
    ]);
  });

  test("env vars merge by name; one deleted", () => {
    const got = apply({
      spec: {
        template: {
          spec: {
            "$setElementOrder/containers": [{ name: "web" }, { name: "sidecar" }],
            containers: [
              {
                name: "web",
                "$setElementOrder/env": [{ name: "A" }, { name: "C" }],
                env: [
                  { name: "C", value: "3" },
                  { $patch: "delete", name: "B" },
                ],
              },
            ],
          },
        },
      },
    });
    assert.deepEqual(dig(got, "spec", "template", "spec", "containers", 0, "env"), [
      { name: "A", value: "1" },
      { name: "C", value: "3" },
    ]);
  });

  test("switching the strategy to Recreate: $retainKeys drops rollingUpdate", () => {
    const got = apply({
      spec: { strategy: { $retainKeys: ["type"], rollingUpdate: null, type: "Recreate" } },
    });
    assert.deepEqual(dig(got, "spec", "strategy"), { type: "Recreate" });
  });

  test("replacing a volume source: $retainKeys inside a merge,retainKeys list", () => {
    const got = apply({
      spec: {
        template: {
          spec: {
            volumes: [{ $retainKeys: ["configMap", "name"], configMap: { name: "cfg" }, name: "data" }],
          },
        },
      },
    });
    assert.deepEqual(dig(got, "spec", "template", "spec", "volumes"), [
      { name: "data", configMap: { name: "cfg" } },
    ]);
  });

  test("finalizers: a merged set, and $deleteFromPrimitiveList", () => {
    // Patch items keep the patch's order and come first where the live order
    // cannot place them (upstream's mergeSortedSlice).
    assert.deepEqual(
      dig(apply({ metadata: { finalizers: ["example.com/c", "example.com/a"] } }), "metadata", "finalizers"),
      ["example.com/c", "example.com/a", "example.com/b"],
    );
    const got = apply({ metadata: { "$deleteFromPrimitiveList/finalizers": ["example.com/a"] } });
    assert.deepEqual(dig(got, "metadata", "finalizers"), ["example.com/b"]);
  });

  test("labels: null deletes a key, others merge", () => {
    const got = apply({ metadata: { labels: { tier: null, track: "stable" } } });
    assert.deepEqual(dig(got, "metadata", "labels"), { app: "web", track: "stable" });
  });

  test("lists without a patch strategy are replaced", () => {
    const p = strategicMergePatch(
      { spec: { tolerations: [{ key: "a", operator: "Exists" }], containers: [{ name: "c", image: "x" }] } },
      { spec: { tolerations: [{ key: "b", operator: "Exists" }] } },
      patchSchemaFor(pod),
    );
    assert.deepEqual(dig(p, "spec", "tolerations"), [{ key: "b", operator: "Exists" }]);
  });

  test("ownerReferences merge by uid", () => {
    const p = strategicMergePatch(
      { metadata: { ownerReferences: [{ uid: "1", name: "a", kind: "ReplicaSet", apiVersion: "apps/v1" }] } },
      { metadata: { ownerReferences: [{ uid: "2", name: "b", kind: "ReplicaSet", apiVersion: "apps/v1" }] } },
      patchSchemaFor(pod),
    );
    assert.deepEqual(
      (dig(p, "metadata", "ownerReferences") as { uid: string }[]).map((o) => o.uid),
      ["1", "2"],
    );
  });

  test("a container without its merge key is upstream's 500", () => {
    assert.throws(
      () => apply({ spec: { template: { spec: { containers: [{ image: "x" }] } } } }),
      (e: unknown) =>
        e instanceof PatchError &&
        e.code === 500 &&
        e.message === "map: map[image:x] does not contain declared merge key: name",
    );
  });
});
