// A bounded fuzz of the apiserver's front door (fast-check): malformed bodies
// (bad JSON and YAML, wrong types, huge and deep), invalid names, path tricks,
// unknown verbs and content types, header abuse. Every answer must be a 4xx
// Status (never a 5xx, never a hang), the server must stay up, and the store
// must not change.
import assert from "node:assert/strict";
import { Agent, request } from "node:https";
import { after, before, test } from "node:test";
import fc from "fast-check";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
let agent: Agent;
const RUNS = Number(process.env.FUZZ_RUNS ?? 60);

before(async () => {
  api = await startTestApiServer();
  agent = new Agent({
    keepAlive: true,
    ca: api.admin.ca,
    cert: api.admin.cert,
    key: api.admin.key,
    maxSockets: 8,
  });
});
after(async () => {
  agent.destroy();
  await api.stop();
});

interface Answer {
  status: number;
  body: string;
}

function send(
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer | string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(
      { host: "127.0.0.1", port: api.server.port, method, path, agent, headers, timeout: 10_000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }),
        );
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer to ${method} ${path}`)));
    req.on("error", reject);
    req.end(body);
  });
}

async function revision(): Promise<number> {
  return api.store.currentRevision();
}

/** A refusal: 4xx with a Status body whose code is the HTTP status. */
function assertRefused(a: Answer, what: string): void {
  assert.ok(
    a.status >= 400 && a.status < 500,
    `${what}: expected 4xx, got ${a.status}: ${a.body.slice(0, 300)}`,
  );
  let status: { kind?: string; code?: number; status?: string };
  try {
    status = JSON.parse(a.body);
  } catch {
    assert.fail(`${what}: answer ${a.status} is not JSON: ${a.body.slice(0, 200)}`);
  }
  assert.equal(status.kind, "Status", `${what}: ${a.body.slice(0, 200)}`);
  assert.equal(status.code, a.status, what);
  assert.equal(status.status, "Failure", what);
}

async function fuzz(property: fc.IAsyncProperty<unknown[]>): Promise<void> {
  const before = await revision();
  await fc.assert(property, { numRuns: RUNS, seed: 42, endOnFailure: true });
  assert.equal(await revision(), before, "the store changed");
  const healthz = await send("GET", "/healthz", {});
  assert.equal(healthz.status, 200);
}

const POD_PATHS = [
  "/api/v1/namespaces/default/pods",
  "/api/v1/namespaces/default/configmaps",
  "/apis/apps/v1/namespaces/default/deployments",
];

test("bodies that are not JSON objects are refused", async () => {
  const garbage = fc.oneof(
    fc.string(),
    fc.json().filter((j) => !j.trim().startsWith("{")),
    fc.string().map((s) => `{${s}`),
    fc.constantFrom("{", "}", "null", "[]", "\u0000", '{"kind":', "kind: Pod\n  bad: [", "\uFEFF{"),
  );
  await fuzz(
    fc.asyncProperty(
      fc.constantFrom(...POD_PATHS),
      garbage,
      fc.constantFrom("application/json", "application/yaml"),
      async (path, body, type) => {
        assertRefused(
          await send("POST", path, { "Content-Type": type }, body),
          `POST ${path} ${JSON.stringify(body).slice(0, 80)}`,
        );
      },
    ),
  );
});

test("objects with wrong types, wrong kinds and invalid names are refused", async () => {
  const badPod = fc.oneof(
    fc
      .record({
        apiVersion: fc.constant("v1"),
        kind: fc.constant("Pod"),
        metadata: fc.anything(),
        spec: fc.constant({ containers: [{ name: "c", image: "i" }] }),
      })
      .filter(
        (o) =>
          !(
            o.metadata &&
            typeof o.metadata === "object" &&
            !Array.isArray(o.metadata) &&
            typeof (o.metadata as { name?: unknown }).name === "string"
          ),
      ),
    fc.record({
      apiVersion: fc.constant("v1"),
      kind: fc.constant("Pod"),
      metadata: fc.constant({ name: "p" }),
      spec: fc.oneof(
        fc.string(),
        fc.integer(),
        fc.array(fc.anything()),
        fc.record({ containers: fc.oneof(fc.string(), fc.integer(), fc.constant([])) }),
      ),
    }),
    fc.record({
      apiVersion: fc.constantFrom("v2", "apps/v1", "", "v1/x"),
      kind: fc.constant("Pod"),
      metadata: fc.constant({ name: "p" }),
    }),
    fc.record({
      apiVersion: fc.constant("v1"),
      kind: fc.constantFrom("Pdo", "", "Service", "pod"),
      metadata: fc.constant({ name: "p" }),
    }),
    fc
      .oneof(
        fc.string({ minLength: 254, maxLength: 300 }),
        fc.stringMatching(/^[A-Z][A-Za-z]{0,10}$/),
        fc.constantFrom("..", ".", "a/b", "a b", "-a", "a-", "a_b", "ä", "a%2Fb", ""),
      )
      .map((name) => ({
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name },
        spec: { containers: [{ name: "c", image: "i" }] },
      })),
  );
  await fuzz(
    fc.asyncProperty(badPod, async (obj) => {
      assertRefused(
        await send("POST", POD_PATHS[0], { "Content-Type": "application/json" }, JSON.stringify(obj)),
        JSON.stringify(obj).slice(0, 120),
      );
    }),
  );
});

test("huge and deeply nested bodies are refused without harm", async () => {
  const deep = (n: number) => `${'{"a":'.repeat(n)}1${"}".repeat(n)}`;
  const cases: Array<[string, string]> = [
    [
      "4 MiB",
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "big" },
        data: { a: "x".repeat(4 * 1024 * 1024) },
      }),
    ],
    ["deep 100k", deep(100_000)],
    [
      "deep labels",
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "d", labels: JSON.parse(deep(2000)) },
      }),
    ],
    [
      "long array",
      JSON.stringify({
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "arr" },
        data: Array.from({ length: 200_000 }, () => 1),
      }),
    ],
  ];
  const before = await revision();
  for (const [what, body] of cases) {
    assertRefused(await send("POST", POD_PATHS[1], { "Content-Type": "application/json" }, body), what);
  }
  const deepYaml = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: y}\ndata: ${"[".repeat(50_000)}${"]".repeat(50_000)}\n`;
  assertRefused(
    await send("POST", POD_PATHS[1], { "Content-Type": "application/yaml" }, deepYaml),
    "deep YAML",
  );
  assert.equal(await revision(), before);
});

