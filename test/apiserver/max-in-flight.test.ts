// The in-flight limits' configuration as upstream's flags define it: without
// priority and fairness a limit of 0 turns that kind's limit off; with it, the
// two limits are its seats and must add up to something positive.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { startApiServer } from "../../src/apiserver/index.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { startTestApiServer } from "../support/apiserver.ts";

test("max-in-flight limits of 0 mean no limit, not a limit of nothing", async () => {
  const api = await startTestApiServer({ maxRequestsInflight: 0, maxMutatingRequestsInflight: 0 });
  // Outside system:masters, whom the filter would let through anyway.
  const client = new RestClient(await api.clientConfig("bob"));
  try {
    const created = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        client.create(Resources.configmaps, { metadata: { name: `cm-${i}`, namespace: "default" } }),
      ),
    );
    assert.equal(created.length, 20);
    const list = await client.list(Resources.configmaps, { namespace: "default" });
    assert.equal(list.items.length, 20);
  } finally {
    client.close();
    await api.stop();
  }
});

test("with priority and fairness, limits that add up to nothing stop the start before anything opens", async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "k8ts-inflight-"));
  try {
    await assert.rejects(
      startApiServer({
        dataDir,
        port: 0,
        store: "sqlite",
        maxRequestsInflight: 0,
        maxMutatingRequestsInflight: 0,
      }),
      /invalid configuration: MaxRequestsInFlight=0 and MaxMutatingRequestsInFlight=0; they must add up to something positive/,
    );
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
