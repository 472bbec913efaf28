// The audit log of a real `startApiServer` (the command line's path): the
// policy's levels, one JSON line per stage, the authorization decision, and
// the single event of a failed authentication.
import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { type RunningApiServer, startApiServer } from "../../src/apiserver/index.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { freePort } from "../support/ports.ts";

let dir: string;
let api: RunningApiServer;
let logPath: string;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "k8ts-audit-"));
  logPath = join(dir, "audit.log");
  const policy = join(dir, "policy.yaml");
  writeFileSync(
    policy,
    `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived"]
rules:
- level: None
  nonResourceURLs: ["/healthz*", "/readyz*", "/livez*"]
- level: RequestResponse
  resources: [{group: "", resources: ["configmaps"]}]
- level: Metadata
`,
  );
  api = await startApiServer({
    dataDir: dir,
    port: await freePort(),
    bindAddress: "127.0.0.1",
    store: "sqlite::memory:",
    auditPolicyFile: policy,
    auditLogPath: logPath,
  });
});
after(async () => {
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

interface AuditEvent {
  kind: string;
  level: string;
  stage: string;
  verb: string;
  requestURI: string;
  user: { username: string; groups: string[] };
  objectRef?: { resource: string; namespace?: string; name?: string };
  responseStatus?: { code: number };
  requestObject?: { data?: Record<string, string> };
  responseObject?: { metadata?: { name?: string } };
  annotations?: Record<string, string>;
}

async function events(until: (e: AuditEvent[]) => boolean): Promise<AuditEvent[]> {
  for (let i = 0; i < 100; i++) {
    let lines: AuditEvent[] = [];
    try {
      lines = readFileSync(logPath, "utf8")
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l));
    } catch {
      // not written yet
    }
    if (until(lines)) return lines;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`audit log never had the expected events:\n${readFileSync(logPath, "utf8")}`);
}

test("requests are audited at the policy's level, with the authorization decision", async () => {
  const cred = await api.pki.ca.issueClient("alice", ["system:masters"]);
  const client = new RestClient({
    server: api.url,
    ca: api.pki.caCert,
    cert: cred.cert,
    key: cred.key,
    namespace: "default",
  });
  try {
    await client.create(Resources.configmaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "audited", namespace: "default" },
      data: { k: "v" },
    });
    await client.get(Resources.pods, "missing", { namespace: "default" }).catch(() => {});
  } finally {
    client.close();
  }
  const all = await events((e) => e.some((x) => x.objectRef?.name === "missing"));
  const create = all.find((e) => e.verb === "create" && e.objectRef?.name === "audited")!;
  assert.equal(create.kind, "Event");
  assert.equal(create.level, "RequestResponse");
  assert.equal(create.stage, "ResponseComplete");
  assert.equal(create.user.username, "alice");
  assert.deepEqual(create.requestObject?.data, { k: "v" });
  assert.equal(create.responseObject?.metadata?.name, "audited");
  assert.equal(create.responseStatus?.code, 201);
  assert.equal(create.annotations?.["authorization.k8s.io/decision"], "allow");
  const get = all.find((e) => e.objectRef?.name === "missing")!;
  assert.equal(get.level, "Metadata");
  assert.equal(get.responseStatus?.code, 404);
  assert.equal(get.requestObject, undefined);
  // omitStages and the None rule: no RequestReceived events, no health checks.
  assert.ok(all.every((e) => e.stage !== "RequestReceived"));
  assert.ok(all.every((e) => !e.requestURI.startsWith("/healthz")));
});

test("a failed authentication is one event with the 401", async () => {
  const res = await fetch(`${api.url}/api/v1/namespaces`, {
    headers: { Authorization: "Bearer not-a-token" },
    // @ts-expect-error undici's option: the cluster CA is not in the system store
    dispatcher: new (await import("undici")).Agent({ connect: { ca: api.pki.caCert } }),
  });
  assert.equal(res.status, 401);
  const all = await events((e) => e.some((x) => x.responseStatus?.code === 401));
  const failed = all.filter((e) => e.responseStatus?.code === 401);
  assert.equal(failed.length, 1);
  assert.equal(failed[0].stage, "ResponseStarted");
  assert.deepEqual(failed[0].user, {}); // upstream: no user is known
});
