// The aggregation layer: a Local APIService for every served group-version,
// and an APIService backed by a service sent to an extension apiserver (an
// HTTPS server of the test at this machine's address) once its availability
// check passes: discovery lists its resources, requests reach it with the
// user in X-Remote-* headers and the aggregator's client certificate.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingHttpHeaders } from "node:http";
import { createServer, type Server } from "node:https";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { type RunningApiServer, startApiServer } from "../../src/apiserver/index.ts";
import { apiCall } from "../support/api-call.ts";
import { hostIP } from "../support/host-ip.ts";
import { freePort } from "../support/ports.ts";
import { until } from "../support/until.ts";

// biome-ignore lint/suspicious/noExplicitAny: JSON bodies
type Obj = Record<string, any>;

let dir: string;
let api: RunningApiServer;
let cred: { cert: string; key: string };
let backend: Server;
let backendPort: number;
const seen: Array<{ path: string; headers: IncomingHttpHeaders; clientCN?: string }> = [];

const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  apiCall({ url: api.url, ca: api.pki.caCert, ...cred }, method, path, body, headers);

before(async () => {
  dir = mkdtempSync(join(tmpdir(), "k8ts-aggregator-"));
  api = await startApiServer({
    dataDir: dir,
    port: await freePort(),
    bindAddress: "127.0.0.1",
    store: "sqlite::memory:",
  });
  cred = await api.pki.ca.issueClient("admin", ["system:masters"]);
  const serving = await api.pki.ca.issueServing("api", ["api.default.svc"]);
  backend = createServer(
    {
      cert: serving.cert,
      key: serving.key,
      ca: api.pki.caCert,
      requestCert: true,
      rejectUnauthorized: false,
    },
    (req, res) => {
      const peer = (req.socket as TLSSocket).getPeerCertificate();
      seen.push({ path: req.url ?? "", headers: req.headers, clientCN: String(peer?.subject?.CN ?? "") });
      res.setHeader("content-type", "application/json");
      if (req.url === "/apis/widgets.example.com/v1") {
        res.end(
          JSON.stringify({
            kind: "APIResourceList",
            apiVersion: "v1",
            groupVersion: "widgets.example.com/v1",
            resources: [
              {
                name: "widgets",
                singularName: "widget",
                namespaced: true,
                kind: "Widget",
                verbs: ["get", "list"],
              },
              { name: "widgets/status", singularName: "", namespaced: true, kind: "Widget", verbs: ["get"] },
            ],
          }),
        );
        return;
      }
      if (req.url?.startsWith("/apis/widgets.example.com/v1/namespaces/default/widgets")) {
        res.end(
          JSON.stringify({
            kind: "WidgetList",
            apiVersion: "widgets.example.com/v1",
            metadata: {},
            items: [{ kind: "Widget", apiVersion: "widgets.example.com/v1", metadata: { name: "w1" } }],
          }),
        );
        return;
      }
      res.statusCode = 404;
      res.end("{}");
    },
  );
  backendPort = await freePort();
  await new Promise<void>((r) => backend.listen(backendPort, "0.0.0.0", r));
});
after(async () => {
  backend?.close();
  await api?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function apiService(name: string, service: string, caBundle?: string): Obj {
  const [version, ...group] = name.split(".");
  return {
    apiVersion: "apiregistration.k8s.io/v1",
    kind: "APIService",
    metadata: { name },
    spec: {
      group: group.join("."),
      version,
      service: { namespace: "default", name: service, port: 443 },
      groupPriorityMinimum: 100,
      versionPriority: 10,
      ...(caBundle ? { caBundle } : { insecureSkipTLSVerify: true }),
    },
  };
}

async function available(name: string): Promise<Obj> {
  return until(async () => {
    const r = await call("GET", `/apis/apiregistration.k8s.io/v1/apiservices/${name}`);
    const c = (r.body.status?.conditions ?? []).find((x: Obj) => x.type === "Available");
    return c ? c : undefined;
  }, `APIService ${name} checked`);
}

describe("the aggregation layer", () => {
  it("registers a Local APIService for every served group-version", async () => {
    const list = await until(async () => {
      const r = await call("GET", "/apis/apiregistration.k8s.io/v1/apiservices");
      return r.body.items?.length >= 20 ? r.body : undefined;
    }, "the local APIServices");
    const core = list.items.find((a: Obj) => a.metadata.name === "v1.");
    assert.deepEqual(core.spec, {
      group: "",
      version: "v1",
      groupPriorityMinimum: 18000,
      versionPriority: 1,
    });
    assert.equal(core.metadata.labels["kube-aggregator.kubernetes.io/automanaged"], "onstart");
    const apps = await available("v1.apps");
    assert.deepEqual(
      [apps.status, apps.reason, apps.message],
      ["True", "Local", "Local APIServices are always available"],
    );
    const table = await call("GET", "/apis/apiregistration.k8s.io/v1/apiservices/v1.apps", undefined, {
      accept: "application/json;as=Table;v=v1;g=meta.k8s.io",
    });
    assert.deepEqual(
      table.body.columnDefinitions.map((c: Obj) => c.name),
      ["Name", "Service", "Available", "Age"],
    );
    assert.deepEqual(table.body.rows[0].cells.slice(0, 3), ["v1.apps", "Local", "True"]);
  });

  it("registers a CRD's versions while it is served, and removes them with it", async () => {
    const crd = {
      apiVersion: "apiextensions.k8s.io/v1",
      kind: "CustomResourceDefinition",
      metadata: { name: "gears.crd.example.com" },
      spec: {
        group: "crd.example.com",
        scope: "Namespaced",
        names: { plural: "gears", kind: "Gear" },
        versions: [
          {
            name: "v1",
            served: true,
            storage: true,
            schema: { openAPIV3Schema: { type: "object", "x-kubernetes-preserve-unknown-fields": true } },
          },
        ],
      },
    };
    assert.equal(
      (await call("POST", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions", crd)).code,
      201,
    );
    const registered = await until(async () => {
      const r = await call("GET", "/apis/apiregistration.k8s.io/v1/apiservices/v1.crd.example.com");
      return r.code === 200 ? r.body : undefined;
    }, "the CRD's APIService");
    assert.deepEqual(registered.spec, {
      group: "crd.example.com",
      version: "v1",
      groupPriorityMinimum: 1000,
      versionPriority: 100,
    });
    assert.equal(registered.metadata.labels["kube-aggregator.kubernetes.io/automanaged"], "true");
    await call("DELETE", "/apis/apiextensions.k8s.io/v1/customresourcedefinitions/gears.crd.example.com");
    await until(
      async () =>
        (await call("GET", "/apis/apiregistration.k8s.io/v1/apiservices/v1.crd.example.com")).code === 404,
      "the CRD's APIService gone",
    );
  });

  it("says why an APIService is unavailable, and answers 503 for it", async () => {
    const r = await call(
      "POST",
      "/apis/apiregistration.k8s.io/v1/apiservices",
      apiService("v1.missing.example.com", "nope"),
    );
    assert.equal(r.code, 201, r.text);
    const c = await available("v1.missing.example.com");
    assert.deepEqual(
      [c.status, c.reason, c.message],
      ["False", "ServiceNotFound", 'service/nope in "default" is not present'],
    );
    const proxied = await call("GET", "/apis/missing.example.com/v1/things");
    assert.equal(proxied.code, 503, proxied.text);
    const invalid = await call("POST", "/apis/apiregistration.k8s.io/v1/apiservices", {
      ...apiService("v1.bad.example.com", "api"),
      metadata: { name: "v2.bad.example.com" },
    });
    assert.equal(invalid.code, 422);
    assert.match(
      invalid.body.message,
      /metadata.name: Invalid value: "v2.bad.example.com": must be v1.bad.example.com/,
    );
  });

  it("sends a service-backed group-version to its extension apiserver, with the user in X-Remote-* headers", async () => {
    const ip = hostIP();
    assert.equal(
      (
        await call("POST", "/api/v1/namespaces/default/services", {
          metadata: { name: "api" },
          spec: { ports: [{ port: 443, targetPort: backendPort }] },
        })
      ).code,
      201,
    );
    assert.equal(
      (
        await call("POST", "/api/v1/namespaces/default/endpoints", {
          metadata: { name: "api" },
          subsets: [{ addresses: [{ ip }], ports: [{ port: backendPort }] }],
        })
      ).code,
      201,
    );
    const caBundle = Buffer.from(api.pki.caCert).toString("base64");
    const r = await call(
      "POST",
      "/apis/apiregistration.k8s.io/v1/apiservices",
      apiService("v1.widgets.example.com", "api", caBundle),
    );
    assert.equal(r.code, 201, r.text);
    const c = await available("v1.widgets.example.com");
    assert.deepEqual([c.status, c.reason, c.message], ["True", "Passed", "all checks passed"]);

    const groups = await call("GET", "/apis");
    const g = groups.body.groups.find((x: Obj) => x.name === "widgets.example.com");
    assert.deepEqual(g?.preferredVersion, { groupVersion: "widgets.example.com/v1", version: "v1" });
    const agg = await call("GET", "/apis", undefined, {
      accept: "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList",
    });
    const ag = agg.body.items.find((x: Obj) => x.metadata.name === "widgets.example.com");
    assert.deepEqual(ag.versions[0].resources[0], {
      resource: "widgets",
      responseKind: { group: "widgets.example.com", version: "v1", kind: "Widget" },
      scope: "Namespaced",
      singularResource: "widget",
      verbs: ["get", "list"],
      subresources: [
        {
          subresource: "status",
          responseKind: { group: "widgets.example.com", version: "v1", kind: "Widget" },
          verbs: ["get"],
        },
      ],
    });

    const list = await call(
      "GET",
      "/apis/widgets.example.com/v1/namespaces/default/widgets?limit=5",
      undefined,
      {
        "x-remote-user": "forged",
      },
    );
    assert.equal(list.code, 200, list.text);
    assert.deepEqual(
      list.body.items.map((o: Obj) => o.metadata.name),
      ["w1"],
    );
    const hit = seen.findLast((s) =>
      s.path.startsWith("/apis/widgets.example.com/v1/namespaces/default/widgets"),
    );
    assert.equal(hit?.path, "/apis/widgets.example.com/v1/namespaces/default/widgets?limit=5");
    assert.equal(hit?.headers["x-remote-user"], "admin");
    assert.equal(hit?.headers["x-remote-group"], "system:masters, system:authenticated");
    assert.equal(hit?.headers.authorization, undefined);
    assert.equal(hit?.clientCN, "front-proxy-client");
    // What an extension apiserver reads to trust those headers.
    const info = await call(
      "GET",
      "/api/v1/namespaces/kube-system/configmaps/extension-apiserver-authentication",
    );
    assert.equal(info.body.data["requestheader-allowed-names"], '["front-proxy-client"]');
    assert.equal(info.body.data["requestheader-username-headers"], '["X-Remote-User"]');
    assert.equal(info.body.data["requestheader-client-ca-file"], api.pki.caCert);
  });
});
