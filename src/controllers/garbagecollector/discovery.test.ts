import assert from "node:assert/strict";
import { test } from "node:test";
import type { RestClient } from "../../client/rest-client.ts";
import { type DiscoveryResult, deletableResources, discoveryFor, RestMapper } from "./discovery.ts";

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

// gadgets exists only in v1beta1, so that version is kept for it.
const PREFERRED = [
  "/v1/bindings",
  "/v1/nodes",
  "/v1/pods",
  "example.com/v1/widgets",
  "example.com/v1beta1/gadgets",
];
const preferredNames = (d: DiscoveryResult) =>
  d.preferred.map((r) => `${r.ref.group}/${r.ref.version}/${r.ref.resource}`).sort();

test("discovery keeps each resource's preferred version, skips subresources and reports failed groups", async () => {
  const d = await discoveryFor(client)();
  assert.deepEqual(preferredNames(d), PREFERRED);
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

test("aggregated discovery: two requests, the same resources, and a Stale group version counts as failed", async () => {
  const resource = (name: string, kind: string, scope: "Namespaced" | "Cluster", v = verbs) => ({
    resource: name,
    responseKind: { group: "", version: "", kind },
    scope,
    verbs: v,
  });
  const aggregated: Record<string, unknown> = {
    "/api": {
      kind: "APIGroupDiscoveryList",
      items: [
        {
          metadata: {},
          versions: [
            {
              version: "v1",
              resources: [
                resource("pods", "Pod", "Namespaced"),
                resource("bindings", "Binding", "Namespaced", ["create"]),
                resource("nodes", "Node", "Cluster"),
              ],
            },
          ],
        },
      ],
    },
    "/apis": {
      kind: "APIGroupDiscoveryList",
      items: [
        {
          metadata: { name: "example.com" },
          versions: [
            { version: "v1", resources: [resource("widgets", "Widget", "Namespaced")] },
            {
              version: "v1beta1",
              resources: [
                resource("widgets", "Widget", "Namespaced"),
                resource("gadgets", "Gadget", "Cluster"),
              ],
            },
          ],
        },
        { metadata: { name: "broken.io" }, versions: [{ version: "v1", freshness: "Stale" }] },
      ],
    },
  };
  const asked: string[] = [];
  const c = {
    json: async (
      _m: string,
      path: string,
      _q: unknown,
      _b: unknown,
      _o: unknown,
      headers: Record<string, string>,
    ) => {
      asked.push(path);
      if (headers.Accept?.includes("g=apidiscovery.k8s.io;v=v2") && path in aggregated)
        return aggregated[path];
      throw new Error(`unexpected ${path}`);
    },
  } as unknown as RestClient;
  const d = await discoveryFor(c)();
  assert.deepEqual(asked.sort(), ["/api", "/apis"]);
  assert.deepEqual(preferredNames(d), PREFERRED);
  assert.deepEqual(d.failedGroupVersions, ["broken.io/v1"]);
  assert.equal(new RestMapper(d.all).mapping("v1", "Node")?.namespaced, false);
  assert.deepEqual(
    deletableResources(d)
      .map((r) => r.ref.resource)
      .sort(),
    ["gadgets", "nodes", "pods", "widgets"],
  );
});
