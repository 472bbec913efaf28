// A JSON watch without selectors sends each object as stored, with its
// resourceVersion spliced into metadata, instead of decoding and encoding it
// again; so are write responses and GETs. What a client reads must be the
// same object a selector watch (which decodes) gives: one resourceVersion, the
// right one.
import assert from "node:assert/strict";
import { Agent, request } from "node:https";
import { after, before, test } from "node:test";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
let client: RestClient;
let agent: Agent;

before(async () => {
  api = await startTestApiServer();
  client = new RestClient(api.admin);
  agent = new Agent({ ca: api.admin.ca, cert: api.admin.cert, key: api.admin.key });
});
after(async () => {
  client.close();
  agent.destroy();
  await api.stop();
});

interface Event {
  type: string;
  object: { metadata: { name: string; resourceVersion: string } } & Record<string, unknown>;
}

/** Lines of a watch on path, as raw text, until `count` events arrived. */
function watchLines(path: string, count: number): { lines: Promise<string[]>; ready: Promise<void> } {
  let onReady!: () => void;
  const ready = new Promise<void>((r) => {
    onReady = r;
  });
  const lines = new Promise<string[]>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port: api.server.port, path, agent }, (res) => {
      onReady();
      let buf = "";
      const got: string[] = [];
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        buf += d;
        let nl = buf.indexOf("\n");
        while (nl >= 0) {
          got.push(buf.slice(0, nl));
          buf = buf.slice(nl + 1);
          nl = buf.indexOf("\n");
        }
        if (got.length >= count) {
          req.destroy();
          resolve(got.slice(0, count));
        }
      });
      res.on("error", () => {});
    });
    req.on("error", (e) => {
      if (!(e as NodeJS.ErrnoException).code?.includes("ECONNRESET")) reject(e);
    });
    req.setTimeout(10_000, () => req.destroy(new Error(`watch ${path}: timed out`)));
    req.end();
  });
  return { lines, ready };
}

test("a watch without selectors sends what a selector watch and a GET say, with one resourceVersion", async () => {
  const rv = (await client.list(Resources.pods, { namespace: "default" })).metadata?.resourceVersion;
  const plain = watchLines(`/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}`, 3);
  const selected = watchLines(
    `/api/v1/namespaces/default/pods?watch=true&resourceVersion=${rv}&labelSelector=app%3Dw`,
    3,
  );
  await Promise.all([plain.ready, selected.ready]);
  const created = await client.create(Resources.pods, {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "w", namespace: "default", labels: { app: "w" }, annotations: { "a/b": 'x"y\\z' } },
    spec: { containers: [{ name: "c", image: "k8ts.local/pause:3.10" }] },
  });
  const got = await client.get(Resources.pods, "w", { namespace: "default" });
  const labelled = await client.patch(
    Resources.pods,
    "w",
    { metadata: { labels: { tier: "web" }, annotations: { note: "é ✓" } } },
    { type: "merge", namespace: "default" },
  );
  await client.delete(Resources.pods, "w", { namespace: "default", gracePeriodSeconds: 0 });

  const raw = await plain.lines;
  for (const line of raw) assert.equal(line.match(/"resourceVersion":/g)?.length, 1, line);
  const events = raw.map((l) => JSON.parse(l) as Event);
  const decoded = (await selected.lines).map((l) => JSON.parse(l) as Event);
  assert.deepEqual(
    events.map((e) => e.type),
    ["ADDED", "MODIFIED", "DELETED"],
  );
  assert.deepEqual(events, decoded);
  // GETs and write responses are made from the stored bytes too.
  assert.deepEqual(decoded[0].object, got);
  assert.deepEqual(created, got);
  assert.equal(
    events[0].object.metadata.resourceVersion,
    (created.metadata as { resourceVersion?: string }).resourceVersion,
  );
  assert.deepEqual(events[1].object, labelled);
  // A deletion carries the object as it was, at the deletion's revision.
  assert.ok(Number(events[2].object.metadata.resourceVersion) > Number(labelled.metadata?.resourceVersion));
});

test("objects whose stored JSON holds another resourceVersion (an Event's involvedObject) are encoded from the object", async () => {
  const rv = (await client.list(Resources.events, { namespace: "default" })).metadata?.resourceVersion;
  const plain = watchLines(`/api/v1/namespaces/default/events?watch=true&resourceVersion=${rv}`, 1);
  await plain.ready;
  const created = await client.create(Resources.events, {
    apiVersion: "v1",
    kind: "Event",
    metadata: { name: "e1", namespace: "default" },
    involvedObject: { kind: "Pod", name: "p", namespace: "default", resourceVersion: "7" },
    reason: "Tested",
    message: "m",
    type: "Normal",
  });
  const [line] = await plain.lines;
  const ev = JSON.parse(line) as Event;
  assert.equal(
    ev.object.metadata.resourceVersion,
    (created.metadata as { resourceVersion?: string }).resourceVersion,
  );
  assert.deepEqual(ev.object, created);
  const got = await client.get(Resources.events, "e1", { namespace: "default" });
  assert.deepEqual(got, created);
  assert.equal((got as { involvedObject: { resourceVersion: string } }).involvedObject.resourceVersion, "7");
});
