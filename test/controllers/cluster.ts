// An in-process cluster for controller tests: an apiserver on in-memory
// SQLite, the scheduler, hollow kubelets (fake runtime: pods run and become
// Ready), and the controllers under test. Tests check the end state of the
// world, not the calls that led there.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import type { Clock } from "../../src/client/clock.ts";
import { Resources } from "../../src/client/resources.ts";
import {
  type KubeObject,
  type ListOptions,
  type ResourceRef,
  RestClient,
} from "../../src/client/rest-client.ts";
import type { ControllerDescriptor, ControllerManagerConfig } from "../../src/controllers/context.ts";
import { type StartedControllers, startControllers } from "../../src/controllers/manager.ts";
import { hollowNodeIP, hollowPodCIDR, type Kubelet, startKubelet } from "../../src/kubelet/index.ts";
import { defaultConfiguration } from "../../src/scheduler/config.ts";
import { Scheduler } from "../../src/scheduler/index.ts";
import { startTestApiServer, type TestApiServer } from "../support/apiserver.ts";

export interface ControllerClusterOptions {
  /** Hollow nodes named node-0…; default 2. */
  nodes?: number;
  /** The controllers to run. */
  controllers: ControllerDescriptor[];
  /** Run the scheduler (default true); without it pods stay Pending unless a test binds them. */
  scheduler?: boolean;
  /** The controllers' clock (kubelets and the scheduler keep real time). */
  clock?: Clock;
  /** Workers per --concurrent-*-syncs flag. */
  concurrency?: Record<string, number>;
  /** Settings of particular controllers (e.g. the CSR signer's CA). */
  config?: ControllerManagerConfig;
}

export interface ControllerCluster {
  api: TestApiServer;
  client: RestClient;
  kubelets: Kubelet[];
  controllers: StartedControllers;
  /** Polls fn every 25 ms until it returns something other than undefined/false; fails after ms with what and the last value. */
  waitFor<T>(what: string, fn: () => Promise<T | undefined | false>, ms?: number): Promise<T>;
  /** Objects of a resource in a namespace (default "default"). */
  list<T extends KubeObject>(res: ResourceRef, opts?: ListOptions): Promise<T[]>;
  pods(opts?: ListOptions): Promise<Pod[]>;
  stop(): Promise<void>;
}

export async function startControllerCluster(o: ControllerClusterOptions): Promise<ControllerCluster> {
  const api = await startTestApiServer();
  const client = new RestClient(api.admin);
  const abort = new AbortController();
  const kubelets: Kubelet[] = [];
  for (let i = 0; i < (o.nodes ?? 2); i++) {
    const { kubelet } = await startKubelet({
      client,
      nodeName: `node-${i}`,
      runtime: "fake",
      hollow: true,
      podCIDR: hollowPodCIDR(i),
      nodeIP: hollowNodeIP(i),
      log: () => {},
    });
    kubelets.push(kubelet);
  }
  let scheduler: Scheduler | undefined;
  if (o.scheduler !== false) {
    const config = defaultConfiguration();
    config.leaderElection.leaderElect = false;
    scheduler = new Scheduler({ client, config, log: () => {} });
    await scheduler.start();
  }
  const controllers = await startControllers({
    client,
    descriptors: o.controllers,
    controllers: ["*", ...o.controllers.filter((d) => d.disabledByDefault).map((d) => d.name)],
    concurrency: o.concurrency,
    config: o.config,
    signal: abort.signal,
    clock: o.clock,
    log: () => {},
  });
  const list = async <T extends KubeObject>(res: ResourceRef, opts: ListOptions = {}) =>
    (await client.list<T>(res, { namespace: "default", ...opts })).items;
  return {
    api,
    client,
    kubelets,
    controllers,
    list,
    pods: (opts) => list<Pod>(Resources.pods, opts),
    async waitFor(what, fn, ms = 15_000) {
      const end = Date.now() + ms;
      let last: unknown;
      for (;;) {
        try {
          last = await fn();
          if (last !== undefined && last !== false) return last as never;
        } catch (e) {
          last = e;
        }
        if (Date.now() > end) {
          throw new Error(
            `timed out after ${ms} ms waiting for ${what}; last: ${last instanceof Error ? last.message : JSON.stringify(last)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 25));
      }
    },
    async stop() {
      abort.abort();
      await controllers.done;
      await scheduler?.stop();
      for (const k of kubelets) await k.stop();
      client.close();
      await api.stop();
    },
  };
}
