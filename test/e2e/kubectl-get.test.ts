// kubectl create and kubectl get against `k8ts up`: the imperative create
// subcommands (protobuf bodies), create -f with several kinds, every output
// format, label and field selectors, chunked lists and `get -w`.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { parse as parseYaml } from "yaml";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
const UID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AGE = "\\d+s";
// A controller manager publishes kube-root-ca.crt into every namespace; listings leave it out.
const NOT_ROOT_CA = ["--field-selector", "metadata.name!=kube-root-ca.crt"];

const MULTI = `apiVersion: v1
kind: Namespace
metadata:
  name: multi
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
  namespace: multi
  labels: {tier: web, env: prod}
data:
  a: "1"
  b: two
---
apiVersion: v1
kind: Secret
metadata:
  name: creds
  namespace: multi
stringData:
  password: hunter2
---
apiVersion: v1
kind: Service
metadata:
  name: front
  namespace: multi
spec:
  selector: {app: web}
  ports:
  - port: 80
    targetPort: 8080
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: multi
spec:
  replicas: 2
  selector:
    matchLabels: {app: web}
  template:
    metadata:
      labels: {app: web}
    spec:
      containers:
      - name: nginx
        image: nginx:1.25
      - name: sidecar
        image: busybox
`;

// Five config maps in "sel" with the labels the selector table below expects.
const SELECTABLE: [string, Record<string, string>][] = [
  ["a", { env: "prod", tier: "web" }],
  ["b", { env: "prod", tier: "db" }],
  ["c", { env: "dev", tier: "web" }],
  ["d", { env: "dev" }],
  ["e", {}],
];

