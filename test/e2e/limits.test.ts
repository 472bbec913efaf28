// The apiserver's limits and guards over raw HTTPS: body size (413),
// max-in-flight (429 + Retry-After), watch timeoutSeconds, anonymous access;
// and API Priority and Fairness (on by default, as upstream): classification,
// queueing, and 429 when a level's queue is full or a request waited too long.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import type { ClientRequest, IncomingMessage } from "node:http";
import { request } from "node:https";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse } from "yaml";
import { CertificateAuthority } from "../../src/apiserver/certs.ts";
import { type Cluster, startCluster } from "./harness.ts";

interface Creds {
  cert: string;
  key: string;
  ca: string;
}

function credsOf(kubeconfig: string): Creds {
  const kc = parse(readFileSync(kubeconfig, "utf8"));
  const b = (s: string) => Buffer.from(s, "base64").toString();
  return {
    ca: b(kc.clusters[0].cluster["certificate-authority-data"]),
    cert: b(kc.users[0].user["client-certificate-data"]),
    key: b(kc.users[0].user["client-key-data"]),
  };
}

function send(
  port: number,
  creds: Partial<Creds> & { ca: string },
  method: string,
  path: string,
  body?: string | Buffer,
): { req: ClientRequest; response: Promise<{ res: IncomingMessage; text: string }> } {
  const req = request({
    host: "127.0.0.1",
    port,
    method,
    path,
    ...creds,
    headers: { "Content-Type": "application/json" },
  });
  const response = new Promise<{ res: IncomingMessage; text: string }>((resolve, reject) => {
    req.on("response", (res) => {
      let text = "";
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () => resolve({ res, text }));
    });
    req.on("error", reject);
  });
  if (body !== undefined) req.end(body);
  return { req, response };
}

/** The admin's credentials, and those of "limits-user": outside system:masters, with the edit role in default. */
async function withLimitsUser(c: Cluster): Promise<{ creds: Creds; user: Creds }> {
  const creds = credsOf(c.kubeconfig);
  const pki = join(c.dataDir, "pki");
  const ca = await CertificateAuthority.load(
    readFileSync(join(pki, "ca.crt"), "utf8"),
    readFileSync(join(pki, "ca.key"), "utf8"),
  );
  const user = { ca: creds.ca, ...(await ca.issueClient("limits-user")) };
  const bound = await c.kubectl([
    "create",
    "rolebinding",
    "limits-user-edit",
    "--clusterrole=edit",
    "--user=limits-user",
  ]);
  assert.equal(bound.code, 0, bound.stderr);
  return { creds, user };
}

/** A create whose body never finishes: it holds its seat (or in-flight slot) until destroyed. */
function hold(port: number, who: Creds): { release(): void } {
  const held = send(port, who, "POST", "/api/v1/namespaces/default/configmaps");
  held.req.setHeader("Content-Length", "1000");
  held.req.write('{"metadata":');
  held.response.catch(() => {});
  return { release: () => held.req.destroy() };
}

