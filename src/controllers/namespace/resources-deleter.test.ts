import assert from "node:assert/strict";
import { test } from "node:test";
import type { Namespace } from "kubernetes-types/core/v1.d.ts";
import { ApiError } from "../../client/api-error.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import { type ResourceRef, RestClient } from "../../client/rest-client.ts";
import type { DiscoveredResource } from "../garbagecollector/discovery.ts";
import { NamespacedResourcesDeleter, ResourcesRemainingError } from "./resources-deleter.ts";

const ALL = ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"];
const ref = (group: string, resource: string): ResourceRef => ({
  group,
  version: "v1",
  resource,
  namespaced: true,
});
const res = (group: string, resource: string, verbs = ALL): DiscoveredResource => ({
  ref: ref(group, resource),
  kind: resource,
  verbs,
});

interface Item {
  metadata: { name: string; namespace: string; finalizers?: string[] };
  spec?: { terminationGracePeriodSeconds?: number };
  status?: { phase?: string };
  /** The fake never removes it (a server that loses deletes). */
  sticky?: boolean;
}

/** An apiserver in a map: path of a collection → its items; deletes honour finalizers. */
class FakeServer {
  readonly calls: string[] = [];
  ns: Namespace;
  collections = new Map<string, Item[]>();
  /** Paths whose deletecollection answers 405. */
  noDeleteCollection = new Set<string>();

  constructor(ns: Namespace) {
    this.ns = ns;
  }

  client(): RestClient {
    const real = new RestClient({ server: "https://127.0.0.1:1", namespace: "default" });
    real.close();
    const self = this;
    const notFound = () =>
      new ApiError({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        reason: "NotFound",
        code: 404,
      });
    return {
      path: real.path.bind(real),
      async get(_res: ResourceRef, _name: string) {
        if (!self.ns) throw notFound();
        return structuredClone(self.ns);
      },
      async list(r: ResourceRef, o: { namespace?: string }) {
        return {
          metadata: {},
          items: structuredClone(self.collections.get(real.path(r, o.namespace)) ?? []),
        };
      },
      async update(_r: ResourceRef, obj: Namespace, o: { subresource?: string }) {
        self.calls.push(`PUT ${o.subresource}`);
        if (o.subresource === "finalize") self.ns = { ...self.ns, spec: obj.spec };
        else self.ns = { ...self.ns, status: obj.status };
        return structuredClone(self.ns);
      },
      async delete(r: ResourceRef, name: string, o: { namespace?: string }) {
        const path = real.path(r, o.namespace);
        self.calls.push(`DELETE ${path}/${name}`);
        self.remove(path, (i) => i.metadata.name === name);
        return {};
      },
      async json(method: string, path: string) {
        if (method === "DELETE") {
          self.calls.push(`DELETECOLLECTION ${path}`);
          if (self.noDeleteCollection.has(path)) {
            throw new ApiError({
              kind: "Status",
              apiVersion: "v1",
              metadata: {},
              status: "Failure",
              reason: "MethodNotAllowed",
              code: 405,
            });
          }
          self.remove(path, () => true);
          return {};
        }
        return { items: (self.collections.get(path) ?? []).map((i) => ({ metadata: i.metadata })) };
      },
    } as unknown as RestClient;
  }

  private remove(path: string, match: (i: Item) => boolean): void {
    const items = this.collections.get(path) ?? [];
    // Objects with finalizers stay (being deleted); pods stay too (their kubelet has not confirmed).
    const stays = (i: Item) =>
      i.sticky ||
      (i.metadata.finalizers ?? []).length > 0 ||
      i.spec?.terminationGracePeriodSeconds !== undefined;
    this.collections.set(
      path,
      items.filter((i) => !match(i) || stays(i)),
    );
  }
}

const terminating = (): Namespace => ({
  metadata: { name: "doomed", uid: "u1", deletionTimestamp: "2024-05-01T10:00:00Z" },
  spec: { finalizers: ["kubernetes", "example.com/other"] },
  status: { phase: "Active" },
});

function deleter(server: FakeServer, resources: DiscoveredResource[], nowMs: number) {
  return new NamespacedResourcesDeleter({
    client: server.client(),
    discover: async () => ({ resources }),
    clock: new FakeClock(nowMs),
  });
}

