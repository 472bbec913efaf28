// Jobs, CronJobs, DaemonSets, StatefulSets (rollout status, history, undo),
// ReplicationControllers and cascading deletion through the installed kubectl on `k8ts up --runtime fake
// --nodes 2` (three nodes: this machine's and two hollow ones). Fake
// containers finish when their pod says so (fake.k8ts.io/run-seconds).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { until } from "../support/until.ts";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

const IMAGE = "k8ts.local/busybox:latest";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const finishingTemplate = (labels: Record<string, string>) => ({
  metadata: { labels, annotations: { "fake.k8ts.io/run-seconds": "1" } },
  spec: { restartPolicy: "Never", containers: [{ name: "main", image: IMAGE }] },
});

describe("kubectl and the workload controllers", () => {
  let c: Cluster;
  const k = (args: string[], input?: string) => c.kubectl(args, { timeoutMs: 90_000, input });
  const apply = async (obj: unknown) => ok(await k(["apply", "-f", "-"], JSON.stringify(obj)));
  const names = async (args: string[]) =>
    ok(await k(["get", ...args, "-o", "name"]))
      .stdout.trim()
      .split("\n")
      .filter(Boolean);
  /** "name value" of each pod of the statefulset db, by name, with `field` a jsonpath such as {.spec.nodeName}. */
  const dbPods = async (field: string) =>
    ok(
      await k([
        "get",
        "pods",
        "-l",
        "app=db",
        "-o",
        `jsonpath={range .items[*]}{.metadata.name} ${field}{"\\n"}{end}`,
      ]),
    )
      .stdout.trim()
      .split("\n")
      .sort();

  before(async () => {
    c = await startCluster({ args: ["--runtime", "fake", "--nodes", "2"] });
  });
  after(() => c.stop());

  it("a job runs to completion: kubectl wait --for=condition=complete", async () => {
    await apply({
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { name: "hello", namespace: "default" },
      spec: { completions: 2, parallelism: 2, template: finishingTemplate({ app: "hello" }) },
    });
    ok(await k(["wait", "--for=condition=complete", "job/hello", "--timeout=60s"]));
    const status = ok(
      await k(["get", "job/hello", "-o", "jsonpath={.status.succeeded} {.status.active}"]),
    ).stdout;
    assert.equal(status.trim(), "2");
    const describe = ok(await k(["describe", "job/hello"])).stdout;
    assert.match(describe, /Normal\s+SuccessfulCreate\s+\S+\s+job-controller\s+Created pod: hello-/);
    assert.match(describe, /Normal\s+Completed\s+\S+\s+job-controller\s+Job completed/);
  });

  it("kubectl create job --from=cronjob/x runs the cronjob's template", async () => {
    await apply({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "tick", namespace: "default" },
      spec: {
        schedule: "0 0 1 1 *",
        jobTemplate: { spec: { template: finishingTemplate({ app: "tick" }) } },
      },
    });
    assert.match(
      ok(await k(["create", "job", "manual", "--from=cronjob/tick"])).stdout,
      /job.batch\/manual created/,
    );
    ok(await k(["wait", "--for=condition=complete", "job/manual", "--timeout=60s"]));
    const owner = ok(
      await k(["get", "job/manual", "-o", "jsonpath={.metadata.ownerReferences[0].kind}"]),
    ).stdout;
    assert.equal(owner, "CronJob");
  });

  it("a daemonset runs one pod on every node", async () => {
    await apply({
      apiVersion: "apps/v1",
      kind: "DaemonSet",
      metadata: { name: "agent", namespace: "default" },
      spec: {
        selector: { matchLabels: { app: "agent" } },
        template: {
          metadata: { labels: { app: "agent" } },
          spec: { containers: [{ name: "main", image: IMAGE }] },
        },
      },
    });
    assert.match(
      ok(await k(["rollout", "status", "ds/agent", "--timeout=60s"])).stdout,
      /daemon set "agent" successfully rolled out/,
    );
    const nodes = await names(["nodes"]);
    const podNodes = ok(
      await k(["get", "pods", "-l", "app=agent", "-o", "jsonpath={.items[*].spec.nodeName}"]),
    )
      .stdout.trim()
      .split(" ")
      .sort();
    assert.deepEqual(podNodes, nodes.map((n) => n.replace("node/", "")).sort());
  });

  it("a statefulset creates its pods in order with stable names", async () => {
    await apply({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "db", namespace: "default" },
      spec: { clusterIP: "None", selector: { app: "db" }, ports: [{ port: 80 }] },
    });
    await apply({
      apiVersion: "apps/v1",
      kind: "StatefulSet",
      metadata: { name: "db", namespace: "default" },
      spec: {
        serviceName: "db",
        replicas: 3,
        selector: { matchLabels: { app: "db" } },
        template: {
          metadata: { labels: { app: "db" } },
          spec: { containers: [{ name: "main", image: IMAGE }] },
        },
      },
    });
    assert.match(
      ok(await k(["rollout", "status", "sts/db", "--timeout=60s"])).stdout,
      /partitioned roll out complete: 3 new pods have been updated/,
    );
    assert.deepEqual((await names(["pods", "-l", "app=db"])).sort(), ["pod/db-0", "pod/db-1", "pod/db-2"]);
    const created = (await dbPods("{.metadata.creationTimestamp}")).map((l) => l.split(" "));
    assert.ok(
      created[0][1] <= created[1][1] && created[1][1] <= created[2][1],
      `ordered: ${JSON.stringify(created)}`,
    );
  });

  it("set image rolls every pod of a statefulset over; history lists the revisions and undo goes back", async () => {
    const images = () => dbPods("{.spec.containers[0].image}");
    ok(await k(["set", "image", "sts/db", "main=k8ts.local/busybox:v2"]));
    assert.match(
      ok(await k(["rollout", "status", "sts/db", "--timeout=60s"])).stdout,
      /partitioned roll out complete: 3 new pods have been updated/,
    );
    assert.deepEqual(await images(), [
      "db-0 k8ts.local/busybox:v2",
      "db-1 k8ts.local/busybox:v2",
      "db-2 k8ts.local/busybox:v2",
    ]);
    assert.match(
      ok(await k(["rollout", "history", "sts/db"])).stdout,
      /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>\n/,
    );
    assert.match(ok(await k(["rollout", "undo", "sts/db"])).stdout, /statefulset.apps\/db rolled back/);
    await until(async () => {
      const now = await images();
      return now.every((l) => l.endsWith(` ${IMAGE}`)) && now.length === 3 ? true : undefined;
    }, "every pod back on the first image");
    await until(async () => {
      const rv = ok(
        await k(["get", "sts/db", "-o", "jsonpath={.status.currentRevision} {.status.updateRevision}"]),
      ).stdout.split(" ");
      return rv[0] === rv[1] ? true : undefined;
    }, "currentRevision equal to updateRevision");
    assert.match(
      ok(await k(["rollout", "history", "sts/db"])).stdout,
      /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>\n/,
    );
  });

  it("a replication controller keeps its replicas and scales", async () => {
    await apply({
      apiVersion: "v1",
      kind: "ReplicationController",
      metadata: { name: "legacy", namespace: "default" },
      spec: {
        replicas: 2,
        selector: { app: "legacy" },
        template: {
          metadata: { labels: { app: "legacy" } },
          spec: { containers: [{ name: "main", image: IMAGE }] },
        },
      },
    });
    ok(await k(["wait", "--for=jsonpath={.status.readyReplicas}=2", "rc/legacy", "--timeout=60s"]));
    ok(await k(["scale", "rc/legacy", "--replicas=3"]));
    ok(await k(["wait", "--for=jsonpath={.status.readyReplicas}=3", "rc/legacy", "--timeout=60s"]));
    const [victim] = await names(["pods", "-l", "app=legacy"]);
    ok(await k(["delete", victim, "--wait=false"]));
    await until(async () => {
      const pods = await names(["pods", "-l", "app=legacy"]);
      return pods.length === 3 && !pods.includes(victim) ? true : undefined;
    }, "a replacement pod");
  });

  it("delete --cascade=orphan keeps the pods; foreground and background remove them", async () => {
    const rs = (name: string) => ({
      apiVersion: "apps/v1",
      kind: "ReplicaSet",
      metadata: { name, namespace: "default" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: name } },
        template: {
          metadata: { labels: { app: name } },
          spec: { containers: [{ name: "main", image: IMAGE }] },
        },
      },
    });
    for (const name of ["orphan", "fg", "bg"]) {
      await apply(rs(name));
      ok(await k(["wait", "--for=jsonpath={.status.readyReplicas}=2", `rs/${name}`, "--timeout=60s"]));
    }
    ok(await k(["delete", "rs/orphan", "--cascade=orphan"]));
    await until(
      async () => ((await names(["rs", "-l", "app=orphan"])).length === 0 ? true : undefined),
      "rs gone",
    );
    const orphans = ok(
      await k([
        "get",
        "pods",
        "-l",
        "app=orphan",
        "-o",
        "jsonpath={range .items[*]}{.metadata.ownerReferences}.{end}",
      ]),
    ).stdout;
    assert.equal(orphans, "..", "two pods left, without owner references");

    // kubectl waits until the owner is gone, which in foreground is after its pods.
    ok(await k(["delete", "rs/fg", "--cascade=foreground"]));
    assert.deepEqual(await names(["pods", "-l", "app=fg"]).then((p) => p.filter(Boolean)), []);

    ok(await k(["delete", "rs/bg", "--cascade=background"]));
    await until(
      async () => ((await names(["pods", "-l", "app=bg"])).length === 0 ? true : undefined),
      "pods of bg gone",
    );
  });
});