const createConfigMap = (port: number, who: Creds, name: string) =>
  send(port, who, "POST", "/api/v1/namespaces/default/configmaps", JSON.stringify({ metadata: { name } }))
    .response;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("apiserver limits (priority and fairness off)", () => {
  let c: Cluster;
  let creds: Creds;
  /** A user outside system:masters, with the edit role in default. */
  let user: Creds;
  before(async () => {
    c = await startCluster({
      args: ["--enable-priority-and-fairness=false", "--max-mutating-requests-inflight", "1"],
    });
    ({ creds, user } = await withLimitsUser(c));
  });
  after(async () => {
    await c?.stop();
  });

  it("answers 413 to a body over 3 MiB, and keeps serving", async () => {
    const big = JSON.stringify({ metadata: { name: "big" }, data: { x: "a".repeat(3 * 1024 * 1024 + 10) } });
    const { response } = send(c.port, creds, "POST", "/api/v1/namespaces/default/configmaps", big);
    const { res, text } = await response;
    assert.equal(res.statusCode, 413);
    const status = JSON.parse(text);
    assert.equal(status.kind, "Status");
    assert.equal(status.reason, "RequestEntityTooLarge");
    const get = await c.kubectl(["get", "cm", "big"]);
    assert.match(get.stderr, /NotFound/);
  });

  it("answers 413 to a chunked body that grows over 3 MiB, and keeps serving", async () => {
    // No Content-Length: the limit is found while the body is read.
    const { req, response } = send(c.port, creds, "POST", "/api/v1/namespaces/default/configmaps");
    req.setHeader("Transfer-Encoding", "chunked");
    req.write('{"metadata":{"name":"chunked"},"data":{"x":"');
    const mib = "a".repeat(1024 * 1024);
    for (let i = 0; i < 4; i++) req.write(mib);
    req.end('"}}');
    const { res, text } = await response;
    assert.equal(res.statusCode, 413);
    assert.equal(JSON.parse(text).reason, "RequestEntityTooLarge");
    const get = await c.kubectl(["get", "cm", "chunked"]);
    assert.match(get.stderr, /NotFound/);
  });

  it("answers 429 with Retry-After beyond the in-flight limit, but not to system:masters", async () => {
    // The only mutating slot is held.
    const held = hold(c.port, user);
    await sleep(300);
    const { res, text } = await createConfigMap(c.port, user, "x");
    assert.equal(res.statusCode, 429);
    assert.equal(res.headers["retry-after"], "1");
    assert.equal(JSON.parse(text).reason, "TooManyRequests");
    assert.equal(res.headers["x-kubernetes-pf-flowschema-uid"], undefined);
    // As upstream's filter: a system:master always gets an answer.
    assert.equal((await createConfigMap(c.port, creds, "from-admin")).res.statusCode, 201);
    held.release();
    // The slot frees once the held request is gone.
    await sleep(200);
    assert.equal((await createConfigMap(c.port, user, "after")).res.statusCode, 201);
  });

  it("ends a watch after timeoutSeconds", async () => {
    const started = Date.now();
    const { req, response } = send(
      c.port,
      creds,
      "GET",
      "/api/v1/namespaces/default/configmaps?watch=1&timeoutSeconds=1",
    );
    req.end();
    const { res } = await response;
    assert.equal(res.statusCode, 200);
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 900 && elapsed < 5000, `watch lasted ${elapsed} ms`);
  });

  it("lets anonymous requests reach only the public health and version paths", async () => {
    const anon = { ca: creds.ca };
    const version = send(c.port, anon, "GET", "/version");
    version.req.end();
    assert.equal((await version.response).res.statusCode, 200);
    const healthz = send(c.port, anon, "GET", "/healthz");
    healthz.req.end();
    assert.equal((await healthz.response).text, "ok");
    const pods = send(c.port, anon, "GET", "/api/v1/pods");
    pods.req.end();
    const { res, text } = await pods.response;
    assert.equal(res.statusCode, 403);
    assert.equal(JSON.parse(text).reason, "Forbidden");
  });
});

