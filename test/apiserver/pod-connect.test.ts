// The connect subresources on an in-process apiserver (Node,RBAC), with a
// small HTTPS server of this test standing in for the kubelet: pods/exec,
// attach and portforward are upgrade-aware proxies to the kubelet's /exec,
// /attach and /portForward (path and query as upstream's streamLocation
// builds them, the client's upgrade headers relayed, the kubelet's 101 relayed
// and bytes piped both ways); nodes/proxy reaches any kubelet path; pods/proxy
// and services/proxy reach a plain HTTP server of this test that stands in for
// a pod, at this machine's address.
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import type { IncomingHttpHeaders, IncomingMessage } from "node:http";
import { createServer as createHttpServer, type Server as HttpServer } from "node:http";
import { createServer, request, type Server } from "node:https";
import type { Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { TLSSocket } from "node:tls";
import { type RunningApiServer, startApiServer } from "../../src/apiserver/index.ts";
import { hostIP } from "../support/host-ip.ts";
import { freePort } from "../support/ports.ts";

interface Cred {
  cert: string;
  key: string;
}

/** What the stand-in kubelet saw. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  clientCN: string;
  body: string;
}

const WS_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
const accept = (key: string) =>
  createHash("sha1")
    .update(key + WS_GUID)
    .digest("base64");

let dir: string;
let api: RunningApiServer;
let admin: Cred;
let kubelet: Server;
let ip: string;
const seen: Seen[] = [];
const last = () => seen[seen.length - 1]!;

function startKubelet(cred: Cred, ca: string): Promise<Server> {
  const srv = createServer({
    cert: cred.cert,
    key: cred.key,
    ca,
    requestCert: true,
    rejectUnauthorized: true,
  });
  const record = (req: IncomingMessage, body = "") => {
    const peer = (req.socket as TLSSocket).getPeerCertificate();
    seen.push({
      method: req.method ?? "",
      url: req.url ?? "",
      headers: req.headers,
      clientCN: String(peer.subject?.CN ?? ""),
      body,
    });
  };
  srv.on("upgrade", (req: IncomingMessage, socket: Socket, head: Buffer) => {
    record(req);
    const url = new URL(req.url ?? "/", "https://kubelet");
    if (
      url.pathname.startsWith("/exec/") &&
      !["input", "output", "error"].some((p) => url.searchParams.has(p))
    ) {
      // The kubelet's own refusal (remotecommand.NewOptions), as text.
      const msg = "you must specify at least 1 of stdin, stdout, stderr";
      socket.end(
        `HTTP/1.1 400 Bad Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${msg.length}\r\n\r\n${msg}`,
      );
      return;
    }
    if (url.pathname.includes("/gone/")) {
      const body = JSON.stringify({
        kind: "Status",
        apiVersion: "v1",
        metadata: {},
        status: "Failure",
        message: 'container not found ("main")',
        reason: "NotFound",
        code: 404,
      });
      socket.end(
        `HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
      );
      return;
    }
    const lines = [
      "HTTP/1.1 101 Switching Protocols",
      `Upgrade: ${req.headers.upgrade}`,
      "Connection: Upgrade",
    ];
    const key = req.headers["sec-websocket-key"];
    if (key) lines.push(`Sec-WebSocket-Accept: ${accept(String(key))}`);
    const protocols = req.headers["sec-websocket-protocol"];
    if (protocols) lines.push(`Sec-WebSocket-Protocol: ${String(protocols).split(",")[0]!.trim()}`);
    if (req.headers["x-stream-protocol-version"])
      lines.push(
        `X-Stream-Protocol-Version: ${String(req.headers["x-stream-protocol-version"]).split(",")[0]}`,
      );
    socket.write(`${lines.join("\r\n")}\r\n\r\nfrom-kubelet;`);
    if (head.length > 0) socket.write(Buffer.concat([Buffer.from("echo:"), head]));
    socket.on("data", (d: Buffer) => socket.write(Buffer.concat([Buffer.from("echo:"), d])));
    socket.on("end", () => socket.end());
    socket.on("error", () => socket.destroy());
  });
  srv.on("request", (req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (d: string) => {
      body += d;
    });
    req.on("end", () => {
      record(req, body);
      if (req.url === "/healthz") {
        res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
        res.end("ok");
        return;
      }
      res.writeHead(200, { "Content-Type": "application/json", "Access-Control-Allow-Origin": "*" });
      res.end(JSON.stringify({ path: req.url, body }));
    });
  });
  return new Promise((resolve) => srv.listen(0, ip, () => resolve(srv)));
}

type Answer =
  | { kind: "upgraded"; status: number; headers: IncomingHttpHeaders; socket: Socket; head: Buffer }
  | { kind: "response"; status: number; headers: IncomingHttpHeaders; body: string };

/** One request to the apiserver as cred; an upgrade unless headers say otherwise. */
function call(
  method: string,
  path: string,
  cred: Cred,
  headers: Record<string, string> = {},
  body?: string,
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, api.url);
    const req = request({
      host: url.hostname,
      port: url.port,
      path: url.pathname + url.search,
      method,
      headers,
      cert: cred.cert,
      key: cred.key,
      ca: api.pki.caCert,
      agent: false,
    });
    req.on("upgrade", (res, socket, head) =>
      resolve({ kind: "upgraded", status: res.statusCode ?? 0, headers: res.headers, socket, head }),
    );
    req.on("response", (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        text += d;
      });
      res.on("end", () =>
        resolve({ kind: "response", status: res.statusCode ?? 0, headers: res.headers, body: text }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

// biome-ignore lint/suspicious/noExplicitAny: API objects read and written back by field in these tests.
type Json = any;

const WEBSOCKET_KEY = "dGhlIHNhbXBsZSBub25jZQ==";
const websocket = (protocols: string) => ({
  Connection: "Upgrade",
  Upgrade: "websocket",
  "Sec-WebSocket-Key": WEBSOCKET_KEY,
  "Sec-WebSocket-Version": "13",
  "Sec-WebSocket-Protocol": protocols,
});

async function json(method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const r = await call(
    method,
    path,
    admin,
    { "Content-Type": "application/json" },
    body ? JSON.stringify(body) : undefined,
  );
  assert.equal(r.kind, "response");
  return { status: r.status, body: r.kind === "response" && r.body ? JSON.parse(r.body) : undefined };
}

async function expectStatus(r: Answer, code: number, message: string, reason?: string): Promise<void> {
  assert.equal(r.kind, "response", "expected an error answer, not an upgrade");
  if (r.kind !== "response") return;
  assert.equal(r.status, code, r.body);
  const st = JSON.parse(r.body);
  assert.equal(st.kind, "Status");
  assert.equal(st.code, code);
  assert.equal(st.message, message);
  if (reason !== undefined) assert.equal(st.reason ?? "", reason);
}

/** Reads from the socket until `want` bytes arrived. */
function readBytes(socket: Socket, initial: Buffer, want: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let got = initial;
    if (got.length >= want) return resolve(got.toString());
    const t = setTimeout(() => reject(new Error(`timed out with ${JSON.stringify(got.toString())}`)), 5000);
    socket.on("data", (d: Buffer) => {
      got = Buffer.concat([got, d]);
      if (got.length >= want) {
        clearTimeout(t);
        resolve(got.toString());
      }
    });
  });
}

async function createNode(name: string, address: string, port: number): Promise<void> {
  const r = await json("POST", "/api/v1/nodes", { apiVersion: "v1", kind: "Node", metadata: { name } });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const node = r.body;
  node.status = {
    addresses: [
      { type: "InternalIP", address },
      { type: "Hostname", address: name },
    ],
    daemonEndpoints: { kubeletEndpoint: { Port: port } },
  };
  const u = await json("PUT", `/api/v1/nodes/${name}/status`, node);
  assert.equal(u.status, 200, JSON.stringify(u.body));
}

async function createPod(name: string, containers: string[], nodeName?: string): Promise<void> {
  const r = await json("POST", "/api/v1/namespaces/default/pods", {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: { nodeName, containers: containers.map((c) => ({ name: c, image: "k8ts.local/busybox:latest" })) },
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
}

before(async () => {
  ip = hostIP();
  dir = mkdtempSync(join(tmpdir(), "k8ts-pod-connect-"));
  api = await startApiServer({
    dataDir: dir,
    port: await freePort(),
    bindAddress: "127.0.0.1",
    store: "sqlite::memory:",
    disableAdmissionPlugins: ["ServiceAccount"],
  });
  admin = await api.pki.ca.issueClient("admin", ["system:masters"]);
  kubelet = await startKubelet(await api.pki.ca.issueServing("node1", [ip]), api.pki.caCert);
  const kubeletPort = (kubelet.address() as { port: number }).port;
  await createNode("node1", ip, kubeletPort);
  // A node whose kubelet does not answer (a hollow node serves nothing).
  await createNode("dead", ip, await freePort());
  await createPod("web", ["main"], "node1");
  await createPod("two", ["a", "b"], "node1");
  await createPod("gone", ["main"], "node1");
  await createPod("pending", ["main"]);
  await createPod("orphan", ["main"], "ghost");
  await createPod("hollow", ["main"], "dead");
});

after(async () => {
  kubelet?.closeAllConnections();
  await new Promise((r) => (kubelet ? kubelet.close(r) : r(undefined)));
  await api?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("pods/exec, attach, portforward", () => {
  it("proxies a WebSocket exec to the kubelet's /exec and pipes bytes both ways after its 101", async () => {
    const r = await call(
      "GET",
      "/api/v1/namespaces/default/pods/web/exec?command=sh&command=-c&command=echo+hi+there&container=main&stdin=true&stdout=true&stderr=true&tty=false",
      admin,
      {
        ...websocket("v5.channel.k8s.io, v4.channel.k8s.io"),
        Authorization: "Bearer secret-for-the-apiserver",
      },
    );
    assert.equal(r.kind, "upgraded");
    if (r.kind !== "upgraded") return;
    assert.equal(r.status, 101);
    assert.equal(r.headers["sec-websocket-accept"], "s3pPLMBiTxaQ9kYGzzhZRbK+xOo=");
    assert.equal(r.headers["sec-websocket-protocol"], "v5.channel.k8s.io");
    const k = last();
    // streamParams: the streams as input/output/error=1, command repeated, keys sorted (url.Values.Encode).
    assert.equal(
      k.url,
      "/exec/default/web/main?command=sh&command=-c&command=echo+hi+there&error=1&input=1&output=1",
    );
    assert.equal(k.method, "GET");
    assert.equal(k.clientCN, "kube-apiserver-kubelet-client");
    assert.equal(k.headers["sec-websocket-key"], WEBSOCKET_KEY);
    assert.equal(k.headers["sec-websocket-protocol"], "v5.channel.k8s.io, v4.channel.k8s.io");
    assert.equal(k.headers.upgrade, "websocket");
    assert.equal(k.headers.authorization, undefined, "the apiserver's credentials stay at the apiserver");
    assert.equal(k.headers["x-forwarded-for"], "127.0.0.1");
    assert.equal(await readBytes(r.socket, r.head, "from-kubelet;".length), "from-kubelet;");
    const echoed = readBytes(r.socket, Buffer.alloc(0), "echo:\x00ping".length);
    r.socket.write("\x00ping");
    assert.equal(await echoed, "echo:\x00ping");
    const closed = new Promise((resolve) => r.socket.on("close", resolve));
    r.socket.end();
    await closed;
  });

  it("proxies a SPDY attach (POST) with its X-Stream-Protocol-Version, defaulting the only container", async () => {
    const r = await call(
      "POST",
      "/api/v1/namespaces/default/pods/web/attach?stdin=true&stdout=true&tty=true",
      admin,
      {
        Connection: "Upgrade",
        Upgrade: "SPDY/3.1",
        "X-Stream-Protocol-Version": "v4.channel.k8s.io",
      },
    );
    assert.equal(r.kind, "upgraded");
    if (r.kind !== "upgraded") return;
    assert.equal(r.headers["x-stream-protocol-version"], "v4.channel.k8s.io");
    assert.equal(last().url, "/attach/default/web/main?input=1&output=1&tty=1");
    assert.equal(last().method, "POST");
    assert.equal(await readBytes(r.socket, r.head, "from-kubelet;".length), "from-kubelet;");
    r.socket.destroy();
  });

  it("proxies port-forward to /portForward/{ns}/{pod} with the ports as port=", async () => {
    const r = await call(
      "GET",
      "/api/v1/namespaces/default/pods/web/portforward?ports=8080&ports=9090",
      admin,
      websocket("SPDY/3.1+portforward.k8s.io"),
    );
    assert.equal(r.kind, "upgraded");
    if (r.kind !== "upgraded") return;
    assert.equal(r.headers["sec-websocket-protocol"], "SPDY/3.1+portforward.k8s.io");
    assert.equal(last().url, "/portForward/default/web?port=8080%2C9090");
    r.socket.destroy();
    await expectStatus(
      await call("GET", "/api/v1/namespaces/default/pods/web/portforward?ports=http", admin, websocket("x")),
      400,
      'cannot convert to []int32: strconv.ParseUint: parsing "http": invalid syntax',
    );
  });

  it("relays the kubelet's refusal as it sent it", async () => {
    const r = await call(
      "GET",
      "/api/v1/namespaces/default/pods/web/exec?command=true",
      admin,
      websocket("v5.channel.k8s.io"),
    );
    assert.equal(r.kind, "response");
    if (r.kind !== "response") return;
    assert.equal(r.status, 400);
    assert.equal(r.body, "you must specify at least 1 of stdin, stdout, stderr");
    await expectStatus(
      await call(
        "GET",
        "/api/v1/namespaces/default/pods/gone/exec?command=true&stdout=true",
        admin,
        websocket("v5.channel.k8s.io"),
      ),
      404,
      'container not found ("main")',
      "NotFound",
    );
  });

  it("answers errors before reaching a kubelet as upstream does", async () => {
    const ws = websocket("v5.channel.k8s.io");
    const exec = (pod: string, q = "command=true&stdout=true") =>
      call("GET", `/api/v1/namespaces/default/pods/${pod}/exec?${q}`, admin, ws);
    await expectStatus(await exec("missing"), 404, 'pods "missing" not found', "NotFound");
    await expectStatus(
      await exec("web", "command=true&stdout=true&container=nope"),
      400,
      "container nope is not valid for pod web",
      "BadRequest",
    );
    await expectStatus(
      await exec("two"),
      400,
      "a container name must be specified for pod two, choose one of: [a b]",
      "BadRequest",
    );
    await expectStatus(await exec("pending"), 400, "pod pending does not have a host assigned", "BadRequest");
    await expectStatus(
      await call("GET", "/api/v1/namespaces/default/pods/pending/portforward", admin, ws),
      400,
      "pod pending does not have a host assigned",
    );
    await expectStatus(await exec("orphan"), 404, 'nodes "ghost" not found', "NotFound");
    const port = (await json("GET", "/api/v1/nodes/dead")).body.status.daemonEndpoints.kubeletEndpoint.Port;
    await expectStatus(
      await exec("hollow"),
      500,
      `error dialing backend: dial tcp ${ip}:${port}: connect: connection refused`,
      "",
    );
    // Without an upgrade the handler refuses (UpgradeRequired).
    await expectStatus(
      await call("GET", "/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true", admin),
      400,
      "Upgrade request required",
      "BadRequest",
    );
  });

  it("authorizes a WebSocket (GET) exec as create too: RBAC's pods/exec create is what counts", async () => {
    const rbac = "/apis/rbac.authorization.k8s.io/v1/namespaces/default";
    for (const [user, verbs] of [
      ["getter", ["get"]],
      ["runner", ["get", "create"]],
    ] as const) {
      const role = await json("POST", `${rbac}/roles`, {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "Role",
        metadata: { name: user },
        rules: [{ apiGroups: [""], resources: ["pods/exec"], verbs }],
      });
      assert.equal(role.status, 201, JSON.stringify(role.body));
      const binding = await json("POST", `${rbac}/rolebindings`, {
        apiVersion: "rbac.authorization.k8s.io/v1",
        kind: "RoleBinding",
        metadata: { name: user },
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: user },
        subjects: [{ apiGroup: "rbac.authorization.k8s.io", kind: "User", name: user }],
      });
      assert.equal(binding.status, 201, JSON.stringify(binding.body));
    }
    const path = "/api/v1/namespaces/default/pods/web/exec?command=true&stdout=true";
    const ws = websocket("v5.channel.k8s.io");
    const getter = await api.pki.ca.issueClient("getter");
    const runner = await api.pki.ca.issueClient("runner");
    const before = seen.length;
    // RBAC's cache follows the store through a watch: wait for the bindings to be seen.
    let denied: Answer | undefined;
    for (let i = 0; i < 50; i++) {
      const r = await call("GET", path, runner, ws);
      if (r.kind === "upgraded") {
        r.socket.destroy();
        break;
      }
      await new Promise((res) => setTimeout(res, 100));
    }
    assert.equal(seen.length, before + 1, "runner (get + create) reached the kubelet");
    denied = await call("GET", path, getter, ws);
    assert.equal(denied.kind, "response");
    if (denied.kind === "response") {
      assert.equal(denied.status, 403);
      const st = JSON.parse(denied.body);
      assert.equal(st.reason, "Forbidden");
      // RBAC gives no reason for a missing rule: upstream's message ends after the colon.
      assert.equal(st.message, 'pods "web" is forbidden: ');
      assert.deepEqual(st.details, { name: "web", kind: "pods" });
    }
    assert.equal(seen.length, before + 1, "getter never reached the kubelet");
    // A user with no pods/exec permission is stopped by the filter, as a "get".
    await expectStatus(
      await call("GET", path, await api.pki.ca.issueClient("nobody"), ws),
      403,
      'pods "web" is forbidden: User "nobody" cannot get resource "pods/exec" in API group "" in the namespace "default"',
      "Forbidden",
    );
  });
});

describe("nodes/proxy", () => {
  it("proxies GET /healthz to the kubelet with the kubelet client certificate", async () => {
    const r = await call("GET", "/api/v1/nodes/node1/proxy/healthz", admin);
    assert.equal(r.kind, "response");
    if (r.kind !== "response") return;
    assert.equal(r.status, 200);
    assert.equal(r.body, "ok");
    assert.equal(r.headers["content-type"], "text/plain; charset=utf-8");
    assert.equal(last().url, "/healthz");
    assert.equal(last().clientCN, "kube-apiserver-kubelet-client");
  });

  it("passes the method, path, query and body, and drops CORS headers from the answer", async () => {
    const r = await call(
      "POST",
      "/api/v1/nodes/node1/proxy/stats/summary?only_cpu_and_memory=true",
      admin,
      {},
      "hello",
    );
    assert.equal(r.kind, "response");
    if (r.kind !== "response") return;
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { path: "/stats/summary?only_cpu_and_memory=true", body: "hello" });
    assert.equal(r.headers["access-control-allow-origin"], undefined);
    assert.equal(last().method, "POST");
  });

  it("redirects .../proxy to .../proxy/ and refuses bad node requests", async () => {
    const r = await call("GET", "/api/v1/nodes/node1/proxy?x=1", admin);
    assert.equal(r.kind, "response");
    assert.equal(r.status, 301);
    assert.equal(r.headers.location, "/api/v1/nodes/node1/proxy/?x=1");
    await expectStatus(
      await call("GET", "/api/v1/nodes/ghost/proxy/healthz", admin),
      404,
      'nodes "ghost" not found',
      "NotFound",
    );
    await expectStatus(
      await call("GET", "/api/v1/nodes/ftp:node1:1/proxy/healthz", admin),
      400,
      'invalid node request "ftp:node1:1"',
      "BadRequest",
    );
  });
});

describe("pods/proxy and services/proxy", () => {
  let app: HttpServer;
  let appPort = 0;
  const hits: { method: string; url: string; body: string }[] = [];

  before(async () => {
    app = createHttpServer((req, res) => {
      let body = "";
      req.setEncoding("utf8");
      req.on("data", (d: string) => {
        body += d;
      });
      req.on("end", () => {
        hits.push({ method: req.method ?? "", url: req.url ?? "", body });
        res.writeHead(200, { "Content-Type": "text/plain" });
        res.end(`app saw ${req.method} ${req.url}`);
      });
    });
    await new Promise<void>((resolve) => app.listen(0, ip, () => resolve()));
    appPort = (app.address() as { port: number }).port;
    const pod = await json("POST", "/api/v1/namespaces/default/pods", {
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "app" },
      spec: {
        nodeName: "node1",
        containers: [
          { name: "main", image: "k8ts.local/busybox:latest", ports: [{ containerPort: appPort }] },
        ],
      },
    });
    assert.equal(pod.status, 201, JSON.stringify(pod.body));
    pod.body.status = { ...pod.body.status, phase: "Running", podIP: ip, podIPs: [{ ip }] };
    const st = await json("PUT", "/api/v1/namespaces/default/pods/app/status", pod.body);
    assert.equal(st.status, 200, JSON.stringify(st.body));
    for (const [name, targetName] of [
      ["app", "app"],
      // An endpoint that claims to be a pod without that address.
      ["liar", "web"],
    ]) {
      const svc = await json("POST", "/api/v1/namespaces/default/services", {
        apiVersion: "v1",
        kind: "Service",
        metadata: { name },
        spec: { ports: [{ name: "http", port: 80, targetPort: appPort }] },
      });
      assert.equal(svc.status, 201, JSON.stringify(svc.body));
      const eps = await json("POST", "/api/v1/namespaces/default/endpoints", {
        apiVersion: "v1",
        kind: "Endpoints",
        metadata: { name },
        subsets: [
          {
            addresses: [{ ip, targetRef: { kind: "Pod", namespace: "default", name: targetName } }],
            ports: [{ name: "http", port: appPort }],
          },
        ],
      });
      assert.equal(eps.status, 201, JSON.stringify(eps.body));
    }
  });

  after(async () => {
    app?.closeAllConnections();
    await new Promise((r) => (app ? app.close(r) : r(undefined)));
  });

  const get = async (path: string, method = "GET", body?: string) => {
    const r = await call(method, path, admin, {}, body);
    assert.equal(r.kind, "response");
    return r as Extract<Answer, { kind: "response" }>;
  };

  it("reaches the pod's IP at its declared port, or the one named, with path, query and body", async () => {
    const r = await get("/api/v1/namespaces/default/pods/app/proxy/hello?x=1");
    assert.equal(r.status, 200, r.body);
    assert.equal(r.body, "app saw GET /hello?x=1");
    const post = await get(`/api/v1/namespaces/default/pods/app:${appPort}/proxy/form`, "POST", "a=b");
    assert.equal(post.body, "app saw POST /form");
    assert.deepEqual(hits.at(-1), { method: "POST", url: "/form", body: "a=b" });
    const root = await get("/api/v1/namespaces/default/pods/app/proxy");
    assert.equal(root.status, 301);
    assert.equal(root.headers.location, "/api/v1/namespaces/default/pods/app/proxy/");
  });

  it("refuses a pod without an address, and a bad pod request", async () => {
    await expectStatus(
      await call("GET", "/api/v1/namespaces/default/pods/web/proxy/", admin, {}),
      400,
      "address not allowed",
      "BadRequest",
    );
    await expectStatus(
      await call("GET", "/api/v1/namespaces/default/pods/app:99999/proxy/", admin, {}),
      400,
      'invalid pod request "app:99999"',
      "BadRequest",
    );
  });

  it("reaches a service's pod by the port's name or number", async () => {
    const byName = await get("/api/v1/namespaces/default/services/app:http/proxy/a");
    assert.equal(byName.body, "app saw GET /a");
    const byNumber = await get("/api/v1/namespaces/default/services/app:80/proxy/b?y=2");
    assert.equal(byNumber.body, "app saw GET /b?y=2");
    await expectStatus(
      await call("GET", "/api/v1/namespaces/default/services/app:81/proxy/", admin, {}),
      503,
      'no service port 81 found for service "app"',
      "ServiceUnavailable",
    );
    // Without a port, the service port with no name, which this service has not.
    await expectStatus(
      await call("GET", "/api/v1/namespaces/default/services/app/proxy/", admin, {}),
      503,
      'no endpoints available for service "app"',
      "ServiceUnavailable",
    );
  });

  it("uses only endpoints that are pods with that address", async () => {
    await expectStatus(
      await call("GET", "/api/v1/namespaces/default/services/liar:http/proxy/", admin, {}),
      503,
      'no endpoints available for service "liar:http"',
      "ServiceUnavailable",
    );
    await expectStatus(
      await call("GET", "/api/v1/namespaces/default/services/ghost:http/proxy/", admin, {}),
      404,
      'endpoints "ghost" not found',
      "NotFound",
    );
  });
});
