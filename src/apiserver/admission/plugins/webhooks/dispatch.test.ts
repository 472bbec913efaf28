// The mutating and validating dispatchers against a fake webhook client:
// patching, refusals, failurePolicy, dry run, reinvocation, parallel calls.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { MutatingWebhook, ValidatingWebhook } from "kubernetes-types/admissionregistration/v1.d.ts";
import { StatusError } from "../../../../machinery/status.ts";
import type { AdmissionAttributes, Obj } from "../../admission.ts";
import { mergeConfigurations } from "./accessor.ts";
import { WebhookCallError } from "./client.ts";
import { MutatingWebhookPlugin } from "./mutating.ts";
import { NamespaceMatcher } from "./namespace-matcher.ts";
import type { WebhookSource } from "./source.ts";
import type { AdmissionRequest, AdmissionResponse } from "./types.ts";
import { ValidatingWebhookPlugin } from "./validating.ts";

type Handler = (req: AdmissionRequest) => AdmissionResponse | Promise<AdmissionResponse>;

/** A client that answers each webhook (by name) with its handler, and records the requests. */
function fakeClient(handlers: Record<string, Handler>) {
  const calls: { name: string; request: AdmissionRequest }[] = [];
  return {
    calls,
    async post(name: string, _cc: unknown, body: unknown): Promise<unknown> {
      const request = structuredClone((body as { request: AdmissionRequest }).request);
      calls.push({ name, request });
      const response = await handlers[name](request);
      return {
        apiVersion: "admission.k8s.io/v1",
        kind: "AdmissionReview",
        response: { uid: request.uid, ...response },
      };
    },
  };
}

function source(type: "mutating" | "validating", webhooks: Partial<MutatingWebhook>[]): WebhookSource {
  const hooks = mergeConfigurations(type, [
    {
      metadata: { name: "config" },
      webhooks: webhooks.map((w) => ({
        name: "w",
        clientConfig: { url: "https://127.0.0.1/" },
        admissionReviewVersions: ["v1"],
        sideEffects: "None",
        failurePolicy: "Fail",
        rules: [{ operations: ["*"], apiGroups: ["*"], apiVersions: ["*"], resources: ["*"] } as never],
        ...w,
      })) as (MutatingWebhook & ValidatingWebhook)[],
    },
  ]);
  return { webhooks: () => hooks, hasSynced: () => true, start: async () => {} };
}

const namespaceMatcher = new NamespaceMatcher(async (name) => ({ metadata: { name } }));

function attrs(over: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  return {
    operation: "CREATE",
    kind: { group: "", version: "v1", kind: "Pod" },
    resource: { group: "", version: "v1", resource: "pods" },
    subresource: "",
    namespace: "ns",
    name: "p",
    object: { apiVersion: "v1", kind: "Pod", metadata: { name: "p", namespace: "ns" }, spec: {} },
    user: { name: "alice", groups: [] },
    dryRun: false,
    warnings: [],
    ...over,
  };
}

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString("base64");
const addLabel = (k: string, v: string, first = false): AdmissionResponse => ({
  allowed: true,
  patchType: "JSONPatch",
  patch: b64(
    first
      ? [{ op: "add", path: "/metadata/labels", value: { [k]: v } }]
      : [{ op: "add", path: `/metadata/labels/${k}`, value: v }],
  ),
});

async function statusOf(p: Promise<void>): Promise<StatusError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof StatusError, `not a StatusError: ${e}`);
    return e;
  }
  assert.fail("expected the request to be refused");
}

