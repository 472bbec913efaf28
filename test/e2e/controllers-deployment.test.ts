// Deployments through the installed kubectl on `k8ts up --runtime fake
// --nodes 2`: create, rollout status, set image, history, undo (also
// --to-revision), pause, resume, restart, scale and delete, with the output kubectl v1.32 prints
// against a real cluster.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { until } from "../support/until.ts";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

const IMAGE = "k8ts.local/busybox:latest";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

describe("kubectl and the deployment controller", () => {
  let c: Cluster;
  const k = (args: string[]) => c.kubectl(args, { timeoutMs: 90_000 });
  const jsonpath = async (what: string, path: string) =>
    ok(await k(["get", what, "-o", `jsonpath=${path}`])).stdout;
  const rolloutStatus = async (what: string) =>
    ok(await k(["rollout", "status", what, "--timeout=60s"])).stdout;

  before(async () => {
    c = await startCluster({ args: ["--runtime", "fake", "--nodes", "2"] });
  });
  after(() => c.stop());

  it("create deployment rolls out its replicas", async () => {
    ok(await k(["create", "deployment", "web", `--image=${IMAGE}`, "--replicas=3"]));
    assert.match(await rolloutStatus("deployment/web"), /deployment "web" successfully rolled out/);
    assert.equal(
      await jsonpath("deployment/web", "{.status.readyReplicas}/{.status.availableReplicas}"),
      "3/3",
    );
    const conditions = await jsonpath(
      "deployment/web",
      '{.status.conditions[?(@.type=="Available")].status} {.status.conditions[?(@.type=="Progressing")].reason}',
    );
    assert.equal(conditions, "True NewReplicaSetAvailable");
    const pods = ok(await k(["get", "pods", "-l", "app=web", "-o", "name"]))
      .stdout.trim()
      .split("\n");
    assert.equal(pods.length, 3);
  });

  it("set image rolls out a second revision; history lists both; undo goes back", async () => {
    ok(await k(["set", "image", "deployment/web", "busybox=k8ts.local/busybox:v2"]));
    assert.match(await rolloutStatus("deployment/web"), /successfully rolled out/);
    assert.equal(
      await jsonpath("deployment/web", "{.spec.template.spec.containers[0].image}"),
      "k8ts.local/busybox:v2",
    );
    const history = ok(await k(["rollout", "history", "deployment/web"])).stdout;
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);
    // The old ReplicaSet is scaled to zero, the new one has every replica.
    const rs = ok(
      await k(["get", "rs", "-l", "app=web", "-o", 'jsonpath={range .items[*]}{.spec.replicas}{"\\n"}{end}']),
    ).stdout;
    assert.deepEqual(rs.trim().split("\n").sort(), ["0", "3"]);

    assert.match(
      ok(await k(["rollout", "undo", "deployment/web"])).stdout,
      /deployment.apps\/web rolled back/,
    );
    assert.match(await rolloutStatus("deployment/web"), /successfully rolled out/);
    assert.equal(await jsonpath("deployment/web", "{.spec.template.spec.containers[0].image}"), IMAGE);
    // Revision 1 became revision 3.
    assert.match(
      ok(await k(["rollout", "history", "deployment/web"])).stdout,
      /REVISION\s+CHANGE-CAUSE\n2\s+<none>\n3\s+<none>/,
    );
  });

  it("pause holds a rollout, resume lets it go on", async () => {
    assert.match(ok(await k(["rollout", "pause", "deployment/web"])).stdout, /deployment.apps\/web paused/);
    ok(await k(["set", "image", "deployment/web", "busybox=k8ts.local/busybox:v3"]));
    await until(
      async () =>
        (await jsonpath("deployment/web", '{.status.conditions[?(@.type=="Progressing")].reason}')) ===
        "DeploymentPaused"
          ? true
          : undefined,
      "Progressing reason DeploymentPaused",
    );
    const images = ok(
      await k(["get", "pods", "-l", "app=web", "-o", "jsonpath={.items[*].spec.containers[0].image}"]),
    ).stdout;
    assert.doesNotMatch(images, /v3/, "no pod of the paused template");
    assert.match(ok(await k(["rollout", "resume", "deployment/web"])).stdout, /deployment.apps\/web resumed/);
    assert.match(await rolloutStatus("deployment/web"), /successfully rolled out/);
    assert.equal(await jsonpath("deployment/web", "{.status.updatedReplicas}"), "3");
  });

  it("restart replaces every pod", async () => {
    const before = ok(await k(["get", "pods", "-l", "app=web", "-o", "name"]))
      .stdout.trim()
      .split("\n");
    assert.match(
      ok(await k(["rollout", "restart", "deployment/web"])).stdout,
      /deployment.apps\/web restarted/,
    );
    assert.match(await rolloutStatus("deployment/web"), /successfully rolled out/);
    const restartedAt = await jsonpath(
      "deployment/web",
      "{.spec.template.metadata.annotations.kubectl\\.kubernetes\\.io/restartedAt}",
    );
    assert.ok(restartedAt, "restartedAt annotation");
    await until(async () => {
      const now = ok(await k(["get", "pods", "-l", "app=web", "-o", "name"]))
        .stdout.trim()
        .split("\n");
      return now.length === 3 && now.every((p) => !before.includes(p)) ? true : undefined;
    }, "three new pods");
  });

  it("undo --to-revision goes back to the revision named, which history --revision shows", async () => {
    // Revision 2 set image v2; the undo, the resumed v3 and the restart made revisions 3, 4 and 5.
    const two = ok(await k(["rollout", "history", "deployment/web", "--revision=2"])).stdout;
    assert.match(two, /deployment.apps\/web with revision #2\nPod Template:/);
    assert.match(two, /Image:\s+k8ts.local\/busybox:v2\n/);
    assert.match(
      ok(await k(["rollout", "undo", "deployment/web", "--to-revision=2"])).stdout,
      /deployment.apps\/web rolled back/,
    );
    assert.match(await rolloutStatus("deployment/web"), /successfully rolled out/);
    assert.equal(
      await jsonpath("deployment/web", "{.spec.template.spec.containers[0].image}"),
      "k8ts.local/busybox:v2",
    );
    const history = ok(await k(["rollout", "history", "deployment/web"])).stdout;
    // Revision 2 became revision 6.
    assert.match(history, /REVISION\s+CHANGE-CAUSE\n3\s+<none>\n4\s+<none>\n5\s+<none>\n6\s+<none>\n\n$/);
    // A revision that does not exist is refused, and nothing changes.
    const missing = await k(["rollout", "undo", "deployment/web", "--to-revision=99"]);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /unable to find specified revision 99 in history/);
  });

  it("scale changes the replica count", async () => {
    assert.match(
      ok(await k(["scale", "deployment/web", "--replicas=5"])).stdout,
      /deployment.apps\/web scaled/,
    );
    ok(await k(["wait", "--for=jsonpath={.status.readyReplicas}=5", "deployment/web", "--timeout=60s"]));
    ok(await k(["scale", "deployment/web", "--replicas=2"]));
    await until(
      async () =>
        ok(await k(["get", "pods", "-l", "app=web", "-o", "name"]))
          .stdout.trim()
          .split("\n").length === 2
          ? true
          : undefined,
      "two pods",
    );
  });

  it("delete removes the replica sets and pods (background cascade)", async () => {
    ok(await k(["delete", "deployment", "web"]));
    await until(async () => {
      const left = ok(await k(["get", "rs,pods", "-l", "app=web", "-o", "name"])).stdout.trim();
      return left === "" ? true : undefined;
    }, "replica sets and pods gone");
  });
});
