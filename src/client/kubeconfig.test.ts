import assert from "node:assert/strict";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { inClusterConfig, loadClientConfig, parseKubeconfig } from "./kubeconfig.ts";

const b64 = (s: string) => Buffer.from(s).toString("base64");

const kubeconfig = `
apiVersion: v1
kind: Config
clusters:
- name: c1
  cluster: {server: "https://10.0.0.1:6443/", certificate-authority-data: ${b64("CA-PEM")}}
- name: c2
  cluster: {server: "https://c2:6443", certificate-authority: ca2.crt, tls-server-name: api.c2}
users:
- name: admin
  user: {client-certificate-data: ${b64("CERT")}, client-key-data: ${b64("KEY")}}
- name: bot
  user: {token: abc123}
contexts:
- name: one
  context: {cluster: c1, user: admin}
- name: two
  context: {cluster: c2, user: bot, namespace: team}
current-context: one
`;

test("current-context picks cluster and client certificate; data fields are base64", () => {
  const c = parseKubeconfig(kubeconfig, "/nowhere");
  assert.equal(c.server, "https://10.0.0.1:6443");
  assert.equal(c.ca, "CA-PEM");
  assert.equal(c.cert, "CERT");
  assert.equal(c.key, "KEY");
  assert.equal(c.namespace, "default");
});

test("a named context: bearer token, file paths relative to the kubeconfig, namespace", () => {
  const dir = mkdtempSync(join(tmpdir(), "kc-"));
  writeFileSync(join(dir, "ca2.crt"), "CA2");
  writeFileSync(join(dir, "config"), kubeconfig);
  const c = loadClientConfig({ kubeconfig: join(dir, "config"), context: "two", env: {} });
  assert.equal(c.ca, "CA2");
  assert.equal(c.token, "abc123");
  assert.equal(c.tlsServerName, "api.c2");
  assert.equal(c.namespace, "team");
  assert.throws(() => parseKubeconfig(kubeconfig, dir, { context: "three" }), /context "three" not found/);
});

test("in-cluster: service account token, ca.crt and namespace; IPv6 hosts get brackets", () => {
  const dir = mkdtempSync(join(tmpdir(), "sa-"));
  writeFileSync(join(dir, "token"), "tok\n");
  writeFileSync(join(dir, "ca.crt"), "SA-CA");
  writeFileSync(join(dir, "namespace"), "kube-system");
  const c = inClusterConfig({ KUBERNETES_SERVICE_HOST: "fd00::1", KUBERNETES_SERVICE_PORT: "443" }, dir);
  assert.equal(c.server, "https://[fd00::1]:443");
  assert.equal(c.token, "tok");
  assert.equal(c.tokenFile, join(dir, "token"));
  assert.equal(c.ca, "SA-CA");
  assert.equal(c.namespace, "kube-system");
  assert.throws(
    () => inClusterConfig({}, dir),
    /unable to load in-cluster configuration, KUBERNETES_SERVICE_HOST and KUBERNETES_SERVICE_PORT must be defined/,
  );
});
