// The kubelets of `k8ts up --nodes 2` (this machine's, named after the host,
// and hollow-node-0/1, all on the fake runtime), seen through the installed
// kubectl: nodes and leases, a pod's life (Running, init containers,
// CrashLoopBackOff, restartPolicy Never), the kubelet's events, static pods and
// their mirrors, graceful deletion and admission. Expected strings are
// upstream v1.32's (pkg/kubelet, pkg/kubelet/status, kubectl's printers).
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import type { Pod, PodStatus } from "kubernetes-types/core/v1.d.ts";
import { until } from "../support/until.ts";
import { type Cluster, type RunResult, startCluster } from "./harness.ts";

const LOCAL = hostname().toLowerCase();
const NODES = [LOCAL, "hollow-node-0", "hollow-node-1"].sort();
const IMAGE = "k8ts.local/busybox:latest";

function ok(r: RunResult): RunResult {
  assert.equal(r.code, 0, `exit ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

/** kubectl describe's event age: "61s", or "15s (x3 over 28s)" for a repeated event. */
const AGE = String.raw`\S+(?: \(x\d+ over \S+\))?`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function pod(
  name: string,
  o: { annotations?: Record<string, string>; spec?: Partial<Pod["spec"]> } = {},
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name, namespace: "default", annotations: o.annotations },
    spec: { containers: [{ name: "main", image: IMAGE }], ...o.spec },
  };
}

/** "4" → 4000, "1500m" → 1500. */
function milliCPU(q: string): number {
  return q.endsWith("m") ? Number(q.slice(0, -1)) : Number(q) * 1000;
}

function ipv4(s: string): number {
  return s.split(".").reduce((n, o) => n * 256 + Number(o), 0);
}

function inCIDR(ip: string, cidr: string): boolean {
  const [base, bits] = cidr.split("/");
  const size = 2 ** (32 - Number(bits));
  return Math.floor(ipv4(ip) / size) === Math.floor(ipv4(base) / size);
}

describe("the kubelets of k8ts up --nodes 2", () => {
  let c: Cluster;
  const create = async (p: Pod) => ok(await c.kubectl(["create", "-f", "-"], { input: JSON.stringify(p) }));
  const getPod = async (name: string): Promise<Pod> =>
    JSON.parse(ok(await c.kubectl(["get", "pod", name, "-o", "json"])).stdout);
  const row = async (name: string) => ok(await c.kubectl(["get", "pod", name, "--no-headers"])).stdout.trim();
  /** The kubelet's events about a pod with this reason: their messages and sub-object field paths. */
  const events = async (name: string, reason: string) => {
    const r = ok(
      await c.kubectl([
        "get",
        "events",
        "--field-selector",
        `involvedObject.name=${name},reason=${reason}`,
        "-o",
        "json",
      ]),
    );
    return (
      JSON.parse(r.stdout).items as Array<{ message: string; involvedObject: { fieldPath?: string } }>
    ).map((e) => ({ message: e.message, fieldPath: e.involvedObject.fieldPath }));
  };
  let leasesAt = 0;
  const renewed = new Map<string, string>();

  before(async () => {
    c = await startCluster({ args: ["--nodes", "2"] });
  });
  after(async () => {
    await c?.stop();
  });

  it("registers three Ready nodes with v1.32.0-k8ts and a lease for each", async () => {
    const rows = await until(async () => {
      const out = ok(await c.kubectl(["get", "nodes", "--no-headers"]))
        .stdout.trim()
        .split("\n");
      return out.length === 3 && out.every((l) => /\sReady\s/.test(l)) ? out : undefined;
    }, "three Ready nodes");
    assert.deepEqual(
      rows.map((l) => l.split(/\s+/)[0]),
      NODES,
    );
    for (const l of rows) assert.match(l, /^\S+\s+Ready\s+<none>\s+\S+\s+v1\.32\.0-k8ts$/);

    const leases = JSON.parse(
      ok(await c.kubectl(["get", "leases", "-n", "kube-node-lease", "-o", "json"])).stdout,
    ).items as Array<{
      metadata: { name: string; ownerReferences?: Array<{ kind: string; name: string }> };
      spec: { holderIdentity: string; leaseDurationSeconds: number; renewTime: string };
    }>;
    leasesAt = Date.now();
    assert.deepEqual(leases.map((l) => l.metadata.name).sort(), NODES);
    for (const l of leases) {
      assert.equal(l.spec.holderIdentity, l.metadata.name);
      assert.equal(l.spec.leaseDurationSeconds, 40);
      // MicroTime: RFC 3339 with microseconds.
      assert.match(l.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
      assert.deepEqual(
        l.metadata.ownerReferences?.map((o) => [o.kind, o.name]),
        [["Node", l.metadata.name]],
      );
      renewed.set(l.metadata.name, l.spec.renewTime);
    }
  });

  it("each kubelet makes its CSINode, owned by its Node, with no drivers", async () => {
    const rows = await until(async () => {
      const out = ok(await c.kubectl(["get", "csinodes", "--no-headers"]))
        .stdout.trim()
        .split("\n");
      return out.length === 3 && out;
    }, "three CSINodes");
    assert.deepEqual(
      rows.map((l) => l.split(/\s+/).slice(0, 2)),
      NODES.map((n) => [n, "0"]),
    );
    const csiNode = JSON.parse(ok(await c.kubectl(["get", "csinode", NODES[0], "-o", "json"])).stdout);
    assert.deepEqual(csiNode.spec, { drivers: [] });
    assert.deepEqual(
      csiNode.metadata.ownerReferences.map((o: { kind: string; name: string }) => [o.kind, o.name]),
      [["Node", NODES[0]]],
    );
    assert.equal(
      csiNode.metadata.annotations["storage.alpha.kubernetes.io/migrated-plugins"],
      "kubernetes.io/aws-ebs,kubernetes.io/azure-disk,kubernetes.io/azure-file,kubernetes.io/cinder,kubernetes.io/gce-pd,kubernetes.io/portworx-volume,kubernetes.io/vsphere-volume",
    );
  });

  it("runs a pod: 1/1 Running 0, with upstream's conditions, IPs and container status", async () => {
    await create(pod("web"));
    const line = await until(async () => {
      const r = await row("web");
      return /\sRunning\s/.test(r) ? r : undefined;
    }, "web to run");
    assert.match(line, /^web\s+1\/1\s+Running\s+0\s+\d+s$/);

    const status: PodStatus = JSON.parse(
      ok(await c.kubectl(["get", "pod", "web", "-o", "jsonpath={.status}"])).stdout,
    );
    assert.equal(status.phase, "Running");
    assert.deepEqual(
      status.conditions?.map((x) => [x.type, x.status]),
      [
        ["PodReadyToStartContainers", "True"],
        ["Initialized", "True"],
        ["Ready", "True"],
        ["ContainersReady", "True"],
        ["PodScheduled", "True"],
      ],
    );
    for (const x of status.conditions ?? []) {
      assert.match(x.lastTransitionTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    const nodeName = ok(await c.kubectl(["get", "pod", "web", "-o", "jsonpath={.spec.nodeName}"])).stdout;
    assert.ok(NODES.includes(nodeName), nodeName);
    const node = JSON.parse(ok(await c.kubectl(["get", "node", nodeName, "-o", "json"])).stdout);
    const internalIP = node.status.addresses.find((a: { type: string }) => a.type === "InternalIP").address;
    assert.ok(inCIDR(status.podIP ?? "", node.spec.podCIDR), `${status.podIP} in ${node.spec.podCIDR}`);
    assert.deepEqual(status.podIPs, [{ ip: status.podIP }]);
    assert.equal(status.hostIP, internalIP);
    assert.deepEqual(status.hostIPs, [{ ip: internalIP }]);
    assert.match(status.startTime ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    assert.equal(status.qosClass, "BestEffort");

    const [cs] = status.containerStatuses ?? [];
    assert.equal(status.containerStatuses?.length, 1);
    assert.equal(cs.name, "main");
    assert.match(cs.containerID ?? "", /^fake:\/\/[0-9a-f]{64}$/);
    assert.equal(cs.image, IMAGE);
    assert.match(cs.imageID, /^k8ts\.local\/busybox@sha256:[0-9a-f]{64}$/);
    assert.equal(cs.ready, true);
    assert.equal(cs.started, true);
    assert.equal(cs.restartCount, 0);
    assert.deepEqual(cs.lastState, {});
    assert.deepEqual(Object.keys(cs.state ?? {}), ["running"]);
    assert.match(cs.state?.running?.startedAt ?? "", /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it("shows the kubelet's events in kubectl describe pod", async () => {
    const described = await until(async () => {
      const r = ok(await c.kubectl(["describe", "pod", "web"])).stdout;
      return r.includes("Started container") ? r : undefined;
    }, "web's Started event");
    // The scheduler's event carries an eventTime in microseconds, the kubelet's a lastTimestamp in seconds,
    // so kubectl sorts Scheduled after the kubelet's events of the same second (as against kube-apiserver).
    assert.match(
      described.slice(described.indexOf("Events:")),
      /Normal {2}Scheduled +\S+ +default-scheduler +Successfully assigned default\/web to \S+\n/,
    );
    const expected = [
      /Normal {2}Pulling +\S+ +kubelet +Pulling image "k8ts\.local\/busybox:latest"\n/,
      /Normal {2}Pulled +\S+ +kubelet +Successfully pulled image "k8ts\.local\/busybox:latest" in \S+ \(\S+ including waiting\)\. Image size: \d+ bytes\.\n/,
      /Normal {2}Created +\S+ +kubelet +Created container main\n/,
      /Normal {2}Started +\S+ +kubelet +Started container main\n/,
    ];
    let at = described.indexOf("Events:");
    assert.ok(at > 0, described);
    assert.match(described, /Events:\n {2}Type {4}Reason {5}Age +From +Message\n/);
    for (const re of expected) {
      const m = re.exec(described.slice(at));
      assert.ok(m, `${re} in\n${described}`);
      at += m.index + m[0].length;
    }
  });

  it("puts the container's field path on its events, as upstream's GenerateContainerRef", {}, async () => {
    for (const reason of ["Pulling", "Pulled", "Created", "Started"]) {
      assert.deepEqual(
        (await events("web", reason)).map((e) => e.fieldPath),
        ["spec.containers{main}"],
        reason,
      );
    }
  });

  it("runs the init container first: Init:0/1, then Running, with a Completed init status", async () => {
    await create(
      pod("withinit", {
        annotations: { "run-seconds.fake.k8ts.io/setup": "3" },
        spec: { initContainers: [{ name: "setup", image: IMAGE }] },
      }),
    );
    const initLine = await until(async () => {
      const r = await row("withinit");
      return /\sInit:0\/1\s/.test(r) ? r : undefined;
    }, "withinit to show Init:0/1");
    assert.match(initLine, /^withinit\s+0\/1\s+Init:0\/1\s+0\s+\d+s$/);
    const initializing = (await getPod("withinit")).status!;
    assert.equal(initializing.phase, "Pending");
    assert.deepEqual(initializing.containerStatuses?.[0].state, { waiting: { reason: "PodInitializing" } });
    const initialized = initializing.conditions?.find((x) => x.type === "Initialized");
    assert.equal(initialized?.status, "False");
    assert.equal(initialized?.reason, "ContainersNotInitialized");
    assert.equal(initialized?.message, "containers with incomplete status: [setup]");

    const line = await until(async () => {
      const r = await row("withinit");
      return /\sRunning\s/.test(r) ? r : undefined;
    }, "withinit to run");
    assert.match(line, /^withinit\s+1\/1\s+Running\s+0\s+\d+s$/);
    const status = (await getPod("withinit")).status!;
    const [init] = status.initContainerStatuses ?? [];
    assert.equal(init.name, "setup");
    assert.equal(init.ready, true);
    assert.equal(init.started, false);
    assert.equal(init.restartCount, 0);
    assert.match(init.containerID ?? "", /^fake:\/\/[0-9a-f]{64}$/);
    assert.equal(init.state?.terminated?.reason, "Completed");
    assert.equal(init.state?.terminated?.exitCode, 0);
    assert.equal(init.state?.terminated?.containerID, init.containerID);
    // The fake init container ran for run-seconds.
    const ran =
      Date.parse(init.state!.terminated!.finishedAt!) - Date.parse(init.state!.terminated!.startedAt!);
    assert.ok(ran >= 2_000 && ran <= 4_000, `${ran} ms`);
    assert.equal(status.conditions?.find((x) => x.type === "Initialized")?.status, "True");
    assert.equal(status.containerStatuses?.[0].ready, true);
  });

  it("restarts a crashing container, reports lastState, then CrashLoopBackOff", async () => {
    await create(
      pod("crash", { annotations: { "fake.k8ts.io/run-seconds": "1", "fake.k8ts.io/exit-code": "3" } }),
    );
    const cs = await until(async () => {
      const s = (await getPod("crash")).status?.containerStatuses?.[0];
      return s?.lastState?.terminated && s.state?.waiting?.reason === "CrashLoopBackOff" ? s : undefined;
    }, "crash to back off");
    assert.ok(cs.restartCount >= 1, `restartCount ${cs.restartCount}`);
    assert.equal(cs.lastState?.terminated?.exitCode, 3);
    assert.equal(cs.lastState?.terminated?.reason, "Error");
    assert.match(cs.lastState?.terminated?.containerID ?? "", /^fake:\/\/[0-9a-f]{64}$/);
    assert.equal(cs.ready, false);
    assert.equal(cs.started, false);
    const uid = (await getPod("crash")).metadata!.uid!;
    assert.match(
      cs.state?.waiting?.message ?? "",
      new RegExp(`^back-off (10|20|40)s restarting failed container=main pod=crash_default\\(${uid}\\)$`),
    );
    assert.match(await row("crash"), /^crash\s+0\/1\s+CrashLoopBackOff\s+\d+ \(\d+s ago\)\s+\d+s$/);
    const backOff = await until(async () => {
      const e = await events("crash", "BackOff");
      return e.length > 0 ? e : undefined;
    }, "a BackOff event");
    assert.equal(
      backOff[0].message,
      `Back-off restarting failed container main in pod crash_default(${uid})`,
    );
    assert.match(
      ok(await c.kubectl(["describe", "pod", "crash"])).stdout,
      new RegExp(
        `Warning {2}BackOff +${AGE} +kubelet +Back-off restarting failed container main in pod crash_default`,
      ),
    );
  });

  it("restartPolicy Never: exit code 0 is Succeeded (Completed), 1 is Failed (Error)", async () => {
    for (const code of ["0", "1"]) {
      await create(
        pod(`never-${code}`, {
          annotations: { "fake.k8ts.io/run-seconds": "1", "fake.k8ts.io/exit-code": code },
          spec: { restartPolicy: "Never" },
        }),
      );
    }
    const done = (p: Pod) => p.status?.phase === "Succeeded" || p.status?.phase === "Failed";
    const ok0 = await until(async () => {
      const p = await getPod("never-0");
      return done(p) ? p : undefined;
    }, "never-0 to finish");
    const ok1 = await until(async () => {
      const p = await getPod("never-1");
      return done(p) ? p : undefined;
    }, "never-1 to finish");
    assert.equal(ok0.status?.phase, "Succeeded");
    assert.equal(ok1.status?.phase, "Failed");
    // generateContainersReadyConditionForTerminalPhase: reason PodCompleted or PodFailed.
    for (const [p, code, reason, readyReason] of [
      [ok0, 0, "Completed", "PodCompleted"],
      [ok1, 1, "Error", "PodFailed"],
    ] as const) {
      const cs = p.status!.containerStatuses![0];
      assert.equal(cs.restartCount, 0);
      assert.equal(cs.state?.terminated?.exitCode, code);
      assert.equal(cs.state?.terminated?.reason, reason);
      for (const type of ["Ready", "ContainersReady"]) {
        const cond = p.status!.conditions!.find((x) => x.type === type);
        assert.deepEqual([cond?.status, cond?.reason], ["False", readyReason], type);
      }
    }
    assert.match(await row("never-0"), /^never-0\s+0\/1\s+Completed\s+0\s+\d+s$/);
    assert.match(await row("never-1"), /^never-1\s+0\/1\s+Error\s+0\s+\d+s$/);
  });

  it("runs a static pod from <data-dir>/manifests and mirrors it; removing the file removes both", async () => {
    const manifest = join(c.dataDir, "manifests", "static-web.yaml");
    writeFileSync(
      manifest,
      `apiVersion: v1
kind: Pod
metadata:
  name: static-web
spec:
  containers:
  - name: web
    image: ${IMAGE}
`,
    );
    const mirror = `static-web-${LOCAL}`;
    const line = await until(async () => {
      const r = ok(await c.kubectl(["get", "pods", "--no-headers"])).stdout;
      return r.split("\n").find((l) => l.startsWith(`${mirror} `) && /\sRunning\s/.test(l));
    }, "the mirror pod to run");
    assert.match(line, new RegExp(`^${mirror}\\s+1/1\\s+Running\\s+0\\s+\\d+s$`));
    const p = await getPod(mirror);
    const a = p.metadata?.annotations ?? {};
    assert.match(a["kubernetes.io/config.mirror"] ?? "", /^[0-9a-f]{32}$/);
    assert.equal(a["kubernetes.io/config.mirror"], a["kubernetes.io/config.hash"]);
    assert.equal(a["kubernetes.io/config.source"], "file");
    assert.equal(p.spec?.nodeName, LOCAL);
    assert.deepEqual(
      p.metadata?.ownerReferences?.map((o) => [o.kind, o.name, o.controller]),
      [["Node", LOCAL, true]],
    );

    rmSync(manifest);
    await until(async () => {
      const r = ok(await c.kubectl(["get", "pods", "--no-headers"])).stdout;
      return r.split("\n").some((l) => l.startsWith(`${mirror} `)) ? undefined : true;
    }, "the mirror pod to go");
    const gone = await c.kubectl(["get", "pod", mirror]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr.trim(), `Error from server (NotFound): pods "${mirror}" not found`);
  });

  it("kubectl delete pod completes well within the grace period", async () => {
    await create(pod("victim"));
    await until(
      async () => ((await getPod("victim")).status?.phase === "Running" ? true : undefined),
      "victim to run",
    );
    const t0 = Date.now();
    const r = ok(await c.kubectl(["delete", "pod", "victim"]));
    const took = Date.now() - t0;
    assert.equal(r.stdout.trim(), 'pod "victim" deleted');
    // The default grace period is 30 s; a fake container honours SIGTERM at once.
    assert.ok(took < 10_000, `kubectl delete took ${took} ms`);
    const gone = await c.kubectl(["get", "pod", "victim"]);
    assert.equal(gone.code, 1);
    assert.equal(gone.stderr.trim(), 'Error from server (NotFound): pods "victim" not found');
    assert.deepEqual(
      (await events("victim", "Killing")).map((e) => e.message),
      ["Stopping container main"],
    );
  });

  it("a hollow node serves no kubelet API: it publishes Port 0, and its pods' logs fail at once, its address never dialled", async () => {
    const port = async (n: string) =>
      JSON.parse(ok(await c.kubectl(["get", "node", n, "-o", "json"])).stdout).status.daemonEndpoints;
    assert.deepEqual(await port("hollow-node-1"), { kubeletEndpoint: { Port: 0 } });
    assert.ok((await port(LOCAL)).kubeletEndpoint.Port > 0);
    await create(
      pod("on-hollow", { spec: { nodeName: "hollow-node-1", containers: [{ name: "main", image: IMAGE }] } }),
    );
    await until(async () => (await getPod("on-hollow")).status?.phase === "Running", "on-hollow to run");
    const r = await c.kubectl(["logs", "on-hollow"]);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /node "hollow-node-1" serves no kubelet API \(daemonEndpoints\.kubeletEndpoint\.Port is 0/,
    );
    // And, as root, a route keeps anything sent to the made-up addresses on this machine: the
    // kernel has no route to the hollow node's address, while this host's nameservers stay reachable.
    if (process.getuid?.() === 0) {
      const node = JSON.parse(ok(await c.kubectl(["get", "node", "hollow-node-1", "-o", "json"])).stdout);
      const ip = node.status.addresses.find((a: { type: string }) => a.type === "InternalIP").address;
      const route = spawnSync("ip", ["route", "get", ip], { encoding: "utf8" });
      assert.equal(route.status, 2, `ip route get ${ip}: ${route.stdout}`);
      assert.match(route.stderr, /No route to host/);
      assert.match(
        execFileSync("ip", ["route", "show", "10.255.0.0/30"], { encoding: "utf8" }),
        /^unreachable/,
      );
    }
  });

  const TOO_BIG = pod("toobig", {
    spec: {
      nodeName: "hollow-node-0",
      containers: [{ name: "main", image: IMAGE, resources: { requests: { cpu: "64" } } }],
    },
  });

  it("rejects a pod that does not fit: Failed, reason OutOfcpu, upstream's message and event", async () => {
    await create(TOO_BIG);
    const p = await until(async () => {
      const x = await getPod("toobig");
      return x.status?.phase === "Failed" ? x : undefined;
    }, "toobig to fail");
    const node = JSON.parse(ok(await c.kubectl(["get", "node", "hollow-node-0", "-o", "json"])).stdout);
    const capacity = milliCPU(node.status.allocatable.cpu);
    const message = new RegExp(
      `Node didn't have enough resource: cpu, requested: 64000, used: \\d+, capacity: ${capacity}$`,
    );
    assert.equal(p.status?.reason, "OutOfcpu");
    assert.match(p.status?.message ?? "", message);
    const [event] = await events("toobig", "OutOfcpu");
    assert.match(event.message, new RegExp(`^${message.source}`));
    assert.match(
      ok(await c.kubectl(["describe", "pod", "toobig"])).stdout,
      /Warning {2}OutOfcpu +\S+ +kubelet +Node didn't have enough resource: cpu, requested: 64000/,
    );
  });

  it("reports a rejected pod as upstream: 'Pod was rejected: …', no container statuses, STATUS OutOfcpu", {}, async () => {
    const p = await until(async () => {
      const x = await getPod("toobig");
      return x.status?.phase === "Failed" ? x : undefined;
    }, "toobig to fail");
    // Upstream's rejectPod: Message "Pod was rejected: " + message; HandlePodAdditions then skips the pod worker.
    assert.match(
      p.status?.message ?? "",
      /^Pod was rejected: Node didn't have enough resource: cpu, requested: 64000, /,
    );
    assert.equal(p.status?.containerStatuses, undefined);
    assert.match(await row("toobig"), /^toobig\s+0\/1\s+OutOfcpu\s+0\s+\d+s$/);
  });

  it("renews every node's lease (every 10 s)", async () => {
    await sleep(Math.max(0, leasesAt + 11_000 - Date.now()));
    const leases = JSON.parse(
      ok(await c.kubectl(["get", "leases", "-n", "kube-node-lease", "-o", "json"])).stdout,
    ).items as Array<{ metadata: { name: string }; spec: { renewTime: string } }>;
    assert.equal(leases.length, 3);
    for (const l of leases) {
      const was = renewed.get(l.metadata.name);
      assert.ok(was, l.metadata.name);
      assert.ok(
        Date.parse(l.spec.renewTime) > Date.parse(was),
        `${l.metadata.name}: ${was} → ${l.spec.renewTime}`,
      );
    }
  });
});
