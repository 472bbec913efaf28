// The client's HTTP/2 transport: one connection per TLS identity, shared by its
// clients; their requests and watches multiplexed over it.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createSecureServer, type Http2SecureServer } from "node:http2";
import { createServer as createNetServer } from "node:net";
import { after, before, test } from "node:test";
import { CertificateAuthority } from "../../src/apiserver/certs.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { closeAtOnce } from "../../src/machinery/close-server.ts";
import { until } from "../support/until.ts";

let server: Http2SecureServer;
let close: () => Promise<void>;
let url: string;
let ca: CertificateAuthority;
/** Open connections, each with the users and paths of its requests. */
const connections = new Set<object>();
let connectionsSeen = 0;
const requests: {
  connection: object;
  version: string;
  authorization?: string;
  user?: string;
  path: string;
}[] = [];

before(async () => {
  ({ ca } = await CertificateAuthority.create("transport-test-ca"));
  const serving = await ca.issueServing("apiserver", ["127.0.0.1", "localhost"]);
  server = createSecureServer(
    {
      cert: serving.cert,
      key: serving.key,
      ca: ca.certPem,
      requestCert: true,
      rejectUnauthorized: false,
      allowHTTP1: true,
    },
    (req, res) => handle(req as unknown as IncomingMessage, res as unknown as ServerResponse),
  );
  server.on("secureConnection", (socket) => {
    connectionsSeen++;
    connections.add(socket);
    socket.once("close", () => connections.delete(socket));
  });
  close = closeAtOnce(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  url = `https://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(async () => {
  await close();
});

function handle(req: IncomingMessage, res: ServerResponse): void {
  const h2 = (req as unknown as { stream?: { session: { socket: object } } }).stream;
  const cert = (
    req.socket as unknown as { getPeerCertificate?: () => { subject?: { CN?: string } } }
  ).getPeerCertificate?.();
  requests.push({
    connection: h2 ? h2.session.socket : req.socket,
    version: req.httpVersion,
    authorization: req.headers.authorization,
    user: cert?.subject?.CN,
    path: req.url ?? "",
  });
  if (req.url?.includes("watch=1")) {
    // A watch: one event now, the rest when the client goes away.
    res.writeHead(200, { "Content-Type": "application/json" });
    res.write(
      `${JSON.stringify({ type: "ADDED", object: { kind: "ConfigMap", metadata: { name: "w" } } })}\n`,
    );
    return;
  }
  res
    .writeHead(200, { "Content-Type": "application/json" })
    .end(JSON.stringify({ kind: "ConfigMap", metadata: { name: req.url?.split("/").pop() } }));
}

const get = (c: RestClient, name: string) => c.get(Resources.configmaps, name, { namespace: "default" });

test("clients of one identity share one HTTP/2 connection for requests and watches; each sends its own token", async () => {
  requests.length = 0;
  const before = connectionsSeen;
  const a = new RestClient({ server: url, ca: ca.certPem, token: "token-a", namespace: "default" });
  const b = new RestClient({ server: url, ca: ca.certPem, token: "token-b", namespace: "default" });
  const stop = new AbortController();
  const watched = (async () => {
    for await (const ev of a.watch(Resources.configmaps, { namespace: "default", signal: stop.signal }))
      return ev;
  })();
  await Promise.all([get(a, "one"), get(b, "two"), get(a, "three"), get(b, "four")]);
  const ev = await watched;
  assert.equal(ev?.type, "ADDED");
  stop.abort();
  assert.equal(connectionsSeen - before, 1);
  assert.equal(new Set(requests.map((r) => r.connection)).size, 1);
  assert.deepEqual(new Set(requests.map((r) => r.version)), new Set(["2.0"]));
  const tokens = Object.fromEntries(
    requests.filter((r) => !r.path.includes("watch")).map((r) => [r.path.split("/").pop(), r.authorization]),
  );
  assert.deepEqual(tokens, {
    one: "Bearer token-a",
    two: "Bearer token-b",
    three: "Bearer token-a",
    four: "Bearer token-b",
  });

  // One client's close leaves the connection to the other; the last one's closes it.
  a.close();
  await get(b, "five");
  assert.equal(connections.size, 1);
  b.close();
  await until(() => connections.size === 0, "the connection closed", 5000, 25);
  assert.equal(connectionsSeen - before, 1);
});

test("a client certificate is an identity of its own: its own connection, its own user", async () => {
  requests.length = 0;
  const before = connectionsSeen;
  const alice = await ca.issueClient("alice", []);
  const bob = await ca.issueClient("bob", []);
  const clients = [alice, alice, bob].map(
    (cred) =>
      new RestClient({ server: url, ca: ca.certPem, cert: cred.cert, key: cred.key, namespace: "default" }),
  );
  await Promise.all(clients.map((c, i) => get(c, `c${i}`)));
  assert.equal(connectionsSeen - before, 2);
  const users = Object.fromEntries(requests.map((r) => [r.path.split("/").pop(), r.user]));
  assert.deepEqual(users, { c0: "alice", c1: "alice", c2: "bob" });
  assert.equal(requests[0].connection === requests[1].connection, true);
  for (const c of clients) c.close();
});

test("after the server drops the connection, the next request opens a new one", async () => {
  const c = new RestClient({ server: url, ca: ca.certPem, namespace: "default" });
  await get(c, "before");
  const before = connectionsSeen;
  for (const s of connections) (s as { destroy(): void }).destroy();
  await until(() => connections.size === 0, "the connection closed", 5000, 25);
  await get(c, "after");
  assert.equal(connectionsSeen - before, 1);
  c.close();
});

test("a server that accepts the connection but never shakes hands fails the request within 10 s (ETIMEDOUT)", async () => {
  const silent = createNetServer(() => {});
  const sockets: { destroy(): void }[] = [];
  silent.on("connection", (s) => sockets.push(s));
  await new Promise<void>((r) => silent.listen(0, "127.0.0.1", r));
  const c = new RestClient(
    {
      server: `https://127.0.0.1:${(silent.address() as { port: number }).port}`,
      ca: ca.certPem,
      namespace: "default",
    },
    { maxRetries: 0 },
  );
  const t0 = Date.now();
  const err = (await get(c, "x").catch((e: unknown) => e)) as NodeJS.ErrnoException;
  assert.equal(err.code, "ETIMEDOUT");
  assert.match(err.message, /no connection to https:\/\/127\.0\.0\.1:\d+ within 10000 ms/);
  assert.ok(Date.now() - t0 >= 9_000);
  c.close();
  for (const s of sockets) s.destroy();
  silent.close();
});