test("path tricks, unknown verbs, unknown content types and header abuse are refused", async () => {
  const path = fc.oneof(
    fc.constantFrom(
      "/api/v1/namespaces/default/pods/../secrets",
      "/api/v1/namespaces/default/pods/%2e%2e",
      "/api/v1/namespaces/default/pods/a%2Fb",
      "/api/v1/namespaces/../pods",
      "/api/v1/namespaces/default/nosuchresource",
      "/apis/nosuch.group/v1/things",
      "/api/v9/pods",
      "/api/v1/namespaces/default/pods/p/nosuchsub",
      "/api/v1/namespaces/UPPER/pods",
      "/api/v1/namespaces/default/pods/%00",
    ),
    fc.stringMatching(/^\/api\/v1\/namespaces\/default\/pods\/[a-z0-9%.]{1,12}\/[a-z]{1,8}$/),
  );
  const method = fc.constantFrom("POST", "PUT", "PATCH", "FOO", "PROPFIND", "TRACE");
  const contentType = fc.constantFrom(
    "text/plain",
    "application/xml",
    "application/x-www-form-urlencoded",
    "application/json; charset=latin1",
    "",
    "multipart/form-data",
  );
  await fuzz(
    fc.asyncProperty(path, method, contentType, async (p, m, ct) => {
      const headers: Record<string, string> = ct ? { "Content-Type": ct } : {};
      const a = await send(m, p, headers, "{}").catch((e: Error) => ({ status: 0, body: e.message }));
      // Node itself refuses methods it cannot parse: the connection answer must still be a 4xx Status.
      assertRefused(a, `${m} ${p} (${ct})`);
    }),
  );
  // Targets the URL parser refuses (an invalid host after "//"): the apiserver used to exit on these.
  for (const target of ["//[", "//x:99999/api/v1/pods"]) {
    assertRefused(await send("GET", target, {}), `GET ${target}`);
  }
  const before = await revision();
  // Oversized headers: the HTTP parser's refusal still comes as a Status.
  const big = await send("GET", "/api/v1/namespaces/default/pods", { "X-Big": "x".repeat(64 * 1024) }).catch(
    (e: Error) => ({
      status: 0,
      body: e.message,
    }),
  );
  assertRefused(big, "64 KiB header");
  const badAccept = await send("GET", "/api/v1/namespaces/default/pods", { Accept: "application/nonsense" });
  assertRefused(badAccept, "Accept: application/nonsense");
  assert.equal(await revision(), before);
});
