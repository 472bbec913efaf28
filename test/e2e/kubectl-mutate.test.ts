// The kubectl verbs that read or change single objects against `k8ts up`:
// describe, edit, patch, label, annotate, scale, delete, wait, replace,
// server dry runs, plus api-resources and explain.
import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { until } from "../support/until.ts";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

const NS = "mut";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const WEB = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  namespace: ${NS}
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
`;

describe("kubectl describe, edit, patch, label, annotate, scale, delete, wait, replace", () => {
  let c: Cluster;
  let dir: string;
  const file = (name: string, text: string): string => {
    const p = join(dir, name);
    writeFileSync(p, text);
    return p;
  };
  const kubectl = (args: string[], opts?: Parameters<Cluster["kubectl"]>[1]) =>
    c.kubectl([...args, "-n", NS], opts);
  const jsonpath = async (what: string, path: string): Promise<string> =>
    ok(await kubectl(["get", what, "-o", `jsonpath=${path}`])).stdout;
  const configMap = async (name: string, extra = "") =>
    ok(
      await kubectl([
        "create",
        "-f",
        file(
          `${name}.yaml`,
          `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ${name}\n  namespace: ${NS}\n${extra}`,
        ),
      ]),
    );

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "k8ts-mutate-"));
    // The autoscaler's pass every second rather than every 15 s.
    c = await startCluster({ args: ["--horizontal-pod-autoscaler-sync-period", "1s"] });
    ok(await c.kubectl(["create", "namespace", NS]));
    ok(await c.kubectl(["apply", "-f", file("web.yaml", WEB)]));
  });
  after(async () => {
    await c?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("describe prints a config map with its data and its events", async () => {
    await configMap(
      "desc",
      '  labels: {env: prod, tier: web}\n  annotations: {note: hi}\ndata:\n  k: v\n  other: "two\\nlines"\n',
    );
    let r = ok(await kubectl(["describe", "cm/desc"]));
    // kubectl walks the data map in Go's random map order, so either order of the two keys is upstream's output.
    const section = (a: string, b: string) => `Name:         desc
Namespace:    ${NS}
Labels:       env=prod
              tier=web
Annotations:  note: hi

Data
====
${a}
${b}

BinaryData
====

Events:  <none>
`;
    const k = "k:\n----\nv\n";
    const other = "other:\n----\ntwo\nlines\n";
    assert.ok(
      r.stdout === section(k, other) || r.stdout === section(other, k),
      `unexpected describe output:\n${r.stdout}`,
    );
    // describe finds the object's events with an involvedObject field selector.
    const uid = await jsonpath("cm/desc", "{.metadata.uid}");
    const now = new Date().toISOString().replace(/\.\d+Z$/, "Z");
    ok(
      await kubectl([
        "create",
        "-f",
        file(
          "event.yaml",
          `apiVersion: v1
