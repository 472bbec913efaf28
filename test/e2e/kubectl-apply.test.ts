// kubectl apply (client-side 3-way merge, server-side apply, server dry run)
// and kubectl diff against `k8ts up`, with the outputs kubectl v1.32 prints
// against a real cluster.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

const NS = "apply-e2e";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

function deployment(name: string, containers: string): string {
  return `apiVersion: apps/v1
kind: Deployment
metadata:
  name: ${name}
  namespace: ${NS}
  labels: {app: ${name}}
spec:
  replicas: 2
  selector:
    matchLabels: {app: ${name}}
  template:
    metadata:
      labels: {app: ${name}}
    spec:
      containers:
${containers}`;
}

const nginx = (image: string) => `      - name: nginx
        image: ${image}
        ports:
        - containerPort: 80
`;
const sidecar = `      - name: sidecar
        image: busybox
        command: ["sleep", "3600"]
`;

describe("kubectl apply and diff", () => {
  let c: Cluster;
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const jsonpath = async (what: string[], path: string): Promise<string> =>
    ok(await c.kubectl(["get", ...what, "-n", NS, "-o", `jsonpath=${path}`])).stdout;

  /** [manager, operation] of the entries outside the status subresource (a controller may own status). */
  const managers = async (deploy: string): Promise<string[][]> => {
    const out = await jsonpath([`deploy/${deploy}`, "--show-managed-fields"], "{.metadata.managedFields}");
    const entries = JSON.parse(out || "[]") as { manager: string; operation: string; subresource?: string }[];
    return entries.filter((m) => m.subresource !== "status").map((m) => [m.manager, m.operation]);
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "k8ts-apply-"));
    c = await startCluster();
    ok(
      await c.kubectl([
        "apply",
        "-f",
        file("ns.yaml", `apiVersion: v1\nkind: Namespace\nmetadata: {name: ${NS}}\n`),
      ]),
    );
  });
  after(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("creates, reports unchanged, configures and prunes a removed container ($setElementOrder)", async () => {
    const f1 = file("web-1.yaml", deployment("web", nginx("nginx:1.25") + sidecar));
    let r = ok(await c.kubectl(["apply", "-f", f1]));
    assert.equal(r.stdout, "deployment.apps/web created\n");
    assert.equal(r.stderr, "");
    // The create carries kubectl's field manager and the last-applied annotation.
    assert.deepEqual(await managers("web"), [["kubectl-client-side-apply", "Update"]]);
    const lastApplied = JSON.parse(
      await jsonpath(
        ["deploy/web"],
        "{.metadata.annotations.kubectl\\.kubernetes\\.io/last-applied-configuration}",
      ),
    );
    assert.equal(lastApplied.spec.template.spec.containers.length, 2);

    r = ok(await c.kubectl(["apply", "-f", f1]));
    assert.equal(r.stdout, "deployment.apps/web unchanged\n");

    const f2 = file("web-2.yaml", deployment("web", nginx("nginx:1.26") + sidecar));
    r = ok(await c.kubectl(["apply", "-f", f2]));
    assert.equal(r.stdout, "deployment.apps/web configured\n");
    assert.equal(
      await jsonpath(["deploy/web"], "{.spec.template.spec.containers[*].image}"),
      "nginx:1.26 busybox",
    );

    // Dropping the sidecar from the manifest deletes it from the live object.
    const f3 = file("web-3.yaml", deployment("web", nginx("nginx:1.26")));
    r = ok(await c.kubectl(["apply", "-f", f3]));
    assert.equal(r.stdout, "deployment.apps/web configured\n");
    assert.equal(await jsonpath(["deploy/web"], "{.spec.template.spec.containers[*].name}"), "nginx");
    // Server defaults survive the 3-way merge.
    assert.equal(
      await jsonpath(["deploy/web"], "{.spec.template.spec.containers[0].ports[0].protocol}"),
      "TCP",
    );
    assert.equal(await jsonpath(["deploy/web"], "{.spec.strategy.type}"), "RollingUpdate");
  });

  it("keeps fields set by others that the manifest never mentioned", async () => {
    ok(await c.kubectl(["label", "deploy/web", "-n", NS, "owner=ops"]));
    const f = file("web-4.yaml", deployment("web", nginx("nginx:1.27")));
    const r = ok(await c.kubectl(["apply", "-f", f]));
    assert.equal(r.stdout, "deployment.apps/web configured\n");
    assert.equal(await jsonpath(["deploy/web"], "{.metadata.labels.owner}"), "ops");
    assert.equal(await jsonpath(["deploy/web"], "{.spec.template.spec.containers[0].image}"), "nginx:1.27");
  });

  it("apply --dry-run=server reports the change and stores nothing", async () => {
    // The deployment controller writes status meanwhile: the generation tells whether the spec changed.
    const genBefore = await jsonpath(["deploy/web"], "{.metadata.generation}");
    const f = file("web-dry.yaml", deployment("web", nginx("nginx:9.9")));
    const r = ok(await c.kubectl(["apply", "--dry-run=server", "-f", f]));
    assert.equal(r.stdout, "deployment.apps/web configured (server dry run)\n");
    assert.equal(await jsonpath(["deploy/web"], "{.spec.template.spec.containers[0].image}"), "nginx:1.27");
    assert.equal(await jsonpath(["deploy/web"], "{.metadata.generation}"), genBefore);

    const fNew = file("new-dry.yaml", deployment("never", nginx("nginx")));
    const r2 = ok(await c.kubectl(["apply", "--dry-run=server", "-f", fNew]));
    assert.equal(r2.stdout, "deployment.apps/never created (server dry run)\n");
    const g = await c.kubectl(["get", "deploy/never", "-n", NS]);
    assert.equal(g.code, 1);
    assert.equal(g.stderr, 'Error from server (NotFound): deployments.apps "never" not found\n');
  });

  it("apply --server-side creates, conflicts with kubectl scale, and --force-conflicts wins", async () => {
    const f = file("ssa.yaml", deployment("ssa", nginx("nginx:1.25")));
    let r = await c.kubectl(["apply", "--server-side", "-f", f]);
    ok(r);
    assert.equal(r.stdout, "deployment.apps/ssa serverside-applied\n");
    assert.deepEqual(await managers("ssa"), [["kubectl", "Apply"]]);

    // Re-applying the same manifest changes nothing and is not a conflict.
    r = ok(await c.kubectl(["apply", "--server-side", "-f", f]));
    assert.equal(r.stdout, "deployment.apps/ssa serverside-applied\n");

    r = ok(await c.kubectl(["scale", "deploy/ssa", "-n", NS, "--replicas=5"]));
    assert.equal(r.stdout, "deployment.apps/ssa scaled\n");

    r = await c.kubectl(["apply", "--server-side", "-f", f]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.equal(r.stdout, "");
    assert.equal(
      r.stderr,
      `error: Apply failed with 1 conflict: conflict with "kubectl" with subresource "scale" using apps/v1: .spec.replicas
Please review the fields above--they currently have other managers. Here
are the ways you can resolve this warning:
* If you intend to manage all of these fields, please re-run the apply
  command with the \`--force-conflicts\` flag.
* If you do not intend to manage all of the fields, please edit your
  manifest to remove references to the fields that should keep their
  current managers.
* You may co-own fields by updating your manifest to match the existing
  value; in this case, you'll become the manager if the other manager(s)
  stop managing the field (remove it from their configuration).
See https://kubernetes.io/docs/reference/using-api/server-side-apply/#conflicts
`,
    );
    assert.equal(await jsonpath(["deploy/ssa"], "{.spec.replicas}"), "5");

    r = ok(await c.kubectl(["apply", "--server-side", "--force-conflicts", "-f", f]));
    assert.equal(r.stdout, "deployment.apps/ssa serverside-applied\n");
    assert.equal(await jsonpath(["deploy/ssa"], "{.spec.replicas}"), "2");
  });

  it("applies a kind: List, as kubectl get -o yaml writes it; its items are validated on the client (OpenAPI v2 in protobuf)", async () => {
    const cm = (name: string) =>
      `- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: ${name}, namespace: ${NS}}\n  data: {k: "1"}\n`;
    const list = file("list.yaml", `apiVersion: v1\nkind: List\nitems:\n${cm("listed-a")}${cm("listed-b")}`);
    let r = ok(await c.kubectl(["apply", "-f", list]));
    assert.equal(r.stdout, "configmap/listed-a created\nconfigmap/listed-b created\n");
    // What kubectl get writes for several objects is a List: edited and applied back.
    const got = ok(await c.kubectl(["get", "cm", "listed-a", "listed-b", "-n", NS, "-o", "yaml"])).stdout;
    assert.match(got, /^kind: List$/m);
    r = ok(await c.kubectl(["apply", "-f", file("got.yaml", got.replaceAll('k: "1"', 'k: "2"'))]));
    assert.equal(r.stdout, "configmap/listed-a configured\nconfigmap/listed-b configured\n");
    assert.equal(await jsonpath(["cm", "listed-a", "listed-b"], "{.items[*].data.k}"), "2 2");
    // kubectl checks the items against the schemas itself, as against upstream: an unknown field is refused
    // before anything is sent.
    const bad = file("bad-list.yaml", got.replace("  kind: ConfigMap\n", "  kind: ConfigMap\n  bogus: 1\n"));
    r = await c.kubectl(["apply", "-f", bad]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      `error: error validating "${bad}": error validating data: ValidationError(ConfigMap): unknown field "bogus" in io.k8s.api.core.v1.ConfigMap; if you choose to ignore these errors, turn validation off with --validate=false\n`,
    );
  });

  it("diff exits 1 with a unified diff when the live object differs, 0 when it matches", async () => {
    const cm = (v: string) =>
      `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dcm\n  namespace: ${NS}\ndata:\n  a: "${v}"\n`;
    const f1 = file("dcm-1.yaml", cm("1"));
    let r = await c.kubectl(["diff", "-f", f1]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(
      r.stdout,
      /^diff -u -N \S+\/v1\.ConfigMap\.apply-e2e\.dcm \S+\/v1\.ConfigMap\.apply-e2e\.dcm$/m,
    );
    assert.match(r.stdout, /^\+ {2}name: dcm$/m);
    assert.match(r.stdout, /^\+ {2}a: "1"$/m);
    // A diff is a dry run: nothing was created.
    assert.equal((await c.kubectl(["get", "cm/dcm", "-n", NS])).code, 1);

    ok(await c.kubectl(["apply", "-f", f1]));
    r = await c.kubectl(["diff", "-f", f1]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.equal(r.stdout, "");

    r = await c.kubectl(["diff", "-f", file("dcm-2.yaml", cm("2"))]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^- {2}a: "1"$/m);
    assert.match(r.stdout, /^\+ {2}a: "2"$/m);
    // Only the changed field and the bookkeeping that follows it differ.
    assert.doesNotMatch(r.stdout, /^[-+] {2}name:/m);
    assert.equal(await jsonpath(["cm/dcm"], "{.data.a}"), "1");
  });

  it("applies a CustomResourceDefinition and its custom resources", async () => {
    const crd = `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.e2e.example.com
spec:
  group: e2e.example.com
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget, shortNames: [wd]}
  versions:
  - name: v1
    served: true
    storage: true
    subresources: {status: {}, scale: {specReplicasPath: .spec.size, statusReplicasPath: .status.size}}
    additionalPrinterColumns:
    - {name: Color, type: string, jsonPath: .spec.color}
    - {name: Size, type: integer, jsonPath: .spec.size}
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              color: {type: string, enum: [red, blue]}
              size: {type: integer, default: 1}
          status:
            type: object
            properties:
              size: {type: integer}
`;
    assert.match(
      ok(await c.kubectl(["apply", "-f", file("crd.yaml", crd)])).stdout,
      /customresourcedefinition.apiextensions.k8s.io\/widgets.e2e.example.com created/,
    );
    ok(
      await c.kubectl([
        "wait",
        "--for=condition=Established",
        "crd/widgets.e2e.example.com",
        "--timeout=30s",
      ]),
    );
    const widget = (color: string) =>
      `apiVersion: e2e.example.com/v1\nkind: Widget\nmetadata:\n  name: w1\n  namespace: ${NS}\nspec:\n  color: ${color}\n`;
    assert.match(
      ok(await c.kubectl(["apply", "-f", file("w1.yaml", widget("red"))])).stdout,
      /widget.e2e.example.com\/w1 created/,
    );
    assert.match(
      ok(await c.kubectl(["apply", "-f", file("w1.yaml", widget("red"))])).stdout,
      /widget.e2e.example.com\/w1 unchanged/,
    );
    // The second apply patches with a JSON merge patch: custom resources have no strategic merge keys.
    assert.match(
      ok(await c.kubectl(["apply", "-f", file("w1.yaml", widget("blue"))])).stdout,
      /widget.e2e.example.com\/w1 configured/,
    );
    const table = ok(await c.kubectl(["get", "wd", "-n", NS])).stdout;
    assert.match(table, /^NAME\s+COLOR\s+SIZE$/m);
    assert.match(table, /^w1\s+blue\s+1$/m);
    ok(await c.kubectl(["scale", "widget/w1", "-n", NS, "--replicas=3"]));
    assert.equal(await jsonpath(["widget/w1"], "{.spec.size}"), "3");
    const bad = await c.kubectl(["apply", "-f", file("w2.yaml", widget("green").replace("w1", "w2"))]);
    assert.equal(bad.code, 1);
    assert.match(
      bad.stderr,
      /The Widget "w2" is invalid: spec.color: Unsupported value: "green": supported values: "red", "blue"/,
    );
    const unknown = await c.kubectl([
      "apply",
      "-f",
      file("w3.yaml", `${widget("red").replace("w1", "w3")}  shade: dark\n`),
    ]);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /unknown field "spec.shade"/);
    assert.match(
      ok(await c.kubectl(["api-resources", "--api-group=e2e.example.com"])).stdout,
      /^widgets\s+wd\s+e2e.example.com\/v1\s+true\s+Widget$/m,
    );
    assert.match(
      ok(await c.kubectl(["explain", "widget.spec.color"])).stdout,
      /^FIELD: color <string>\nENUM:\n\s+red\n\s+blue$/m,
    );
    ok(await c.kubectl(["delete", "crd/widgets.e2e.example.com"]));
    const gone = await c.kubectl(["get", "widgets", "-n", NS]);
    assert.equal(gone.code, 1);
  });

  it("enforces a ValidatingAdmissionPolicy: Deny refuses with kubectl's words for it, Warn prints a warning", async () => {
    const vap = `apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicy
metadata:
  name: demo-policy.example.com
spec:
  failurePolicy: Fail
  matchConstraints:
    resourceRules:
    - apiGroups: ["apps"]
      apiVersions: ["v1"]
      operations: ["CREATE", "UPDATE"]
      resources: ["deployments"]
  validations:
  - expression: "object.spec.replicas <= 5"
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: demo-binding-test.example.com
spec:
  policyName: demo-policy.example.com
  validationActions: [Deny]
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: test
---
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingAdmissionPolicyBinding
metadata:
  name: demo-binding-staging.example.com
spec:
  policyName: demo-policy.example.com
  validationActions: [Warn]
  matchResources:
    namespaceSelector:
      matchLabels:
        environment: staging
`;
    assert.match(
      ok(await c.kubectl(["apply", "-f", file("vap.yaml", vap)])).stdout,
      /validatingadmissionpolicy.admissionregistration.k8s.io\/demo-policy.example.com created/,
    );
    ok(await c.kubectl(["create", "namespace", "vap-test"]));
    ok(await c.kubectl(["label", "namespace", "vap-test", "environment=test"]));
    ok(await c.kubectl(["create", "namespace", "vap-staging"]));
    ok(await c.kubectl(["label", "namespace", "vap-staging", "environment=staging"]));
    const create = (ns: string, replicas: number) =>
      c.kubectl([
        "create",
        "deployment",
        "nginx",
        "-n",
        ns,
        "--image=k8ts.local/busybox:latest",
        `--replicas=${replicas}`,
      ]);
    // The apiserver's caches take the binding in a moment after it is written.
    let refused = await create("vap-test", 6);
    for (let i = 0; i < 50 && refused.code === 0; i++) {
      ok(await c.kubectl(["delete", "deployment", "nginx", "-n", "vap-test"]));
      await new Promise((r) => setTimeout(r, 100));
      refused = await create("vap-test", 6);
    }
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr.trim(),
      `error: failed to create deployment: deployments.apps "nginx" is forbidden: ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-test.example.com' denied request: failed expression: object.spec.replicas <= 5`,
    );
    ok(await create("vap-test", 5));
    const warned = ok(await create("vap-staging", 6));
    assert.match(
      warned.stderr,
      /^Warning: Validation failed for ValidatingAdmissionPolicy 'demo-policy.example.com' with binding 'demo-binding-staging.example.com': failed expression: object.spec.replicas <= 5$/m,
    );
    const listed = ok(await c.kubectl(["get", "validatingadmissionpolicybindings"])).stdout;
    assert.match(listed, /^NAME\s+POLICYNAME\s+PARAMREF\s+AGE$/m);
    assert.match(listed, /^demo-binding-test.example.com\s+demo-policy.example.com\s+<unset>\s+\S+$/m);
    ok(await c.kubectl(["delete", "-f", file("vap.yaml", vap)]));
  });

  it("enforces a CRD's x-kubernetes-validations rules, transition rules on update, and refuses a rule that does not compile", async () => {
    const crd = (rule: string) => `apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: gauges.e2e.example.com
spec:
  group: e2e.example.com
  scope: Namespaced
  names: {plural: gauges, singular: gauge, kind: Gauge}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            x-kubernetes-validations:
            - rule: "${rule}"
              message: "min must not exceed max"
            - rule: "self.max <= oldSelf.max"
              messageExpression: "'max may only shrink, not grow from ' + string(oldSelf.max)"
              fieldPath: .max
              reason: FieldValueForbidden
            properties:
              min: {type: integer}
              max: {type: integer}
              unit: {type: string, x-kubernetes-validations: [{rule: "self in ['C', 'F']"}]}
`;
    const refused = await c.kubectl(["apply", "-f", file("gauge-crd-bad.yaml", crd("self.min <= "))]);
    assert.equal(refused.code, 1);
    assert.match(
      refused.stderr,
      /The CustomResourceDefinition "gauges.e2e.example.com" is invalid: spec.validation.openAPIV3Schema.properties\[spec\].x-kubernetes-validations\[0\].rule: Invalid value: apiextensions.ValidationRule\{Rule:"self.min <= ", .*\}: compilation failed: Syntax error: /,
    );
    ok(await c.kubectl(["apply", "-f", file("gauge-crd.yaml", crd("self.min <= self.max"))]));
    ok(
      await c.kubectl(["wait", "--for=condition=Established", "crd/gauges.e2e.example.com", "--timeout=30s"]),
    );
    const gauge = (name: string, spec: string) =>
      `apiVersion: e2e.example.com/v1\nkind: Gauge\nmetadata:\n  name: ${name}\n  namespace: ${NS}\nspec: ${spec}\n`;
    ok(await c.kubectl(["apply", "-f", file("g1.yaml", gauge("g1", "{min: 1, max: 10, unit: C}"))]));
    const invalid = await c.kubectl([
      "apply",
      "-f",
      file("g2.yaml", gauge("g2", "{min: 5, max: 2, unit: K}")),
    ]);
    assert.equal(invalid.code, 1);
    assert.equal(
      invalid.stderr.trim(),
      `The Gauge "g2" is invalid: \n* spec: Invalid value: "object": min must not exceed max\n* spec.unit: Invalid value: "string": failed rule: self in ['C', 'F']`,
    );
    // Shrinking is allowed; growing is refused with the rule's reason, path and message.
    ok(await c.kubectl(["patch", "gauge/g1", "-n", NS, "--type=merge", "-p", '{"spec":{"max":8}}']));
    const grow = await c.kubectl([
      "patch",
      "gauge/g1",
      "-n",
      NS,
      "--type=merge",
      "-p",
      '{"spec":{"max":20}}',
    ]);
    assert.equal(grow.code, 1);
    assert.equal(
      grow.stderr.trim(),
      'The Gauge "g1" is invalid: spec.max: Forbidden: max may only shrink, not grow from 8',
    );
    assert.equal(await jsonpath(["gauge/g1"], "{.spec.max}"), "8");
    ok(await c.kubectl(["delete", "crd/gauges.e2e.example.com"]));
  });
});
