// The cluster controllers through the installed kubectl on `k8ts up --runtime
// fake --nodes 2`, plus one more kubelet process that joins with a bootstrap
// token and that the test stops: node lifecycle and taint-based eviction,
// IPAM, namespace deletion, service accounts and kube-root-ca.crt, service
// allocation, endpoints, local-path volumes and their protection, quota
// usage, and drain against a PodDisruptionBudget.
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { until } from "../support/until.ts";
import { type Cluster, ROOT, type RunResult, run, startCluster } from "./harness.ts";

const IMAGE = "k8ts.local/busybox:latest";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

describe("kubectl and the cluster controllers", () => {
  let c: Cluster;
  let joinDir: string;
  let remote: ChildProcess | undefined;
  const k = (args: string[], input?: string) => c.kubectl(args, { timeoutMs: 90_000, input });
  const apply = async (obj: unknown) => ok(await k(["apply", "-f", "-"], JSON.stringify(obj)));
  const jsonpath = async (args: string[], path: string) =>
    (await k(["get", ...args, "-o", `jsonpath=${path}`])).stdout;

  /** `k8ts kubelet` for remote-1, joining with a bootstrap token (its kubeconfig is kept for restarts). */
  const startRemote = async () => {
    const join_ = ok(
      await run(join(ROOT, "k8ts"), [
        "token",
        "create",
        "--kubeconfig",
        c.kubeconfig,
        "--print-join-command",
      ]),
    )
      .stdout.trim()
      .split(" ")
      .slice(2);
    remote = spawn(
      join(ROOT, "k8ts"),
      [
        "kubelet",
        ...join_,
        "--node-name",
        "remote-1",
        "--data-dir",
        joinDir,
        "--node-lease-duration-seconds",
        "8",
      ],
      { cwd: ROOT, stdio: "ignore" },
    );
  };
  const stopRemote = async () => {
    if (!remote || remote.exitCode !== null) return;
    const exited = new Promise((r) => remote!.once("exit", r));
    remote.kill("SIGKILL");
    await exited;
  };

  before(async () => {
    joinDir = mkdtempSync(join(tmpdir(), "k8ts-join-"));
    c = await startCluster({
      args: [
        "--runtime",
        "fake",
        "--nodes",
        "2",
        "--node-lease-duration-seconds",
        "8",
        "--node-monitor-grace-period",
        "6s",
        "--node-monitor-period",
        "1s",
      ],
    });
  });
  after(async () => {
    await stopRemote();
    await c.stop();
    rmSync(joinDir, { recursive: true, force: true });
  });

  it("a joined node goes Unknown when its kubelet stops; its pods are evicted and recreated elsewhere; it recovers", async () => {
    await startRemote();
    await until(
      async () =>
        (await jsonpath(["node/remote-1"], '{.status.conditions[?(@.type=="Ready")].status}')) === "True",
      "remote-1 Ready",
    );
    // IPAM gave the joined node a podCIDR of its own.
    const cidrs = (await jsonpath(["nodes"], "{.items[*].spec.podCIDR}")).trim().split(" ");
    assert.equal(cidrs.length, 4);
    assert.equal(new Set(cidrs).size, 4, `distinct podCIDRs: ${cidrs}`);

    // Only remote-1 takes the pods at first.
    const others = (await jsonpath(["nodes"], "{.items[*].metadata.name}"))
      .split(" ")
      .filter((n) => n !== "remote-1");
    for (const n of others) ok(await k(["cordon", n]));
    await apply({
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "evictable", namespace: "default" },
      spec: {
        replicas: 2,
        selector: { matchLabels: { app: "evictable" } },
        template: {
          metadata: { labels: { app: "evictable" } },
          spec: {
            containers: [{ name: "main", image: IMAGE }],
            tolerations: [
              {
                key: "node.kubernetes.io/unreachable",
                operator: "Exists",
                effect: "NoExecute",
                tolerationSeconds: 5,
              },
            ],
          },
        },
      },
    });
    ok(await k(["rollout", "status", "deployment/evictable", "--timeout=60s"]));
    assert.deepEqual(
      (await jsonpath(["pods", "-l", "app=evictable"], "{.items[*].spec.nodeName}")).split(" "),
      ["remote-1", "remote-1"],
    );
    for (const n of others) ok(await k(["uncordon", n]));

    await stopRemote();
    await until(async () => {
      const ready = await jsonpath(["node/remote-1"], '{.status.conditions[?(@.type=="Ready")].status}');
      const taints = await jsonpath(["node/remote-1"], "{.spec.taints[*].key}");
      return ready === "Unknown" && taints.includes("node.kubernetes.io/unreachable");
    }, "remote-1 Unknown with the unreachable taints");
    await until(async () => {
      const nodes = (
        await jsonpath(
          ["pods", "-l", "app=evictable", "--field-selector=status.phase=Running"],
          "{.items[*].spec.nodeName}",
        )
      )
        .split(" ")
        .filter(Boolean);
      // The evicted ones stay Terminating on the unreachable node, as upstream's do.
      return nodes.filter((n) => n !== "remote-1").length === 2;
    }, "the pods recreated on the other nodes");

    await startRemote();
    await until(async () => {
      const ready = await jsonpath(["node/remote-1"], '{.status.conditions[?(@.type=="Ready")].status}');
      const taints = await jsonpath(["node/remote-1"], "{.spec.taints}");
      return ready === "True" && !taints.includes("unreachable") && !taints.includes("not-ready");
    }, "remote-1 Ready again, without taints");
  });

  it("a new namespace gets its default service account and kube-root-ca.crt; deleting it removes everything", async () => {
    ok(await k(["create", "namespace", "doomed"]));
    await until(
      async () => (await k(["get", "sa/default", "-n", "doomed"])).code === 0,
      "default service account",
    );
    const ca = await jsonpath(["configmap/kube-root-ca.crt", "-n", "doomed"], "{.data.ca\\.crt}");
    assert.match(ca, /BEGIN CERTIFICATE/);
    ok(await k(["create", "deployment", "web", "--image", IMAGE, "--replicas", "2", "-n", "doomed"]));
    ok(await k(["create", "configmap", "settings", "--from-literal=a=b", "-n", "doomed"]));
    ok(await k(["create", "service", "clusterip", "web", "--tcp=80:80", "-n", "doomed"]));
    ok(await k(["rollout", "status", "deployment/web", "-n", "doomed", "--timeout=60s"]));
    ok(await k(["delete", "namespace", "doomed", "--timeout=60s"]));
    const gone = await k(["get", "namespace", "doomed"]);
    assert.equal(gone.code, 1);
    assert.match(gone.stderr, /namespaces "doomed" not found/);
  });

  it("services get a ClusterIP and NodePort; a taken ClusterIP is refused; endpoints follow the pods", async () => {
    ok(await k(["create", "deployment", "echo", "--image", IMAGE, "--replicas", "2"]));
    ok(await k(["create", "service", "nodeport", "echo", "--tcp=80:8080"]));
    const ip = await jsonpath(["svc/echo"], "{.spec.clusterIP}");
    assert.match(ip, /^10\.96\.\d+\.\d+$/);
    const nodePort = Number(await jsonpath(["svc/echo"], "{.spec.ports[0].nodePort}"));
    assert.ok(nodePort >= 30000 && nodePort <= 32767);
    const dup = await k(["create", "service", "clusterip", "dup", "--tcp=80:80", `--clusterip=${ip}`]);
    assert.equal(dup.code, 1);
    assert.match(dup.stderr, /provided IP is already allocated/);

    ok(await k(["rollout", "status", "deployment/echo", "--timeout=60s"]));
    await until(
      async () =>
        (await jsonpath(["endpoints/echo"], "{.subsets[*].addresses[*].ip}")).split(" ").filter(Boolean)
          .length === 2,
      "two endpoint addresses",
    );
    ok(await k(["scale", "deployment/echo", "--replicas=3"]));
    await until(async () => {
      const eps = await jsonpath(
        ["endpointslices", "-l", "kubernetes.io/service-name=echo"],
        "{.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}",
      );
      return eps.split(" ").filter(Boolean).length === 3;
    }, "three endpoints in the EndpointSlice");
  });

  it("a LoadBalancer with externalTrafficPolicy Local gets a health-check node port, on create and on update; changing type drops it", async () => {
    const hc = async (name: string) =>
      Number((await jsonpath([`svc/${name}`], "{.spec.healthCheckNodePort}")) || 0);
    ok(await k(["create", "service", "loadbalancer", "lb-local", "--tcp=80"]));
    ok(await k(["patch", "svc/lb-local", "-p", '{"spec":{"externalTrafficPolicy":"Local"}}']));
    const first = await hc("lb-local");
    assert.ok(first >= 30000 && first <= 32767, String(first));
    // Cluster policy needs none: dropped, and ClusterIP drops the node ports too.
    ok(await k(["patch", "svc/lb-local", "-p", '{"spec":{"externalTrafficPolicy":"Cluster"}}']));
    assert.equal(await hc("lb-local"), 0);
    ok(await k(["patch", "svc/lb-local", "-p", '{"spec":{"type":"ClusterIP"}}']));
    assert.equal(await jsonpath(["svc/lb-local"], "{.spec.ports[0].nodePort}"), "");
    const manifest = JSON.stringify({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "lb-created", namespace: "default" },
      spec: { type: "LoadBalancer", externalTrafficPolicy: "Local", ports: [{ port: 80 }] },
    });
    // A server-side dry run answers with allocated ports (so `kubectl diff` works) and keeps none.
    const dry = ok(
      await k(
        ["apply", "--dry-run=server", "-f", "-", "-o", "jsonpath={.spec.healthCheckNodePort}"],
        manifest,
      ),
    );
    assert.ok(Number(dry.stdout) >= 30000, dry.stdout);
    assert.equal((await k(["get", "svc/lb-created"])).code, 1);
    ok(await k(["apply", "-f", "-"], manifest));
    assert.ok((await hc("lb-created")) > 0);
  });

  it("a claim of the default class is provisioned where its pod runs, and protected while the pod uses it", async () => {
    await apply({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: { name: "data", namespace: "default" },
      spec: { accessModes: ["ReadWriteOnce"], resources: { requests: { storage: "1Gi" } } },
    });
    assert.equal(await jsonpath(["pvc/data"], "{.spec.storageClassName}"), "local-path");
    await apply({
      apiVersion: "v1",
      kind: "Pod",
      metadata: { name: "uses-data", namespace: "default" },
      spec: {
        containers: [{ name: "main", image: IMAGE, volumeMounts: [{ name: "d", mountPath: "/data" }] }],
        volumes: [{ name: "d", persistentVolumeClaim: { claimName: "data" } }],
      },
    });
    await until(async () => (await jsonpath(["pvc/data"], "{.status.phase}")) === "Bound", "the claim Bound");
    await until(
      async () => (await jsonpath(["pod/uses-data"], "{.status.phase}")) === "Running",
      "the pod Running",
    );
    const pv = await jsonpath(["pvc/data"], "{.spec.volumeName}");
    const pvNode = await jsonpath(
      [`pv/${pv}`],
      "{.spec.nodeAffinity.required.nodeSelectorTerms[0].matchExpressions[0].values[0]}",
    );
    assert.equal(pvNode, await jsonpath(["pod/uses-data"], "{.spec.nodeName}"));

    ok(await k(["delete", "pvc/data", "--wait=false"]));
    await new Promise((r) => setTimeout(r, 1000));
    assert.equal(await jsonpath(["pvc/data"], "{.metadata.finalizers[0]}"), "kubernetes.io/pvc-protection");
    assert.ok(await jsonpath(["pvc/data"], "{.metadata.deletionTimestamp}"));
    ok(await k(["delete", "pod/uses-data", "--grace-period=1"]));
    await until(
      async () => (await k(["get", "pvc/data"])).code === 1 && (await k(["get", `pv/${pv}`])).code === 1,
      "the claim and its volume gone",
    );
  });

  it("a quota reports what the namespace uses", async () => {
    ok(await k(["create", "namespace", "metered"]));
    ok(await k(["create", "quota", "q", "--hard=pods=5,configmaps=10", "-n", "metered"]));
    ok(await k(["create", "configmap", "one", "-n", "metered"]));
    await until(async () => {
      const used = await jsonpath(["quota/q", "-n", "metered"], "{.status.used.configmaps}");
      return used === "2" ? true : undefined; // kube-root-ca.crt and one
    }, "used configmaps");
    assert.match(ok(await k(["describe", "quota/q", "-n", "metered"])).stdout, /configmaps\s+2\s+10/);
  });

  it("drain honours a PodDisruptionBudget", async () => {
    ok(await k(["create", "deployment", "guarded", "--image", IMAGE, "--replicas", "2"]));
    ok(await k(["rollout", "status", "deployment/guarded", "--timeout=60s"]));
    ok(await k(["create", "poddisruptionbudget", "guarded", "--selector=app=guarded", "--min-available=2"]));
    await until(
      async () =>
        (await jsonpath(["pdb/guarded"], "{.status.currentHealthy}/{.status.disruptionsAllowed}")) === "2/0",
      "the PDB observed",
    );
    const node = (await jsonpath(["pods", "-l", "app=guarded"], "{.items[0].spec.nodeName}")).trim();
    const blocked = await k([
      "drain",
      node,
      "--ignore-daemonsets",
      "--delete-emptydir-data",
      "--force",
      "--timeout=8s",
    ]);
    assert.notEqual(blocked.code, 0);
    assert.match(
      blocked.stderr + blocked.stdout,
      /Cannot evict pod as it would violate the pod's disruption budget/,
    );

    ok(await k(["patch", "pdb/guarded", "--type=merge", "-p", '{"spec":{"minAvailable":1}}']));
    const drained = ok(
      await k(["drain", node, "--ignore-daemonsets", "--delete-emptydir-data", "--force", "--timeout=60s"]),
    );
    assert.match(drained.stdout, new RegExp(`node/${node} drained`));
    ok(await k(["uncordon", node]));
  });
});
