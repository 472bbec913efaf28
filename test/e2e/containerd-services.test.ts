// Services on a real node, in both kube-proxy modes: a 3-replica httpd
// Deployment behind a Service, reached by name through the cluster DNS from a
// client pod, by NodePort from the host; scaling, readiness, session affinity
// and deletion change where traffic goes. Everything made is removed in after().
import assert from "node:assert/strict";
import { createSocket } from "node:dgram";
import { after, before, describe, it } from "node:test";
import dnsPacket from "dns-packet";
import { type ContainerdCluster, startContainerdCluster, until } from "../support/containerd.ts";
import { type Cluster, run } from "./harness.ts";

const IMAGE = "k8ts.local/busybox:latest";

const manifests = [
  {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: { name: "web" },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: "web" } },
      template: {
        metadata: { labels: { app: "web" } },
        spec: {
          terminationGracePeriodSeconds: 1,
          containers: [
            {
              name: "httpd",
              image: IMAGE,
              imagePullPolicy: "IfNotPresent",
              // Each pod answers with its own name; /ready.html gates its readiness.
              command: [
                "sh",
                "-c",
                "mkdir -p /www && hostname > /www/index.html && touch /www/ready.html && exec httpd -f -p 8080 -h /www",
              ],
              ports: [{ name: "http", containerPort: 8080 }],
              readinessProbe: { httpGet: { path: "/ready.html", port: 8080 }, periodSeconds: 1 },
            },
          ],
        },
      },
    },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web" },
    spec: {
      type: "NodePort",
      selector: { app: "web" },
      ports: [{ name: "http", port: 80, targetPort: "http" }],
    },
  },
  {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: "web-headless" },
    spec: { clusterIP: "None", selector: { app: "web" }, ports: [{ name: "http", port: 8080 }] },
  },
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "hostport" },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        {
          name: "httpd",
          image: IMAGE,
          imagePullPolicy: "IfNotPresent",
          command: [
            "sh",
            "-c",
            "mkdir -p /www && echo via-hostport > /www/index.html && exec httpd -f -p 8080 -h /www",
          ],
          ports: [{ containerPort: 8080, hostPort: 18080 }],
        },
      ],
    },
  },
  {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name: "client" },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [
        { name: "main", image: IMAGE, imagePullPolicy: "IfNotPresent", command: ["sleep", "3600"] },
      ],
    },
  },
];