test("DISABLE_HTTP2 makes the client speak HTTP/1.1, as client-go's", async () => {
  requests.length = 0;
  process.env.DISABLE_HTTP2 = "1";
  try {
    // Another spelling of the server: a transport of its own, made under the variable.
    const c = new RestClient({
      server: url.replace("127.0.0.1", "localhost"),
      ca: ca.certPem,
      namespace: "default",
    });
    await get(c, "h1");
    assert.deepEqual(
      requests.map((r) => r.version),
      ["1.1"],
    );
    c.close();
  } finally {
    delete process.env.DISABLE_HTTP2;
  }
});

test("an idle connection does not keep a process alive that never closed its client", async () => {
  const script = `
    import { RestClient } from ${JSON.stringify(new URL("../../src/client/rest-client.ts", import.meta.url).pathname)};
    const c = new RestClient({ server: ${JSON.stringify(url)}, ca: ${JSON.stringify(ca.certPem)}, namespace: "default" });
    const cm = await c.get({ group: "", version: "v1", resource: "configmaps", namespaced: true }, "idle", { namespace: "default" });
    console.log(cm.metadata.name);
  `;
  const out = await new Promise<string>((resolve, reject) =>
    execFile(
      process.execPath,
      ["--import", "tsx", "--input-type=module", "-e", script],
      { encoding: "utf8", timeout: 20_000 },
      (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)),
    ),
  );
  // It ended by itself, when its work did (a connection that held it would be killed at 20 s).
  assert.equal(out.trim(), "idle");
});
