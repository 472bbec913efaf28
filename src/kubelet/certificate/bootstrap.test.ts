import assert from "node:assert/strict";
import { webcrypto } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { stringify } from "yaml";
import {
  bootstrapKubeconfig,
  digestedName,
  isClientConfigStillValid,
  KUBELET_CLIENT_USAGES,
  TMP_PRIVATE_KEY_FILE,
} from "./bootstrap.ts";

const EC = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" } as const;
const HOUR = 3_600_000;
let dir: string;

before(() => {
  dir = mkdtempSync(join(tmpdir(), "k8ts-bootstrap-"));
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** A kubeconfig whose client certificate is valid from `from` to `to`. */
async function kubeconfigWithCert(path: string, from: number, to: number): Promise<void> {
  await import("reflect-metadata");
  const x509 = await import("@peculiar/x509");
  x509.cryptoProvider.set(webcrypto as never);
  const keys = (await webcrypto.subtle.generateKey(EC, true, ["sign", "verify"])) as webcrypto.CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: "01",
    name: "CN=system:node:n",
    notBefore: new Date(from),
    notAfter: new Date(to),
    signingAlgorithm: EC,
    keys,
  });
  const key = Buffer.from(await webcrypto.subtle.exportKey("pkcs8", keys.privateKey)).toString("base64");
  const b64 = (s: string) => Buffer.from(s).toString("base64");
  writeFileSync(
    path,
    stringify({
      apiVersion: "v1",
      kind: "Config",
      clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:1" } }],
      users: [
        {
          name: "u",
          user: {
            "client-certificate-data": b64(cert.toString("pem")),
            "client-key-data": b64(`-----BEGIN PRIVATE KEY-----\n${key}\n-----END PRIVATE KEY-----\n`),
          },
        },
      ],
      contexts: [{ name: "x", context: { cluster: "c", user: "u" } }],
      "current-context": "x",
    }),
  );
}

test("digestedName: node-csr- and a digest of key, subject and usages", () => {
  const spki = Buffer.from("key");
  const a = digestedName(spki, "system:node:a", ["system:nodes"], KUBELET_CLIENT_USAGES);
  assert.match(a, /^node-csr-[A-Za-z0-9_-]{43}$/);
  assert.equal(digestedName(spki, "system:node:a", ["system:nodes"], KUBELET_CLIENT_USAGES), a);
  assert.notEqual(digestedName(spki, "system:node:b", ["system:nodes"], KUBELET_CLIENT_USAGES), a);
  assert.notEqual(
    digestedName(Buffer.from("key2"), "system:node:a", ["system:nodes"], KUBELET_CLIENT_USAGES),
    a,
  );
  // The delimiter keeps fields apart: "ab"+"c" is not "a"+"bc".
  assert.notEqual(digestedName(spki, "ab", ["c"], []), digestedName(spki, "a", ["bc"], []));
});

test("a kubeconfig is still valid while its client certificate is unexpired", async () => {
  const now = Date.now();
  const valid = join(dir, "valid.conf");
  const expired = join(dir, "expired.conf");
  await kubeconfigWithCert(valid, now - HOUR, now + HOUR);
  await kubeconfigWithCert(expired, now - 2 * HOUR, now - HOUR);
  writeFileSync(join(dir, "garbage.conf"), "not: [a kubeconfig");
  assert.equal(isClientConfigStillValid(valid, now), true);
  assert.equal(isClientConfigStillValid(valid, now + 2 * HOUR), false);
  assert.equal(isClientConfigStillValid(expired, now), false);
  assert.equal(isClientConfigStillValid(join(dir, "garbage.conf"), now), false);
  assert.equal(isClientConfigStillValid(join(dir, "missing.conf"), now), false);
  // A valid one is used as is, without a request.
  assert.equal(
    await bootstrapKubeconfig({
      kubeconfigPath: valid,
      server: "http://127.0.0.1:1",
      caPem: "",
      token: "x",
      nodeName: "n",
    }),
    valid,
  );
});

test("a malformed token is refused before anything is sent", async () => {
  await assert.rejects(
    bootstrapKubeconfig({
      kubeconfigPath: join(dir, "bad-token", "kubelet.conf"),
      server: "http://127.0.0.1:1",
      caPem: "",
      token: "abcdef:0123456789abcdef",
      nodeName: "n",
    }),
    { message: 'the bootstrap token must be of the form "[a-z0-9]{6}.[a-z0-9]{16}"' },
  );
});

/** An apiserver that stores CSRs and never approves them. */
function pendingApiserver(): Promise<{ server: Server; url: string; creates: string[] }> {
  const csrs = new Map<string, Record<string, unknown>>();
  const creates: string[] = [];
  const body = (req: IncomingMessage) =>
    new Promise<string>((resolve) => {
      let s = "";
      req.on("data", (c) => {
        s += c;
      });
      req.on("end", () => resolve(s));
    });
  const server = createServer(async (req, res) => {
    const send = (code: number, obj: unknown) => {
      res.writeHead(code, { "Content-Type": "application/json" });
      res.end(JSON.stringify(obj));
    };
    const path = "/apis/certificates.k8s.io/v1/certificatesigningrequests";
    if (req.method === "POST" && req.url?.startsWith(path)) {
      const csr = JSON.parse(await body(req));
      const name = csr.metadata.name;
      creates.push(name);
      if (csrs.has(name)) {
        return send(409, {
          kind: "Status",
          apiVersion: "v1",
          status: "Failure",
          reason: "AlreadyExists",
          code: 409,
        });
      }
      csr.metadata.uid = `uid-${name}`;
      csrs.set(name, csr);
      return send(201, csr);
    }
    const name = decodeURIComponent(req.url?.slice(path.length + 1) ?? "");
    const csr = csrs.get(name);
    if (req.method === "GET" && csr) return send(200, csr);
    send(404, { kind: "Status", apiVersion: "v1", status: "Failure", reason: "NotFound", code: 404 });
  });
  return new Promise((resolve) =>
    server.listen(0, "127.0.0.1", () =>
      resolve({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, creates }),
    ),
  );
}

test("without an approver the bootstrap times out; a retry reuses its key and its CSR", async () => {
  const api = await pendingApiserver();
  try {
    const kubeconfigPath = join(dir, "pending", "kubelet.conf");
    const run = () =>
      bootstrapKubeconfig({
        kubeconfigPath,
        server: api.url,
        caPem: "",
        token: "abcdef.0123456789abcdef",
        nodeName: "n1",
        pollIntervalMs: 10,
        timeoutMs: 200,
      });
    await assert.rejects(
      run(),
      /^Error: timed out waiting for the CSR to be signed: is the controller-manager running with the csrsigning and csrapproving controllers\?/,
    );
    const keyPath = join(dir, "pending", TMP_PRIVATE_KEY_FILE);
    assert.ok(existsSync(keyPath));
    const key = readFileSync(keyPath, "utf8");
    await assert.rejects(run(), /timed out waiting for the CSR to be signed/);
    assert.equal(readFileSync(keyPath, "utf8"), key);
    assert.equal(api.creates.length, 2);
    assert.equal(api.creates[0], api.creates[1]);
    assert.equal(existsSync(kubeconfigPath), false);
  } finally {
    api.server.close();
  }
});
