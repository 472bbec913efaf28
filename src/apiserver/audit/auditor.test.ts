import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, request, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { requestInfo } from "../request-info.ts";
import {
  type AuditContext,
  Auditor,
  auditContextOf,
  createAuditor,
  recordRequestObject,
  recordResponseObject,
} from "./auditor.ts";
import type { AuditBackend } from "./log-backend.ts";
import type { Event, Policy } from "./types.ts";

/** Collects event lines in memory. */
function memory(): AuditBackend & { events: () => Event[] } {
  const lines: string[] = [];
  return {
    process: (l) => lines.push(l),
    close: async () => {},
    events: () => lines.map((l) => JSON.parse(l) as Event),
  };
}

const policy = (rules: Policy["rules"], extra: Partial<Policy> = {}): Policy => ({ rules, ...extra });

/** Serves one request with `handle`, audited by `auditor`; resolves when the server saw the response end. */
async function serve(
  auditor: Auditor,
  path: string,
  handle: (req: IncomingMessage, res: ServerResponse, ctx: AuditContext | undefined) => void,
  opts: { method?: string; abortAfterMs?: number } = {},
): Promise<void> {
  let finished!: () => void;
  const done = new Promise<void>((r) => {
    finished = r;
  });
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const info = requestInfo(req.method ?? "GET", url.pathname, url.searchParams);
    const ctx = auditor.begin(
      req,
      res,
      info,
      { name: "alice", groups: ["devs"] },
      { receivedAt: 1_700_000_000_000 },
    );
    res.once("close", () => setImmediate(finished));
    handle(req, res, ctx);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => {
    const req = request({ host: "127.0.0.1", port, path, method: opts.method ?? "GET" }, (res) => {
      res.resume();
      res.on("end", resolve);
      res.on("error", () => resolve());
    });
    req.on("error", () => resolve());
    if (opts.abortAfterMs !== undefined) setTimeout(() => req.destroy(), opts.abortAfterMs);
    req.end();
  });
  await done;
  await new Promise<void>((r) => server.close(() => r()));
}

describe("Auditor", () => {
  it("writes exact events with the injected clock and ID", async () => {
    const backend = memory();
    let t = 1_700_000_000_000;
    const auditor = new Auditor({
      policy: policy([{ level: "Metadata" }]),
      backend,
      now: () => (t += 1.5),
      newAuditID: () => "00000000-0000-4000-8000-000000000001",
    });
    await serve(auditor, "/api/v1/nodes", (_req, res, ctx) => {
      ctx?.authorized("allow", "");
      res.writeHead(200);
      res.end("{}");
    });
    const [received, complete] = backend.events();
    assert.equal(received.requestReceivedTimestamp, "2023-11-14T22:13:20.000000Z");
    assert.equal(received.stageTimestamp, "2023-11-14T22:13:20.000000Z");
    assert.equal(complete.stageTimestamp, "2023-11-14T22:13:20.001500Z");
    assert.deepEqual(complete.objectRef, { resource: "nodes", apiVersion: "v1" });
    assert.equal(complete.verb, "list");
    assert.deepEqual(complete.user, { username: "alice", groups: ["devs"] });
  });

  it("drops managedFields from logged objects when the policy says so", async () => {
    const backend = memory();
    const auditor = new Auditor({
      policy: policy([{ level: "RequestResponse" }], { omitManagedFields: true }),
      backend,
    });
    const obj = { kind: "ConfigMap", metadata: { name: "c", managedFields: [{ manager: "kubectl" }] } };
    await serve(
      auditor,
      "/api/v1/namespaces/default/configmaps",
      (req, res) => {
        recordRequestObject(req, obj);
        const list = { kind: "ConfigMapList", metadata: {}, items: [obj] };
        recordResponseObject(res, list);
        res.end("{}");
      },
      { method: "POST" },
    );
    const done = backend.events().at(-1)!;
    assert.deepEqual(done.requestObject, { kind: "ConfigMap", metadata: { name: "c" } });
    assert.deepEqual(done.responseObject, {
      kind: "ConfigMapList",
      metadata: {},
      items: [{ kind: "ConfigMap", metadata: { name: "c" } }],
    });
    assert.equal(obj.metadata.managedFields.length, 1, "the handler's object is untouched");
  });

  it("fakes a success status when a long-running request ends before any header, as upstream", async () => {
    const backend = memory();
    const auditor = new Auditor({ policy: policy([{ level: "Metadata" }]), backend });
    await serve(auditor, "/api/v1/namespaces/default/pods?watch=1", () => {}, { abortAfterMs: 30 });
    assert.deepEqual(
      backend.events().map((e) => [e.stage, e.responseStatus]),
      [
        ["RequestReceived", undefined],
        [
          "ResponseStarted",
          { metadata: {}, status: "Success", message: "Connection closed early", code: 200 },
        ],
        [
          "ResponseComplete",
          { metadata: {}, status: "Success", message: "Connection closed early", code: 200 },
        ],
      ],
    );
  });

  it("records impersonation and annotations through the request's context", async () => {
    const backend = memory();
    const auditor = new Auditor({ policy: policy([{ level: "Metadata" }]), backend });
    await serve(auditor, "/api/v1/namespaces/default/pods", (req, res) => {
      const ctx = auditContextOf(req)!;
      ctx.impersonated({ name: "bob", groups: ["system:authenticated"] });
      ctx.addAnnotation("pod-security.kubernetes.io/enforce-policy", "restricted:latest");
      ctx.addAnnotation("pod-security.kubernetes.io/enforce-policy", "other");
      res.end();
    });
    const done = backend.events().at(-1)!;
    assert.deepEqual(done.impersonatedUser, { username: "bob", groups: ["system:authenticated"] });
    assert.deepEqual(done.annotations, { "pod-security.kubernetes.io/enforce-policy": "restricted:latest" });
  });

  it("never fails a request when the backend or an object cannot be handled", async () => {
    const auditor = new Auditor({
      policy: policy([{ level: "RequestResponse" }]),
      backend: {
        process: () => {},
        close: async () => {},
      },
    });
    const cyclic: Record<string, unknown> = { kind: "X" };
    cyclic.self = cyclic;
    await serve(auditor, "/api/v1/pods", (_req, res) => {
      recordResponseObject(res, cyclic);
      res.end("ok");
    });
  });
});

describe("createAuditor", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-auditor-"));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("is off without a policy or without a log path, and refuses a bad policy with upstream's prefix", async () => {
    assert.equal(createAuditor({}), undefined);
    assert.equal(createAuditor({ logPath: join(dir, "a.log") }), undefined);
    const good = join(dir, "policy.yaml");
    writeFileSync(good, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Metadata}]\n");
    assert.equal(createAuditor({ policyFile: good }), undefined);
    const a = createAuditor({ policyFile: good, logPath: join(dir, "a.log") });
    assert.ok(a);
    await a.close();
    const bad = join(dir, "bad.yaml");
    writeFileSync(bad, "apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [{level: Loud}]\n");
    assert.throws(() => createAuditor({ policyFile: bad, logPath: join(dir, "a.log") }), {
      message: `loading audit policy file: rules[0].level: Unsupported value: "Loud": supported values: "None", "Metadata", "Request", "RequestResponse": from file ${bad}`,
    });
  });
});
