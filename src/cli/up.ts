import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { hostname } from "node:os";
import { join } from "node:path";
import type { Node } from "kubernetes-types/core/v1.d.ts";
import { startApiServer } from "../apiserver/index.ts";
import { Resources } from "../client/resources.ts";
import { RestClient } from "../client/rest-client.ts";
import { controllerManagerInformers } from "../controllers/manager.ts";
import { controllerDescriptors } from "../controllers/registry.ts";
import { runControllerManager } from "../controllers/run.ts";
import { hostIP } from "../kubelet/index.ts";
import { CONTAINERD_PACKAGES } from "../kubelet/runtime/containerd.ts";
import { parseDuration } from "../machinery/duration.ts";
import { runScheduler } from "../scheduler/run.ts";
import { apiserverFlags, apiserverOptions } from "./apiserver-flags.ts";
import {
  controllerManagerConcurrency,
  controllerManagerConfig,
  controllerManagerFlags,
  controllerManagerServing,
} from "./controller-manager.ts";
import { SCHEDULER_ADDRESS_FILE } from "./explain-schedule.ts";
import type { Command } from "./flags.ts";
import { writeKubeconfig } from "./kubeconfig.ts";
import { kubeletFlags, runtimeFlag, startUpKubelets } from "./kubelet.ts";
import { schedulerConfig, schedulerFlags, schedulerServing } from "./scheduler.ts";
import { untilSignal } from "./signals.ts";
import { ensureContainerdPackages } from "./system-packages.ts";
import { addonFlags, proxyModeOf, startNodeAddons } from "./up-addons.ts";

function progress(msg: string): void {
  process.stderr.write(`k8ts: ${msg}\n`);
}

