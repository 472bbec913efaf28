// core/v1 componentstatuses: probes of the scheduler's and the
// controller-manager's /healthz and of the store, with upstream's deprecation
// warning, Table columns and messages.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import { after, before, describe, it } from "node:test";
import { ensurePki } from "../../src/apiserver/index.ts";
import { ComponentStatuses } from "../../src/apiserver/registry/component-statuses.ts";
import { apiCall } from "../support/api-call.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";
import { freePort } from "../support/ports.ts";

async function call(api: TestApiServer, method: string, path: string, accept = "application/json") {
  const { server, ca, cert, key } = api.admin;
  const a = await apiCall({ url: server, ca: ca!, cert: cert!, key: key! }, method, path, undefined, {
    accept,
  });
  return { status: a.code, headers: a.headers, body: a.text };
}

describe("componentstatuses", () => {
  let api: TestApiServer;
  let healthy: Server;
  let healthyPort: number;
  let sick: Server;
  let sickPort: number;

  before(async () => {
    api = await startTestApiServer();
    const pki = await ensurePki(api.dataDir);
    const tls = { cert: pki.serving.cert, key: pki.serving.key };
    healthy = createServer(tls, (_req, res) => res.end("ok"));
    sick = createServer(tls, (_req, res) => {
      res.statusCode = 500;
      res.end("[-]informer-sync failed");
    });
    healthyPort = await freePort();
    sickPort = await freePort();
    await new Promise<void>((r) => healthy.listen(healthyPort, "127.0.0.1", r));
    await new Promise<void>((r) => sick.listen(sickPort, "127.0.0.1", r));
  });
  after(async () => {
    healthy?.close();
    sick?.close();
    await api?.stop();
  });

  it("probes each component: healthy, failing, unreachable, and the store", async () => {
    const closed = await freePort();
    const statuses = new ComponentStatuses({
      checkStore: async () => {},
      schedulerPort: healthyPort,
      controllerManagerPort: sickPort,
    });
    const list = await statuses.list();
    assert.equal(list.kind, "ComponentStatusList");
    assert.deepEqual(
      list.items.map((i: { metadata: { name: string }; conditions: unknown[] }) => [
        i.metadata.name,
        i.conditions,
      ]),
      [
        ["scheduler", [{ type: "Healthy", status: "True", message: "ok" }]],
        [
          "controller-manager",
          [
            {
              type: "Healthy",
              status: "False",
              message: "[-]informer-sync failed",
              error: "HTTP probe failed with statuscode: 500",
            },
          ],
        ],
        ["etcd-0", [{ type: "Healthy", status: "True", message: "ok" }]],
      ],
    );
    const down = new ComponentStatuses({
      checkStore: async () => {
        throw new Error("database is locked");
      },
      schedulerPort: closed,
    });
    const scheduler = await down.get("scheduler");
    assert.deepEqual(scheduler.conditions, [
      {
        type: "Healthy",
        status: "Unknown",
        error: `Get "https://127.0.0.1:${closed}/healthz": dial tcp 127.0.0.1:${closed}: connect: connection refused`,
      },
    ]);
    assert.deepEqual((await down.get("etcd-0")).conditions, [
      { type: "Healthy", status: "Unknown", error: "database is locked" },
    ]);
  });

  it("is served read-only with the deprecation warning, as a Table for kubectl", async () => {
    const r = await call(api, "GET", "/api/v1/componentstatuses/etcd-0");
    assert.equal(r.status, 200);
    assert.equal(r.headers.warning, '299 - "v1 ComponentStatus is deprecated in v1.19+"');
    const cs = JSON.parse(r.body);
    assert.equal(cs.kind, "ComponentStatus");
    assert.deepEqual(cs.conditions, [{ type: "Healthy", status: "True", message: "ok" }]);
    const table = await call(
      api,
      "GET",
      "/api/v1/componentstatuses",
      "application/json;as=Table;v=v1;g=meta.k8s.io",
    );
    const t = JSON.parse(table.body);
    assert.deepEqual(
      t.columnDefinitions.map((c: { name: string }) => c.name),
      ["Name", "Status", "Message", "Error"],
    );
    assert.deepEqual(
      t.rows.map((row: { cells: string[] }) => row.cells[0]),
      ["scheduler", "controller-manager", "etcd-0"],
    );
    assert.deepEqual(t.rows[2].cells, ["etcd-0", "Healthy", "ok", ""]);
    const missing = await call(api, "GET", "/api/v1/componentstatuses/nope");
    assert.equal(missing.status, 500);
    assert.match(missing.body, /Component not found: nope/);
    const del = await call(api, "DELETE", "/api/v1/componentstatuses/etcd-0");
    assert.equal(del.status, 405);
  });
});