describe("MutatingAdmissionWebhook", () => {
  it("applies a JSON patch to the object in place, and the next webhook sees it", async () => {
    const client = fakeClient({ a: () => addLabel("a", "1", true), b: () => addLabel("b", "2") });
    const defaulted: Obj[] = [];
    const plugin = new MutatingWebhookPlugin({
      source: source("mutating", [{ name: "a" }, { name: "b" }]),
      namespaceMatcher,
      client,
      defaulter: (_a, obj) => defaulted.push(obj),
    });
    const a = attrs();
    const obj = a.object;
    await plugin.admit(a);
    assert.equal(a.object, obj);
    assert.deepEqual(a.object?.metadata.labels, { a: "1", b: "2" });
    assert.deepEqual(client.calls[1].request.object?.metadata.labels, { a: "1" });
    assert.equal(defaulted.length, 2);
    assert.equal(plugin.name, "MutatingAdmissionWebhook");
  });

  it("refuses with the webhook's status, its code kept when 400 or more", async () => {
    const client = fakeClient({
      w: () => ({ allowed: false, status: { code: 403, reason: "Forbidden", message: "no pods on Sunday" } }),
    });
    const plugin = new MutatingWebhookPlugin({ source: source("mutating", [{}]), namespaceMatcher, client });
    const e = await statusOf(plugin.admit(attrs()));
    assert.equal(e.code, 403);
    assert.equal(e.message, 'admission webhook "w" denied the request: no pods on Sunday');
  });

  it("failurePolicy: Fail answers 500 with upstream's wording; Ignore goes on", async () => {
    const down: Handler = () => {
      throw new WebhookCallError(
        'Post "https://127.0.0.1:1/?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused',
      );
    };
    const fail = new MutatingWebhookPlugin({
      source: source("mutating", [{}]),
      namespaceMatcher,
      client: fakeClient({ w: down }),
    });
    const e = await statusOf(fail.admit(attrs()));
    assert.equal(e.code, 500);
    assert.equal(e.reason, "InternalError");
    assert.equal(
      e.message,
      'Internal error occurred: failed calling webhook "w": failed to call webhook: Post "https://127.0.0.1:1/?timeout=10s": dial tcp 127.0.0.1:1: connect: connection refused',
    );
    const ignore = new MutatingWebhookPlugin({
      source: source("mutating", [{ failurePolicy: "Ignore" }, { name: "b" }]),
      namespaceMatcher,
      client: fakeClient({ w: down, b: () => addLabel("b", "1", true) }),
    });
    const a = attrs();
    await ignore.admit(a);
    assert.deepEqual(a.object?.metadata.labels, { b: "1" });
  });

  it("a patch on a DELETE, or one that does not apply, is an internal error whatever the failurePolicy", async () => {
    const client = fakeClient({ w: () => addLabel("a", "1") });
    const plugin = new MutatingWebhookPlugin({
      source: source("mutating", [{ failurePolicy: "Ignore" }]),
      namespaceMatcher,
      client,
    });
    const del = await statusOf(
      plugin.admit(attrs({ operation: "DELETE", object: undefined, oldObject: attrs().object })),
    );
    assert.equal(
      del.message,
      'Internal error occurred: admission webhook "w" attempted to modify the object, which is not supported for this operation',
    );
    const e = await statusOf(plugin.admit(attrs()));
    assert.equal(e.code, 500);
    assert.match(e.message, /^Internal error occurred: add operation does not apply: doc is missing path/);
  });

  it("an unsupported patch type is a failure to call the webhook", async () => {
    const client = fakeClient({ w: () => ({ ...addLabel("a", "1", true), patchType: "MergePatch" }) });
    const plugin = new MutatingWebhookPlugin({ source: source("mutating", [{}]), namespaceMatcher, client });
    const e = await statusOf(plugin.admit(attrs()));
    assert.equal(
      e.message,
      'Internal error occurred: failed calling webhook "w": unsupported patch type "MergePatch"',
    );
  });

  it("dry run: a webhook with side effects refuses with 400; None and NoneOnDryRun are called", async () => {
    const client = fakeClient({ w: () => ({ allowed: true }), n: () => ({ allowed: true }) });
    const some = new MutatingWebhookPlugin({
      source: source("mutating", [{ sideEffects: "Some" }]),
      namespaceMatcher,
      client,
    });
    const e = await statusOf(some.admit(attrs({ dryRun: true })));
    assert.equal(e.code, 400);
    assert.equal(e.message, 'admission webhook "w" does not support dry run');
    assert.equal(client.calls.length, 0);
    const none = new MutatingWebhookPlugin({
      source: source("mutating", [{ sideEffects: "NoneOnDryRun" }, { name: "n", sideEffects: "None" }]),
      namespaceMatcher,
      client,
    });
    await none.admit(attrs({ dryRun: true }));
    assert.equal(client.calls.length, 2);
    assert.equal(client.calls[0].request.dryRun, true);
  });

  it("reinvocationPolicy IfNeeded: called once more when a later webhook changed the object", async () => {
    const seen: Record<string, string>[] = [];
    const client = fakeClient({
      first: (req) => {
        seen.push({ ...(req.object?.metadata.labels ?? {}) });
        return { allowed: true };
      },
      never: () => ({ allowed: true }),
      later: (req) =>
        req.object?.metadata.labels?.later ? { allowed: true } : addLabel("later", "yes", true),
    });
    const plugin = new MutatingWebhookPlugin({
      source: source("mutating", [
        { name: "first", reinvocationPolicy: "IfNeeded" },
        { name: "never", reinvocationPolicy: "Never" },
        { name: "later" },
      ]),
      namespaceMatcher,
      client,
    });
    await plugin.admit(attrs());
    assert.deepEqual(
      client.calls.map((c) => c.name),
      ["first", "never", "later", "first"],
    );
    assert.deepEqual(seen, [{}, { later: "yes" }]);
  });

  it("no reinvocation when nothing changed the object", async () => {
    const client = fakeClient({ first: () => ({ allowed: true }), later: () => ({ allowed: true }) });
    const plugin = new MutatingWebhookPlugin({
      source: source("mutating", [{ name: "first", reinvocationPolicy: "IfNeeded" }, { name: "later" }]),
      namespaceMatcher,
      client,
    });
    await plugin.admit(attrs());
    assert.deepEqual(
      client.calls.map((c) => c.name),
      ["first", "later"],
    );
  });

  it("adds the webhook's warnings once each; admission configurations are never sent", async () => {
    const client = fakeClient({ w: () => ({ allowed: true, warnings: ["careful", "careful", "again"] }) });
    const plugin = new MutatingWebhookPlugin({ source: source("mutating", [{}]), namespaceMatcher, client });
    const a = attrs();
    await plugin.admit(a);
    assert.deepEqual(a.warnings, ["careful", "again"]);
    await plugin.admit(
      attrs({
        kind: { group: "admissionregistration.k8s.io", version: "v1", kind: "MutatingWebhookConfiguration" },
        resource: {
          group: "admissionregistration.k8s.io",
          version: "v1",
          resource: "mutatingwebhookconfigurations",
        },
        namespace: "",
      }),
    );
    assert.equal(client.calls.length, 1);
  });

  it("refuses while the configurations are not read yet", async () => {
    const notReady: WebhookSource = {
      webhooks: () => [],
      hasSynced: () => false,
      start: () => new Promise(() => {}),
    };
    const plugin = new MutatingWebhookPlugin({ source: notReady, namespaceMatcher, client: fakeClient({}) });
    // The wait is upstream's 10 seconds; waitForReady takes a shorter one in its own test below.
    const { waitForReady } = await import("./ready.ts");
    const e = await statusOf(waitForReady(notReady, attrs(), 10));
    assert.equal(e.code, 403);
    assert.equal(e.message, 'pods "p" is forbidden: not yet ready to handle request');
    assert.equal(plugin.handles("CONNECT"), true);
  });
});

