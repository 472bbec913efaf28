// The webhook client against a local HTTPS server: the request it makes and
// how its failures read (Go's net/http and client-go wording).
import assert from "node:assert/strict";
import { createServer, type Server } from "node:https";
import { after, before, describe, it } from "node:test";
import { newNotFound } from "../../../../machinery/status.ts";
import { CertificateAuthority } from "../../../certs.ts";
import { WebhookCallError, WebhookClient } from "./client.ts";
import { ErrCallingWebhook } from "./errors.ts";
import { clusterIPServiceResolver } from "./service-resolver.ts";

describe("WebhookClient", () => {
  let server: Server;
  let port: number;
  let caBundle: string;
  let otherCaBundle: string;
  const seen: { url: string; headers: Record<string, unknown>; body: string }[] = [];
  const client = new WebhookClient();

  before(async () => {
    const { ca } = await CertificateAuthority.create("client-test-ca");
    const other = await CertificateAuthority.create("other-ca");
    const serving = await ca.issueServing("webhook", ["127.0.0.1", "hook.ns.svc"]);
    caBundle = Buffer.from(ca.certPem).toString("base64");
    otherCaBundle = Buffer.from(other.ca.certPem).toString("base64");
    server = createServer({ cert: serving.cert, key: serving.key }, (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        const url = req.url ?? "";
        seen.push({ url, headers: req.headers, body: Buffer.concat(chunks).toString("utf8") });
        if (url.startsWith("/ok")) {
          res.setHeader("content-type", "application/json");
          res.end('{"kind":"AdmissionReview"}');
        } else if (url.startsWith("/text500")) {
          res.statusCode = 500;
          res.setHeader("content-type", "text/plain");
          res.end("boom\n");
        } else if (url.startsWith("/json404")) {
          res.statusCode = 404;
          res.setHeader("content-type", "application/json");
          res.end("{}");
        } else if (url.startsWith("/status")) {
          res.statusCode = 422;
          res.setHeader("content-type", "application/json");
          res.end(
            '{"kind":"Status","apiVersion":"v1","status":"Failure","message":"bad input","reason":"Invalid","code":422}',
          );
        } else if (url.startsWith("/empty")) {
          res.setHeader("content-type", "application/json");
          res.end();
        } else {
          res.end("not json");
        }
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    port = (server.address() as { port: number }).port;
  });

  after(async () => {
    client.close();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  });

  const failure = async (p: Promise<unknown>): Promise<Error> => {
    try {
      await p;
    } catch (e) {
      return e as Error;
    }
    assert.fail("expected a failure");
  };

  it("POSTs JSON over HTTPS with ?timeout, verified with the caBundle", async () => {
    const out = await client.post("w", { url: `https://127.0.0.1:${port}/ok/`, caBundle }, { a: 1 }, 7);
    assert.deepEqual(out, { kind: "AdmissionReview" });
    const req = seen.at(-1)!;
    // The REST client's path.Join drops the trailing slash.
    assert.equal(req.url, "/ok?timeout=7s");
    assert.equal(req.headers["content-type"], "application/json");
    assert.equal(req.body, '{"a":1}');
  });

  it("a certificate from another CA is refused as Go refuses it", async () => {
    const e = await failure(
      client.post("w", { url: `https://127.0.0.1:${port}/ok`, caBundle: otherCaBundle }, {}, 10),
    );
    assert.equal(
      e.message,
      `Post "https://127.0.0.1:${port}/ok?timeout=10s": tls: failed to verify certificate: x509: certificate signed by unknown authority`,
    );
  });

  it("a non-2xx answer reads as client-go's generic server response, or as the Status sent", async () => {
    const e500 = await failure(
      client.post("w", { url: `https://127.0.0.1:${port}/text500`, caBundle }, {}, 10),
    );
    assert.ok(e500 instanceof WebhookCallError);
    assert.equal(e500.message, 'an error on the server ("boom") has prevented the request from succeeding');
    assert.equal(e500.status?.code, 500);
    const e404 = await failure(
      client.post("w", { url: `https://127.0.0.1:${port}/json404`, caBundle }, {}, 10),
    );
    assert.equal(e404.message, "the server could not find the requested resource");
    const e422 = await failure(
      client.post("w", { url: `https://127.0.0.1:${port}/status`, caBundle }, {}, 10),
    );
    assert.equal(e422.message, "bad input");
    assert.equal((e422 as WebhookCallError).status?.reason, "Invalid");
  });

  it("an empty or undecodable body is a failure", async () => {
    const empty = await failure(
      client.post("w", { url: `https://127.0.0.1:${port}/empty`, caBundle }, {}, 10),
    );
    assert.equal(empty.message, "0-length response with status code: 200 and content type: application/json");
    const junk = await failure(client.post("w", { url: `https://127.0.0.1:${port}/junk`, caBundle }, {}, 10));
    assert.match(junk.message, /^couldn't get version\/kind; json parse error: /);
  });

  it("a config without url or service cannot make a client", async () => {
    const e = await failure(client.post("w", {}, {}, 10));
    assert.ok(e instanceof ErrCallingWebhook);
    assert.equal(
      e.message,
      'failed calling webhook "w": webhook configuration must have either service or URL',
    );
  });

  it("a service is called at https://<name>.<namespace>.svc:<port><path>, dialled where the resolver says", async () => {
    const services: Record<string, object> = {
      "ns/hook": { spec: { type: "ClusterIP", clusterIP: "127.0.0.1", ports: [{ port }] } },
      "ns/headless": { spec: { clusterIP: "None", ports: [{ port: 443 }] } },
    };
    const svcClient = new WebhookClient({
      serviceResolver: clusterIPServiceResolver(async (namespace, name) => {
        const s = services[`${namespace}/${name}`];
        if (!s) throw newNotFound({ group: "", resource: "services" }, name);
        return s;
      }),
    });
    try {
      const out = await svcClient.post(
        "w",
        { service: { namespace: "ns", name: "hook", port, path: "/ok" }, caBundle },
        {},
        10,
      );
      assert.deepEqual(out, { kind: "AdmissionReview" });
      assert.equal(seen.at(-1)?.headers.host, `hook.ns.svc:${port}`);
      const missing = await failure(
        svcClient.post("w", { service: { namespace: "ns", name: "gone", path: "/x" } }, {}, 10),
      );
      assert.equal(missing.message, 'Post "https://gone.ns.svc:443/x?timeout=10s": service "gone" not found');
      const headless = await failure(
        svcClient.post("w", { service: { namespace: "ns", name: "headless" } }, {}, 10),
      );
      assert.equal(
        headless.message,
        'Post "https://headless.ns.svc:443/?timeout=10s": cannot route to service with ClusterIP "None"',
      );
      const wrongPort = await failure(
        svcClient.post("w", { service: { namespace: "ns", name: "hook", port: 1 } }, {}, 10),
      );
      assert.equal(
        wrongPort.message,
        'Post "https://hook.ns.svc:1/?timeout=10s": no service port 1 found for service "hook"',
      );
    } finally {
      svcClient.close();
    }
  });
});