kind: Event
metadata: {name: desc.1, namespace: ${NS}}
involvedObject: {apiVersion: v1, kind: ConfigMap, name: desc, namespace: ${NS}, uid: ${uid}}
reason: Tested
message: hello from the test
type: Normal
source: {component: e2e}
firstTimestamp: "${now}"
lastTimestamp: "${now}"
count: 1
`,
        ),
      ]),
    );
    r = ok(await kubectl(["describe", "cm/desc"]));
    assert.match(
      r.stdout,
      /\nEvents:\n {2}Type {4}Reason {2}Age {3}From {2}Message\n {2}---- {4}------ {2}---- {2}---- {2}-------\n {2}Normal {2}Tested {2}\d+s +e2e {3}hello from the test\n$/,
    );
  });

  it("describe prints a deployment", async () => {
    const r = ok(await kubectl(["describe", "deploy/web"]));
    assert.match(
      r.stdout,
      /^Name: {19}web\nNamespace: {14}mut\nCreationTimestamp: {6}\w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} \+0000\n/,
    );
    assert.match(r.stdout, /^Selector: {15}app=web$/m);
    assert.match(
      r.stdout,
      /^Replicas: {15}2 desired \| \d+ updated \| \d+ total \| \d+ available \| \d+ unavailable$/m,
    );
    assert.match(r.stdout, /^StrategyType: {11}RollingUpdate$/m);
    assert.match(r.stdout, /^RollingUpdateStrategy: {2}25% max unavailable, 25% max surge$/m);
    assert.match(r.stdout, /^ {3}nginx:\n {4}Image: {9}nginx:1\.25$/m);
  });

  it("edit applies what a scripted EDITOR changed", async () => {
    await configMap("ed", "  labels: {stage: alpha}\ndata:\n  greeting: alpha\n");
    const r = ok(await kubectl(["edit", "cm/ed"], { env: { EDITOR: "sed -i s/alpha/beta/" } }));
    assert.equal(r.stdout, "configmap/ed edited\n");
    assert.equal(await jsonpath("cm/ed", "{.metadata.labels.stage} {.data.greeting}"), "beta beta");
    // An editor that changes nothing: kubectl says so and sends nothing.
    const same = ok(await kubectl(["edit", "cm/ed"], { env: { EDITOR: "true" } }));
    assert.equal(same.stderr, "Edit cancelled, no changes made.\n");
  });

  it("patch --type=json, merge and strategic", async () => {
    await configMap("p", "data:\n  a: '1'\n");
    let r = ok(
      await kubectl([
        "patch",
        "cm/p",
        "--type=json",
        "-p",
        '[{"op":"add","path":"/data/b","value":"2"},{"op":"remove","path":"/data/a"}]',
      ]),
    );
    assert.equal(r.stdout, "configmap/p patched\n");
    assert.equal(await jsonpath("cm/p", "{.data}"), '{"b":"2"}');
    r = ok(
      await kubectl([
        "patch",
        "cm/p",
        "--type=merge",
        "-p",
        '{"data":{"b":null,"c":"3"},"metadata":{"labels":{"x":"y"}}}',
      ]),
    );
    assert.equal(r.stdout, "configmap/p patched\n");
    assert.equal(await jsonpath("cm/p", "{.data} {.metadata.labels}"), '{"c":"3"} {"x":"y"}');
    r = ok(await kubectl(["patch", "cm/p", "--type=merge", "-p", '{"data":{"c":"3"}}']));
    assert.equal(r.stdout, "configmap/p patched (no change)\n");

    // Strategic merge: containers merge by name, so a new one is added beside nginx...
    r = ok(
      await kubectl([
        "patch",
        "deploy/web",
        "--type=strategic",
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"helper","image":"busybox"}]}}}}',
      ]),
    );
    assert.equal(r.stdout, "deployment.apps/web patched\n");
    assert.equal(await jsonpath("deploy/web", "{.spec.template.spec.containers[*].name}"), "nginx helper");
    // ...an existing one is updated in place (strategic is kubectl's default type)...
    ok(
      await kubectl([
        "patch",
        "deploy/web",
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"nginx","image":"nginx:1.26"}]}}}}',
      ]),
    );
    assert.equal(
      await jsonpath("deploy/web", "{.spec.template.spec.containers[*].image}"),
      "nginx:1.26 busybox",
    );
    // ...and $patch: delete removes one.
    ok(
      await kubectl([
        "patch",
        "deploy/web",
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"helper","$patch":"delete"}]}}}}',
      ]),
    );
    assert.equal(await jsonpath("deploy/web", "{.spec.template.spec.containers[*].name}"), "nginx");
    // A JSON merge patch replaces the whole list.
    ok(
      await kubectl([
        "patch",
        "deploy/web",
        "--type=merge",
        "-p",
        '{"spec":{"template":{"spec":{"containers":[{"name":"only","image":"busybox"}]}}}}',
      ]),
    );
    assert.equal(await jsonpath("deploy/web", "{.spec.template.spec.containers[*].name}"), "only");
    ok(await c.kubectl(["apply", "-f", file("web.yaml", WEB)]));
  });

  it("label and annotate, with --overwrite semantics", async () => {
    await configMap("lab", "  labels: {env: prod}\n");
    let r = await kubectl(["label", "cm/lab", "env=dev"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "error: 'env' already has a value (prod), and --overwrite is false\n");
    r = ok(await kubectl(["label", "cm/lab", "env=dev", "--overwrite"]));
    assert.equal(r.stdout, "configmap/lab labeled\n");
    r = ok(await kubectl(["label", "cm/lab", "env=dev", "--overwrite"]));
    assert.equal(r.stdout, "configmap/lab not labeled\n");
    r = ok(await kubectl(["label", "cm/lab", "team=a"]));
    assert.equal(r.stdout, "configmap/lab labeled\n");
    r = ok(await kubectl(["label", "cm/lab", "env-"]));
    assert.equal(r.stdout, "configmap/lab unlabeled\n");
    assert.equal(await jsonpath("cm/lab", "{.metadata.labels}"), '{"team":"a"}');
    r = ok(await kubectl(["label", "cm/lab", "team-"]));
    assert.equal(r.stdout, "configmap/lab unlabeled\n");

    r = ok(await kubectl(["annotate", "cm/lab", "note=hello"]));
    assert.equal(r.stdout, "configmap/lab annotated\n");
    r = await kubectl(["annotate", "cm/lab", "note=bye"]);
    assert.equal(r.code, 1);
    assert.equal(
      r.stderr,
      "error: --overwrite is false but found the following declared annotation(s): 'note' already has a value (hello)\n",
    );
    ok(await kubectl(["annotate", "cm/lab", "note=bye", "--overwrite"]));
    assert.equal(await jsonpath("cm/lab", "{.metadata.annotations.note}"), "bye");
    r = ok(await kubectl(["annotate", "cm/lab", "note-"]));
    assert.equal(r.stdout, "configmap/lab annotated\n");
    assert.equal(await jsonpath("cm/lab", "{.metadata.annotations.note}"), "");
  });

  it("removing the last label or annotation leaves no empty map behind (Go's omitempty)", async () => {
    await configMap("empty", "  labels: {a: b}\n  annotations: {c: d}\n");
    ok(await kubectl(["label", "cm/empty", "a-"]));
    ok(await kubectl(["annotate", "cm/empty", "c-"]));
    const meta = JSON.parse(ok(await kubectl(["get", "cm/empty", "-o", "json"])).stdout).metadata;
    assert.equal(meta.labels, undefined);
    assert.equal(meta.annotations, undefined);
  });

  it("scale goes through the /scale subresource", async () => {
    let r = ok(await kubectl(["scale", "deploy/web", "--replicas=3"]));
    assert.equal(r.stdout, "deployment.apps/web scaled\n");
    assert.equal(await jsonpath("deploy/web", "{.spec.replicas}"), "3");
    const scale = JSON.parse(
      ok(await c.kubectl(["get", "--raw", `/apis/apps/v1/namespaces/${NS}/deployments/web/scale`])).stdout,
    );
    assert.equal(scale.kind, "Scale");
    assert.equal(scale.apiVersion, "autoscaling/v1");
    assert.equal(scale.metadata.name, "web");
    assert.equal(scale.metadata.namespace, NS);
    assert.equal(scale.spec.replicas, 3);
    assert.equal(scale.status.selector, "app=web");
    r = await kubectl(["scale", "deploy/web", "--current-replicas=2", "--replicas=1"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, "error: Expected replicas to be 2, was 3\n");
    ok(await kubectl(["scale", "deploy/web", "--current-replicas=3", "--replicas=2"]));
    assert.equal(await jsonpath("deploy/web", "{.spec.replicas}"), "2");
  });

  it("autoscale: the HPA brings the deployment to --min; hollow pods report no usage to metrics-server, so it says so and scales no further", async () => {
    ok(await kubectl(["create", "deployment", "auto", "--image=k8ts.local/busybox:latest", "--replicas=1"]));
    let r = ok(await kubectl(["autoscale", "deploy/auto", "--min=2", "--max=4", "--cpu-percent=60"]));
    assert.equal(r.stdout, "horizontalpodautoscaler.autoscaling/auto autoscaled\n");
    await until(
      async () => (await jsonpath("deploy/auto", "{.spec.replicas}")) === "2",
      "auto at 2 replicas",
    );
    r = await until(async () => {
      const got = ok(await kubectl(["get", "hpa", "auto"]));
      return /\s2\s+\S+\n$/.test(got.stdout) && got;
    }, "the HPA's status");
    assert.match(
      r.stdout,
      /^NAME +REFERENCE +TARGETS +MINPODS +MAXPODS +REPLICAS +AGE\nauto +Deployment\/auto +cpu: <unknown>\/60% +2 +4 +2 +\d+s\n$/,
    );
    const describe = await until(async () => {
      const d = ok(await kubectl(["describe", "hpa", "auto"])).stdout;
      return d.includes("FailedComputeMetricsReplicas") && d;
    }, "the metrics events");
    const noMetrics =
      "failed to get cpu utilization: unable to get metrics for resource cpu: no metrics returned from resource metrics API";
    assert.match(
      describe,
      /AbleToScale +True +SucceededGetScale +the HPA controller was able to get the target's current scale\n/,
    );
    assert.ok(
      describe.includes(
        `ScalingActive  False   FailedGetResourceMetric  the HPA was unable to compute the replica count: ${noMetrics}\n`,
      ),
      describe,
    );
    assert.match(
      describe,
      /Normal +SuccessfulRescale .* New size: 2; reason: Current number of replicas below Spec.MinReplicas\n/,
    );
    assert.ok(describe.includes(`horizontal-pod-autoscaler  ${noMetrics}\n`), describe);
    // Stored once, read in either version.
    const v1 = JSON.parse(
      ok(
        await c.kubectl([
          "get",
          "--raw",
          `/apis/autoscaling/v1/namespaces/${NS}/horizontalpodautoscalers/auto`,
        ]),
      ).stdout,
    );
    assert.equal(v1.spec.targetCPUUtilizationPercentage, 60);
    assert.equal(v1.status.desiredReplicas, 2);
    assert.equal(await jsonpath("deploy/auto", "{.spec.replicas}"), "2");
  });

  it("delete waits for the object to go; --wait=false does not; finalizers hold it", async () => {
    await configMap("d1");
    let r = ok(await kubectl(["delete", "cm/d1"]));
    assert.equal(r.stdout, 'configmap "d1" deleted\n');
    assert.equal((await kubectl(["get", "cm/d1"])).code, 1);

    await configMap("d2");
    r = ok(await kubectl(["delete", "cm/d2", "--wait=false"]));
    assert.equal(r.stdout, 'configmap "d2" deleted\n');

    // A finalizer keeps the object (with a deletionTimestamp) and kubectl waits for it.
    await configMap("held", "  finalizers: [example.com/hold]\n");
    r = await kubectl(["delete", "cm/held", "--timeout=2s"]);
    assert.equal(r.code, 1);
    assert.equal(r.stdout, 'configmap "held" deleted\n');
    // (kubectl may log its watch being cut by the same deadline before the error line.)
    assert.match(r.stderr, /(^|\n)error: timed out waiting for the condition on configmaps\/held\n$/);
    assert.match(
      await jsonpath("cm/held", "{.metadata.deletionTimestamp}"),
      /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/,
    );
    // Removing the last finalizer completes the deletion.
    ok(
      await kubectl([
        "patch",
        "cm/held",
        "--type=json",
        "-p",
        '[{"op":"remove","path":"/metadata/finalizers"}]',
      ]),
    );
    const gone = await kubectl(["get", "cm/held"]);
    assert.equal(gone.stderr, 'Error from server (NotFound): configmaps "held" not found\n');
  });

  it("delete --cascade=orphan and --cascade=foreground through the garbage collector", async () => {
    const owned = async (name: string, owner: string) => {
      const uid = ok(await kubectl(["get", `cm/${owner}`, "-o", "jsonpath={.metadata.uid}"])).stdout;
      await configMap(
        name,
        `  ownerReferences: [{apiVersion: v1, kind: ConfigMap, name: ${owner}, uid: "${uid}", blockOwnerDeletion: true}]\n`,
      );
    };
    // Orphan: the apiserver holds the owner with the orphan finalizer; the GC strips the
    // dependents' references, then lets the owner go (kubectl waits for that).
    await configMap("orph");
    await owned("orph-dep", "orph");
    const r = await kubectl(["delete", "cm/orph", "--cascade=orphan"]);
    assert.equal(r.stdout, 'configmap "orph" deleted\n');
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await kubectl(["get", "cm/orph"])).code, 1);
    const dep = JSON.parse(ok(await kubectl(["get", "cm/orph-dep", "-o", "json"])).stdout);
    assert.equal(dep.metadata.ownerReferences, undefined);

    // Foreground: the owner goes only after its blocking dependents.
    await configMap("fg");
    await owned("fg-dep", "fg");
    ok(await kubectl(["delete", "cm/fg", "--cascade=foreground"]));
    assert.equal((await kubectl(["get", "cm/fg-dep"])).code, 1);
    assert.equal((await kubectl(["get", "cm/fg"])).code, 1);
  });

  it("wait --for=jsonpath and --for=delete", async () => {
    await configMap("w", "data:\n  ready: 'no'\n");
    const waiting = kubectl(["wait", "cm/w", "--for=jsonpath={.data.ready}=yes", "--timeout=10s"]);
    await new Promise((r) => setTimeout(r, 1000));
    ok(await kubectl(["patch", "cm/w", "--type=merge", "-p", '{"data":{"ready":"yes"}}']));
    let r = ok(await waiting);
    assert.equal(r.stdout, "configmap/w condition met\n");

    const deleting = kubectl(["wait", "cm/w", "--for=delete", "--timeout=10s"]);
    await new Promise((r) => setTimeout(r, 1000));
    ok(await kubectl(["delete", "cm/w", "--wait=false"]));
    r = ok(await deleting);
    assert.equal(r.stdout, "configmap/w condition met\n");

    r = await kubectl(["wait", "deploy/web", "--for=jsonpath={.spec.replicas}=7", "--timeout=1s"]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /(^|\n)error: timed out waiting for the condition on deployments\/web\n$/);
  });

  it("replace swaps the object; --dry-run=server on create stores nothing", async () => {
    await configMap("rep", "data:\n  a: '1'\n");
    const live = ok(await kubectl(["get", "cm/rep", "-o", "yaml"])).stdout.replace('a: "1"', 'a: "2"');
    let r = ok(await kubectl(["replace", "-f", file("rep-live.yaml", live)]));
    assert.equal(r.stdout, "configmap/rep replaced\n");
    assert.equal(await jsonpath("cm/rep", "{.data.a}"), "2");

    r = ok(
      await kubectl([
        "create",
        "-f",
        file("dry.yaml", `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: dry\n  namespace: ${NS}\n`),
        "--dry-run=server",
      ]),
    );
    assert.equal(r.stdout, "configmap/dry created (server dry run)\n");
    r = ok(await kubectl(["create", "configmap", "dry2", "--from-literal=a=1", "--dry-run=server"]));
    assert.equal(r.stdout, "configmap/dry2 created (server dry run)\n");
    r = ok(
      await kubectl([
        "create",
        "configmap",
        "dry2",
        "--from-literal=a=1",
        "--dry-run=server",
        "-o",
        "jsonpath={.data.a}",
      ]),
    );
    assert.equal(r.stdout, "1");
    for (const name of ["dry", "dry2"]) {
      const g = await kubectl(["get", `cm/${name}`]);
      assert.equal(g.stderr, `Error from server (NotFound): configmaps "${name}" not found\n`);
    }
  });

  it("api-resources lists short names and filters by scope and group", async () => {
    let r = ok(await c.kubectl(["api-resources", "--api-group=apps"]));
    assert.equal(
      r.stdout,
      `NAME                  SHORTNAMES   APIVERSION   NAMESPACED   KIND