describe("ValidatingAdmissionWebhook", () => {
  it("calls matching webhooks in parallel", async () => {
    let started = 0;
    let release: () => void = () => {};
    const bothStarted = new Promise<void>((r) => {
      release = r;
    });
    const wait: Handler = async () => {
      started++;
      if (started === 2) release();
      await bothStarted;
      return { allowed: true };
    };
    const client = fakeClient({ a: wait, b: wait });
    const plugin = new ValidatingWebhookPlugin({
      source: source("validating", [{ name: "a" }, { name: "b" }]),
      namespaceMatcher,
      client,
    });
    await plugin.validate(attrs());
    assert.equal(started, 2);
    assert.equal(plugin.name, "ValidatingAdmissionWebhook");
  });

  it("the first error to arrive fails the request; Ignore drops call failures", async () => {
    const client = fakeClient({
      slow: async () => {
        await new Promise((r) => setTimeout(r, 30));
        return { allowed: false, status: { message: "slow no" } };
      },
      fast: () => ({ allowed: false, status: { message: "fast no" } }),
      down: () => {
        throw new WebhookCallError("boom");
      },
    });
    const plugin = new ValidatingWebhookPlugin({
      source: source("validating", [
        { name: "slow" },
        { name: "down", failurePolicy: "Ignore" },
        { name: "fast" },
      ]),
      namespaceMatcher,
      client,
    });
    const e = await statusOf(plugin.validate(attrs()));
    assert.equal(e.code, 400);
    assert.equal(e.message, 'admission webhook "fast" denied the request: fast no');
  });

  it("a validating webhook may not patch", async () => {
    const client = fakeClient({ w: () => addLabel("a", "1", true) });
    const plugin = new ValidatingWebhookPlugin({
      source: source("validating", [{}]),
      namespaceMatcher,
      client,
    });
    const e = await statusOf(plugin.validate(attrs()));
    assert.equal(
      e.message,
      'Internal error occurred: failed calling webhook "w": received invalid webhook response: validating webhook may not return response.patch',
    );
  });

  it("a webhook that accepts no known AdmissionReview version fails per its failurePolicy", async () => {
    const client = fakeClient({});
    const plugin = new ValidatingWebhookPlugin({
      source: source("validating", [{ admissionReviewVersions: ["v2"] }]),
      namespaceMatcher,
      client,
    });
    const e = await statusOf(plugin.validate(attrs()));
    assert.equal(
      e.message,
      'Internal error occurred: failed calling webhook "w": could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)',
    );
  });
});
