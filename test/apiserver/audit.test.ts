// The audit log end to end at the Auditor's API: a real HTTP server whose
// handler is wired the way server.ts and http.ts are to be (begin after
// authentication, the authorization annotations, the request body where it is
// read, the response object where it is written), writing to a real log file.
// Checks the events of requests at each level against kube-apiserver's.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  type Auditor,
  createAuditor,
  recordRequestBody,
  recordResponseObject,
} from "../../src/apiserver/audit/auditor.ts";
import type { Event } from "../../src/apiserver/audit/types.ts";
import { unauthorized } from "../../src/apiserver/authentication/authenticator.ts";
import { readBody, writeJson } from "../../src/apiserver/http.ts";
import { requestInfo } from "../../src/apiserver/request-info.ts";
import { errorToAPIStatus, newForbidden, newNotFound } from "../../src/machinery/status.ts";

const POLICY = `apiVersion: audit.k8s.io/v1
kind: Policy
rules:
  - level: None
    users: ["system:kube-proxy"]
  - level: RequestResponse
    resources: [{group: "", resources: ["pods"]}]
    namespaces: ["rr"]
  - level: Request
    resources: [{group: "", resources: ["configmaps"]}]
  - level: Metadata
    omitStages: ["RequestReceived"]
    nonResourceURLs: ["/version"]
  - level: Metadata
`;

const pod = (ns: string, name: string) => ({
  kind: "Pod",
  apiVersion: "v1",
  metadata: {
    name,
    namespace: ns,
    uid: "0b4c8f1e-8a53-4bb1-b3a6-2c49d8b9c0f1",
    resourceVersion: "42",
    managedFields: [{ manager: "kubectl", operation: "Update" }],
  },
  spec: { containers: [{ name: "c", image: "k8ts.local/busybox:latest" }] },
});

/** What http.ts writeJson does once wired: the response object is recorded, then written. */
function send(res: ServerResponse, code: number, body: unknown): void {
  recordResponseObject(res, body);
  writeJson(res, code, body);
}

/** The request flow of server.ts handle(), with a header standing in for authentication. */
function handler(auditor: Auditor) {
  return async (req: IncomingMessage, res: ServerResponse) => {
    const receivedAt = auditor.now();
    const url = new URL(req.url ?? "/", "http://apiserver");
    const info = requestInfo(req.method ?? "GET", url.pathname, url.searchParams);
    try {
      const name = req.headers["x-remote-user"];
      if (typeof name !== "string") {
        auditor.failedAuthentication(req, res, info, { receivedAt });
        throw unauthorized();
      }
      const user = { name, groups: ["system:authenticated"] };
      const audit = auditor.begin(req, res, info, user, { receivedAt });
      if (name === "mallory") {
        audit?.authorized("forbid", "");
        throw newForbidden(
          { group: "", resource: info.resource },
          info.name,
          `User "mallory" cannot ${info.verb}`,
        );
      }
      audit?.authorized(
        "allow",
        'RBAC: allowed by ClusterRoleBinding "admin" of ClusterRole "cluster-admin" to User "alice"',
      );
      if (!info.isResourceRequest) return send(res, 200, { major: "1", minor: "32" });
      if (info.verb === "watch") {
        res.writeHead(200, { "Content-Type": "application/json" });
        res.write(`${JSON.stringify({ type: "ADDED", object: pod(info.namespace, "w") })}\n`);
        setTimeout(() => res.end(), 20);
        return;
      }
      if (info.verb === "create") {
        const body = await readBody(req);
        recordRequestBody(req, body);
        const obj = JSON.parse(body.toString());
        // What the registry does after the request object was recorded.
        obj.metadata.uid = "created-uid";
        return send(res, 201, obj);
      }
      if (info.verb === "patch") {
        recordRequestBody(req, await readBody(req));
        return send(res, 200, pod(info.namespace, info.name));
      }
      if (info.name === "missing") throw newNotFound({ group: "", resource: info.resource }, info.name);
      return send(res, 200, pod(info.namespace, info.name));
    } catch (e) {
      const status = errorToAPIStatus(e);
      send(res, status.code ?? 500, status);
    }
  };
}

