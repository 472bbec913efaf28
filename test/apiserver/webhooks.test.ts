// Dynamic admission webhooks through a real in-process apiserver: webhook
// configurations are created over the API, and an HTTPS webhook server started
// here (its certificate signed by a CA made here, passed as caBundle) refuses,
// patches, answers slowly or not at all. Each configuration only sees pods
// carrying its own `test` label, so they do not disturb one another.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { Agent, createServer, request, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { ValidatingWebhook } from "kubernetes-types/admissionregistration/v1.d.ts";
import { AdmissionChain } from "../../src/apiserver/admission/admission.ts";
import {
  newWebhookAdmission,
  type WebhookAdmission,
} from "../../src/apiserver/admission/plugins/webhooks/index.ts";
import type { AdmissionReview } from "../../src/apiserver/admission/plugins/webhooks/types.ts";
import { ApiServer, CertificateAuthority, ensurePki } from "../../src/apiserver/index.ts";
import { SqliteStore } from "../../src/storage/sqlite.ts";
import { eventually } from "../support/eventually.ts";
import { freePort } from "../support/ports.ts";

interface Answer {
  status: number;
  // biome-ignore lint/suspicious/noExplicitAny: JSON answers of several kinds.
  body: any;
  warnings: string[];
}

const ADMREG = "/apis/admissionregistration.k8s.io/v1";