describe("API Priority and Fairness", () => {
  let c: Cluster;
  let creds: Creds;
  let user: Creds;
  before(async () => {
    // Requests wait in a queue at most a quarter of the request timeout: 1 s here.
    c = await startCluster({ args: ["--request-timeout", "4s"] });
    ({ creds, user } = await withLimitsUser(c));
  });
  after(async () => {
    await c?.stop();
  });

  it("keeps upstream's bootstrap FlowSchemas and PriorityLevelConfigurations", async () => {
    const fs = await c.kubectl(["get", "flowschemas"]);
    assert.equal(fs.code, 0, fs.stderr);
    const rows = fs.stdout.trim().split("\n");
    assert.match(
      rows[0],
      /^NAME\s+PRIORITYLEVEL\s+MATCHINGPRECEDENCE\s+DISTINGUISHERMETHOD\s+AGE\s+MISSINGPL$/,
    );
    // In matching order, as upstream's printer lists them; every schema's level exists.
    const names = rows.slice(1).map((r) => r.split(/\s+/)[0]);
    assert.deepEqual(names, [
      "exempt",
      "probes",
      "system-leader-election",
      "endpoint-controller",
      "workload-leader-election",
      "system-node-high",
      "system-nodes",
      "kube-controller-manager",
      "kube-scheduler",
      "kube-system-service-accounts",
      "service-accounts",
      "global-default",
      "catch-all",
    ]);
    for (const r of rows.slice(1)) assert.match(r, /\sFalse$/, r);
    const pl = await c.kubectl(["get", "prioritylevelconfigurations", "global-default", "-o", "json"]);
    const obj = JSON.parse(pl.stdout);
    assert.equal(obj.metadata.annotations["apf.kubernetes.io/autoupdate-spec"], "true");
    assert.deepEqual(obj.spec, {
      type: "Limited",
      limited: {
        nominalConcurrencyShares: 20,
        lendablePercent: 50,
        limitResponse: { type: "Queue", queuing: { queues: 128, handSize: 6, queueLengthLimit: 50 } },
      },
    });
  });

  it("names the matched schema and level in the response headers", async () => {
    const uid = async (kind: string, name: string) =>
      (await c.kubectl(["get", kind, name, "-o", "jsonpath={.metadata.uid}"])).stdout;
    const get = send(c.port, user, "GET", "/api/v1/namespaces/default/configmaps");
    get.req.end();
    const { res } = await get.response;
    assert.equal(res.statusCode, 200);
    assert.equal(res.headers["x-kubernetes-pf-flowschema-uid"], await uid("flowschema", "global-default"));
    assert.equal(
      res.headers["x-kubernetes-pf-prioritylevel-uid"],
      await uid("prioritylevelconfiguration", "global-default"),
    );
    const admin = send(c.port, creds, "GET", "/api/v1/namespaces/default/configmaps");
    admin.req.end();
    assert.equal(
      (await admin.response).res.headers["x-kubernetes-pf-flowschema-uid"],
      await uid("flowschema", "exempt"),
    );
  });

  it("queues requests beyond a level's seats, serves them as seats free, and answers 429 when the queue is full or the wait too long", async () => {
    // A level of its own for limits-user: 3 seats (1 share of 246, never lent or borrowed), one queue of 1.
    const applied = await c.kubectl(["apply", "-f", "-"], {
      input: `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: PriorityLevelConfiguration
metadata: {name: tiny}
spec:
  type: Limited
  limited:
    nominalConcurrencyShares: 1
    lendablePercent: 0
    borrowingLimitPercent: 0
    limitResponse: {type: Queue, queuing: {queues: 1, handSize: 1, queueLengthLimit: 1}}
---
apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: {name: limits-user}
spec:
  priorityLevelConfiguration: {name: tiny}
  matchingPrecedence: 50
  distinguisherMethod: {type: ByUser}
  rules:
  - subjects: [{kind: User, user: {name: limits-user}}]
    resourceRules: [{verbs: ["*"], apiGroups: ["*"], resources: ["*"], namespaces: ["*"], clusterScope: true}]
`,
    });
    assert.equal(applied.code, 0, applied.stderr);
    const fsUID = (await c.kubectl(["get", "flowschema", "limits-user", "-o", "jsonpath={.metadata.uid}"]))
      .stdout;
    // The apiserver follows its configuration by watch.
    for (let i = 0; ; i++) {
      const probe = send(c.port, user, "GET", "/api/v1/namespaces/default/configmaps");
      probe.req.end();
      if ((await probe.response).res.headers["x-kubernetes-pf-flowschema-uid"] === fsUID) break;
      assert.ok(i < 50, "the new FlowSchema was not used within 5 s");
      await sleep(100);
    }
    // A watch holds a seat only until it has sent its initial events: three open watches leave the
    // three seats free.
    const watches = [0, 1, 2].map((i) => {
      const w = send(
        c.port,
        user,
        "GET",
        `/api/v1/namespaces/default/configmaps?watch=1${i ? `&resourceVersion=${i}` : ""}`,
      );
      w.req.end();
      w.response.catch(() => {});
      return w;
    });
    await sleep(300);
    assert.equal((await createConfigMap(c.port, user, "beside-watches")).res.statusCode, 201);
    for (const w of watches) w.req.destroy();
    const held = [hold(c.port, user), hold(c.port, user), hold(c.port, user)];
    await sleep(300);
    // The fourth waits in the queue; the fifth finds it full.
    const queued = createConfigMap(c.port, user, "queued");
    await sleep(200);
    const full = await createConfigMap(c.port, user, "full");
    assert.equal(full.res.statusCode, 429);
    assert.equal(full.res.headers["retry-after"], "1");
    assert.equal(JSON.parse(full.text).reason, "TooManyRequests");
    assert.equal(full.res.headers["x-kubernetes-pf-flowschema-uid"], fsUID);
    // Other users' levels are not affected.
    assert.equal((await createConfigMap(c.port, creds, "admin-meanwhile")).res.statusCode, 201);
    held[0].release();
    assert.equal((await queued).res.statusCode, 201);
    // Seats all taken again: a queued request gives up after 1 s (request timeout / 4).
    held[0] = hold(c.port, user);
    await sleep(300);
    const started = Date.now();
    const waited = await createConfigMap(c.port, user, "waited");
    assert.equal(waited.res.statusCode, 429);
    const ms = Date.now() - started;
    assert.ok(ms >= 900 && ms < 3000, `waited ${ms} ms`);
    for (const h of held) h.release();

    const metrics = send(c.port, creds, "GET", "/metrics");
    metrics.req.end();
    const text = (await metrics.response).text;
    const count = (reason: string) =>
      Number(
        new RegExp(
          `apiserver_flowcontrol_rejected_requests_total\\{flow_schema="limits-user",priority_level="tiny",reason="${reason}"\\} (\\d+)`,
        ).exec(text)?.[1] ?? 0,
      );
    assert.equal(count("queue-full"), 1);
    assert.equal(count("time-out"), 1);
    assert.match(
      text,
      /apiserver_flowcontrol_dispatched_requests_total\{flow_schema="limits-user",priority_level="tiny"\} \d+/,
    );
    assert.match(text, /apiserver_flowcontrol_nominal_limit_seats\{priority_level="tiny"\} 3/);
    // The same from upstream's debug dump, as kubectl reads it.
    const dump = await c.kubectl(["get", "--raw", "/debug/api_priority_and_fairness/dump_priority_levels"]);
    assert.equal(dump.code, 0, dump.stderr);
    const tiny = dump.stdout.split("\n").find((l) => l.startsWith("tiny,"));
    assert.ok(tiny, dump.stdout);
    // Name, active queues, idle, quiescing, waiting, executing, dispatched, rejected, timed out, cancelled.
    const cells = tiny.split(/,\s*/);
    assert.deepEqual([cells[4], cells[5], cells[7], cells[8], cells[9]], ["0", "0", "1", "1", "0"]);
    // Stored objects are counted (once a minute; the first count at start).
    assert.match(text, /^apiserver_storage_objects\{resource="configmaps"\} \d+$/m);
  });

  it("marks a FlowSchema whose priority level does not exist as dangling, and does not use it", async () => {
    const created = await c.kubectl(["apply", "-f", "-"], {
      input: `apiVersion: flowcontrol.apiserver.k8s.io/v1
kind: FlowSchema
metadata: {name: nowhere}
spec:
  priorityLevelConfiguration: {name: missing}
  matchingPrecedence: 40
  rules:
  - subjects: [{kind: Group, group: {name: system:authenticated}}]
    nonResourceRules: [{verbs: ["*"], nonResourceURLs: ["*"]}]
`,
    });
    assert.equal(created.code, 0, created.stderr);
    let condition: Record<string, string> | undefined;
    for (let i = 0; i < 50 && !condition; i++) {
      const got = await c.kubectl(["get", "flowschema", "nowhere", "-o", "json"]);
      condition = JSON.parse(got.stdout).status?.conditions?.find(
        (x: { type: string }) => x.type === "Dangling",
      );
      if (!condition) await sleep(100);
    }
    assert.equal(condition?.status, "True");
    assert.equal(condition?.reason, "NotFound");
    assert.equal(
      condition?.message,
      'This FlowSchema references the PriorityLevelConfiguration object named "missing" but there is no such object',
    );
    const row = await c.kubectl(["get", "flowschema", "nowhere", "--no-headers"]);
    assert.match(row.stdout, /^nowhere\s+missing\s+40\s+<none>\s+\S+\s+True$/m);
    const version = send(c.port, user, "GET", "/version");
    version.req.end();
    const { res } = await version.response;
    assert.equal(res.statusCode, 200);
    const globalDefault = (
      await c.kubectl(["get", "flowschema", "global-default", "-o", "jsonpath={.metadata.uid}"])
    ).stdout;
    assert.equal(res.headers["x-kubernetes-pf-flowschema-uid"], globalDefault);
  });
});
