// What a container sees on `k8ts up --runtime containerd`, through the real
// kubectl: resolv.conf and /etc/hosts, the securityContext (ids, fsGroup,
// read-only root, runAsNonRoot), requests and limits as cgroup settings and
// OOMKilled, env and configMap/secret volumes, pod-to-pod traffic and probes.
// Each container prints what it sees; the test reads it with `kubectl logs`.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import { busyboxPod, type ContainerdCluster, startContainerdCluster, until } from "../support/containerd.ts";
import type { Cluster } from "./harness.ts";

type Obj = Record<string, unknown>;

const pod = busyboxPod;

describe("containers on k8ts up --runtime containerd", () => {
  let cluster: Cluster;
  let node: ContainerdCluster | undefined;

  const get = async (name: string, path: string) => {
    const r = await cluster.kubectl(["get", "pod", name, "-o", `jsonpath={${path}}`]);
    assert.equal(r.code, 0, r.stderr);
    return r.stdout;
  };
  const apply = async (...objs: Obj[]) => {
    const r = await cluster.kubectl(["apply", "-f", "-"], {
      // A stream of JSON objects: the apiserver's OpenAPI has no List for kubectl to validate.
      input: objs.map((o) => JSON.stringify(o)).join("\n"),
    });
    assert.equal(r.code, 0, r.stderr);
  };
  /** The container's output once it printed END. */
  const output = async (name: string, ms = 60_000) => {
    let last = "";
    try {
      return await until(
        async () => {
          const r = await cluster.kubectl(["logs", name]);
          last = `${r.stdout}${r.stderr}`;
          return r.code === 0 && r.stdout.includes("END\n") ? r.stdout.replace("END\n", "") : undefined;
        },
        `${name}'s output`,
        ms,
        500,
      );
    } catch (e) {
      // Say why: the pod's status and what kubectl logs said last.
      const status = await cluster.kubectl(["get", "pod", name, "-o", "jsonpath={.status}"]);
      throw new Error(`${(e as Error).message}; logs: ${last}; status: ${status.stdout}`);
    }
  };

  before(async () => {
    node = await startContainerdCluster();
    cluster = node.cluster;
    // Everything at once: the pods start side by side.
    await apply(
      { apiVersion: "v1", kind: "ConfigMap", metadata: { name: "cm" }, data: { color: "blue" } },
      { apiVersion: "v1", kind: "Secret", metadata: { name: "sec" }, stringData: { password: "s3cret" } },
      // containerd as k8ts configures it has the runc handler only.
      { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "runc" }, handler: "runc" },
      { apiVersion: "node.k8s.io/v1", kind: "RuntimeClass", metadata: { name: "kata" }, handler: "kata" },
      pod("rc-runc", "echo END; sleep 3600", { runtimeClassName: "runc" }),
      pod("rc-kata", "echo END; sleep 3600", { runtimeClassName: "kata" }),
      pod("dns", "cat /etc/resolv.conf; echo END; sleep 3600"),
      pod("dns-none", "cat /etc/resolv.conf; echo END; sleep 3600", {
        dnsPolicy: "None",
        dnsConfig: {
          nameservers: ["192.0.2.53"],
          searches: ["ns1.svc.cluster-domain.example", "my.dns.search.suffix"],
          options: [{ name: "ndots", value: "2" }, { name: "edns0" }],
        },
      }),
      pod("hosts", "cat /etc/hosts; echo END; sleep 3600", {
        hostname: "web",
        subdomain: "sub",
        hostAliases: [{ ip: "10.1.2.3", hostnames: ["foo.local", "bar.local"] }],
      }),
      pod(
        "ids",
        "id; stat -c '%g %a' /data; touch /data/f; stat -c '%u %g' /data/f; stat -c '%g' /cm/color; echo END; sleep 3600",
        {
          securityContext: { runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000], fsGroup: 2000 },
          volumes: [
            { name: "data", emptyDir: {} },
            { name: "cm", configMap: { name: "cm" } },
          ],
        },
        {
          volumeMounts: [
            { name: "data", mountPath: "/data" },
            { name: "cm", mountPath: "/cm" },
          ],
        },
      ),
      pod(
        "rofs",
        "touch /x 2>&1; echo rc=$?; touch /tmp/y 2>&1; echo rc=$?; echo END; sleep 3600",
        {},
        {
          securityContext: { readOnlyRootFilesystem: true },
        },
      ),
      pod("nonroot", "sleep 3600", { securityContext: { runAsNonRoot: true } }),
      pod(
        "oom",
        // tail keeps the one endless line in memory; exec makes it the container's process.
        "exec tail /dev/zero",
        { restartPolicy: "Never" },
        {
          resources: { limits: { memory: "32Mi" } },
        },
      ),
      pod(
        "cgroup",
        "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us /sys/fs/cgroup/cpu/cpu.cfs_period_us /sys/fs/cgroup/cpu/cpu.shares /sys/fs/cgroup/memory/memory.limit_in_bytes; grep ':memory:' /proc/self/cgroup; echo END; sleep 3600",
        {},
        { resources: { requests: { cpu: "250m", memory: "64Mi" }, limits: { cpu: "500m", memory: "64Mi" } } },
      ),
      pod(
        "env",
        'echo "LIT=$LIT CM=$CM SEC=$SEC POD=$POD NS=$NS MEM=$MEM EXP=$EXP"; cat /cm/color; echo; cat /sec/password; echo; echo END; sleep 3600',
        {
          volumes: [
            { name: "cm", configMap: { name: "cm" } },
            { name: "sec", secret: { secretName: "sec" } },
          ],
        },
        {
          resources: { limits: { memory: "64Mi" } },
          env: [
            { name: "LIT", value: "literal" },
            { name: "CM", valueFrom: { configMapKeyRef: { name: "cm", key: "color" } } },
            { name: "SEC", valueFrom: { secretKeyRef: { name: "sec", key: "password" } } },
            { name: "POD", valueFrom: { fieldRef: { fieldPath: "metadata.name" } } },
            { name: "NS", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
            {
              name: "MEM",
              valueFrom: { resourceFieldRef: { resource: "limits.memory", divisor: "1Mi" } },
            },
            { name: "EXP", value: "$(LIT)-$(CM)" },
          ],
          volumeMounts: [
            { name: "cm", mountPath: "/cm" },
            { name: "sec", mountPath: "/sec", readOnly: true },
          ],
        },
      ),
      pod("server", "mkdir -p /www; echo hello from server > /www/index.html; httpd -f -p 8080 -h /www"),
      pod(
        "live-exec",
        "touch /tmp/healthy; sleep 3; rm /tmp/healthy; sleep 3600",
        {},
        {
          livenessProbe: {
            exec: { command: ["cat", "/tmp/healthy"] },
            periodSeconds: 1,
            failureThreshold: 1,
          },
        },
      ),
      pod(
        "live-http",
        "mkdir -p /www; echo ok > /www/healthz; httpd -p 8080 -h /www; sleep 3; rm /www/healthz; sleep 3600",
        {},
        {
          livenessProbe: {
            httpGet: { path: "/healthz", port: 8080 },
            periodSeconds: 1,
            failureThreshold: 1,
          },
        },
      ),
      pod(
        "live-tcp",
        "httpd -p 9000 -h /tmp; sleep 3; killall httpd; sleep 3600",
        {},
        { livenessProbe: { tcpSocket: { port: 9000 }, periodSeconds: 1, failureThreshold: 1 } },
      ),
    );
  });

  after(async () => {
    await node?.cleanUp();
  });

  it("a RuntimeClass picks containerd's handler: runc runs the pod, one containerd lacks fails its sandbox", async () => {
    assert.equal(await output("rc-runc"), "");
    const message = await until(async () => {
      const r = await cluster.kubectl([
        "get",
        "events",
        "--field-selector",
        "involvedObject.name=rc-kata,reason=FailedCreatePodSandBox",
        "-o",
        "jsonpath={.items[0].message}",
      ]);
      return r.stdout || undefined;
    }, "rc-kata's FailedCreatePodSandBox event");
    assert.match(message, /^Failed to create pod sandbox: .*no runtime for "kata" is configured/);
    assert.equal(await get("rc-kata", ".status.phase"), "Pending");
  });

  it("ClusterFirst: the cluster DNS service, the cluster search list and ndots:5", async () => {
    assert.equal(
      await output("dns"),
      "search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n",
    );
  });

  it("dnsPolicy None: only spec.dnsConfig", async () => {
    assert.equal(
      await output("dns-none"),
      "search ns1.svc.cluster-domain.example my.dns.search.suffix\nnameserver 192.0.2.53\noptions ndots:2 edns0\n",
    );
  });

  it("/etc/hosts: the kubelet-managed file with the pod IP, its FQDN and the host aliases", async () => {
    const out = await output("hosts");
    const ip = await get("hosts", ".status.podIP");
    assert.equal(
      out,
      "# Kubernetes-managed hosts file.\n" +
        "127.0.0.1\tlocalhost\n" +
        "::1\tlocalhost ip6-localhost ip6-loopback\n" +
        "fe00::0\tip6-localnet\n" +
        "fe00::0\tip6-mcastprefix\n" +
        "fe00::1\tip6-allnodes\n" +
        "fe00::2\tip6-allrouters\n" +
        `${ip}\tweb.sub.default.svc.cluster.local\tweb\n` +
        "\n# Entries added by HostAliases.\n" +
        "10.1.2.3\tfoo.local\tbar.local\n",
    );
  });

  it("runAsUser, runAsGroup, supplementalGroups and fsGroup: the ids and the volumes' group", async () => {
    const lines = (await output("ids")).trimEnd().split("\n");
    assert.equal(lines[0], "uid=1000 gid=3000 groups=2000,3000,4000");
    // emptyDir: group fsGroup, setgid and group-writable; a new file inherits the group.
    assert.equal(lines[1], "2000 2777");
    assert.equal(lines[2], "1000 2000");
    // configMap files belong to fsGroup too.
    assert.equal(lines[3], "2000");
  });

  it("readOnlyRootFilesystem refuses writes anywhere on the root filesystem", async () => {
    assert.equal(
      await output("rofs"),
      "touch: /x: Read-only file system\nrc=1\ntouch: /tmp/y: Read-only file system\nrc=1\n",
    );
  });

  it("runAsNonRoot with an image that runs as root: CreateContainerConfigError with upstream's message", async () => {
    const uid = await get("nonroot", ".metadata.uid");
    const waiting = await until(async () => {
      const w = await get("nonroot", ".status.containerStatuses[0].state.waiting");
      return w.includes("CreateContainerConfigError") ? JSON.parse(w) : undefined;
    }, "CreateContainerConfigError");
    assert.deepEqual(waiting, {
      reason: "CreateContainerConfigError",
      message: `container has runAsNonRoot and image will run as root (pod: "nonroot_default(${uid})", container: main)`,
    });
  });

  it("a container over its memory limit ends OOMKilled with 137", async () => {
    const terminated = await until(async () => {
      const t = await get("oom", ".status.containerStatuses[0].state.terminated");
      return t ? JSON.parse(t) : undefined;
    }, "oom's container to end");
    assert.equal(terminated.reason, "OOMKilled");
    assert.equal(terminated.exitCode, 137);
    assert.equal(await get("oom", ".status.phase"), "Failed");
  });

  it("cpu and memory limits in the container's cgroup, under the pod's QoS cgroup", async () => {
    const [quota, period, shares, memory, cgroup] = (await output("cgroup")).trimEnd().split("\n");
    assert.equal(quota, "50000");
    assert.equal(period, "100000");
    assert.equal(shares, "256");
    assert.equal(memory, String(64 * 1024 * 1024));
    const uid = await get("cgroup", ".metadata.uid");
    assert.equal(await get("cgroup", ".status.qosClass"), "Burstable");
    assert.match(cgroup, new RegExp(`^\\d+:memory:/k8ts/kubepods/burstable/pod${uid}/[0-9a-f]{64}$`));
    assert.ok(existsSync(`/sys/fs/cgroup/memory/k8ts/kubepods/burstable/pod${uid}`));
  });

  it("env from literals, configMap, secret, fieldRef, resourceFieldRef and $(VAR); configMap and secret volumes", async () => {
    assert.equal(
      await output("env"),
      "LIT=literal CM=blue SEC=s3cret POD=env NS=default MEM=64 EXP=literal-blue\nblue\ns3cret\n",
    );
  });

  it("a pod reaches another pod by IP", async () => {
    const ip = await until(async () => (await get("server", ".status.podIP")) || undefined, "server's IP");
    // No wget -T: Debian's static busybox wget segfaults with it.
    await apply(
      pod("client", `until wget -q -O - http://${ip}:8080/; do sleep 1; done; echo END; sleep 3600`),
    );
    assert.equal(await output("client"), "hello from server\n");
  });

  for (const name of ["live-exec", "live-http", "live-tcp"]) {
    it(`a failing ${name.slice(5)} liveness probe restarts the container`, async () => {
      await until(
        async () =>
          Number((await get(name, ".status.containerStatuses[0].restartCount")) || 0) >= 1 ? true : undefined,
        `${name} to restart`,
        90_000,
        500,
      );
      const events = await cluster.kubectl([
        "get",
        "events",
        "--field-selector",
        `involvedObject.name=${name},reason=Unhealthy`,
        "-o",
        "jsonpath={.items[0].message}",
      ]);
      assert.match(events.stdout, /^Liveness probe failed/);
    });
  }

  it("a readiness probe keeps the pod not Ready until it succeeds", async () => {
    await apply(
      pod(
        "ready",
        "mkdir -p /www; httpd -p 8080 -h /www; sleep 6; echo ok > /www/ready; sleep 3600",
        {},
        { readinessProbe: { httpGet: { path: "/ready", port: 8080 }, periodSeconds: 1 } },
      ),
    );
    await until(
      async () => ((await get("ready", ".status.phase")) === "Running" ? true : undefined),
      "ready Running",
    );
    assert.equal(await get("ready", '.status.conditions[?(@.type=="Ready")].status'), "False");
    await until(
      async () =>
        (await get("ready", '.status.conditions[?(@.type=="Ready")].status')) === "True" ? true : undefined,
      "ready to be Ready",
      30_000,
    );
    assert.equal(await get("ready", ".status.containerStatuses[0].restartCount"), "0");
  });
});
