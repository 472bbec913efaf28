// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): read from a
// file, defaulted as upstream's v1 defaults, and merged with the default
// plugin set the way mergePlugins does (disabled "*" drops every default).
import { readFileSync } from "node:fs";
import { parse as parseYaml } from "yaml";
import { parseDuration } from "../machinery/duration.ts";

export const DEFAULT_SCHEDULER_NAME = "default-scheduler";

export interface PluginRef {
  name: string;
  weight?: number;
}

export interface PluginSet {
  enabled?: PluginRef[];
  disabled?: PluginRef[];
}

export const EXTENSION_POINTS = [
  "preEnqueue",
  "queueSort",
  "preFilter",
  "filter",
  "postFilter",
  "preScore",
  "score",
  "reserve",
  "permit",
  "preBind",
  "bind",
  "postBind",
] as const;
export type ExtensionPoint = (typeof EXTENSION_POINTS)[number];

export type Plugins = { multiPoint?: PluginSet } & { [P in ExtensionPoint]?: PluginSet };

export interface PluginConfig {
  name: string;
  args?: Record<string, unknown>;
}

export interface Profile {
  schedulerName: string;
  percentageOfNodesToScore?: number;
  plugins: Plugins;
  pluginConfig: PluginConfig[];
}

export interface SchedulerConfiguration {
  kubeconfig?: string;
  leaderElection: {
    leaderElect: boolean;
    leaseDurationMs: number;
    renewDeadlineMs: number;
    retryPeriodMs: number;
    resourceNamespace: string;
    resourceName: string;
  };
  percentageOfNodesToScore: number;
  podInitialBackoffMs: number;
  podMaxBackoffMs: number;
  profiles: Profile[];
}

/** getDefaultPlugins of v1.32, in upstream's order (which is also the filter order). */
export const DEFAULT_MULTI_POINT: PluginRef[] = [
  { name: "SchedulingGates" },
  { name: "PrioritySort" },
  { name: "NodeUnschedulable" },
  { name: "NodeName" },
  { name: "TaintToleration", weight: 3 },
  { name: "NodeAffinity", weight: 2 },
  { name: "NodePorts" },
  { name: "NodeResourcesFit", weight: 1 },
  { name: "VolumeRestrictions" },
  { name: "VolumeBinding" },
  { name: "PodTopologySpread", weight: 2 },
  { name: "InterPodAffinity", weight: 2 },
  { name: "DefaultPreemption" },
  { name: "NodeResourcesBalancedAllocation", weight: 1 },
  { name: "ImageLocality", weight: 1 },
  { name: "DefaultBinder" },
];

/** Upstream's mergePluginSet: defaults in place (custom weight wins), then custom additions; disabled drop. */
export function mergePluginSet(defaults: PluginRef[], custom: PluginSet | undefined): PluginSet {
  const disabled = new Set((custom?.disabled ?? []).map((p) => p.name));
  const customEnabled = new Map((custom?.enabled ?? []).map((p) => [p.name, p]));
  const enabled: PluginRef[] = [];
  const used = new Set<string>();
  if (!disabled.has("*")) {
    for (const d of defaults) {
      if (disabled.has(d.name)) continue;
      const c = customEnabled.get(d.name);
      enabled.push(c ?? d);
      used.add(d.name);
    }
  }
  for (const c of custom?.enabled ?? []) if (!used.has(c.name)) enabled.push(c);
  return { enabled, disabled: custom?.disabled };
}

export class ConfigError extends Error {}

function durationMs(v: unknown, def: number, field: string): number {
  if (v === undefined || v === null) return def;
  if (typeof v !== "string") throw new ConfigError(`${field}: a duration such as "15s" is required`);
  try {
    return parseDuration(v);
  } catch (e) {
    throw new ConfigError(`${field}: ${(e as Error).message}`);
  }
}

/** An integer field; `detail` is upstream's validation wording for a value out of range. */
function intField(v: unknown, def: number, field: string, min: number, max: number, detail: string): number {
  if (v === undefined || v === null) return def;
  if (typeof v !== "number" || !Number.isInteger(v)) {
    throw new ConfigError(`${field}: Invalid value: ${JSON.stringify(v)}: must be an integer`);
  }
  if (v < min || v > max) throw new ConfigError(`${field}: Invalid value: ${v}: ${detail}`);
  return v;
}

