// /healthz, /livez and /readyz as upstream's healthz handlers answer them:
// "ok", the checks one per line with ?verbose, ?exclude=, a path per check,
// and a 500 listing every check when the store cannot be read.
import assert from "node:assert/strict";
import { request } from "node:https";
import { after, before, test } from "node:test";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

let api: TestApiServer;
before(async () => {
  api = await startTestApiServer();
});
after(async () => {
  await api.stop();
});

/** One GET as the admin, without a client's retries. */
function get(path: string): Promise<{ code: number; body: string; type?: string }> {
  const url = new URL(path, api.url);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        ca: api.admin.ca,
        cert: api.admin.cert,
        key: api.admin.key,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c) => chunks.push(c));
        res.on("end", () =>
          resolve({
            code: res.statusCode ?? 0,
            body: Buffer.concat(chunks).toString("utf8"),
            type: res.headers["content-type"],
          }),
        );
      },
    );
    req.on("error", reject);
    req.end();
  });
}

async function ok(path: string): Promise<string> {
  const r = await get(path);
  assert.equal(r.code, 200, r.body);
  assert.equal(r.type, "text/plain; charset=utf-8");
  return r.body;
}

test("each endpoint answers ok, and its checks with ?verbose", async () => {
  for (const p of ["/healthz", "/livez", "/readyz"]) assert.equal(await ok(p), "ok");
  assert.equal(
    await ok("/readyz?verbose"),
    [
      "[+]ping ok",
      "[+]log ok",
      "[+]etcd ok",
      "[+]etcd-readiness ok",
      "[+]poststarthook/bootstrap-controller ok",
      "[+]shutdown ok",
      "readyz check passed",
      "",
    ].join("\n"),
  );
  assert.equal(
    await ok("/livez?verbose"),
    "[+]ping ok\n[+]log ok\n[+]etcd ok\n[+]poststarthook/bootstrap-controller ok\nlivez check passed\n",
  );
  assert.match(await ok("/healthz?verbose"), /\[\+\]etcd ok\n.*\nhealthz check passed\n$/);
});

test("?exclude= skips a check and names the ones it cannot skip", async () => {
  const out = await ok("/livez?verbose&exclude=etcd&exclude=nope&exclude=zzz");
  assert.match(out, /^\[\+\]etcd excluded: ok$/m);
  assert.match(out, /^warn: some health checks cannot be excluded: no matches for "nope","zzz"$/m);
  assert.match(out, /livez check passed\n$/);
});

test("a check has a path of its own; a name that is no check is a 404", async () => {
  assert.equal(await ok("/readyz/etcd"), "ok");
  assert.equal(await ok("/livez/ping"), "ok");
  assert.equal((await get("/readyz/nope")).code, 404);
});

// Last: it closes the store under the running apiserver.
test("a store that cannot be read fails every endpoint, its reason withheld but on its own path", async () => {
  await api.store.close();
  const ready = await get("/readyz");
  assert.equal(ready.code, 500);
  assert.match(ready.body, /^\[\+\]ping ok\n\[\+\]log ok\n\[-\]etcd failed: reason withheld\n/);
  assert.match(ready.body, /\[-\]etcd-readiness failed: reason withheld\n/);
  assert.match(ready.body, /\[\+\]shutdown ok\nreadyz check failed\n$/);
  const live = await get("/livez");
  assert.equal(live.code, 500);
  assert.match(live.body, /livez check failed\n$/);
  assert.deepEqual(await get("/livez/etcd"), {
    code: 500,
    body: "internal server error: store is closed\n",
    type: "text/plain; charset=utf-8",
  });
  // Excluding the failing check leaves the rest passing.
  assert.equal(await ok("/livez?exclude=etcd"), "ok");
});