describe("kubectl create and get", () => {
  let c: Cluster;
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "k8ts-get-"));
    c = await startCluster();
    const docs = [
      "apiVersion: v1\nkind: Namespace\nmetadata: {name: sel}\n",
      ...SELECTABLE.map(
        ([name, labels]) =>
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: sel\n  labels: ${JSON.stringify(labels)}\n`,
      ),
    ];
    ok(await c.kubectl(["apply", "-f", file("sel.yaml", docs.join("---\n"))]));
  });
  after(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("create -f with several kinds prints one line per object", async () => {
    const r = ok(await c.kubectl(["create", "-f", file("multi.yaml", MULTI)]));
    assert.equal(
      r.stdout,
      "namespace/multi created\nconfigmap/settings created\nsecret/creds created\nservice/front created\ndeployment.apps/web created\n",
    );
  });

  it("the create subcommands (protobuf bodies) create what they say", async () => {
    let r = ok(await c.kubectl(["create", "namespace", "pb"]));
    assert.equal(r.stdout, "namespace/pb created\n");
    r = ok(
      await c.kubectl([
        "create",
        "configmap",
        "pbc",
        "-n",
        "pb",
        "--from-literal=a=1",
        "--from-literal=b=two",
      ]),
    );
    assert.equal(r.stdout, "configmap/pbc created\n");
    r = ok(await c.kubectl(["create", "secret", "generic", "pbs", "-n", "pb", "--from-literal=p=x"]));
    assert.equal(r.stdout, "secret/pbs created\n");
    r = ok(await c.kubectl(["create", "deployment", "pbd", "-n", "pb", "--image=nginx", "--replicas=2"]));
    assert.equal(r.stdout, "deployment.apps/pbd created\n");

    const cm = JSON.parse(ok(await c.kubectl(["get", "cm/pbc", "-n", "pb", "-o", "json"])).stdout);
    assert.deepEqual(cm.data, { a: "1", b: "two" });
    const secret = JSON.parse(ok(await c.kubectl(["get", "secret/pbs", "-n", "pb", "-o", "json"])).stdout);
    assert.deepEqual(secret.data, { p: "eA==" });
    assert.equal(secret.type, "Opaque");
    const d = JSON.parse(ok(await c.kubectl(["get", "deploy/pbd", "-n", "pb", "-o", "json"])).stdout);
    assert.equal(d.spec.replicas, 2);
    assert.deepEqual(d.spec.selector, { matchLabels: { app: "pbd" } });
    assert.deepEqual(d.spec.template.metadata.labels, { app: "pbd" });
    assert.equal(d.spec.template.spec.containers[0].name, "nginx");
    assert.equal(d.spec.template.spec.containers[0].image, "nginx");
    // Defaults applied by the server, as for a JSON body.
    assert.equal(d.spec.template.spec.containers[0].imagePullPolicy, "Always");
    assert.equal(d.spec.strategy.type, "RollingUpdate");
  });

  it("get -o wide prints upstream's columns (config maps, deployments)", async () => {
    const r = ok(await c.kubectl(["get", "cm/settings", "deploy/web", "-n", "multi", "-o", "wide"]));
    assert.match(
      r.stdout,
      new RegExp(
        `^NAME +DATA +AGE\nconfigmap/settings +2 +${AGE}\n\n` +
          `NAME +READY +UP-TO-DATE +AVAILABLE +AGE +CONTAINERS +IMAGES +SELECTOR\n` +
          `deployment\\.apps/web +\\d+/2 +\\d+ +\\d+ +${AGE} +nginx,sidecar +nginx:1\\.25,busybox +app=web\n$`,
      ),
    );
  });

  it("a created Service gets a cluster IP, shown by get -o wide", async () => {
    const r = ok(await c.kubectl(["get", "svc/front", "-n", "multi", "-o", "wide"]));
    assert.match(
      r.stdout,
      new RegExp(
        `^NAME +TYPE +CLUSTER-IP +EXTERNAL-IP +PORT\\(S\\) +AGE +SELECTOR\nfront +ClusterIP +\\d+\\.\\d+\\.\\d+\\.\\d+ +<none> +80/TCP +${AGE} +app=web\n$`,
      ),
    );
    const svc = JSON.parse(ok(await c.kubectl(["get", "svc/front", "-n", "multi", "-o", "json"])).stdout);
    assert.match(svc.spec.clusterIP, /^\d+\.\d+\.\d+\.\d+$/);
    assert.deepEqual(svc.spec.clusterIPs, [svc.spec.clusterIP]);
    assert.deepEqual(svc.spec.ipFamilies, ["IPv4"]);
    assert.equal(svc.spec.ipFamilyPolicy, "SingleStack");
    assert.deepEqual(svc.spec.ports, [{ port: 80, protocol: "TCP", targetPort: 8080 }]);
  });

  it("a Secret's stringData is folded into data (get -o wide, -o json)", async () => {
    const r = ok(await c.kubectl(["get", "secret/creds", "-n", "multi", "-o", "wide"]));
    assert.match(r.stdout, new RegExp(`^NAME +TYPE +DATA +AGE\ncreds +Opaque +1 +${AGE}\n$`));
    const s = JSON.parse(ok(await c.kubectl(["get", "secret/creds", "-n", "multi", "-o", "json"])).stdout);
    assert.deepEqual(s.data, { password: Buffer.from("hunter2").toString("base64") });
    assert.equal(s.stringData, undefined);
    assert.equal(s.type, "Opaque");
  });

  it("get -o yaml and -o json print the stored object", async () => {
    const y = parseYaml(ok(await c.kubectl(["get", "cm/settings", "-n", "multi", "-o", "yaml"])).stdout);
    assert.equal(y.apiVersion, "v1");
    assert.equal(y.kind, "ConfigMap");
    assert.deepEqual(y.data, { a: "1", b: "two" });
    assert.deepEqual(y.metadata.labels, { env: "prod", tier: "web" });
    assert.equal(y.metadata.name, "settings");
    assert.equal(y.metadata.namespace, "multi");
    assert.match(y.metadata.uid, UID);
    assert.match(y.metadata.resourceVersion, /^\d+$/);
    assert.match(y.metadata.creationTimestamp, RFC3339);
    // managedFields are hidden unless --show-managed-fields.
    assert.equal(y.metadata.managedFields, undefined);
    const j = JSON.parse(ok(await c.kubectl(["get", "cm/settings", "-n", "multi", "-o", "json"])).stdout);
    assert.deepEqual(j, y);

    const list = JSON.parse(
      ok(await c.kubectl(["get", "cm", "-n", "sel", ...NOT_ROOT_CA, "-o", "json"])).stdout,
    );
    assert.equal(list.kind, "List");
    assert.equal(list.apiVersion, "v1");
    assert.deepEqual(
      list.items.map((i: { kind: string; metadata: { name: string } }) => `${i.kind}/${i.metadata.name}`),
      ["ConfigMap/a", "ConfigMap/b", "ConfigMap/c", "ConfigMap/d", "ConfigMap/e"],
    );
  });

  it("get -o jsonpath, custom-columns and name", async () => {
    let r = ok(
      await c.kubectl([
        "get",
        "cm/settings",
        "-n",
        "multi",
        "-o",
        "jsonpath={.data.a}/{.metadata.labels.tier}",
      ]),
    );
    assert.equal(r.stdout, "1/web");
    r = ok(
      await c.kubectl([
        "get",
        "cm",
        "-n",
        "sel",
        "-l",
        "env",
        "-o",
        "jsonpath={range .items[*]}{.metadata.name}={.metadata.labels.env}{'\\n'}{end}",
      ]),
    );
    assert.equal(r.stdout, "a=prod\nb=prod\nc=dev\nd=dev\n");
    r = ok(
      await c.kubectl([
        "get",
        "cm",
        "-n",
        "sel",
        "-l",
        "env",
        "-o",
        "custom-columns=NAME:.metadata.name,ENV:.metadata.labels.env,TIER:.metadata.labels.tier",
      ]),
    );
    assert.equal(
      r.stdout,
      "NAME   ENV    TIER\na      prod   web\nb      prod   db\nc      dev    web\nd      dev    <none>\n",
    );
    r = ok(await c.kubectl(["get", "cm,secret", "-n", "multi", "-l", "tier=web", "-o", "name"]));
    assert.equal(r.stdout, "configmap/settings\n");
    r = ok(await c.kubectl(["get", "deploy", "-n", "multi", "-o", "name"]));
    assert.equal(r.stdout, "deployment.apps/web\n");
  });

  it("get -l supports every selector operator", async () => {
    const cases: [string, string[]][] = [
      ["env=prod", ["a", "b"]],
      ["env==prod", ["a", "b"]],
      ["env!=prod", ["c", "d", "e"]],
      ["tier in (web,db)", ["a", "b", "c"]],
      ["env notin (prod)", ["c", "d", "e"]],
      ["tier", ["a", "b", "c"]],
      ["!tier", ["d", "e"]],
      ["env=dev,tier", ["c"]],
      ["env in (prod),tier notin (web)", ["b"]],
    ];
    for (const [selector, names] of cases) {
      const r = ok(await c.kubectl(["get", "cm", "-n", "sel", "-l", selector, ...NOT_ROOT_CA, "-o", "name"]));
      assert.deepEqual(
        r.stdout.split("\n").filter(Boolean),
        names.map((n) => `configmap/${n}`),
        selector,
      );
    }
    const none = ok(await c.kubectl(["get", "cm", "-n", "sel", "-l", "env=nothing"]));
    assert.equal(none.stdout, "");
    assert.equal(none.stderr, "No resources found in sel namespace.\n");
  });

  it("get --field-selector on metadata.name and metadata.namespace; unsupported fields are a BadRequest", async () => {
    let r = ok(
      await c.kubectl(["get", "cm", "-n", "sel", "--field-selector", "metadata.name=b", "-o", "name"]),
    );
    assert.equal(r.stdout, "configmap/b\n");
    r = ok(
      await c.kubectl([
        "get",
        "cm",
        "-n",
        "sel",
        "--field-selector",
        "metadata.name!=b",
        "-l",
        "env",
        "-o",
        "name",
      ]),
    );
    assert.equal(r.stdout, "configmap/a\nconfigmap/c\nconfigmap/d\n");
    r = ok(
      await c.kubectl([
        "get",
        "cm",
        "-A",
        "--field-selector",
        "metadata.namespace=multi",
        "-l",
        "tier",
        "-o",
        "name",
      ]),
    );
    assert.equal(r.stdout, "configmap/settings\n");
    r = await c.kubectl(["get", "cm", "-n", "sel", "--field-selector", "spec.foo=bar"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'Error from server (BadRequest): Unable to find "/v1, Resource=configmaps" that match label selector "", field selector "spec.foo=bar": field label not supported: spec.foo\n',
    );
  });

  it("networking.k8s.io, node.k8s.io and storage.k8s.io's CSI kinds: ingresses get the default class; upstream's columns and errors", async () => {
    ok(await c.kubectl(["create", "namespace", "net"]));
    const manifests = [
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "IngressClass",
        metadata: { name: "nginx", annotations: { "ingressclass.kubernetes.io/is-default-class": "true" } },
        spec: { controller: "k8s.io/ingress-nginx" },
      },
      {
        apiVersion: "networking.k8s.io/v1",
        kind: "NetworkPolicy",
        metadata: { name: "deny-all", namespace: "net" },
        spec: { podSelector: {} },
      },
      { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "standard" }, handler: "runc" },
      {
        apiVersion: "storage.k8s.io/v1",
        kind: "CSIDriver",
        metadata: { name: "hostpath.csi.k8s.io" },
        spec: { attachRequired: false, volumeLifecycleModes: ["Persistent", "Ephemeral"] },
      },
    ];
    let r = ok(
      await c.kubectl(["apply", "-f", "-"], { input: manifests.map((m) => JSON.stringify(m)).join("\n") }),
    );
    assert.equal(
      r.stdout,
      "ingressclass.networking.k8s.io/nginx created\nnetworkpolicy.networking.k8s.io/deny-all created\nruntimeclass.node.k8s.io/standard created\ncsidriver.storage.k8s.io/hostpath.csi.k8s.io created\n",
    );
    r = ok(
      await c.kubectl(["create", "ingress", "web", "-n", "net", "--rule=foo.com/bar*=svc1:8080,tls=my-cert"]),
    );
    assert.equal(r.stdout, "ingress.networking.k8s.io/web created\n");
    r = ok(await c.kubectl(["get", "ing", "-n", "net"]));
    assert.match(
      r.stdout,
      new RegExp(`^NAME +CLASS +HOSTS +ADDRESS +PORTS +AGE\nweb +nginx +foo\\.com +80, 443 +${AGE}\n$`),
    );
    r = ok(await c.kubectl(["get", "ingressclass,netpol,runtimeclass", "-n", "net"]));
    assert.match(
      r.stdout,
      new RegExp(
        [
          "^NAME +CONTROLLER +PARAMETERS +AGE",
          `ingressclass.networking.k8s.io/nginx +k8s.io/ingress-nginx +<none> +${AGE}`,
          "",
          "NAME +POD-SELECTOR +AGE",
          `networkpolicy.networking.k8s.io/deny-all +<none> +${AGE}`,
          "",
          "NAME +HANDLER +AGE",
          `runtimeclass.node.k8s.io/standard +runc +${AGE}\n$`,
        ].join("\n"),
      ),
    );
    r = ok(await c.kubectl(["get", "csidriver"]));
    assert.match(
      r.stdout,
      new RegExp(
        "^NAME +ATTACHREQUIRED +PODINFOONMOUNT +STORAGECAPACITY +TOKENREQUESTS +REQUIRESREPUBLISH +MODES +AGE\\n" +
          `hostpath\\.csi\\.k8s\\.io +false +false +false +<unset> +false +Persistent,Ephemeral +${AGE}\\n$`,
      ),
    );
    r = await c.kubectl([
      "patch",
      "csidriver",
      "hostpath.csi.k8s.io",
      "--type=merge",
      "-p",
      '{"spec":{"attachRequired":true}}',
    ]);
    assert.equal(
      r.stderr,
      'The CSIDriver "hostpath.csi.k8s.io" is invalid: spec.attachedRequired: Invalid value: true: field is immutable\n',
    );
    // Defaulted on the way in: the policy's types.
    r = ok(await c.kubectl(["get", "netpol", "deny-all", "-n", "net", "-o", "jsonpath={.spec.policyTypes}"]));
    assert.equal(r.stdout, '["Ingress"]');
    // Validated as upstream: a service port out of range, and a RuntimeClass's immutable handler.
    r = await c.kubectl(["create", "ingress", "bad", "-n", "net", "--rule=foo.com/=svc1:99999"]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /spec\.rules\[0\]\.http\.paths\[0\]\.backend\.service\.port\.number: Invalid value: 99999/,
    );
    r = await c.kubectl(["patch", "runtimeclass", "standard", "--type=merge", "-p", '{"handler":"kata"}']);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      'The RuntimeClass "standard" is invalid: handler: Invalid value: "kata": field is immutable\n',
    );
  });

  it("get -A adds a NAMESPACE column; --show-labels a LABELS column", async () => {
    let r = ok(await c.kubectl(["get", "cm", "-A", "-l", "tier=web"]));
    assert.match(
      r.stdout,
      new RegExp(
        `^NAMESPACE +NAME +DATA +AGE\nmulti +settings +2 +${AGE}\nsel +a +0 +${AGE}\nsel +c +0 +${AGE}\n$`,
      ),
    );
    r = ok(await c.kubectl(["get", "cm", "-n", "sel", "-l", "env", "--show-labels"]));
    assert.match(
      r.stdout,
      new RegExp(
        `^NAME +DATA +AGE +LABELS\na +0 +${AGE} +env=prod,tier=web\nb +0 +${AGE} +env=prod,tier=db\nc +0 +${AGE} +env=dev,tier=web\nd +0 +${AGE} +env=dev\n$`,
      ),
    );
  });

  it("get --chunk-size=2 pages through all five objects", async () => {
    const r = ok(
      await c.kubectl(["get", "cm", "-n", "sel", ...NOT_ROOT_CA, "--chunk-size=2", "-o", "name", "-v=6"]),
    );
    assert.deepEqual(
      r.stdout.split("\n").filter(Boolean),
      ["a", "b", "c", "d", "e"].map((n) => `configmap/${n}`),
    );
    const gets = r.stderr
      .split("\n")
      .filter((l) => /GET \S+\/api\/v1\/namespaces\/sel\/configmaps\?\S*limit=2/.test(l));
    assert.equal(gets.length, 3, r.stderr);
    assert.equal(gets.filter((l) => l.includes("continue=")).length, 2, r.stderr);
  });

  it("get apiservices and componentstatuses print upstream's columns", async () => {
    const r = ok(await c.kubectl(["get", "apiservices", "v1.", "v1.apps"]));
    assert.match(
      r.stdout,
      /^NAME +SERVICE +AVAILABLE +AGE\nv1\. +Local +True +\S+\nv1\.apps +Local +True +\S+\n$/,
    );
    const cs = await c.kubectl(["get", "cs", "etcd-0"]);
    assert.equal(cs.code, 0, cs.stderr);
    assert.match(cs.stdout, /^NAME +STATUS +MESSAGE +ERROR\netcd-0 +Healthy +ok +\n$/);
    assert.match(cs.stderr, /Warning: v1 ComponentStatus is deprecated in v1\.19\+/);
  });

  it("get -w --output-watch-events prints ADDED, MODIFIED and DELETED rows", async () => {
    ok(
      await c.kubectl([
        "apply",
        "-f",
        file(
          "w.yaml",
          "apiVersion: v1\nkind: Namespace\nmetadata: {name: w}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: w0, namespace: w}\n",
        ),
      ]),
    );
    const child = spawn("kubectl", ["get", "cm", "-n", "w", ...NOT_ROOT_CA, "-w", "--output-watch-events"], {
      env: { ...process.env, KUBECONFIG: c.kubeconfig, HOME: c.newHome() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      err += d;
    });
    const exited = new Promise((r) => child.once("exit", r));
    const until = async (re: RegExp) => {
      for (let i = 0; i < 100 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 100));
      assert.match(out, re, `stderr: ${err}`);
    };
    try {
      // The initial list shows up as ADDED; changes after it arrive through the watch.
      await until(/^ADDED +w0 /m);
      ok(await c.kubectl(["create", "configmap", "w1", "-n", "w", "--from-literal=a=1"]));
      await until(/^ADDED +w1 /m);
      ok(await c.kubectl(["patch", "cm/w1", "-n", "w", "--type=merge", "-p", '{"data":{"b":"2"}}']));
      await until(/^MODIFIED +w1 /m);
      ok(await c.kubectl(["delete", "cm/w1", "-n", "w"]));
      await until(/^DELETED +w1 /m);
    } finally {
      child.kill("SIGTERM");
      await exited;
    }
    assert.match(
      out,
      new RegExp(
        `^EVENT +NAME +DATA +AGE\nADDED +w0 +0 +${AGE}\nADDED +w1 +1 +${AGE}\nMODIFIED +w1 +2 +${AGE}\nDELETED +w1 +2 +${AGE}\n$`,
      ),
    );
  });
});
