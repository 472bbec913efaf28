// apiserver_request_total and apiserver_request_duration_seconds count every
// resource request under upstream's labels, one series per label set and code.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
let client: RestClient;

before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
});

after(async () => {
  client.close();
  await api.stop();
});

/** The value of the one series of `name` whose labels are exactly `labels`, or undefined. */
function series(metrics: string, name: string, labels: Record<string, string>): number | undefined {
  const want = `${name}{${Object.entries(labels)
    .map(([k, v]) => `${k}="${v}"`)
    .join(",")}} `;
  const line = metrics.split("\n").find((l) => l.startsWith(want));
  return line === undefined ? undefined : Number(line.slice(want.length));
}

test("requests are counted by verb, resource, dry run and code, and timed", async () => {
  const cm = (name: string) => ({
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: { name, namespace: "default" },
  });
  await client.create(Resources.configmaps, cm("a"));
  await client.create(Resources.configmaps, cm("b"));
  await assert.rejects(client.create(Resources.configmaps, cm("a")), /already exists/);
  await client.create(Resources.configmaps, cm("c"), { dryRun: true });
  const metrics = await client.raw("/metrics");
  const base = {
    verb: "POST",
    dry_run: "",
    group: "",
    version: "v1",
    resource: "configmaps",
    subresource: "",
    scope: "resource",
    component: "apiserver",
  };
  assert.equal(series(metrics, "apiserver_request_total", { ...base, code: "201" }), 2, metrics);
  assert.equal(series(metrics, "apiserver_request_total", { ...base, code: "409" }), 1);
  assert.equal(series(metrics, "apiserver_request_total", { ...base, dry_run: "All", code: "201" }), 1);
  assert.equal(series(metrics, "apiserver_request_duration_seconds_count", base), 3);
  assert.equal(series(metrics, "apiserver_request_duration_seconds_bucket", { ...base, le: "+Inf" }), 3);
  assert.equal(series(metrics, "apiserver_request_duration_seconds_count", { ...base, dry_run: "All" }), 1);
  const sum = series(metrics, "apiserver_request_duration_seconds_sum", base);
  assert.ok(sum !== undefined && sum > 0 && sum < 60, `sum ${sum}`);
});
