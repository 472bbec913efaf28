// kubectl exec, attach, port-forward and cp against real containers: kubectl
// speaks WebSocket (v5.channel.k8s.io; SPDY tunnelled in WebSocket for
// port-forward) to the apiserver, which proxies the upgrade to the kubelet,
// which streams from containerd. Everything made is removed in after().
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { busyboxPod, type ContainerdCluster, startContainerdCluster, until } from "../support/containerd.ts";
import { type Cluster, run } from "./harness.ts";

const busybox = (name: string, script: string, container: Record<string, unknown> = {}) =>
  busyboxPod(name, script, { restartPolicy: "Never" }, container);

describe("kubectl exec, attach, port-forward and cp on containerd", () => {
  let node: ContainerdCluster | undefined;
  let cluster: Cluster;
  const children: ChildProcess[] = [];
  const work = mkdtempSync(join(tmpdir(), "k8ts-exec-"));

  before(async () => {
    // metrics-server scrapes every 2 s and the HPA looks every 3 s, so kubectl top and autoscaling answer soon.
    node = await startContainerdCluster([
      "--metric-resolution",
      "2s",
      "--horizontal-pod-autoscaler-sync-period",
      "3s",
    ]);
    cluster = node.cluster;
    const pods = [
      busybox("shell", "mkdir -p /www && echo served-by-httpd > /www/index.html && httpd -f -p 8080 -h /www"),
      busybox("reader", 'while read l; do echo "echo:$l"; done; echo reader-done', {
        stdin: true,
        stdinOnce: true,
      }),
    ];
    for (const p of pods) {
      const r = await cluster.kubectl(["apply", "-f", "-"], { input: JSON.stringify(p) });
      assert.equal(r.code, 0, r.stderr);
    }
    for (const name of ["shell", "reader"]) {
      await until(async () => {
        const r = await cluster.kubectl(["get", "pod", name, "-o", "jsonpath={.status.phase}"]);
        return r.stdout === "Running" ? true : undefined;
      }, `${name} to be Running`);
    }
  });

  after(async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    rmSync(work, { recursive: true, force: true });
    await node?.cleanUp();
  });

  it("runs a command and returns its output", async () => {
    const r = await cluster.kubectl(["exec", "shell", "--", "sh", "-c", "echo out; echo err >&2"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "out\n");
    assert.equal(r.stderr, "err\n");
  });

  it("returns the command's exit code", async () => {
    const r = await cluster.kubectl(["exec", "shell", "--", "sh", "-c", "exit 3"]);
    assert.equal(r.code, 3);
    assert.match(r.stderr, /command terminated with exit code 3/);
  });

  it("passes stdin with -i and ends when stdin ends", async () => {
    const r = await cluster.kubectl(["exec", "-i", "shell", "--", "sh", "-c", "cat; echo end"], {
      input: "line one\nline two\n",
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "line one\nline two\nend\n");
  });

  it("answers a container that does not exist with upstream's error", async () => {
    const r = await cluster.kubectl(["exec", "shell", "-c", "nope", "--", "true"]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /container nope is not valid for pod shell/);
  });

  it("attaches to a running container's stdin and stdout", async () => {
    const r = await cluster.kubectl(["attach", "-i", "reader", "-c", "main"], {
      input: "hello\nworld\n",
      timeoutMs: 30_000,
    });
    assert.match(r.stdout, /echo:hello\necho:world\n/);
    // stdinOnce: closing stdin ends the container.
    await until(async () => {
      const p = await cluster.kubectl(["get", "pod", "reader", "-o", "jsonpath={.status.phase}"]);
      return p.stdout === "Succeeded" ? true : undefined;
    }, "reader to finish once its stdin closed");
    const logs = await cluster.kubectl(["logs", "reader"]);
    assert.match(logs.stdout, /reader-done/);
  });

  it("forwards a local port to the pod's httpd", async () => {
    const child = spawn("kubectl", ["port-forward", "pod/shell", ":8080"], {
      env: { ...process.env, KUBECONFIG: cluster.kubeconfig, HOME: cluster.newHome() },
      stdio: ["ignore", "pipe", "pipe"],
    });
    children.push(child);
    let out = "";
    child.stdout!.on("data", (d) => {
      out += d;
    });
    child.stderr!.on("data", (d) => {
      out += d;
    });
    const port = await until(
      () => /Forwarding from 127\.0\.0\.1:(\d+) -> 8080/.exec(out)?.[1],
      "kubectl port-forward to listen",
      30_000,
    );
    // Several requests: each is a new stream pair over the same tunnel.
    for (let i = 0; i < 3; i++) {
      const r = await run("curl", ["-sS", "--max-time", "10", `http://127.0.0.1:${port}/index.html`]);
      assert.equal(r.code, 0, `${r.stderr}\n${out}`);
      assert.equal(r.stdout, "served-by-httpd\n");
    }
    child.kill("SIGINT");
  });

  it("serves the kubelet's /pods and /stats/summary through nodes/proxy", async () => {
    const nodeName = (await cluster.kubectl(["get", "pod", "shell", "-o", "jsonpath={.spec.nodeName}"]))
      .stdout;
    const pods = await cluster.kubectl(["get", "--raw", `/api/v1/nodes/${nodeName}/proxy/pods`]);
    assert.equal(pods.code, 0, pods.stderr);
    const list = JSON.parse(pods.stdout) as { kind: string; items: { metadata: { name: string } }[] };
    assert.equal(list.kind, "PodList");
    assert.ok(list.items.some((p) => p.metadata.name === "shell"));
    type Summary = {
      node: { nodeName: string; memory?: { workingSetBytes?: number } };
      pods: {
        podRef: { name: string };
        containers: { name: string; memory?: { workingSetBytes?: number } }[];
      }[];
    };
    const stats = await until(async () => {
      const r = await cluster.kubectl(["get", "--raw", `/api/v1/nodes/${nodeName}/proxy/stats/summary`]);
      if (r.code !== 0) return undefined;
      const s = JSON.parse(r.stdout) as Summary;
      return s.pods.some((p) => p.podRef.name === "shell") ? s : undefined;
    }, "the summary to list the shell pod");
    assert.equal(stats.node.nodeName, nodeName);
    const shell = stats.pods.find((p) => p.podRef.name === "shell")!;
    const main = shell.containers.find((c) => c.name === "main");
    assert.ok((main?.memory?.workingSetBytes ?? 0) > 0, JSON.stringify(shell));

    const metrics = await cluster.kubectl(["get", "--raw", `/api/v1/nodes/${nodeName}/proxy/metrics`]);
    assert.equal(metrics.code, 0, metrics.stderr);
    assert.match(metrics.stdout, /^kubelet_running_pods [1-9]\d*$/m);
    assert.match(metrics.stdout, /^kubelet_running_containers\{container_state="running"\} [1-9]\d*$/m);
    assert.match(
      metrics.stdout,
      /^kubelet_runtime_operations_total\{operation_type="run_podsandbox"\} [1-9]\d*$/m,
    );
    // What metrics-server scrapes: the same figures as the summary's, with their sample time.
    const resource = await cluster.kubectl([
      "get",
      "--raw",
      `/api/v1/nodes/${nodeName}/proxy/metrics/resource`,
    ]);
    assert.equal(resource.code, 0, resource.stderr);
    assert.match(
      resource.stdout,
      /^container_memory_working_set_bytes\{container="main",namespace="default",pod="shell"\} [1-9][\d.e+]* \d{13}$/m,
    );
    assert.match(resource.stdout, /^node_cpu_usage_seconds_total [\d.e+]+ \d{13}$/m);
  });

  it("kubectl top pod shows a real container's CPU and memory, through metrics-server", async () => {
    const top = await until(async () => {
      const r = await cluster.kubectl(["top", "pod", "shell", "--containers"]);
      return r.code === 0 ? r.stdout : undefined;
    }, "kubectl top pod shell to answer");
    const lines = top.trim().split("\n");
    assert.match(lines[0], /^POD\s+NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)\s*$/);
    assert.match(lines[1], /^shell\s+main\s+\d+m\s+\d+Mi\s*$/);
  });

  it("kubectl autoscale scales a Deployment up on its pods' real CPU usage", async () => {
    // A light, steady load (a short busy loop, then a pause) far above its 10m request: 2 replicas at most.
    const burn = "while :; do i=0; while [ $i -lt 3000 ]; do i=$((i+1)); done; sleep 0.2; done";
    const create = await cluster.kubectl([
      "create",
      "deployment",
      "burn",
      "--image=k8ts.local/busybox:latest",
      "--",
      "sh",
      "-c",
      burn,
    ]);
    assert.equal(create.code, 0, create.stderr);
    const limits = await cluster.kubectl(["set", "resources", "deployment/burn", "--requests=cpu=10m"]);
    assert.equal(limits.code, 0, limits.stderr);
    const hpa = await cluster.kubectl([
      "autoscale",
      "deployment/burn",
      "--cpu-percent=50",
      "--min=1",
      "--max=2",
    ]);
    assert.equal(hpa.code, 0, hpa.stderr);
    try {
      const scaled = await until(async () => {
        const r = await cluster.kubectl(["get", "deployment", "burn", "-o", "jsonpath={.spec.replicas}"]);
        return r.stdout === "2" ? r.stdout : undefined;
      }, "the HPA to scale burn to 2 replicas");
      assert.equal(scaled, "2");
      // The HPA's status counts the new replica at its next pass.
      await until(async () => {
        const r = await cluster.kubectl(["get", "hpa", "burn"]);
        return /^burn\s+Deployment\/burn\s+cpu: \d+%\/50%\s+1\s+2\s+2\s/m.test(r.stdout)
          ? r.stdout
          : undefined;
      }, "kubectl get hpa to show 2 replicas and the CPU utilization");
      const events = await cluster.kubectl([
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=burn,reason=SuccessfulRescale",
      ]);
      assert.match(
        events.stdout,
        /New size: 2; reason: cpu resource utilization \(percentage of request\) above target/,
      );
    } finally {
      // The loops would go on taking CPU from the suites that run beside this one.
      await cluster.kubectl(["delete", "deployment", "burn", "--wait=false"]);
      await cluster.kubectl(["delete", "hpa", "burn", "--wait=false"]);
    }
  });

  it("copies a file into the container and back with kubectl cp", async () => {
    const src = join(work, "in.txt");
    const content = `${"k8ts cp round trip\n".repeat(5000)}`;
    writeFileSync(src, content);
    const to = await cluster.kubectl(["cp", src, "shell:/tmp/in.txt", "-c", "main"]);
    assert.equal(to.code, 0, to.stderr);
    const size = await cluster.kubectl(["exec", "shell", "--", "wc", "-c", "/tmp/in.txt"]);
    assert.match(size.stdout, new RegExp(`^\\s*${Buffer.byteLength(content)} /tmp/in.txt`));
    const dest = join(work, "out.txt");
    const from = await cluster.kubectl(["cp", "shell:/tmp/in.txt", dest, "-c", "main"]);
    assert.equal(from.code, 0, from.stderr);
    assert.equal(readFileSync(dest, "utf8"), content);
  });

  it("runs each container in a PID namespace of its own, its command as PID 1", async () => {
    const r = await cluster.kubectl(["exec", "shell", "--", "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline"]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /httpd -f -p 8080/);
  });

  it("runs kubectl debug's ephemeral container beside its target, once", async () => {
    const r = await cluster.kubectl([
      "debug",
      "shell",
      "--image=k8ts.local/busybox:latest",
      "--target=main",
      "--container=dbg",
      "--",
      "sh",
      "-c",
      "echo debugging; ps -o comm",
    ]);
    assert.equal(r.code, 0, r.stderr);
    const state = await until(async () => {
      const s = await cluster.kubectl([
        "get",
        "pod",
        "shell",
        "-o",
        "jsonpath={.status.ephemeralContainerStatuses[0].state.terminated.reason}",
      ]);
      return s.stdout || undefined;
    }, "the debug container to finish");
    assert.equal(state, "Completed");
    // It saw the target's processes, and ran in the pod without disturbing it.
    const logs = await cluster.kubectl(["logs", "shell", "-c", "dbg"]);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, /^debugging\n/);
    assert.match(logs.stdout, /^httpd$/m);
    const pod = JSON.parse((await cluster.kubectl(["get", "pod", "shell", "-o", "json"])).stdout);
    assert.equal(pod.status.phase, "Running");
    assert.equal(pod.status.containerStatuses[0].restartCount, 0);
    assert.deepEqual(
      pod.status.ephemeralContainerStatuses.map((s: { name: string }) => s.name),
      ["dbg"],
    );
    // An ephemeral container is never restarted: a sync later it is still the one that ran.
    await new Promise((r) => setTimeout(r, 2000));
    const again = JSON.parse((await cluster.kubectl(["get", "pod", "shell", "-o", "json"])).stdout);
    assert.equal(
      again.status.ephemeralContainerStatuses[0].containerID,
      pod.status.ephemeralContainerStatuses[0].containerID,
    );
    assert.equal(again.status.ephemeralContainerStatuses[0].restartCount, 0);
  });
});
