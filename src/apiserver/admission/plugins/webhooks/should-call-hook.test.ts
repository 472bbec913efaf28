// Whether a webhook applies: its rules, namespaceSelector (upstream's
// predicates/namespace matcher) and objectSelector (predicates/object).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MutatingWebhook } from "kubernetes-types/admissionregistration/v1.d.ts";
import { newNotFound, StatusError } from "../../../../machinery/status.ts";
import type { AdmissionAttributes, Obj } from "../../admission.ts";
import { mergeConfigurations, Webhook } from "./accessor.ts";
import { NamespaceMatcher } from "./namespace-matcher.ts";
import { shouldCallHook } from "./should-call-hook.ts";

const namespaces: Record<string, Obj> = {
  prod: { metadata: { name: "prod", labels: { env: "prod", "webhooks.k8ts.io/skip": "true" } } },
  dev: { metadata: { name: "dev", labels: { env: "dev" } } },
};

function matcher(reads: string[] = []): NamespaceMatcher {
  return new NamespaceMatcher(async (name) => {
    reads.push(name);
    const ns = namespaces[name];
    if (!ns) throw newNotFound({ group: "", resource: "namespaces" }, name);
    return ns;
  });
}

function hook(w: Partial<MutatingWebhook>): Webhook {
  return new Webhook("c/w/0", "c", "mutating", {
    name: "w.k8ts.io",
    clientConfig: { url: "https://127.0.0.1/" },
    admissionReviewVersions: ["v1"],
    sideEffects: "None",
    rules: [{ operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"] } as never],
    ...w,
  });
}

function podAttrs(over: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: "CREATE",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    subresource: "",
    namespace: "dev",
    name: "p",
    object: {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "p", namespace: "dev", labels: { app: "web" } },
    },
    user: { name: "alice", groups: ["system:authenticated"] },
    dryRun: false,
    warnings: [],
    ...over,
  };
}

const skipSelector = {
  matchExpressions: [{ key: "webhooks.k8ts.io/skip", operator: "DoesNotExist" }],
};