/** One DNS query over UDP to server:port. */
function query(
  server: string,
  port: number,
  name: string,
  type: "A" | "SRV" | "PTR",
): Promise<dnsPacket.Packet> {
  return new Promise((resolve, reject) => {
    const sock = createSocket("udp4");
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no DNS answer for ${name} ${type}`));
    }, 5_000);
    sock.on("message", (msg) => {
      clearTimeout(timer);
      sock.close();
      resolve(dnsPacket.decode(msg));
    });
    sock.send(
      dnsPacket.encode({
        type: "query",
        id: 7,
        flags: dnsPacket.RECURSION_DESIRED,
        questions: [{ type, name }],
      }),
      port,
      server,
    );
  });
}

for (const mode of ["iptables", "userspace"] as const) {
  describe(`services on containerd with kube-proxy in ${mode} mode`, () => {
    let node: ContainerdCluster | undefined;
    let cluster: Cluster;
    let nodeIP = "";

    const jsonpath = async (args: string[], path: string) =>
      (await cluster.kubectl(["get", ...args, "-o", `jsonpath=${path}`])).stdout;
    /** n requests from the client pod; the answering pods' names, in order. */
    const fetchFromClient = async (url: string, n: number): Promise<string[]> => {
      const r = await cluster.kubectl(
        [
          "exec",
          "client",
          "--",
          "sh",
          "-c",
          `for i in $(seq ${n}); do wget -q -O - ${url} || echo FAILED; done`,
        ],
        { timeoutMs: 120_000 },
      );
      assert.equal(r.code, 0, r.stderr);
      return r.stdout.trim().split("\n");
    };
    const readyEndpoints = async () =>
      (
        await jsonpath(
          ["endpointslices", "-l", "kubernetes.io/service-name=web"],
          "{.items[*].endpoints[?(@.conditions.ready==true)].addresses[0]}",
        )
      )
        .split(" ")
        .filter((a) => a !== "");

    before(async () => {
      node = await startContainerdCluster(["--proxy-mode", mode]);
      cluster = node.cluster;
      const r = await cluster.kubectl(["apply", "-f", "-"], {
        input: manifests.map((m) => JSON.stringify(m)).join("\n"),
      });
      assert.equal(r.code, 0, r.stderr);
      const rollout = await cluster.kubectl(["rollout", "status", "deployment/web", "--timeout=120s"], {
        timeoutMs: 130_000,
      });
      assert.equal(rollout.code, 0, rollout.stderr);
      await until(
        async () => ((await jsonpath(["pod", "client"], "{.status.phase}")) === "Running" ? true : undefined),
        "the client pod",
      );
      await until(
        async () => ((await readyEndpoints()).length === 3 ? true : undefined),
        "3 ready endpoints",
      );
      await new Promise((r) => setTimeout(r, 1_500)); // kube-proxy's minimum sync interval
      const node0 = await jsonpath(["pod", "client"], "{.spec.nodeName}");
      nodeIP = await jsonpath(["node", node0], '{.status.addresses[?(@.type=="InternalIP")].address}');
    });

    after(async () => {
      await node?.cleanUp();
    });

    it("spreads requests by the service's full DNS name over every ready pod", async () => {
      const pods = (await jsonpath(["pods", "-l", "app=web"], "{.items[*].metadata.name}")).split(" ").sort();
      const answers = await fetchFromClient("http://web.default.svc.cluster.local/", 30);
      assert.equal(answers.length, 30);
      const rules = (await run("iptables-save", ["-t", "nat"])).stdout
        .split("\n")
        .filter((l) => l.includes("default/web:http"))
        .join("\n");
      assert.deepEqual([...new Set(answers)].sort(), pods, `answers: ${answers.join(" ")}\n${rules}`);
    });

    it("resolves the short name through the pod's search path", async () => {
      const answers = await fetchFromClient("http://web/", 3);
      for (const a of answers) assert.match(a, /^web-/);
    });

    it("answers DNS as the specification says: service IP, headless pod IPs, SRV, NXDOMAIN, kubernetes.default", async () => {
      const clusterIP = await jsonpath(["service", "web"], "{.spec.clusterIP}");
      const ns = await cluster.kubectl(["exec", "client", "--", "nslookup", "web.default.svc.cluster.local"]);
      assert.match(ns.stdout, new RegExp(`Address: ${clusterIP.replaceAll(".", "\\.")}`));
      const podIPs = (await jsonpath(["pods", "-l", "app=web"], "{.items[*].status.podIP}"))
        .split(" ")
        .sort();
      const headless = await cluster.kubectl(["exec", "client", "--", "nslookup", "web-headless"]);
      const got = [...headless.stdout.matchAll(/Address: (10\.244\.\d+\.\d+)/g)].map((m) => m[1]).sort();
      assert.deepEqual(got, podIPs);
      const missing = await cluster.kubectl([
        "exec",
        "client",
        "--",
        "nslookup",
        "nope.default.svc.cluster.local",
      ]);
      assert.notEqual(missing.code, 0);
      assert.match(missing.stdout + missing.stderr, /NXDOMAIN|can't find/);
      const kube = await cluster.kubectl([
        "exec",
        "client",
        "--",
        "nslookup",
        "kubernetes.default.svc.cluster.local",
      ]);
      assert.match(kube.stdout, /Address: 10\.96\.0\.1\b/);
      // busybox's nslookup asks for the name as given; its libc resolver (ping here) walks the search path.
      const short = await cluster.kubectl([
        "exec",
        "client",
        "--",
        "ping",
        "-c",
        "1",
        "-W",
        "1",
        "kubernetes.default",
      ]);
      assert.match(short.stdout, /^PING kubernetes\.default \(10\.96\.0\.1\)/);

      // The kube-dns endpoint on the node answers SRV and PTR too.
      const srv = await query(nodeIP, 53, "_http._tcp.web.default.svc.cluster.local", "SRV");
      assert.deepEqual(
        srv.answers?.map((a) => (a.type === "SRV" ? [a.data.port, a.data.target] : [])),
        [[80, "web.default.svc.cluster.local"]],
      );
      const ptr = await query(nodeIP, 53, `${clusterIP.split(".").reverse().join(".")}.in-addr.arpa`, "PTR");
      assert.deepEqual(
        ptr.answers?.map((a) => (a.type === "PTR" ? a.data : undefined)),
        ["web.default.svc.cluster.local"],
      );
    });

    it("reaches the pods through the NodePort from the host", async () => {
      const nodePort = await jsonpath(["service", "web"], "{.spec.ports[0].nodePort}");
      const r = await run("curl", ["-sS", "--max-time", "10", `http://${nodeIP}:${nodePort}/`]);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^web-/);
    });

    it("reaches a pod's hostPort on the node IP (CNI portmap)", async () => {
      await until(
        async () =>
          (await jsonpath(["pod", "hostport"], "{.status.phase}")) === "Running" ? true : undefined,
        "the hostport pod",
      );
      const r = await until(
        async () => {
          const c = await run("curl", ["-sS", "--max-time", "5", `http://${nodeIP}:18080/`]);
          return c.code === 0 ? c : undefined;
        },
        "the hostPort to answer",
        20_000,
      );
      assert.equal(r.stdout, "via-hostport\n");
    });

    it("takes an unready pod out of rotation", async () => {
      const victim = (await jsonpath(["pods", "-l", "app=web"], "{.items[0].metadata.name}")).trim();
      const rm = await cluster.kubectl(["exec", victim, "--", "rm", "/www/ready.html"]);
      assert.equal(rm.code, 0, rm.stderr);
      await until(
        async () => ((await readyEndpoints()).length === 2 ? true : undefined),
        "the pod to leave the endpoints",
      );
      await new Promise((r) => setTimeout(r, 1_500)); // kube-proxy's minimum sync interval
      const answers = await fetchFromClient("http://web/", 12);
      assert.ok(!answers.includes(victim), `${victim} still answered: ${answers.join(" ")}`);
      const back = await cluster.kubectl(["exec", victim, "--", "touch", "/www/ready.html"]);
      assert.equal(back.code, 0, back.stderr);
      await until(
        async () => ((await readyEndpoints()).length === 3 ? true : undefined),
        "the pod to come back",
      );
    });

    it("sticks a client to one pod with sessionAffinity ClientIP", async () => {
      const p = await cluster.kubectl([
        "patch",
        "service",
        "web",
        "-p",
        '{"spec":{"sessionAffinity":"ClientIP"}}',
      ]);
      assert.equal(p.code, 0, p.stderr);
      await new Promise((r) => setTimeout(r, 1_500));
      const answers = await fetchFromClient("http://web/", 10);
      assert.equal(new Set(answers).size, 1, answers.join(" "));
      const undo = await cluster.kubectl([
        "patch",
        "service",
        "web",
        "-p",
        '{"spec":{"sessionAffinity":"None"}}',
      ]);
      assert.equal(undo.code, 0, undo.stderr);
    });

    it("sends everything to the one pod left after scaling to one replica", async () => {
      const s = await cluster.kubectl(["scale", "deployment/web", "--replicas=1"]);
      assert.equal(s.code, 0, s.stderr);
      await until(async () => ((await readyEndpoints()).length === 1 ? true : undefined), "one endpoint");
      await new Promise((r) => setTimeout(r, 1_500));
      const left = (
        await jsonpath(
          ["pods", "-l", "app=web", "--field-selector=status.phase=Running"],
          "{.items[*].metadata.name}",
        )
      )
        .split(" ")
        .filter((n) => n !== "");
      const answers = await fetchFromClient("http://web/", 6);
      assert.deepEqual([...new Set(answers)], [answers[0]]);
      assert.ok(left.includes(answers[0]!), `${answers[0]} is not one of ${left.join(" ")}`);
    });

    it("stops the traffic of a deleted service", async () => {
      const clusterIP = await jsonpath(["service", "web"], "{.spec.clusterIP}");
      const d = await cluster.kubectl(["delete", "service", "web"]);
      assert.equal(d.code, 0, d.stderr);
      await new Promise((r) => setTimeout(r, 2_000));
      const answers = await fetchFromClient(`http://${clusterIP}/`, 1);
      assert.deepEqual(answers, ["FAILED"]);
    });
  });
}
