// kubectl top against `k8ts up`: metrics-server scrapes the node's kubelet
// (/metrics/resource) and serves metrics.k8s.io behind the aggregation layer,
// as an extension apiserver; RBAC decides who may read it.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { until } from "../support/until.ts";
import { type Cluster, startCluster } from "./harness.ts";

let cluster: Cluster;

before(async () => {
  cluster = await startCluster({ args: ["--metric-resolution", "2s"] });
});

after(async () => {
  await cluster?.stop();
});

describe("metrics-server", () => {
  test("its APIService is available and kubectl top node shows the node's usage", async () => {
    const svc = await until(async () => {
      const r = await cluster.kubectl(["get", "apiservice", "v1beta1.metrics.k8s.io"]);
      return /kube-system\/metrics-server\s+True/.test(r.stdout) ? r.stdout : undefined;
    }, "the v1beta1.metrics.k8s.io APIService to be available");
    assert.match(svc, /^NAME\s+SERVICE\s+AVAILABLE\s+AGE/);
    const node = (await cluster.kubectl(["get", "nodes", "-o", "jsonpath={.items[0].metadata.name}"])).stdout;
    // A rate needs two scrapes.
    const top = await until(async () => {
      const r = await cluster.kubectl(["top", "node"]);
      return r.code === 0 ? r.stdout : undefined;
    }, "kubectl top node to answer");
    const lines = top.trim().split("\n");
    assert.match(lines[0], /^NAME\s+CPU\(cores\)\s+CPU\(%\)\s+MEMORY\(bytes\)\s+MEMORY\(%\)\s*$/);
    assert.match(lines[1], new RegExp(`^${node}\\s+\\d+m\\s+\\d+%\\s+\\d+Mi\\s+\\d+%\\s*$`));
  });

  test("kubectl get nodes.metrics.k8s.io prints metrics-server's table", async () => {
    const r = await cluster.kubectl(["get", "nodes.metrics.k8s.io"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^NAME\s+CPU\s+MEMORY\s+WINDOW\n\S+\s+\d+n\s+\d+Ki\s+[\d.]+m?s\n$/);
  });

  test("hollow pods have no usage to show: kubectl top pod finds none", async () => {
    const r = await cluster.kubectl(["top", "pod"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /No resources found in default namespace\./);
  });

  test("who may not read metrics is told so through the aggregator", async () => {
    const r = await cluster.kubectl(["top", "node", "--as", "nobody"]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /Error from server \(Forbidden\): nodes\.metrics\.k8s\.io is forbidden: User "nobody" cannot list resource "nodes" in API group "metrics\.k8s\.io" at the cluster scope/,
    );
  });
});
