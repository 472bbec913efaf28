import assert from "node:assert/strict";
import { test } from "node:test";
import type { RestClient } from "../../client/rest-client.ts";
import { deletableResources, discoveryFor, RestMapper } from "./discovery.ts";

const verbs = ["create", "delete", "get", "list", "watch"];
const docs: Record<string, unknown> = {
  "/api": { kind: "APIVersions", versions: ["v1"] },
  "/api/v1": {
    kind: "APIResourceList",
    groupVersion: "v1",
    resources: [
      { name: "pods", namespaced: true, kind: "Pod", verbs },
      { name: "pods/status", namespaced: true, kind: "Pod", verbs: ["get", "patch"] },
      { name: "bindings", namespaced: true, kind: "Binding", verbs: ["create"] },
      { name: "nodes", namespaced: false, kind: "Node", verbs },
    ],
  },
  "/apis": {
    kind: "APIGroupList",
    groups: [
      {
        name: "example.com",
        versions: [
          { groupVersion: "example.com/v1", version: "v1" },
          { groupVersion: "example.com/v1beta1", version: "v1beta1" },
        ],
        preferredVersion: { groupVersion: "example.com/v1", version: "v1" },
      },
      {
        name: "broken.io",
        versions: [{ groupVersion: "broken.io/v1", version: "v1" }],
        preferredVersion: { groupVersion: "broken.io/v1", version: "v1" },
      },
    ],
  },
  "/apis/example.com/v1": {
    kind: "APIResourceList",
    resources: [{ name: "widgets", namespaced: true, kind: "Widget", verbs }],
  },
  "/apis/example.com/v1beta1": {
    kind: "APIResourceList",
    resources: [
      { name: "widgets", namespaced: true, kind: "Widget", verbs },
      { name: "gadgets", namespaced: false, kind: "Gadget", verbs },
    ],
  },
};

const client = {
  json: async (_method: string, path: string) => {
    if (!(path in docs)) throw new Error(`503 ${path}`);
    return docs[path];
  },
} as unknown as RestClient;

test("discovery keeps each resource's preferred version, skips subresources and reports failed groups", async () => {
  const d = await discoveryFor(client)();
  const names = d.preferred.map((r) => `${r.ref.group}/${r.ref.version}/${r.ref.resource}`).sort();
  // gadgets exists only in v1beta1, so that version is kept for it.
  assert.deepEqual(names, [
    "/v1/bindings",
    "/v1/nodes",
    "/v1/pods",
    "example.com/v1/widgets",
    "example.com/v1beta1/gadgets",
  ]);
  assert.deepEqual(d.failedGroupVersions, ["broken.io/v1"]);
  assert.deepEqual(
    deletableResources(d)
      .map((r) => r.ref.resource)
      .sort(),
    ["gadgets", "nodes", "pods", "widgets"],
    "bindings cannot be listed, watched or deleted",
  );
});

test("the REST mapper maps apiVersion and kind in exactly that version", async () => {
  const m = new RestMapper((await discoveryFor(client)()).all);
  assert.deepEqual(m.mapping("v1", "Node"), {
    group: "",
    version: "v1",
    resource: "nodes",
    namespaced: false,
  });
  assert.deepEqual(m.mapping("example.com/v1beta1", "Widget")?.version, "v1beta1");
  assert.equal(m.mapping("example.com/v2", "Widget"), undefined);
  assert.equal(m.mapping("v1", "Widget"), undefined);
});
