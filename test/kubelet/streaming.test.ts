// The kubelet's exec, attach and port-forward on real containerd: a pod
// sandbox with busybox containers, the kubelet's streaming handler behind a
// plain HTTP server, and our own WebSocket client speaking what kubectl 1.32
// speaks (v5.channel.k8s.io; SPDY/3.1+portforward.k8s.io). Everything made is
// removed in after(), also when a test fails.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { CertificateAuthority } from "../../src/apiserver/certs.ts";
import type { RestClient } from "../../src/client/rest-client.ts";
import { buildImages, IMAGES, importImages } from "../../src/kubelet/images/index.ts";
import type { RunningContainerd } from "../../src/kubelet/runtime/containerd.ts";
import type { CriRuntime } from "../../src/kubelet/runtime/cri.ts";
import type { ContainerConfig, PodSandboxConfig } from "../../src/kubelet/runtime/interface.ts";
import { type KubeletServer, startKubeletServer } from "../../src/kubelet/server.ts";
import { serveStreamingUpgrade } from "../../src/kubelet/streaming/handler.ts";
import { parseStreamingPath } from "../../src/kubelet/streaming/options.ts";
import { dialStreamingServer } from "../../src/kubelet/streaming/upgrade.ts";
import { SpdyConnection } from "../../src/machinery/spdy.ts";
import {
  connectWebSocket,
  tunnelStream,
  UpgradeError,
  type WebSocket,
} from "../../src/machinery/websocket.ts";
import { startTestContainerd, type TestContainerd } from "../support/containerd.ts";

// A test range inside no other test's CIDRs.
const POD_CIDR = "10.250.1.0/24";

interface Session {
  /** The first message, which announces the connection (an empty stdout message). */
  first: Buffer | undefined;
  stdout: string;
  stderr: string;
  status: unknown;
  closeCode: number;
}

/** Collects a remote-command session by channel until the server closes. */
function collect(ws: WebSocket): Promise<Session> {
  const s: Session = { first: undefined, stdout: "", stderr: "", status: undefined, closeCode: 0 };
  ws.on("message", (d) => {
    s.first ??= d;
    const payload = d.subarray(1).toString();
    if (d[0] === 1) s.stdout += payload;
    else if (d[0] === 2) s.stderr += payload;
    else if (d[0] === 3) s.status = JSON.parse(payload);
  });
  return new Promise((resolve) =>
    ws.once("close", (code) => {
      s.closeCode = code;
      resolve(s);
    }),
  );
}

function untilOutput(ws: WebSocket, text: string): Promise<string> {
  let out = "";
  return new Promise((resolve, reject) => {
    const t = setTimeout(
      () => reject(new Error(`no ${JSON.stringify(text)} in ${JSON.stringify(out)}`)),
      15_000,
    );
    ws.on("message", (d) => {
      if (d[0] === 1) out += d.subarray(1).toString();
      if (out.includes(text)) {
        clearTimeout(t);
        resolve(out);
      }
    });
  });
}