controllerrevisions                apps/v1      true         ControllerRevision
daemonsets            ds           apps/v1      true         DaemonSet
deployments           deploy       apps/v1      true         Deployment
replicasets           rs           apps/v1      true         ReplicaSet
statefulsets          sts          apps/v1      true         StatefulSet
`,
    );
    r = ok(await c.kubectl(["api-resources", "--no-headers"]));
    for (const [name, short, version, kind] of [
      ["configmaps", "cm", "v1", "ConfigMap"],
      ["services", "svc", "v1", "Service"],
      ["pods", "po", "v1", "Pod"],
      ["persistentvolumeclaims", "pvc", "v1", "PersistentVolumeClaim"],
      ["cronjobs", "cj", "batch/v1", "CronJob"],
      ["statefulsets", "sts", "apps/v1", "StatefulSet"],
    ]) {
      assert.match(
        r.stdout,
        new RegExp(`^${name} +${short} +${version.replace("/", "\\/")} +true +${kind}$`, "m"),
      );
    }
    r = ok(await c.kubectl(["api-resources", "--namespaced=false", "--no-headers"]));
    const rows = r.stdout.trim().split("\n");
    for (const row of rows) assert.match(row, / false +\w+$/, row);
    for (const name of ["namespaces", "nodes", "persistentvolumes", "clusterroles", "storageclasses"]) {
      assert.ok(
        rows.some((row) => row.startsWith(`${name} `)),
        `${name} missing from\n${r.stdout}`,
      );
    }
    r = ok(await c.kubectl(["api-resources", "--api-group=apps", "-o", "name"]));
    assert.equal(
      r.stdout,
      "controllerrevisions.apps\ndaemonsets.apps\ndeployments.apps\nreplicasets.apps\nstatefulsets.apps\n",
    );
  });

  it("explain reads the OpenAPI v3 schema", async () => {
    let r = ok(await c.kubectl(["explain", "pods.spec.containers.image"]));
    assert.equal(
      r.stdout,
      `KIND:       Pod
VERSION:    v1

FIELD: image <string>


DESCRIPTION:
    Container image name. More info:
    https://kubernetes.io/docs/concepts/containers/images This field is optional
    to allow higher level config management to default or override container
    images in workload controllers like Deployments and StatefulSets.
    

`,
    );
    r = ok(await c.kubectl(["explain", "deploy.spec.replicas"]));
    assert.equal(
      r.stdout,
      `GROUP:      apps
KIND:       Deployment
VERSION:    v1

FIELD: replicas <integer>


DESCRIPTION:
    Number of desired pods. This is a pointer to distinguish between explicit
    zero and not specified. Defaults to 1.
    

`,
    );
    r = await c.kubectl(["explain", "pods.spec.nosuchfield"]);
    assert.equal(r.code, 1);
    assert.equal(r.stderr, 'error: field "nosuchfield" does not exist\n');
  });
});
