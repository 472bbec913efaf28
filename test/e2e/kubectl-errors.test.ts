// Errors as kubectl v1.32 prints them: the apiserver's Status (reason, message,
// details.causes) must make kubectl print exactly what it prints against a
// real cluster.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** A failed kubectl run: exit code 1, nothing on stdout, exactly `stderr` on stderr. */
function fails(r: RunResult, stderr: string): void {
  assert.equal(r.stderr, stderr);
  assert.equal(r.stdout, "");
  assert.equal(r.code, 1);
}

const RFC1123_SUBDOMAIN =
  "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')";
const RFC1123_LABEL =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

describe("kubectl error output", () => {
  let c: Cluster;
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const cm = (name: string, extra = "") =>
    `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: default\n${extra}`;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "k8ts-errors-"));
    c = await startCluster();
  });
  after(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("--request-timeout reaches the apiserver as ?timeout=; one that is not a duration is a BadRequest", async () => {
    const r = ok(await c.kubectl(["--request-timeout=5s", "-v=6", "get", "cm"]));
    assert.match(r.stderr, /GET https:\/\/\S+\/configmaps\?\S*timeout=5s\S* 200 OK/);
    fails(
      await c.kubectl(["get", "--raw", "/api/v1/namespaces/default/configmaps?timeout=soon"]),
      'Error from server (BadRequest): invalid timeout specified in the request URL - time: invalid duration "soon"\n',
    );
  });

  it("NotFound", async () => {
    fails(
      await c.kubectl(["get", "cm", "nope"]),
      'Error from server (NotFound): configmaps "nope" not found\n',
    );
    fails(
      await c.kubectl(["get", "deploy", "nope"]),
      'Error from server (NotFound): deployments.apps "nope" not found\n',
    );
    fails(
      await c.kubectl(["delete", "cm", "nope"]),
      'Error from server (NotFound): configmaps "nope" not found\n',
    );
    fails(
      await c.kubectl(["get", "ns", "nope"]),
      'Error from server (NotFound): namespaces "nope" not found\n',
    );
    // kubectl 1.32 follows a 404 inside a namespace with a GET of the namespace, and reports that one.
    fails(
      await c.kubectl(["get", "cm", "nope", "-n", "no-such-ns"]),
      'Error from server (NotFound): namespaces "no-such-ns" not found\n',
    );
    // Listing in a namespace that does not exist is an empty list.
    const r = ok(await c.kubectl(["get", "cm", "-n", "no-such-ns"]));
    assert.equal(r.stderr, "No resources found in no-such-ns namespace.\n");
  });

  it("AlreadyExists from create -f, create configmap and create namespace", async () => {
    const f = file("x.yaml", cm("x"));
    ok(await c.kubectl(["create", "-f", f]));
    fails(
      await c.kubectl(["create", "-f", f]),
      `Error from server (AlreadyExists): error when creating "${f}": configmaps "x" already exists\n`,
    );
    fails(
      await c.kubectl(["create", "configmap", "x", "--from-literal=a=1"]),
      'error: failed to create configmap: configmaps "x" already exists\n',
    );
    ok(await c.kubectl(["create", "namespace", "twice"]));
    fails(
      await c.kubectl(["create", "namespace", "twice"]),
      'Error from server (AlreadyExists): namespaces "twice" already exists\n',
    );
  });

  it("Conflict on replace with a stale resourceVersion", async () => {
    ok(await c.kubectl(["create", "-f", file("stale.yaml", cm("stale", "data:\n  a: '1'\n"))]));
    const snapshot = file(
      "stale-live.yaml",
      ok(await c.kubectl(["get", "cm", "stale", "-o", "yaml"])).stdout,
    );
    ok(await c.kubectl(["patch", "cm", "stale", "--type=merge", "-p", '{"data":{"a":"2"}}']));
    fails(
      await c.kubectl(["replace", "-f", snapshot]),
      `Error from server (Conflict): error when replacing "${snapshot}": Operation cannot be fulfilled on configmaps "stale": the object has been modified; please apply your changes to the latest version and try again\n`,
    );
  });

  it("Invalid: a Deployment whose selector does not match its template", async () => {
    const f = file(
      "bad.yaml",
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: bad, namespace: default}
spec:
  selector:
    matchLabels: {app: one}
  template:
    metadata:
      labels: {app: two}
    spec:
      containers:
      - name: c
        image: busybox
`,
    );
    fails(
      await c.kubectl(["create", "-f", f]),
      'The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"two"}: `selector` does not match template `labels`\n',
    );
    fails(
      await c.kubectl(["apply", "-f", f]),
      'The Deployment "bad" is invalid: spec.template.metadata.labels: Invalid value: map[string]string{"app":"two"}: `selector` does not match template `labels`\n',
    );
  });

  it("Invalid with several causes prints one line per cause", async () => {
    const f = file(
      "worse.yaml",
      `apiVersion: apps/v1
kind: Deployment
metadata: {name: worse, namespace: default}
spec:
  replicas: -1
  selector:
    matchLabels: {app: worse}
  template:
    metadata:
      labels: {app: worse}
    spec:
      containers:
      - name: Bad_Name
        image: busybox
`,
    );
    fails(
      await c.kubectl(["create", "-f", f]),
      `The Deployment "worse" is invalid: \n* spec.replicas: Invalid value: -1: must be greater than or equal to 0\n* spec.template.spec.containers[0].name: Invalid value: "Bad_Name": ${RFC1123_LABEL}\n`,
    );
  });

  it("Invalid: bad names and config map keys", async () => {
    const f = file("badname.yaml", cm("Bad_Name"));
    const msg = `The ConfigMap "Bad_Name" is invalid: metadata.name: Invalid value: "Bad_Name": ${RFC1123_SUBDOMAIN}\n`;
    fails(await c.kubectl(["create", "-f", f]), msg);
    fails(await c.kubectl(["apply", "-f", f]), msg);
    fails(
      await c.kubectl(["create", "-f", file("badkey.yaml", cm("badkey", 'data:\n  "a b": "1"\n'))]),
      `The ConfigMap "badkey" is invalid: data[a b]: Invalid value: "a b": a valid config key must consist of alphanumeric characters, '-', '_' or '.' (e.g. 'key.name',  or 'KEY_NAME',  or 'key-name', regex used for validation is '[-._a-zA-Z0-9]+')\n`,
    );
  });

  it("Invalid: changing an immutable ConfigMap", async () => {
    ok(await c.kubectl(["create", "-f", file("imm.yaml", cm("imm", "immutable: true\ndata:\n  a: '1'\n"))]));
    fails(
      await c.kubectl(["patch", "cm", "imm", "--type=merge", "-p", '{"data":{"a":"2"}}']),
      'The ConfigMap "imm" is invalid: data: Forbidden: field is immutable when `immutable` is set\n',
    );
  });

  it("BadRequest: unknown fields under the default strict validation", async () => {
    const f = file("unknown.yaml", cm("unknown", "spec:\n  a: 1\n"));
    fails(
      await c.kubectl(["create", "-f", f]),
      `Error from server (BadRequest): error when creating "${f}": ConfigMap in version "v1" cannot be handled as a ConfigMap: strict decoding error: unknown field "spec"\n`,
    );
    // With --validate=false the server drops the unknown field instead.
    const r = ok(await c.kubectl(["create", "-f", f, "--validate=false"]));
    assert.equal(r.stdout, "configmap/unknown created\n");
  });

  it("NotFound: creating into a namespace that does not exist", async () => {
    const f = file(
      "nons.yaml",
      "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nn\n  namespace: nope\n",
    );
    fails(
      await c.kubectl(["create", "-f", f]),
      `Error from server (NotFound): error when creating "${f}": namespaces "nope" not found\n`,
    );
  });

  it("Forbidden: the system namespaces cannot be deleted", async () => {
    fails(
      await c.kubectl(["delete", "namespace", "default", "--wait=false"]),
      'Error from server (Forbidden): namespaces "default" is forbidden: this namespace may not be deleted\n',
    );
    fails(
      await c.kubectl(["delete", "namespace", "kube-system", "--wait=false"]),
      'Error from server (Forbidden): namespaces "kube-system" is forbidden: this namespace may not be deleted\n',
    );
  });
});