describe("kubelet exec, attach and port-forward on containerd", () => {
  let node: TestContainerd | undefined;
  let dataDir: string;
  let containerd: RunningContainerd;
  let cri: CriRuntime;
  let server: Server | undefined;
  let base: string;
  let kubelet: KubeletServer | undefined;
  let caPem = "";
  let admin = { cert: "", key: "" };
  let other = { cert: "", key: "" };
  const uid = randomUUID();
  const pod: Pod = {
    metadata: { name: "streams", namespace: "default", uid },
    spec: {
      containers: [
        { name: "web", image: IMAGES.busybox },
        { name: "shell", image: IMAGES.busybox, stdin: true },
      ],
    },
  };

  before(async () => {
    node = await startTestContainerd("k8ts-streaming-", POD_CIDR);
    ({ dataDir, containerd, cri } = node);
    const archives = await buildImages(join(dataDir, "images"));
    await importImages([archives.busybox, archives.pause], {
      address: containerd.socket,
      namespace: "k8s.io",
    });

    const logDirectory = join(dataDir, "pods", `default_streams_${uid}`);
    mkdirSync(logDirectory, { recursive: true });
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: "streams", uid, namespace: "default", attempt: 0 },
      hostname: "streams",
      logDirectory,
      portMappings: [],
      labels: {
        "io.kubernetes.pod.name": "streams",
        "io.kubernetes.pod.namespace": "default",
        "io.kubernetes.pod.uid": uid,
      },
      annotations: {},
      linux: {},
    };
    const sandboxId = await cri.runPodSandbox(sandboxConfig);
    const container = (name: string, command: string[], stdin: boolean): ContainerConfig => ({
      metadata: { name, attempt: 0 },
      image: { image: IMAGES.busybox },
      command,
      args: [],
      workingDir: "",
      envs: [],
      mounts: [],
      labels: { "io.kubernetes.pod.uid": uid, "io.kubernetes.container.name": name },
      annotations: {},
      logPath: `${name}/0.log`,
      stdin,
      stdinOnce: false,
      tty: false,
    });
    const web = container(
      "web",
      ["sh", "-c", "echo hello from httpd > /tmp/index.html; exec httpd -f -p 8080 -h /tmp"],
      false,
    );
    const shell = container("shell", ["sh"], true);
    for (const c of [web, shell])
      await cri.startContainer(await cri.createContainer(sandboxId, c, sandboxConfig));

    const deps = {
      runtime: cri,
      getPodByName: (ns: string, name: string) => (ns === "default" && name === "streams" ? pod : undefined),
    };
    server = createServer((_req, res) => res.writeHead(400).end());
    server.on("upgrade", (req, socket, head) => {
      const url = new URL(req.url ?? "/", "http://x");
      const target = parseStreamingPath(url.pathname);
      if (!target) return socket.destroy();
      void serveStreamingUpgrade(deps, target, req, socket, head, url.searchParams);
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    base = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;

    // The kubelet's own HTTPS server in front of the same handler: client certificates and SubjectAccessReview.
    const { ca } = await CertificateAuthority.create();
    caPem = ca.certPem;
    const serving = await ca.issueServing("system:node:n1", ["127.0.0.1"]);
    admin = await ca.issueClient("kube-apiserver-kubelet-client");
    other = await ca.issueClient("mallory");
    const client = {
      create: async (_t: unknown, obj: { spec: { user: string } }) => ({
        ...obj,
        status: { allowed: obj.spec.user === "kube-apiserver-kubelet-client" },
      }),
    } as unknown as RestClient;
    kubelet = await startKubeletServer({
      host: "127.0.0.1",
      port: 0,
      cert: serving.cert,
      key: serving.key,
      ca: caPem,
      nodeName: "n1",
      client,
      runtime: cri,
      getPodByName: deps.getPodByName,
    });
  });

  after(async () => {
    await kubelet?.close();
    server?.closeAllConnections();
    server?.close();
    await node?.stop();
  });

  const exec = (query: string, protocols = ["v5.channel.k8s.io", "v4.channel.k8s.io"]) =>
    connectWebSocket(`${base}/exec/default/streams/web?${query}`, { protocols });

  it("execs echo: output on channel 1, Success on channel 3, close 1000", async () => {
    const ws = await exec("command=echo&command=hi&output=1&error=1");
    assert.equal(ws.protocol, "v5.channel.k8s.io");
    const s = await collect(ws);
    assert.deepEqual(s.first, Buffer.from([1]));
    assert.equal(s.stdout, "hi\n");
    assert.equal(s.stderr, "");
    assert.deepEqual(s.status, { metadata: {}, status: "Success" });
    assert.equal(s.closeCode, 1000);
  });

  it("reports a non-zero exit as upstream's StreamTranslator does", async () => {
    const s = await collect(
      await exec("command=sh&command=-c&command=echo%20oops%20%3E%262%3B%20exit%203&output=true&error=true"),
    );
    assert.equal(s.stderr, "oops\n");
    assert.deepEqual(s.status, {
      metadata: {},
      status: "Failure",
      message: "command terminated with non-zero exit code: command terminated with exit code 3",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    });
  });

  it("passes stdin and ends it on the v5 close channel (echo hi | kubectl exec -i -- cat)", async () => {
    const ws = await exec("command=cat&input=1&output=1&error=1");
    const done = collect(ws);
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from("line one\nline two\n")]));
    ws.send(Buffer.from([255, 0]));
    const s = await done;
    assert.equal(s.stdout, "line one\nline two\n");
    assert.deepEqual(s.status, { metadata: {}, status: "Success" });
    assert.equal(s.closeCode, 1000);
  });

  it("speaks v4.channel.k8s.io too", async () => {
    const ws = await exec("command=echo&command=v4&output=1", ["v4.channel.k8s.io"]);
    assert.equal(ws.protocol, "v4.channel.k8s.io");
    const s = await collect(ws);
    assert.equal(s.stdout, "v4\n");
    assert.deepEqual(s.status, { metadata: {}, status: "Success" });
  });

  it("runs a tty exec, with resize, and stderr folded into the terminal", async () => {
    const ws = await exec(
      "command=sh&command=-c&command=sleep%200.5%3B%20stty%20size%3B%20tty&input=1&output=1&error=1&tty=1",
    );
    const done = collect(ws);
    ws.send(Buffer.concat([Buffer.from([4]), Buffer.from(JSON.stringify({ Width: 100, Height: 30 }))]));
    const s = await done;
    assert.match(s.stdout, /30 100\r\n/);
    assert.match(s.stdout, /\/dev\/pts\/\d+\r\n/);
    assert.equal(s.stderr, "");
    assert.deepEqual(s.status, { metadata: {}, status: "Success" });
  });

  it("passes a plain SPDY/3.1 exec (kubectl's fallback) through to containerd", async () => {
    const up = await dialStreamingServer(
      `${base.replace("ws:", "http:")}/exec/default/streams/web?command=echo&command=spdy&output=1`,
      ["v4.channel.k8s.io"],
    );
    assert.equal(up.protocol, "v4.channel.k8s.io");
    const conn = new SpdyConnection(up.socket, { server: false });
    const errorStream = conn.createStream({ streamtype: "error" });
    const stdout = conn.createStream({ streamtype: "stdout" });
    let out = "";
    stdout.on("data", (d: Buffer) => {
      out += d.toString();
    });
    errorStream.resume();
    await once(stdout, "end");
    assert.equal(out, "spdy\n");
    conn.close();
  });

  it("serves exec on the kubelet's HTTPS server to an authorized client certificate only (nodes/proxy)", async () => {
    const url = `wss://127.0.0.1:${kubelet?.port}/exec/default/streams/web?command=echo&command=tls&output=1`;
    const ws = await connectWebSocket(url, {
      protocols: ["v5.channel.k8s.io"],
      tls: { ca: caPem, ...admin },
    });
    const s = await collect(ws);
    assert.equal(s.stdout, "tls\n");
    assert.deepEqual(s.status, { metadata: {}, status: "Success" });
    await assert.rejects(
      connectWebSocket(url, { protocols: ["v5.channel.k8s.io"], tls: { ca: caPem, ...other } }),
      (e) =>
        e instanceof UpgradeError &&
        e.statusCode === 403 &&
        e.body === "Forbidden (user=mallory, verb=get, resource=nodes, subresource=proxy)\n",
    );
  });

  it("answers errors before the upgrade as the kubelet does", async () => {
    await assert.rejects(exec("command=true"), (e) => {
      assert.ok(e instanceof UpgradeError);
      assert.equal(e.statusCode, 400);
      assert.equal(e.body, "you must specify at least 1 of stdin, stdout, stderr");
      return true;
    });
    await assert.rejects(
      connectWebSocket(`${base}/exec/default/nope/web?command=true&output=1`, {
        protocols: ["v5.channel.k8s.io"],
      }),
      (e) => e instanceof UpgradeError && e.statusCode === 404 && e.body === "pod does not exist",
    );
    await assert.rejects(
      connectWebSocket(`${base}/exec/default/streams/other?command=true&output=1`, {
        protocols: ["v5.channel.k8s.io"],
      }),
      (e) => e instanceof UpgradeError && e.statusCode === 500 && e.body === 'container not found ("other")',
    );
  });

  it("attaches to a container's sh reading stdin", async () => {
    const ws = await connectWebSocket(`${base}/attach/default/streams/shell?input=1&output=1&error=1`, {
      protocols: ["v5.channel.k8s.io"],
    });
    const out = untilOutput(ws, "attached");
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from("echo attached\n")]));
    assert.match(await out, /attached\n/);
    const closed = once(ws, "close");
    ws.close(1000);
    await closed;
  });

  it("tunnels kubectl's port-forward SPDY inside WebSocket messages to httpd in the pod", async () => {
    const ws = await connectWebSocket(`${base}/portForward/default/streams`, {
      protocols: ["SPDY/3.1+portforward.k8s.io"],
    });
    assert.equal(ws.protocol, "SPDY/3.1+portforward.k8s.io");
    const conn = new SpdyConnection(tunnelStream(ws), { server: false });
    // kubectl's handleConnection: an error stream (closed for writing at once), then the data stream.
    const errorStream = conn.createStream({ streamtype: "error", port: "8080", requestid: "0" });
    errorStream.end();
    const data = conn.createStream({ streamtype: "data", port: "8080", requestid: "0" });
    await Promise.all([errorStream.waitReply(), data.waitReply()]);
    let response = "";
    const got = new Promise<void>((resolve) => {
      data.on("data", (d: Buffer) => {
        response += d.toString();
        if (response.includes("hello from httpd")) resolve();
      });
      data.on("end", () => resolve());
    });
    data.write("GET /index.html HTTP/1.0\r\n\r\n");
    await got;
    assert.match(response, /^HTTP\/1\.[01] 200 OK\r\n/);
    assert.match(response, /hello from httpd\n$/);
    conn.close();
  });
});