describe("shouldCallHook", () => {
  it("calls a webhook whose rule matches, with the request's resource and kind", async () => {
    const inv = await shouldCallHook(hook({}), podAttrs(), matcher());
    assert.deepEqual(inv?.resource, { group: "", version: "v1", resource: "pods" });
    assert.deepEqual(inv?.kind, { group: "", version: "v1", kind: "Pod" });
    assert.equal(inv?.subresource, "");
  });

  it("skips a webhook whose rules do not match, without reading the namespace", async () => {
    const reads: string[] = [];
    const h = hook({
      namespaceSelector: skipSelector,
      rules: [{ operations: ["DELETE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] } as never],
    });
    assert.equal(await shouldCallHook(h, podAttrs(), matcher(reads)), undefined);
    assert.deepEqual(reads, []);
  });

  it("namespaceSelector: matches on the labels of the request's namespace", async () => {
    const h = hook({ namespaceSelector: skipSelector });
    assert.ok(await shouldCallHook(h, podAttrs({ namespace: "dev" }), matcher()));
    assert.equal(await shouldCallHook(h, podAttrs({ namespace: "prod" }), matcher()), undefined);
    const envIn = hook({ namespaceSelector: { matchLabels: { env: "prod" } } });
    assert.ok(await shouldCallHook(envIn, podAttrs({ namespace: "prod" }), matcher()));
  });

  it("namespaceSelector: reads the namespace once per request", async () => {
    const reads: string[] = [];
    const m = matcher(reads);
    const a = podAttrs();
    await shouldCallHook(hook({ namespaceSelector: skipSelector }), a, m);
    await shouldCallHook(hook({ namespaceSelector: { matchLabels: { env: "dev" } } }), a, m);
    assert.deepEqual(reads, ["dev"]);
  });

  it("namespaceSelector: a Namespace being created or updated is matched by its own labels", async () => {
    const h = hook({ namespaceSelector: skipSelector });
    const nsAttrs = (op: "CREATE" | "UPDATE", labels: Record<string, string>) =>
      podAttrs({
        operation: op,
        kind: { group: "", version: "v1", kind: "Namespace" },
        resource: { group: "", version: "v1", resource: "namespaces" },
        namespace: "",
        name: "fresh",
        object: { metadata: { name: "fresh", labels } },
      });
    assert.ok(await shouldCallHook(h, nsAttrs("CREATE", {}), matcher()));
    assert.equal(
      await shouldCallHook(h, nsAttrs("CREATE", { "webhooks.k8ts.io/skip": "" }), matcher()),
      undefined,
    );
    assert.equal(
      await shouldCallHook(h, nsAttrs("UPDATE", { "webhooks.k8ts.io/skip": "" }), matcher()),
      undefined,
    );
    // A DELETE reads the stored namespace (the request names it).
    const del = podAttrs({
      operation: "DELETE",
      kind: { group: "", version: "v1", kind: "Namespace" },
      resource: { group: "", version: "v1", resource: "namespaces" },
      namespace: "prod",
      name: "prod",
      object: undefined,
      oldObject: namespaces.prod,
    });
    assert.equal(await shouldCallHook(h, del, matcher()), undefined);
  });

  it("namespaceSelector: cluster-scoped resources other than namespaces are never exempted", async () => {
    const h = hook({ namespaceSelector: { matchLabels: { env: "nowhere" } } });
    const node = podAttrs({
      kind: { group: "", version: "v1", kind: "Node" },
      resource: { group: "", version: "v1", resource: "nodes" },
      namespace: "",
      name: "n1",
      object: { metadata: { name: "n1" } },
    });
    assert.ok(await shouldCallHook(h, node, matcher()));
  });

  it("namespaceSelector: a missing namespace answers its 404", async () => {
    const h = hook({ namespaceSelector: skipSelector });
    await assert.rejects(shouldCallHook(h, podAttrs({ namespace: "gone" }), matcher()), (e: unknown) => {
      assert.ok(e instanceof StatusError);
      assert.equal(e.code, 404);
      assert.equal(e.message, 'namespaces "gone" not found');
      return true;
    });
  });

  it("namespaceSelector: a bad selector is an internal error, only when the rules match", async () => {
    const bad = { matchExpressions: [{ key: "a", operator: "Bogus" }] };
    await assert.rejects(
      shouldCallHook(hook({ namespaceSelector: bad }), podAttrs(), matcher()),
      (e: unknown) => {
        assert.ok(e instanceof StatusError);
        assert.equal(e.code, 500);
        assert.equal(e.message, 'Internal error occurred: "Bogus" is not a valid label selector operator');
        return true;
      },
    );
    const noRule = hook({ namespaceSelector: bad, rules: [] });
    assert.equal(await shouldCallHook(noRule, podAttrs(), matcher()), undefined);
  });

  it("objectSelector: matches the new or the old object's labels", async () => {
    const h = hook({ objectSelector: { matchLabels: { app: "web" } } });
    assert.ok(await shouldCallHook(h, podAttrs(), matcher()));
    const other = { metadata: { name: "p", labels: { app: "db" } } };
    assert.equal(await shouldCallHook(h, podAttrs({ object: other }), matcher()), undefined);
    // An update that removes the label still reaches the webhook through the old object.
    const update = podAttrs({ operation: "UPDATE", object: other, oldObject: podAttrs().object });
    assert.ok(await shouldCallHook(h, update, matcher()));
    // A DELETE has only the old object.
    const del = podAttrs({ operation: "DELETE", object: undefined, oldObject: podAttrs().object });
    assert.ok(await shouldCallHook(h, del, matcher()));
    // CONNECT options have no labels.
    const connect = podAttrs({
      operation: "CONNECT",
      subresource: "exec",
      object: { kind: "PodExecOptions" },
    });
    const all = hook({
      objectSelector: { matchLabels: { app: "web" } },
      rules: [{ operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*/*"] } as never],
    });
    assert.equal(await shouldCallHook(all, connect, matcher()), undefined);
  });

  it("objectSelector: a non-matching object selector wins over a namespace error", async () => {
    const h = hook({ namespaceSelector: skipSelector, objectSelector: { matchLabels: { app: "db" } } });
    assert.equal(await shouldCallHook(h, podAttrs({ namespace: "gone" }), matcher()), undefined);
  });
});

describe("mergeConfigurations", () => {
  it("orders configurations by name and keeps each one's webhook order; repeated names get a counter", () => {
    const w = (name: string) => ({ name }) as MutatingWebhook;
    const hooks = mergeConfigurations("mutating", [
      { metadata: { name: "b" }, webhooks: [w("x"), w("x"), w("a")] },
      { metadata: { name: "a" }, webhooks: [w("z")] },
    ]);
    assert.deepEqual(
      hooks.map((h) => h.uid),
      ["a/z/0", "b/x/0", "b/x/1", "b/a/0"],
    );
  });

  it("applies v1 defaults to what is absent", () => {
    const [h] = mergeConfigurations("mutating", [
      { metadata: { name: "c" }, webhooks: [{ name: "w" } as MutatingWebhook] },
    ]);
    assert.equal(h.failurePolicy, "Fail");
    assert.equal(h.matchPolicy, "Equivalent");
    assert.equal(h.timeoutSeconds, 10);
    assert.equal(h.reinvocationPolicy, "Never");
    assert.equal(h.namespaceSelector().empty(), true);
    assert.equal(h.objectSelector().empty(), true);
  });
});