const RANGE_0_100 = "not in valid range [0-100]";

/** Defaults and validates a decoded KubeSchedulerConfiguration. */
export function defaultConfiguration(raw: Record<string, unknown> = {}): SchedulerConfiguration {
  if (raw.kind !== undefined && raw.kind !== "KubeSchedulerConfiguration") {
    throw new ConfigError(`kind: expected KubeSchedulerConfiguration, got ${JSON.stringify(raw.kind)}`);
  }
  if (raw.apiVersion !== undefined && raw.apiVersion !== "kubescheduler.config.k8s.io/v1") {
    throw new ConfigError(
      `apiVersion: expected kubescheduler.config.k8s.io/v1, got ${JSON.stringify(raw.apiVersion)}`,
    );
  }
  const le = (raw.leaderElection ?? {}) as Record<string, unknown>;
  const percentage = intField(
    raw.percentageOfNodesToScore,
    0,
    "percentageOfNodesToScore",
    0,
    100,
    RANGE_0_100,
  );
  const rawProfiles = (raw.profiles as Array<Record<string, unknown>> | undefined) ?? [{}];
  const names = new Set<string>();
  const profiles = rawProfiles.map((p, i): Profile => {
    const schedulerName = (p.schedulerName as string | undefined) ?? DEFAULT_SCHEDULER_NAME;
    if (names.has(schedulerName))
      throw new ConfigError(`profiles[${i}].schedulerName: Duplicate value: "${schedulerName}"`);
    names.add(schedulerName);
    const plugins = { ...((p.plugins as Plugins | undefined) ?? {}) };
    plugins.multiPoint = mergePluginSet(DEFAULT_MULTI_POINT, plugins.multiPoint);
    return {
      schedulerName,
      percentageOfNodesToScore:
        p.percentageOfNodesToScore === undefined
          ? undefined
          : intField(
              p.percentageOfNodesToScore,
              0,
              `profiles[${i}].percentageOfNodesToScore`,
              0,
              100,
              RANGE_0_100,
            ),
      plugins,
      pluginConfig: (p.pluginConfig as PluginConfig[] | undefined) ?? [],
    };
  });
  const initial = intField(
    raw.podInitialBackoffSeconds,
    1,
    "podInitialBackoffSeconds",
    1,
    Number.MAX_SAFE_INTEGER,
    "must be greater than 0",
  );
  const max = intField(
    raw.podMaxBackoffSeconds,
    10,
    "podMaxBackoffSeconds",
    initial,
    Number.MAX_SAFE_INTEGER,
    "must be greater than or equal to PodInitialBackoffSeconds",
  );
  const cc = (raw.clientConnection ?? {}) as Record<string, unknown>;
  return {
    kubeconfig: (cc.kubeconfig as string | undefined) || undefined,
    leaderElection: {
      leaderElect: le.leaderElect === undefined ? true : le.leaderElect === true,
      leaseDurationMs: durationMs(le.leaseDuration, 15_000, "leaderElection.leaseDuration"),
      renewDeadlineMs: durationMs(le.renewDeadline, 10_000, "leaderElection.renewDeadline"),
      retryPeriodMs: durationMs(le.retryPeriod, 2_000, "leaderElection.retryPeriod"),
      resourceNamespace: (le.resourceNamespace as string | undefined) ?? "kube-system",
      resourceName: (le.resourceName as string | undefined) ?? "kube-scheduler",
    },
    percentageOfNodesToScore: percentage,
    podInitialBackoffMs: initial * 1000,
    podMaxBackoffMs: max * 1000,
    profiles,
  };
}

/** Reads a KubeSchedulerConfiguration file (YAML or JSON). */
export function loadConfiguration(path: string): SchedulerConfiguration {
  let raw: unknown;
  try {
    raw = parseYaml(readFileSync(path, "utf8"));
  } catch (e) {
    throw new ConfigError(`reading scheduler config ${path}: ${(e as Error).message}`);
  }
  if (!raw || typeof raw !== "object") throw new ConfigError(`scheduler config ${path}: not an object`);
  try {
    return defaultConfiguration(raw as Record<string, unknown>);
  } catch (e) {
    throw new ConfigError(`scheduler config ${path}: ${(e as Error).message}`);
  }
}
