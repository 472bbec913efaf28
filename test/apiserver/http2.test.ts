// The apiserver speaks HTTP/2, as kube-apiserver does for client-go and
// kubectl, and HTTP/1.1 to clients that ask for it: requests and watches
// multiplexed on one connection, a cancelled watch stream ends its watch on the
// server, impersonation and the user from the client certificate work per
// stream.
import assert from "node:assert/strict";
import { type ClientHttp2Session, connect, constants } from "node:http2";
import { request as httpsRequest } from "node:https";
import { after, before, test } from "node:test";
import { apiServerForFile, startTestApiServer, type TestApiServer } from "../support/apiserver.ts";
import { eventually } from "../support/eventually.ts";

const whole = apiServerForFile("http2");
let bare: TestApiServer;
before(async () => {
  bare = await startTestApiServer();
});
after(() => bare?.stop());

function session(url: string, tls: { ca?: string; cert?: string; key?: string }): ClientHttp2Session {
  return connect(url, { ...tls, ALPNProtocols: ["h2"] });
}

/** One request on the session (a GET, or a POST of `body`): its status and whole body. */
function send(
  s: ClientHttp2Session,
  path: string,
  headers: Record<string, string> = {},
  body?: unknown,
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const stream = s.request({
      ":path": path,
      ...(body === undefined ? {} : { ":method": "POST", "content-type": "application/json" }),
      ...headers,
    });
    let status = 0;
    let text = "";
    stream.on("response", (h) => {
      status = Number(h[constants.HTTP2_HEADER_STATUS]);
    });
    stream.setEncoding("utf8");
    stream.on("data", (d: string) => {
      text += d;
    });
    stream.on("end", () => resolve({ status, body: text }));
    stream.on("error", reject);
    stream.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

/** How many watches the store is serving: white-box, the store keeps them in a private index. */
function storeWatches(): number {
  return [...(bare.store as unknown as { watchers: Iterable<unknown> }).watchers].length;
}

test("HTTP/2 is negotiated; requests and two watches share one connection; closing a watch's stream ends its watch", async () => {
  const { ca, cert, key } = bare.admin;
  const s = session(bare.url, { ca, cert, key });
  try {
    const ns = await send(s, "/api/v1/namespaces/default");
    assert.equal(ns.status, 200);
    assert.equal(JSON.parse(ns.body).metadata.name, "default");
    assert.equal(s.alpnProtocol, "h2");

    const before = storeWatches();
    const events: string[][] = [[], []];
    const streams = [0, 1].map((i) => {
      const w = s.request({ ":path": "/api/v1/namespaces/default/configmaps?watch=true&resourceVersion=0" });
      w.setEncoding("utf8");
      w.on("data", (d: string) => {
        for (const line of d.split("\n").filter(Boolean)) {
          const e = JSON.parse(line);
          events[i].push(`${e.type} ${e.object.metadata.name}`);
        }
      });
      return w;
    });
    await eventually(async () => assert.equal(storeWatches(), before + 2));
    const created = await send(
      s,
      "/api/v1/namespaces/default/configmaps",
      {},
      {
        apiVersion: "v1",
        kind: "ConfigMap",
        metadata: { name: "over-h2" },
      },
    );
    assert.equal(created.status, 201, created.body);
    await eventually(async () => assert.deepEqual(events, [["ADDED over-h2"], ["ADDED over-h2"]]));

    streams[0].close(constants.NGHTTP2_CANCEL);
    await eventually(async () => assert.equal(storeWatches(), before + 1));
    assert.equal(streams[1].closed, false, "the other watch goes on");
    streams[1].close(constants.NGHTTP2_CANCEL);
    await eventually(async () => assert.equal(storeWatches(), before));
  } finally {
    s.close();
  }
});

test("HTTP/1.1 is still served to clients that ask for it", async () => {
  const { ca, cert, key } = bare.admin;
  const { status, protocol } = await new Promise<{ status: number; protocol: string }>((resolve, reject) => {
    const req = httpsRequest(`${bare.url}/api/v1/namespaces/default`, { ca, cert, key }, (res) => {
      res.resume();
      resolve({
        status: res.statusCode ?? 0,
        protocol: `${res.httpVersion} ${(res.socket as { alpnProtocol?: string }).alpnProtocol}`,
      });
    });
    req.on("error", reject);
    req.end();
  });
  assert.equal(status, 200);
  assert.equal(protocol, "1.1 false"); // node:https offers no ALPN: HTTP/1.1
});

test("over HTTP/2, the whole apiserver reads the user from the connection's certificate and impersonates per stream", async () => {
  const s = session(whole.api.url, whole.admin);
  try {
    const review = (headers: Record<string, string>) =>
      send(s, "/apis/authentication.k8s.io/v1/selfsubjectreviews", headers, {
        apiVersion: "authentication.k8s.io/v1",
        kind: "SelfSubjectReview",
      });
    const own = await review({});
    assert.equal(own.status, 201, own.body);
    assert.equal(JSON.parse(own.body).status.userInfo.username, "admin");
    const as = await review({ "impersonate-user": "jane", "impersonate-group": "devs" });
    assert.equal(as.status, 201, as.body);
    assert.deepEqual(JSON.parse(as.body).status.userInfo, {
      username: "jane",
      groups: ["devs", "system:authenticated"],
    });
    // Without the admin's rights, impersonation is refused: a stream's headers are its own.
    const anonymous = session(whole.api.url, { ca: whole.admin.ca });
    try {
      const denied = await send(anonymous, "/api/v1/namespaces", { "impersonate-user": "jane" });
      assert.equal(denied.status, 403, denied.body);
    } finally {
      anonymous.close();
    }
  } finally {
    s.close();
  }
});
