// An in-process apiserver on in-memory SQLite with Node objects only, and a
// scheduler against it: the end state of the world is what tests check.
import type { Node, Pod, Taint } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../../src/client/resources.ts";
import { RestClient } from "../../src/client/rest-client.ts";
import { defaultConfiguration, type SchedulerConfiguration } from "../../src/scheduler/config.ts";
import { Scheduler } from "../../src/scheduler/index.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

export interface TestCluster {
  api: TestApiServer;
  client: RestClient;
  scheduler?: Scheduler;
  startScheduler(config?: SchedulerConfiguration): Promise<Scheduler>;
  node(
    name: string,
    o?: { labels?: Record<string, string>; cpu?: string; memory?: string; pods?: string; taints?: Taint[] },
  ): Promise<Node>;
  pod(
    name: string,
    spec: Partial<NonNullable<Pod["spec"]>>,
    o?: { labels?: Record<string, string>; namespace?: string; requests?: Record<string, string> },
  ): Promise<Pod>;
  get(name: string, namespace?: string): Promise<Pod>;
  waitFor(
    name: string,
    cond: (p: Pod) => boolean,
    what: string,
    ms?: number,
    namespace?: string,
  ): Promise<Pod>;
  /** Waits until the pod is bound and returns its node. */
  nodeOf(name: string, namespace?: string): Promise<string>;
  stop(): Promise<void>;
}

export function schedulerConfig(): SchedulerConfiguration {
  const c = defaultConfiguration();
  c.leaderElection.leaderElect = false;
  return c;
}

export async function startCluster(): Promise<TestCluster> {
  const api = await startTestApiServer();
  const client = new RestClient(api.admin);
  const c: TestCluster = {
    api,
    client,
    async startScheduler(config = schedulerConfig()) {
      const s = new Scheduler({ client, config, log: () => {} });
      await s.start();
      c.scheduler = s;
      return s;
    },
    async node(name, o = {}) {
      const allocatable = { cpu: o.cpu ?? "4", memory: o.memory ?? "8Gi", pods: o.pods ?? "110" };
      const node: Node = {
        apiVersion: "v1",
        kind: "Node",
        metadata: { name, labels: { "kubernetes.io/hostname": name, ...o.labels } },
        spec: { taints: o.taints },
      };
      const created = await client.create(Resources.nodes, node as Node & { metadata: object });
      return client.update(
        Resources.nodes,
        {
          ...created,
          status: { allocatable, capacity: allocatable, conditions: [{ type: "Ready", status: "True" }] },
        },
        { subresource: "status" },
      );
    },
    async pod(name, spec, o = {}) {
      const pod: Pod = {
        apiVersion: "v1",
        kind: "Pod",
        metadata: { name, namespace: o.namespace ?? "default", labels: o.labels },
        spec: {
          containers: [
            { name: "c", image: "k8ts.local/busybox:latest", resources: { requests: o.requests } },
          ],
          ...spec,
        },
      };
      return client.create(Resources.pods, pod as Pod & { metadata: object });
    },
    get: (name, namespace = "default") => client.get<Pod>(Resources.pods, name, { namespace }),
    async waitFor(name, cond, what, ms = 8000, namespace = "default") {
      const end = Date.now() + ms;
      let last: Pod | undefined;
      for (;;) {
        last = await c.get(name, namespace).catch(() => undefined);
        if (last && cond(last)) return last;
        if (Date.now() > end) {
          throw new Error(
            `timed out waiting for ${what} of pod ${name}; last: ${JSON.stringify(last?.status)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async nodeOf(name, namespace = "default") {
      const p = await c.waitFor(name, (p) => !!p.spec?.nodeName, "binding", 8000, namespace);
      return p.spec!.nodeName!;
    },
    async stop() {
      await c.scheduler?.stop();
      client.close();
      await api.stop();
    },
  };
  return c;
}

/** Waits for the PodScheduled=False condition and returns its message. */
export async function unschedulableMessage(c: TestCluster, name: string, includes?: string): Promise<string> {
  const p = await c.waitFor(
    name,
    (p) =>
      !!p.status?.conditions?.some(
        (x) =>
          x.type === "PodScheduled" && x.status === "False" && (!includes || x.message?.includes(includes)),
      ),
    "PodScheduled=False",
  );
  return p.status!.conditions!.find((x) => x.type === "PodScheduled")!.message!;
}