test("an emptied namespace goes Terminating, is emptied by deletecollection or item by item, then finalized", async () => {
  const server = new FakeServer(terminating());
  server.collections.set("/api/v1/namespaces/doomed/configmaps", [
    { metadata: { name: "a", namespace: "doomed" } },
  ]);
  server.collections.set("/apis/example.com/v1/namespaces/doomed/widgets", [
    { metadata: { name: "w1", namespace: "doomed" } },
    { metadata: { name: "w2", namespace: "doomed" } },
  ]);
  const d = deleter(
    server,
    [
      res("", "configmaps"),
      res("example.com", "widgets", ["delete", "get", "list"]),
      res("", "bindings", ["create"]),
    ],
    Date.parse("2024-05-01T10:00:05Z"),
  );
  await d.initOpCache();
  await d.delete("doomed");
  assert.deepEqual(server.calls, [
    "PUT status",
    "DELETECOLLECTION /api/v1/namespaces/doomed/configmaps",
    "DELETE /apis/example.com/v1/namespaces/doomed/widgets/w1",
    "DELETE /apis/example.com/v1/namespaces/doomed/widgets/w2",
    "PUT status",
    "PUT finalize",
  ]);
  assert.equal(server.ns.status?.phase, "Terminating");
  // Only our token goes; the rest stays, sorted.
  assert.deepEqual(server.ns.spec?.finalizers, ["example.com/other"]);
});

test("a 405 on deletecollection falls back to deleting each item", async () => {
  const server = new FakeServer(terminating());
  server.noDeleteCollection.add("/api/v1/namespaces/doomed/configmaps");
  server.collections.set("/api/v1/namespaces/doomed/configmaps", [
    { metadata: { name: "a", namespace: "doomed" } },
  ]);
  const d = deleter(server, [res("", "configmaps")], Date.parse("2024-05-01T10:00:05Z"));
  await d.initOpCache();
  await d.delete("doomed");
  assert.ok(server.calls.includes("DELETE /api/v1/namespaces/doomed/configmaps/a"));
  assert.ok(server.calls.includes("PUT finalize"));
});

test("terminating pods give their grace period as the estimate until it has passed", async () => {
  const server = new FakeServer(terminating());
  server.collections.set("/api/v1/namespaces/doomed/pods", [
    { metadata: { name: "p", namespace: "doomed" }, spec: { terminationGracePeriodSeconds: 30 } },
    // A finished pod does not count.
    {
      metadata: { name: "done", namespace: "doomed" },
      spec: { terminationGracePeriodSeconds: 600 },
      status: { phase: "Succeeded" },
    },
  ]);
  const soon = deleter(server, [res("", "pods")], Date.parse("2024-05-01T10:00:10Z"));
  await soon.initOpCache();
  await assert.rejects(
    soon.delete("doomed"),
    (e) => e instanceof ResourcesRemainingError && e.estimate === 30,
  );
  // 30 s after the namespace was deleted a pod still there is no longer expected.
  const late = deleter(server, [res("", "pods")], Date.parse("2024-05-01T10:00:30Z"));
  await late.initOpCache();
  await assert.rejects(late.delete("doomed"), {
    message: "unexpected items still remain in namespace: doomed for gvr: /v1, Resource=pods",
  });
});

test("objects held by finalizers wait 15 s and show in the conditions; unheld leftovers are an error", async () => {
  const server = new FakeServer(terminating());
  server.collections.set("/api/v1/namespaces/doomed/configmaps", [
    { metadata: { name: "held", namespace: "doomed", finalizers: ["example.com/block"] } },
  ]);
  const d = deleter(server, [res("", "configmaps")], Date.parse("2024-05-01T10:00:05Z"));
  await d.initOpCache();
  await assert.rejects(d.delete("doomed"), (e) => e instanceof ResourcesRemainingError && e.estimate === 15);
  const byType = new Map(server.ns.status?.conditions?.map((c) => [c.type, c]));
  assert.equal(
    byType.get("NamespaceContentRemaining")?.message,
    "Some resources are remaining: configmaps. has 1 resource instances",
  );
  assert.equal(
    byType.get("NamespaceFinalizersRemaining")?.message,
    "Some finalizers are remaining: example.com/block in 1 resource instances",
  );
  assert.ok(!server.calls.includes("PUT finalize"));

  // A leftover that nothing holds should have gone: an error.
  const odd = new FakeServer(terminating());
  odd.noDeleteCollection.add("/api/v1/namespaces/doomed/secrets");
  odd.collections.set("/api/v1/namespaces/doomed/secrets", [
    { metadata: { name: "s", namespace: "doomed" }, sticky: true },
  ]);
  const stuck = deleter(
    odd,
    [res("", "secrets", ["get", "list", "delete"])],
    Date.parse("2024-05-01T10:00:05Z"),
  );
  await stuck.initOpCache();
  await assert.rejects(stuck.delete("doomed"), {
    message: "unexpected items still remain in namespace: doomed for gvr: /v1, Resource=secrets",
  });
  const failure = odd.ns.status?.conditions?.find((c) => c.type === "NamespaceDeletionContentFailure");
  assert.equal(
    failure?.message,
    "Failed to delete all resource types, 1 remaining: unexpected items still remain in namespace: doomed for gvr: /v1, Resource=secrets",
  );
});

test("a namespace that is gone or not being deleted is left alone", async () => {
  const server = new FakeServer({ metadata: { name: "alive" }, spec: { finalizers: ["kubernetes"] } });
  const d = deleter(server, [res("", "configmaps")], 0);
  await d.initOpCache();
  await d.delete("alive");
  assert.deepEqual(server.calls, []);
});