async function waitForDefaultServiceAccount(client: RestClient, log: (m: string) => void): Promise<void> {
  for (let i = 0; i < 150; i++) {
    const found = await client
      .get(Resources.serviceaccounts, "default", { namespace: "default" })
      .then(() => true)
      .catch(() => false);
    if (found) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  log("the default service account did not appear within 15 s: is the controller-manager running?");
}

/** Waits until this machine's Node reports Ready=True (on containerd: once the runtime and its network are ready). */
async function waitForNodeReady(client: RestClient, name: string, log: (m: string) => void): Promise<void> {
  for (let i = 0; i < 1200; i++) {
    const node = await client.get<Node>(Resources.nodes, name).catch(() => undefined);
    if (node?.status?.conditions?.some((c) => c.type === "Ready" && c.status === "True")) {
      if (i > 0) log(`node ${name} is Ready`);
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`node ${name} did not become Ready within 120 s`);
}

export const upCommand: Command = {
  name: "up",
  summary: "Start an all-in-one cluster on this machine",
  description: `Start an all-in-one cluster: the apiserver on the embedded SQLite store (or etcd), the scheduler,
the controller-manager, this machine's kubelet (static pods from <data-dir>/manifests) and --nodes
hollow kubelets, with its data in --data-dir. This machine's kubelet runs real containers on k8ts's
own containerd (--runtime containerd, the default), which needs root and the Debian packages
${CONTAINERD_PACKAGES.join(" ")}: as root on Debian the missing ones are
installed with apt-get; otherwise it stops before starting anything and says what to install.
--runtime fake runs no containers (KWOK-style) and needs none of them. Writes an admin kubeconfig
and prints 'k8ts ready: kubeconfig=<path>' when this machine's node is Ready. Running it again on
the same data dir brings the same cluster back. Ctrl-C stops it: the pods are removed and
containerd stops.`,
  flags: [
    ...apiserverFlags,
    {
      name: "kubeconfig",
      type: "string",
      help: "Where to write the admin kubeconfig (default <data-dir>/kubeconfig)",
    },
    ...schedulerFlags,
    ...controllerManagerFlags,
    runtimeFlag("containerd"),
    ...kubeletFlags,
    ...addonFlags,
    {
      name: "nodes",
      type: "number",
      default: 0,
      help: "Hollow nodes (fake runtime) to run besides this machine's",
    },
  ],
  async run(flags) {
    const dataDir = String(flags["data-dir"]);
    const kubeconfig = flags.kubeconfig ? String(flags.kubeconfig) : join(dataDir, "kubeconfig");
    const started = performance.now();
    const proxyMode = proxyModeOf(flags);
    // Before anything starts: a missing package either gets installed or stops k8ts up with what to do.
    if (flags.runtime === "containerd") ensureContainerdPackages({ progress });
    progress(`data dir ${dataDir}`);
    progress(`starting apiserver on port ${flags.port} (store: ${flags.store})…`);
    const api = await startApiServer(apiserverOptions(flags));
    progress(`apiserver serving on ${api.url}`);
    const adminConfig = await writeKubeconfig({
      path: kubeconfig,
      server: api.url,
      ca: api.pki.ca,
      user: "kubernetes-admin",
      groups: ["system:masters"],
    });
    progress(`admin kubeconfig written (${Math.round(performance.now() - started)} ms since start)`);

    // Each component gets its own identity, as upstream's kubeadm gives them, in a kubeconfig of its own.
    const componentClient = async (component: string, user: string): Promise<RestClient> => {
      const path = join(dataDir, `${component}.kubeconfig`);
      const config = await writeKubeconfig({ path, server: api.url, ca: api.pki.ca, user, groups: [] });
      return new RestClient(config, { userAgent: `k8ts-${component}` });
    };
    const schedulerClient = await componentClient("scheduler", "system:kube-scheduler");
    const cmClient = await componentClient("controller-manager", "system:kube-controller-manager");
    // One watch a resource for the scheduler and the controller-manager, which share this process: each
    // term of each joins them through a scope of its own.
    const informers = controllerManagerInformers({ client: cmClient });
    const addressFile = join(dataDir, SCHEDULER_ADDRESS_FILE);
    const stopScheduler = new AbortController();
    const scheduler = runScheduler({
      client: schedulerClient,
      informers,
      config: schedulerConfig(flags),
      signal: stopScheduler.signal,
      serving: schedulerServing(flags, {
        ...(await api.pki.ca.issueServing("kube-scheduler", ["127.0.0.1", "localhost"])),
        ca: api.pki.caCert,
      }),
      onListening: (url) => {
        writeFileSync(addressFile, `${url}\n`);
        progress(`scheduler serving ${url}/healthz, /metrics, /debug/explain`);
      },
    }).catch((e) => progress(`scheduler stopped: ${(e as Error).message}`));
    progress(`scheduler started (${Math.round(performance.now() - started)} ms since start)`);

    const stopControllers = new AbortController();
    const controllerManager = runControllerManager({
      client: cmClient,
      informers,
      descriptors: controllerDescriptors,
      controllers: flags.controllers as string[],
      concurrency: controllerManagerConcurrency(flags),
      config: {
        ...controllerManagerConfig(flags, {
          certPem: api.pki.caCert,
          keyPem: readFileSync(join(api.pki.dir, "ca.key"), "utf8"),
        }),
        localPathDir: join(dataDir, "local-path"),
        serviceAccountPrivateKeyPem: readFileSync(join(api.pki.dir, "sa.key"), "utf8"),
      },
      useServiceAccountCredentials: flags["use-service-account-credentials"] !== false,
      serving: controllerManagerServing(flags, {
        ...(await api.pki.ca.issueServing("kube-controller-manager", ["127.0.0.1", "localhost"])),
        ca: api.pki.caCert,
      }),
      onListening: (url) => progress(`controller-manager serving ${url}/healthz, /metrics`),
      signal: stopControllers.signal,
      // Leadership, start and failures; the controllers' chatter stays out of the progress output.
      log: (m) => {
        if (/leader|^started |error|fail|lost/i.test(m)) progress(`controller-manager: ${m}`);
      },
    }).catch((e) => progress(`controller-manager stopped: ${(e as Error).message}`));
    progress(`controller-manager started (${Math.round(performance.now() - started)} ms since start)`);

    progress(`starting the kubelet (runtime ${flags.runtime})…`);
    const kubelets = await startUpKubelets({
      apiUrl: api.url,
      ca: api.pki.ca,
      caPem: api.pki.caCert,
      dataDir,
      flags,
      progress,
    });
    progress(`kubelets started (${Math.round(performance.now() - started)} ms since start)`);

    const admin = new RestClient(adminConfig, { userAgent: "k8ts-up" });
    // The node's readiness, the default service account and the add-ons do not wait for each other.
    const [nodeReady, defaultAccount, addonsStarted] = await Promise.allSettled([
      waitForNodeReady(admin, hostname().toLowerCase(), progress),
      // Pods are admitted only once the ServiceAccount controller has made the namespace's default account.
      waitForDefaultServiceAccount(admin, progress),
      startNodeAddons({
        apiUrl: api.url,
        ca: api.pki.ca,
        caPem: api.pki.caCert,
        admin,
        nodeName: hostname().toLowerCase(),
        nodeIP: hostIP(),
        proxyMode,
        dnsPort: Number(flags["dns-port"]),
        dashboardPort: Number(flags["dashboard-port"]),
        metricResolutionMs: parseDuration(String(flags["metric-resolution"])),
        progress,
      }),
    ]);
    const failed = [nodeReady, defaultAccount, addonsStarted].find((r) => r.status === "rejected");
    if (failed || addonsStarted.status === "rejected") {
      if (addonsStarted.status === "fulfilled") await addonsStarted.value.stop();
      // containerd runs in its own session: it would outlive a failed start.
      await kubelets.stop();
      throw (failed as PromiseRejectedResult).reason;
    }
    const addons = addonsStarted.value;
    // Listening before saying ready: whoever waits for the line may signal at once.
    const signalled = untilSignal();
    process.stdout.write(`k8ts ready: kubeconfig=${kubeconfig}\n`);
    const sig = await signalled;
    progress(`${sig}: stopping…`);
    await addons.stop();
    admin.close();
    await kubelets.stop();
    stopControllers.abort();
    stopScheduler.abort();
    await Promise.all([scheduler, controllerManager]);
    await informers.shutdown();
    cmClient.close();
    schedulerClient.close();
    rmSync(addressFile, { force: true });
    await api.stop();
    progress("stopped");
    return 0;
  },
};