describe("audit log (Auditor wired as server.ts will)", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-audit-"));
  const policyFile = join(dir, "policy.yaml");
  const logPath = join(dir, "audit.log");
  let auditor: Auditor;
  let server: Server;
  let port: number;

  before(async () => {
    writeFileSync(policyFile, POLICY);
    auditor = createAuditor({ policyFile, logPath })!;
    server = createServer((req, res) => void handler(auditor)(req, res));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as AddressInfo).port;
  });
  after(async () => {
    await new Promise<void>((r) => server.close(() => r()));
    await auditor.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function call(
    method: string,
    path: string,
    opts: { user?: string; body?: unknown; contentType?: string; headers?: Record<string, string> } = {},
  ): Promise<{ status: number; auditID: string; body: string }> {
    return new Promise((resolve, reject) => {
      const headers: Record<string, string> = {
        "user-agent": "kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9",
        ...opts.headers,
      };
      if (opts.user) headers["x-remote-user"] = opts.user;
      if (opts.body !== undefined) headers["content-type"] = opts.contentType ?? "application/json";
      const req = request({ host: "127.0.0.1", port, method, path, headers }, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({
            status: res.statusCode ?? 0,
            auditID: String(res.headers["audit-id"] ?? ""),
            body: Buffer.concat(chunks).toString(),
          }),
        );
      });
      req.on("error", reject);
      req.end(
        opts.body === undefined
          ? undefined
          : typeof opts.body === "string"
            ? opts.body
            : JSON.stringify(opts.body),
      );
    });
  }

  /** The events of one request, from the log file once the writer has caught up. */
  async function eventsOf(auditID: string, count: number): Promise<Event[]> {
    for (let i = 0; i < 100; i++) {
      let text = "";
      try {
        text = readFileSync(logPath, "utf8");
      } catch {
        // not written yet
      }
      const events = text
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Event)
        .filter((e) => e.auditID === auditID);
      if (events.length >= count) return events;
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.fail(`no ${count} events for ${auditID}`);
  }

  it("Metadata: RequestReceived then ResponseComplete, with who, what and the authorization decision", async () => {
    const r = await call("GET", "/api/v1/namespaces/default/pods/web", {
      user: "alice",
      headers: { "x-forwarded-for": "203.0.113.7" },
    });
    assert.equal(r.status, 200);
    assert.match(r.auditID, /^[0-9a-f-]{36}$/);
    const [received, complete] = await eventsOf(r.auditID, 2);
    const common = {
      kind: "Event",
      apiVersion: "audit.k8s.io/v1",
      level: "Metadata",
      auditID: r.auditID,
      requestURI: "/api/v1/namespaces/default/pods/web",
      verb: "get",
      user: { username: "alice", groups: ["system:authenticated"] },
      sourceIPs: ["203.0.113.7", "127.0.0.1"],
      userAgent: "kubectl/v1.32.0 (linux/amd64) kubernetes/70d3cc9",
      objectRef: { resource: "pods", namespace: "default", name: "web", apiVersion: "v1" },
    };
    assert.deepEqual(
      { ...received, requestReceivedTimestamp: undefined, stageTimestamp: undefined },
      { ...common, stage: "RequestReceived", requestReceivedTimestamp: undefined, stageTimestamp: undefined },
    );
    assert.equal(received.stageTimestamp, received.requestReceivedTimestamp);
    assert.match(received.requestReceivedTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.deepEqual(
      { ...complete, requestReceivedTimestamp: undefined, stageTimestamp: undefined },
      {
        ...common,
        stage: "ResponseComplete",
        responseStatus: { metadata: {}, code: 200 },
        annotations: {
          "authorization.k8s.io/decision": "allow",
          "authorization.k8s.io/reason":
            'RBAC: allowed by ClusterRoleBinding "admin" of ClusterRole "cluster-admin" to User "alice"',
        },
        requestReceivedTimestamp: undefined,
        stageTimestamp: undefined,
      },
    );
    assert.equal(complete.requestReceivedTimestamp, received.requestReceivedTimestamp);
    assert.ok(complete.stageTimestamp >= complete.requestReceivedTimestamp);
    assert.equal("requestObject" in complete || "responseObject" in complete, false);
  });

  it("Metadata: a failure keeps the Status's bounded fields; a denial is annotated forbid", async () => {
    const missing = await call("GET", "/api/v1/namespaces/default/pods/missing", { user: "alice" });
    assert.equal(missing.status, 404);
    const [, done] = await eventsOf(missing.auditID, 2);
    assert.deepEqual(done.responseStatus, {
      metadata: {},
      status: "Failure",
      message: 'pods "missing" not found',
      reason: "NotFound",
      details: { name: "missing", kind: "pods" },
      code: 404,
    });
    const denied = await call("DELETE", "/api/v1/namespaces/default/pods/web", { user: "mallory" });
    assert.equal(denied.status, 403);
    const [, forbid] = await eventsOf(denied.auditID, 2);
    assert.equal(forbid.verb, "delete");
    assert.deepEqual(forbid.annotations, {
      "authorization.k8s.io/decision": "forbid",
      "authorization.k8s.io/reason": "",
    });
    assert.equal(forbid.responseStatus?.reason, "Forbidden");
    assert.equal(forbid.responseStatus?.code, 403);
  });

  it("Request: keeps the request object as it arrived, not the response", async () => {
    const cm = {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "settings", namespace: "default" },
      data: { a: "1" },
    };
    const r = await call("POST", "/api/v1/namespaces/default/configmaps", { user: "alice", body: cm });
    assert.equal(r.status, 201);
    const [received, done] = await eventsOf(r.auditID, 2);
    assert.equal(received.level, "Request");
    assert.equal(received.requestObject, undefined, "RequestReceived comes before the body is read");
    assert.deepEqual(done.requestObject, cm);
    assert.equal(done.responseObject, undefined);
    // The name came from the body, as upstream's LogRequestObject fills the object reference.
    assert.deepEqual(done.objectRef, {
      resource: "configmaps",
      namespace: "default",
      name: "settings",
      apiVersion: "v1",
    });
    assert.deepEqual(done.responseStatus, { metadata: {}, code: 201 });
  });

  it("RequestResponse: the request (a patch as sent) and the response object", async () => {
    const r = await call("PATCH", "/api/v1/namespaces/rr/pods/web", {
      user: "alice",
      body: { metadata: { labels: { tier: "web" } } },
      contentType: "application/strategic-merge-patch+json",
    });
    const [, done] = await eventsOf(r.auditID, 2);
    assert.equal(done.level, "RequestResponse");
    assert.deepEqual(done.requestObject, { metadata: { labels: { tier: "web" } } });
    assert.deepEqual(done.responseObject, pod("rr", "web"));
  });

  it("a watch also logs ResponseStarted when its headers go out", async () => {
    const r = await call("GET", "/api/v1/namespaces/default/pods?watch=true", { user: "alice" });
    const events = await eventsOf(r.auditID, 3);
    assert.deepEqual(
      events.map((e) => [e.stage, e.verb, e.responseStatus?.code]),
      [
        ["RequestReceived", "watch", undefined],
        ["ResponseStarted", "watch", 200],
        ["ResponseComplete", "watch", 200],
      ],
    );
    assert.equal(events[2].responseObject, undefined);
  });

  it("None writes nothing; omitted stages are skipped; the Audit-Id of the client is kept", async () => {
    const quiet = await call("GET", "/api/v1/namespaces/default/pods/web", { user: "system:kube-proxy" });
    assert.match(quiet.auditID, /^[0-9a-f-]{36}$/);
    const version = await call("GET", "/version", { user: "alice", headers: { "audit-id": "my-trace-1" } });
    assert.equal(version.auditID, "my-trace-1");
    const [only] = await eventsOf("my-trace-1", 1);
    assert.equal(only.stage, "ResponseComplete");
    assert.equal(only.objectRef, undefined);
    assert.equal(only.verb, "get");
    await settle();
    const all = readFileSync(logPath, "utf8");
    assert.ok(!all.includes(quiet.auditID), "a None request was logged");
    assert.equal(all.split("\n").filter((l) => l.includes('"my-trace-1"')).length, 1);
  });

  it("a refused credential gives one ResponseStarted event with the 401 and no user", async () => {
    const r = await call("GET", "/api/v1/namespaces/default/pods", {
      headers: { authorization: "Bearer nope" },
    });
    assert.equal(r.status, 401);
    const [ev] = await eventsOf(r.auditID, 1);
    assert.equal(ev.stage, "ResponseStarted");
    assert.deepEqual(ev.user, {});
    assert.equal(ev.responseStatus?.code, 401);
    assert.equal(ev.responseStatus?.reason, "Unauthorized");
    await settle();
    assert.equal(
      readFileSync(logPath, "utf8")
        .split("\n")
        .filter((l) => l.includes(r.auditID)).length,
      1,
    );
  });

  /** Waits for the background writer to go idle. */
  async function settle(): Promise<void> {
    await new Promise((r) => setTimeout(r, 50));
  }
});
