// What the controller-manager hands each controller (upstream's
// ControllerContext), and what each controller tells the manager about itself
// (upstream's ControllerDescriptor).
import type { Clock } from "../client/clock.ts";
import type { EventRecorder } from "../client/event-recorder.ts";
import type { SharedInformerFactory } from "../client/informer-factory.ts";
import type { RestClient } from "../client/rest-client.ts";
import type { Controller } from "./controller.ts";

/** Settings of particular controllers, from the controller-manager's flags. */
export interface ControllerManagerConfig {
  /** --cluster-signing-cert-file / --cluster-signing-key-file (PEM) and --cluster-signing-duration. */
  clusterSigning?: { certPem: string; keyPem: string; durationSeconds?: number };
  /** --service-account-private-key-file: the key legacy service-account token Secrets are signed with. */
  serviceAccountPrivateKeyPem?: string;
  /** --root-ca-file: what the root-CA publisher puts in every namespace's kube-root-ca.crt. */
  rootCAPem?: string;
  /** --cluster-cidr (default 10.244.0.0/16), split into --node-cidr-mask-size (24) blocks by node IPAM. */
  clusterCIDR?: string;
  nodeCIDRMaskSize?: number;
  /** --allocate-node-cidrs (default true in k8ts). */
  allocateNodeCIDRs?: boolean;
  /** --node-monitor-grace-period (40 s), --node-monitor-period (5 s), --node-startup-grace-period (60 s). */
  nodeMonitorGracePeriodMs?: number;
  nodeMonitorPeriodMs?: number;
  nodeStartupGracePeriodMs?: number;
  /** --terminated-pod-gc-threshold (12500). */
  terminatedPodGCThreshold?: number;
  /** --horizontal-pod-autoscaler-sync-period (15 s). */
  horizontalPodAutoscalerSyncPeriodMs?: number;
  /** Where the local-path provisioner keeps volumes on each node (k8ts: <data-dir>/local-path). */
  localPathDir?: string;
}

export interface ControllerContext {
  /** The controller's own identity (its service account with --use-service-account-credentials). */
  client: RestClient;
  /** Shared by all controllers: one watch per resource. Ask for informers in init, before the manager starts them. */
  informers: SharedInformerFactory;
  /** Events under the controller's event source (upstream's component name, e.g. "deployment-controller"). */
  recorder: EventRecorder;
  clock: Clock;
  /** A number in [0,1). */
  random: () => number;
  /** Workers from the controller's --concurrent-*-syncs flag (or its default). */
  workers: number;
  /** Stops when leadership is lost or the manager stops. */
  signal: AbortSignal;
  config: ControllerManagerConfig;
  log(msg: string): void;
}

/** A controller after init: its queue (for metrics) and the loop the manager runs once caches are synced. */
export interface InitializedController {
  controllers: Controller[];
  /** Runs until ctx.signal aborts; defaults to running every controller with ctx.workers workers. */
  run?(): Promise<void>;
}

export interface ControllerDescriptor {
  /** upstream's canonical name, e.g. "deployment-controller". */
  name: string;
  /** Older names --controllers also accepts, e.g. "deployment". */
  aliases: string[];
  /** The kube-system service account it runs as with --use-service-account-credentials. */
  serviceAccount: string;
  /** source.component of its events. */
  eventSource: string;
  /** Its --concurrent-*-syncs flag and default. */
  concurrency?: { flag: string; default: number };
  /** Off unless named in --controllers. */
  disabledByDefault?: boolean;
  /** Runs with the manager's own credentials even with --use-service-account-credentials (the token controller). */
  rootClient?: boolean;
  init(ctx: ControllerContext): InitializedController | Promise<InitializedController>;
}
