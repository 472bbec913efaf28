import assert from "node:assert/strict";
import { test } from "node:test";
import type { RestClient } from "../../client/rest-client.ts";
import { GroupDiscoveryFailedError, serverPreferredNamespacedResources } from "./discovery.ts";

const verbs = ["delete", "deletecollection", "get", "list"];
const docs: Record<string, unknown> = {
  "/api": { kind: "APIVersions", versions: ["v1"] },
  "/api/v1": {
    kind: "APIResourceList",
    resources: [
      { name: "pods", namespaced: true, kind: "Pod", verbs },
      { name: "nodes", namespaced: false, kind: "Node", verbs },
    ],
  },
  "/apis": {
    kind: "APIGroupList",
    groups: [
      {
        name: "metrics.k8s.io",
        versions: [{ groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" }],
        preferredVersion: { groupVersion: "metrics.k8s.io/v1beta1", version: "v1beta1" },
      },
    ],
  },
};

const client = {
  json: async (_method: string, path: string) => {
    if (!(path in docs)) throw new Error("the server is currently unable to handle the request");
    return docs[path];
  },
} as unknown as RestClient;

test("namespaced resources only, and the failed group versions with the server's own error", async () => {
  const { resources, error } = await serverPreferredNamespacedResources(client)();
  assert.deepEqual(
    resources.map((r) => r.ref.resource),
    ["pods"],
  );
  assert.ok(error instanceof GroupDiscoveryFailedError);
  assert.equal(error.groups.size, 1);
  assert.equal(
    error.message,
    "unable to retrieve the complete list of server APIs: metrics.k8s.io/v1beta1: the server is currently unable to handle the request",
  );
});