describe("admission webhooks", () => {
  const dataDir = mkdtempSync(join(tmpdir(), "k8ts-webhooks-"));
  const store = new SqliteStore({ path: ":memory:" });
  const received: AdmissionReview["request"][] = [];
  let server: ApiServer;
  let webhooks: WebhookAdmission;
  let hookServer: Server;
  let hookPort: number;
  let caBundle: string;
  let agent: Agent;

  /** The webhook backend: one behaviour per path. */
  function answer(
    path: string,
    review: AdmissionReview,
  ): Promise<AdmissionReview["response"]> | AdmissionReview["response"] {
    const req = review.request!;
    const labels = req.object?.metadata?.labels ?? {};
    switch (path) {
      case "/validate":
        if (labels.deny === "true") {
          return {
            uid: req.uid,
            allowed: false,
            status: { message: "pods labelled deny=true are not allowed" },
          };
        }
        return { uid: req.uid, allowed: true, warnings: ["validated by test webhook"] };
      case "/validate-403":
        return { uid: req.uid, allowed: false, status: { code: 403, reason: "Forbidden", message: "no" } };
      case "/mutate": {
        const patch = [{ op: "add", path: "/metadata/labels/mutated", value: "yes" }];
        return {
          uid: req.uid,
          allowed: true,
          patchType: "JSONPatch",
          patch: Buffer.from(JSON.stringify(patch)).toString("base64"),
        };
      }
      case "/slow":
        return new Promise((r) => setTimeout(() => r({ uid: req.uid, allowed: true }), 3000));
      default:
        return { uid: req.uid, allowed: false, status: { message: `unknown path ${path}` } };
    }
  }

  function send(method: string, path: string, body?: unknown): Promise<Answer> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : JSON.stringify(body);
      const req = request(
        {
          host: "127.0.0.1",
          port: server.port,
          method,
          path,
          agent,
          headers: payload ? { "content-type": "application/json" } : {},
          timeout: 20_000,
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            const w = res.headers.warning;
            resolve({
              status: res.statusCode ?? 0,
              body: JSON.parse(Buffer.concat(chunks).toString("utf8") || "null"),
              warnings: (Array.isArray(w) ? w : w ? w.split(/,(?=\s*299)/) : []).map((x) => x.trim()),
            });
          });
          res.on("error", reject);
        },
      );
      req.on("timeout", () => req.destroy(new Error(`no answer to ${method} ${path}`)));
      req.on("error", reject);
      req.end(payload);
    });
  }

  const pod = (name: string, labels: Record<string, string>, namespace = "default") => ({
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace, labels },
    spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
  });
  const createPod = (p: ReturnType<typeof pod>, dryRun = false) =>
    send("POST", `/api/v1/namespaces/${p.metadata.namespace}/pods${dryRun ? "?dryRun=All" : ""}`, p);

  /** A webhook that sees only CREATE of pods labelled test=<scope>. */
  function hook(name: string, scope: string, over: Partial<ValidatingWebhook> = {}): ValidatingWebhook {
    return {
      name,
      clientConfig: { url: `https://127.0.0.1:${hookPort}/validate`, caBundle },
      rules: [{ operations: ["CREATE"], apiGroups: [""], apiVersions: ["v1"], resources: ["pods"] } as never],
      objectSelector: { matchLabels: { test: scope } },
      sideEffects: "None",
      admissionReviewVersions: ["v1"],
      ...over,
    };
  }

  async function configure(
    kind: "validating" | "mutating",
    name: string,
    hooks: ValidatingWebhook[],
  ): Promise<void> {
    const r = await send("POST", `${ADMREG}/${kind}webhookconfigurations`, {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: kind === "validating" ? "ValidatingWebhookConfiguration" : "MutatingWebhookConfiguration",
      metadata: { name },
      webhooks: hooks,
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  }

  before(async () => {
    const { ca } = await CertificateAuthority.create("webhook-test-ca");
    const serving = await ca.issueServing("webhook", ["127.0.0.1"]);
    caBundle = Buffer.from(ca.certPem).toString("base64");
    hookServer = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        const review = JSON.parse(Buffer.concat(chunks).toString("utf8")) as AdmissionReview;
        received.push(review.request);
        const url = new URL(req.url ?? "/", "https://x");
        const response = await answer(url.pathname, review);
        if (res.destroyed) return;
        res.setHeader("content-type", "application/json");
        res.end(JSON.stringify({ apiVersion: "admission.k8s.io/v1", kind: "AdmissionReview", response }));
      });
    });
    await new Promise<void>((r) => hookServer.listen(0, "127.0.0.1", r));
    hookPort = (hookServer.address() as { port: number }).port;

    const pki = await ensurePki(dataDir);
    // The plugins need the registry, which the server makes: the chain is filled in after.
    const admission = new AdmissionChain([], []);
    server = new ApiServer({
      store,
      tls: { cert: pki.serving.cert, key: pki.serving.key, ca: pki.caCert },
      port: 0,
      host: "127.0.0.1",
      compactionIntervalMs: 3_600_000,
      admission,
    });
    webhooks = newWebhookAdmission({ registry: server.registry });
    admission.mutating.push(webhooks.mutating);
    admission.validating.push(webhooks.validating);
    await webhooks.start();
    await server.start();
    const cred = await pki.ca.issueClient("admin", ["system:masters"]);
    agent = new Agent({ keepAlive: true, ca: pki.caCert, cert: cred.cert, key: cred.key });
  });

  after(async () => {
    agent.destroy();
    webhooks.stop();
    await server.stop();
    await store.close();
    hookServer.closeAllConnections();
    await new Promise((r) => hookServer.close(r));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("a validating webhook refuses a labelled pod with its message, and its warnings reach the client", async () => {
    await configure("validating", "deny", [hook("deny.k8ts.io", "deny")]);
    await eventually(async () => {
      assert.equal((await createPod(pod("probe", { test: "deny", deny: "true" }), true)).status, 400);
    });
    const r = await createPod(pod("refused", { test: "deny", deny: "true" }));
    assert.equal(r.status, 400);
    assert.equal(r.body.kind, "Status");
    assert.equal(r.body.status, "Failure");
    assert.equal(
      r.body.message,
      'admission webhook "deny.k8ts.io" denied the request: pods labelled deny=true are not allowed',
    );
    assert.equal((await send("GET", "/api/v1/namespaces/default/pods/refused")).status, 404);

    const ok = await createPod(pod("allowed", { test: "deny" }));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
    assert.deepEqual(ok.warnings, ['299 - "validated by test webhook"']);

    // What the webhook was sent: an admission.k8s.io/v1 AdmissionRequest.
    const sent = received.findLast((q) => q?.name === "allowed");
    assert.ok(sent);
    assert.match(sent.uid, /^[0-9a-f-]{36}$/);
    assert.deepEqual(sent.kind, { group: "", version: "v1", kind: "Pod" });
    assert.deepEqual(sent.resource, { group: "", version: "v1", resource: "pods" });
    assert.deepEqual(sent.requestKind, { group: "", version: "v1", kind: "Pod" });
    assert.equal(sent.namespace, "default");
    assert.equal(sent.operation, "CREATE");
    assert.equal(sent.userInfo.username, "admin");
    assert.ok(sent.userInfo.groups?.includes("system:masters"));
    assert.equal(sent.dryRun, false);
    assert.equal(sent.oldObject, null);
    assert.equal(sent.object?.kind, "Pod");
    assert.equal(sent.options?.kind, "CreateOptions");
  });

  it("a refusal keeps the webhook's own code and reason", async () => {
    await configure("validating", "deny-403", [
      hook("forbid.k8ts.io", "forbid", {
        clientConfig: { url: `https://127.0.0.1:${hookPort}/validate-403`, caBundle },
      }),
    ]);
    await eventually(async () => {
      const r = await createPod(pod("forbidden", { test: "forbid" }), true);
      assert.equal(r.status, 403);
      assert.equal(r.body.reason, "Forbidden");
      assert.equal(r.body.message, 'admission webhook "forbid.k8ts.io" denied the request: no');
    });
  });

  it("a mutating webhook adds a label with a JSON patch", async () => {
    await configure("mutating", "label", [
      hook("label.k8ts.io", "mutate", {
        clientConfig: { url: `https://127.0.0.1:${hookPort}/mutate`, caBundle },
      }),
    ]);
    await eventually(async () => {
      const dry = await createPod(pod("probe", { test: "mutate" }), true);
      assert.equal(dry.body.metadata?.labels?.mutated, "yes");
    });
    const r = await createPod(pod("mutated", { test: "mutate" }));
    assert.equal(r.status, 201);
    assert.deepEqual(r.body.metadata.labels, { test: "mutate", mutated: "yes" });
    const stored = await send("GET", "/api/v1/namespaces/default/pods/mutated");
    assert.deepEqual(stored.body.metadata.labels, { test: "mutate", mutated: "yes" });
  });

  it("failurePolicy: a webhook that is down fails the request under Fail, not under Ignore", async () => {
    const port = await freePort();
    const down = { url: `https://127.0.0.1:${port}/down`, caBundle };
    await configure("validating", "down", [
      hook("down-fail.k8ts.io", "fail", { clientConfig: down, failurePolicy: "Fail" }),
      hook("down-ignore.k8ts.io", "ignore", { clientConfig: down, failurePolicy: "Ignore" }),
    ]);
    await eventually(async () => {
      assert.equal((await createPod(pod("probe", { test: "fail" }), true)).status, 500);
    });
    const r = await createPod(pod("fails", { test: "fail" }));
    assert.equal(r.status, 500);
    assert.equal(r.body.reason, "InternalError");
    assert.equal(
      r.body.message,
      `Internal error occurred: failed calling webhook "down-fail.k8ts.io": failed to call webhook: Post "https://127.0.0.1:${port}/down?timeout=10s": dial tcp 127.0.0.1:${port}: connect: connection refused`,
    );
    const ok = await createPod(pod("ignored", { test: "ignore" }));
    assert.equal(ok.status, 201, JSON.stringify(ok.body));
  });

  it("namespaceSelector and objectSelector keep objects away from a webhook", async () => {
    const ns = await send("POST", "/api/v1/namespaces", {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "exempt", labels: { "webhooks.k8ts.io/skip": "true" } },
    });
    assert.equal(ns.status, 201);
    await configure("validating", "selectors", [
      hook("selective.k8ts.io", "selectors", {
        namespaceSelector: { matchExpressions: [{ key: "webhooks.k8ts.io/skip", operator: "DoesNotExist" }] },
        objectSelector: { matchLabels: { test: "selectors", deny: "true" } },
      }),
    ]);
    await eventually(async () => {
      assert.equal((await createPod(pod("probe", { test: "selectors", deny: "true" }), true)).status, 400);
    });
    // Excluded by its namespace's labels.
    const inExempt = await createPod(pod("exempt-pod", { test: "selectors", deny: "true" }, "exempt"));
    assert.equal(inExempt.status, 201, JSON.stringify(inExempt.body));
    // Excluded by its own labels: the webhook is not even asked.
    const unlabelled = await createPod(pod("unselected", { test: "selectors" }));
    assert.equal(unlabelled.status, 201);
    assert.equal(received.filter((q) => q?.name === "unselected").length, 0);
    // In a namespace without the label, with the labels: refused.
    assert.equal((await createPod(pod("selected", { test: "selectors", deny: "true" }))).status, 400);
  });

  it("matchConditions (CEL) choose the requests a webhook sees; one that fails to evaluate fails as a call does", async () => {
    const down = { url: `https://127.0.0.1:${await freePort()}/down`, caBundle };
    await configure("validating", "conditions", [
      hook("conditions.k8ts.io", "conditions", {
        matchConditions: [
          { name: "labelled-deny", expression: "'deny' in object.metadata.labels" },
          {
            name: "not-admin-dry-run",
            expression: "!request.dryRun || request.userInfo.username != 'nobody'",
          },
        ],
      }),
      hook("broken-conditions.k8ts.io", "broken-conditions", {
        clientConfig: down,
        matchConditions: [{ name: "missing-field", expression: "object.spec.nothing == 'x'" }],
      }),
      hook("broken-ignored.k8ts.io", "broken-ignored", {
        clientConfig: down,
        failurePolicy: "Ignore",
        matchConditions: [{ name: "missing-field", expression: "object.spec.nothing == 'x'" }],
      }),
    ]);
    await eventually(async () => {
      assert.equal((await createPod(pod("probe", { test: "conditions", deny: "true" }), true)).status, 400);
    });
    // The condition is false: the webhook is not called (it would refuse nothing here anyway, so count calls).
    const before = received.length;
    const skipped = await createPod(pod("no-deny-label", { test: "conditions" }));
    assert.equal(skipped.status, 201, JSON.stringify(skipped.body));
    assert.equal(received.length, before, "a webhook whose matchConditions do not hold is not called");
    const broken = await createPod(pod("broken", { test: "broken-conditions" }));
    assert.equal(broken.status, 500);
    assert.equal(
      broken.body.message,
      `Internal error occurred: failed calling webhook "broken-conditions.k8ts.io": failed to evaluate match conditions: expression 'object.spec.nothing == 'x'' resulted in error: no such key: nothing`,
    );
    assert.equal((await createPod(pod("ignored-conditions", { test: "broken-ignored" }))).status, 201);
  });

  it("timeoutSeconds: a slow webhook is given up on, failing the request under Fail", async () => {
    const slow = { url: `https://127.0.0.1:${hookPort}/slow`, caBundle };
    await configure("validating", "slow", [
      hook("slow-fail.k8ts.io", "slow-fail", {
        clientConfig: slow,
        timeoutSeconds: 1,
        failurePolicy: "Fail",
      }),
      hook("slow-ignore.k8ts.io", "slow-ignore", {
        clientConfig: slow,
        timeoutSeconds: 1,
        failurePolicy: "Ignore",
      }),
    ]);
    await eventually(async () => {
      assert.equal((await createPod(pod("probe", { test: "slow-fail" }), true)).status, 500);
    }, 10_000);
    const started = Date.now();
    const r = await createPod(pod("too-slow", { test: "slow-fail" }));
    const took = Date.now() - started;
    assert.equal(r.status, 500);
    assert.equal(
      r.body.message,
      `Internal error occurred: failed calling webhook "slow-fail.k8ts.io": failed to call webhook: Post "https://127.0.0.1:${hookPort}/slow?timeout=1s": context deadline exceeded`,
    );
    assert.ok(took >= 900 && took < 2900, `took ${took}ms`);
    const ok = await createPod(pod("slow-ignored", { test: "slow-ignore" }));
    assert.equal(ok.status, 201);
  });

  it("admission webhook configurations are never sent to webhooks, so a broken one can be removed", async () => {
    // Refuses every cluster-scoped write, its own configuration's included were it not exempt.
    await configure("validating", "catch-all", [
      hook("all.k8ts.io", "unused", {
        clientConfig: { url: `https://127.0.0.1:${hookPort}/validate-403`, caBundle },
        rules: [
          {
            operations: ["*"],
            apiGroups: ["*"],
            apiVersions: ["*"],
            resources: ["*"],
            scope: "Cluster",
          } as never,
        ],
        objectSelector: {},
      }),
    ]);
    const ns = { apiVersion: "v1", kind: "Namespace", metadata: { name: "probe" } };
    await eventually(async () => {
      assert.equal((await send("POST", "/api/v1/namespaces?dryRun=All", ns)).status, 403);
    });
    const r = await send("DELETE", `${ADMREG}/validatingwebhookconfigurations/catch-all`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    await eventually(async () => {
      assert.equal((await send("POST", "/api/v1/namespaces?dryRun=All", ns)).status, 201);
    });
  });
});
