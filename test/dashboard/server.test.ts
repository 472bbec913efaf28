// The dashboard's server against a real apiserver (RBAC on, static tokens):
// the UI's files, its CSRF and host guards, sign-in, the pass-through that acts
// as the signed-in user, and server-side apply of a manifest.
import assert from "node:assert/strict";
import { request } from "node:http";
import { after, before, describe, test } from "node:test";
import type { RunningApiServer } from "../../src/apiserver/index.ts";
import { Resources } from "../../src/client/resources.ts";
import type { RestClient } from "../../src/client/rest-client.ts";
import { type RunningDashboard, startDashboard } from "../../src/dashboard/server.ts";
import { startTokenApiServer, type TokenApiServer } from "../support/token-apiserver.ts";

const CSRF = { "X-Requested-With": "k8ts-dashboard" };
const ALICE = { ...CSRF, Authorization: "Bearer alice-token" };
const BOB = { ...CSRF, Authorization: "Bearer bob-token" };

let cluster: TokenApiServer;
let api: RunningApiServer;
let admin: RestClient;
let dashboard: RunningDashboard;
let skipping: RunningDashboard;

interface Answer {
  code: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json(): Record<string, unknown>;
}

function call(
  d: RunningDashboard,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(new URL(path, d.url), { method, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (c) => {
        text += c;
      });
      res.on("end", () =>
        resolve({ code: res.statusCode ?? 0, headers: res.headers, text, json: () => JSON.parse(text) }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

before(async () => {
  cluster = await startTokenApiServer(['alice-token,alice,uid-1,"system:masters"', "bob-token,bob,uid-2"]);
  ({ api, admin } = cluster);
  // bob may read, as the built-in view role allows, and no more.
  await cluster.grant("bob", "view");
  // The dashboard's own identity has no rights: it only matters to skipped logins.
  const own = await api.pki.ca.issueClient("system:serviceaccount:kube-system:kubernetes-dashboard", [
    "system:serviceaccounts",
  ]);
  const config = { server: api.url, ca: api.pki.caCert, ...own, namespace: "default" };
  dashboard = await startDashboard({ config, port: 0 });
  skipping = await startDashboard({ config, port: 0, enableSkipLogin: true });
});

after(async () => {
  await dashboard?.stop();
  await skipping?.stop();
  await cluster?.stop();
});

describe("the UI's files", () => {
  test("index.html, the script and the styles, with a content security policy", async () => {
    const index = await call(dashboard, "GET", "/");
    assert.equal(index.code, 200);
    assert.match(String(index.headers["content-type"]), /^text\/html/);
    assert.match(index.text, /<script type="module" src="app\.js"><\/script>/);
    assert.match(String(index.headers["content-security-policy"]), /default-src 'self'/);
    assert.equal(index.headers["x-frame-options"], "DENY");
    const script = await call(dashboard, "GET", "/app.js");
    assert.equal(script.code, 200);
    assert.match(String(script.headers["content-type"]), /^text\/javascript/);
    assert.equal((await call(dashboard, "GET", "/style.css")).code, 200);
  });

  test("anything else is a 404 Status, and only GET reads a file", async () => {
    const missing = await call(dashboard, "GET", "/../../etc/passwd");
    assert.equal(missing.code, 404);
    assert.equal(missing.json().kind, "Status");
    assert.equal((await call(dashboard, "POST", "/index.html")).code, 405);
  });
});

describe("guards", () => {
  test("an API call without the page's header is refused: another site's form cannot act as the user", async () => {
    const r = await call(dashboard, "GET", "/k8s/api/v1/namespaces", { Authorization: "Bearer alice-token" });
    assert.equal(r.code, 403);
    assert.match(String(r.json().message), /x-requested-with: k8ts-dashboard header is missing/);
  });

  test("a host name that is not the dashboard's is refused (DNS rebinding)", async () => {
    const r = await call(dashboard, "GET", "/k8s/api/v1/namespaces", {
      ...ALICE,
      Host: "attacker.example:80",
    });
    assert.equal(r.code, 403);
    assert.match(String(r.json().message), /host "attacker\.example:80" is not one of the dashboard's/);
    const local = await call(dashboard, "GET", "/k8s/api/v1/namespaces", { ...ALICE, Host: "localhost" });
    assert.equal(local.code, 200);
  });

  test("only the API's own paths are passed on", async () => {
    for (const path of ["/k8s/metrics", "/k8s/healthz", "/k8s/debug/pprof"]) {
      const r = await call(dashboard, "GET", path, ALICE);
      assert.equal(r.code, 404, path);
      assert.match(String(r.json().message), /passes on only \/api, \/apis, \/version and \/openapi/);
    }
  });
});

describe("signing in", () => {
  test("the login page learns whether it may offer a skip", async () => {
    assert.deepEqual((await call(dashboard, "GET", "/dashboard/config", CSRF)).json(), {
      skipLoginAllowed: false,
    });
    assert.deepEqual((await call(skipping, "GET", "/dashboard/config", CSRF)).json(), {
      skipLoginAllowed: true,
    });
  });

  test("a token is checked with the apiserver and names its user", async () => {
    const ok = await call(
      dashboard,
      "POST",
      "/dashboard/login",
      CSRF,
      JSON.stringify({ token: "bob-token" }),
    );
    assert.equal(ok.code, 200);
    const user = ok.json().user as { username: string; groups: string[] };
    assert.equal(user.username, "bob");
    assert.ok(user.groups.includes("system:authenticated"));
    const bad = await call(dashboard, "POST", "/dashboard/login", CSRF, JSON.stringify({ token: "nope" }));
    assert.equal(bad.code, 401);
    assert.equal(bad.json().reason, "Unauthorized");
    const empty = await call(dashboard, "POST", "/dashboard/login", CSRF, JSON.stringify({ token: " " }));
    assert.equal(empty.code, 400);
    assert.match(String(empty.json().message), /paste a bearer token/);
    assert.equal((await call(dashboard, "POST", "/dashboard/login", CSRF, "{")).code, 400);
  });

  test("without a token nothing passes, unless skipping is allowed: then as the dashboard itself", async () => {
    const r = await call(dashboard, "GET", "/k8s/api/v1/namespaces", CSRF);
    assert.equal(r.code, 401);
    assert.match(String(r.json().message), /sign in with a bearer token/);
    const who = await call(skipping, "GET", "/dashboard/whoami", CSRF);
    assert.equal(
      (who.json().user as { username: string }).username,
      "system:serviceaccount:kube-system:kubernetes-dashboard",
    );
    // It has no rights of its own.
    assert.equal((await call(skipping, "GET", "/k8s/api/v1/namespaces", CSRF)).code, 403);
  });
});

describe("the API, as the signed-in user", () => {
  test("RBAC decides: a viewer reads but cannot write, and cannot impersonate through the dashboard", async () => {
    const list = await call(dashboard, "GET", "/k8s/api/v1/namespaces/default/configmaps", BOB);
    assert.equal(list.code, 200);
    assert.equal(list.json().kind, "ConfigMapList");
    const cm = JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "by-bob" } });
    const json = { "Content-Type": "application/json" };
    const denied = await call(
      dashboard,
      "POST",
      "/k8s/api/v1/namespaces/default/configmaps",
      { ...BOB, ...json },
      cm,
    );
    assert.equal(denied.code, 403);
    assert.match(String(denied.json().message), /User "bob" cannot create resource "configmaps"/);
    const impersonating = await call(
      dashboard,
      "POST",
      "/k8s/api/v1/namespaces/default/configmaps",
      { ...BOB, ...json, "Impersonate-User": "alice", "Impersonate-Group": "system:masters" },
      cm,
    );
    assert.equal(impersonating.code, 403);
    assert.match(String(impersonating.json().message), /User "bob"/);
    const created = await call(
      dashboard,
      "POST",
      "/k8s/api/v1/namespaces/default/configmaps",
      { ...ALICE, ...json },
      JSON.stringify({ apiVersion: "v1", kind: "ConfigMap", metadata: { name: "by-alice" } }),
    );
    assert.equal(created.code, 201);
  });

  test("Table output and YAML come back as the apiserver sends them", async () => {
    const table = await call(dashboard, "GET", "/k8s/api/v1/namespaces", {
      ...ALICE,
      Accept: "application/json;as=Table;v=v1;g=meta.k8s.io,application/json",
    });
    assert.equal(table.json().kind, "Table");
    assert.deepEqual(
      (table.json().columnDefinitions as { name: string }[]).map((c) => c.name),
      ["Name", "Status", "Age"],
    );
    const yaml = await call(dashboard, "GET", "/k8s/api/v1/namespaces/default", {
      ...ALICE,
      Accept: "application/yaml",
    });
    assert.match(String(yaml.headers["content-type"]), /^application\/yaml/);
    // Keys sorted, as kube-apiserver's YAML has them.
    assert.match(yaml.text, /^apiVersion: v1\nkind: Namespace\nmetadata:\n {2}creationTimestamp: /);
  });

  test("a watch streams its events through the dashboard as they happen", async () => {
    const rv = (await admin.list(Resources.configmaps, { namespace: "default" })).metadata.resourceVersion;
    const events: string[] = [];
    const ac = new AbortController();
    const got = new Promise<void>((resolve, reject) => {
      const req = request(
        new URL(`/k8s/api/v1/namespaces/default/configmaps?watch=1&resourceVersion=${rv}`, dashboard.url),
        { headers: ALICE, signal: ac.signal },
        (res) => {
          res.setEncoding("utf8");
          res.on("data", (c: string) => {
            for (const line of c.split("\n").filter(Boolean)) events.push(JSON.parse(line).type);
            if (events.includes("ADDED")) resolve();
          });
        },
      );
      req.on("error", (e) => {
        if (!ac.signal.aborted) reject(e);
      });
      req.end();
    });
    await admin.create(Resources.configmaps, {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "watched", namespace: "default" },
    });
    await got;
    ac.abort();
    assert.deepEqual(events, ["ADDED"]);
  });
});

describe("create from YAML", () => {
  const manifest = (color: string) => `
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  color: ${color}
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: team
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: k8ts.local/busybox:latest}]
---
`;
  const apply = (headers: Record<string, string>, body: string, namespace = "default") =>
    call(dashboard, "POST", `/dashboard/apply?namespace=${namespace}`, headers, body);

  test("each document is applied server-side: created, then configured", async () => {
    await admin.create(Resources.namespaces, {
      apiVersion: "v1",
      kind: "Namespace",
      metadata: { name: "team" },
    });
    const first = await apply(ALICE, manifest("blue"));
    assert.equal(first.code, 200);
    assert.deepEqual(first.json().results, [
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        name: "settings",
        namespace: "default",
        resource: "configmaps",
        action: "created",
      },
      {
        apiVersion: "apps/v1",
        kind: "Deployment",
        name: "web",
        namespace: "team",
        resource: "deployments.apps",
        action: "created",
      },
    ]);
    const again = await apply(ALICE, manifest("green"));
    assert.deepEqual(
      (again.json().results as { action: string }[]).map((r) => r.action),
      ["configured", "configured"],
    );
    const cm = await admin.get<{
      data: Record<string, string>;
      metadata: { managedFields: { manager: string }[] };
    }>(Resources.configmaps, "settings", { namespace: "default" });
    assert.equal(cm.data.color, "green");
    assert.deepEqual(
      cm.metadata.managedFields.map((f) => f.manager),
      ["k8ts-dashboard"],
    );
  });

  test("one bad document is reported beside the others, which still apply", async () => {
    const r = await apply(
      ALICE,
      "kind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: Gadget\nmetadata: {name: g}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n",
      "team",
    );
    const results = r.json().results as { action?: string; error?: { code: number; message: string } }[];
    assert.equal(results[0].error?.code, 400);
    assert.match(results[0].error!.message, /apiVersion not set/);
    assert.equal(results[1].error?.code, 404);
    assert.equal(results[1].error?.message, 'no matches for kind "Gadget" in version "v1"');
    assert.equal(results[2].action, "created");
    await admin.get(Resources.configmaps, "b", { namespace: "team" });
  });

  test("what the user may not do fails per object with the apiserver's Status", async () => {
    const r = await apply(BOB, manifest("red"));
    const results = r.json().results as { error?: { code: number; message: string } }[];
    assert.deepEqual(
      results.map((x) => x.error?.code),
      [403, 403],
    );
    assert.match(results[0].error!.message, /User "bob" cannot patch resource "configmaps"/);
  });

  test("text that is not YAML is a 400 naming the document", async () => {
    const r = await apply(ALICE, "a: b\n---\nkey: [unclosed\n");
    assert.equal(r.code, 400);
    assert.match(String(r.json().message), /^document 2 is not valid YAML: /);
    const empty = await apply(ALICE, "# nothing\n");
    assert.equal(empty.code, 400);
    assert.equal(empty.json().message, "the manifest has no objects");
  });
});
