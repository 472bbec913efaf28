// Builds a Framework from a profile: one instance per enabled plugin, placed
// at every extension point it implements (multiPoint), with per-point
// enable/disable and weights applied in upstream's order: plugins named at
// the point itself that multiPoint also enables, then the other multiPoint
// plugins, then the point's own additions.
import type { ExtensionPoint, PluginRef, Profile } from "../config.ts";
import type { Handle, Plugin, PluginFactory } from "./interface.ts";
import { Framework, type ProfilePlugins } from "./runtime.ts";

/** The method that says a plugin implements an extension point. */
const METHOD: Record<Exclude<ExtensionPoint, "postBind">, string> = {
  preEnqueue: "preEnqueue",
  queueSort: "less",
  preFilter: "preFilter",
  filter: "filter",
  postFilter: "postFilter",
  preScore: "preScore",
  score: "score",
  reserve: "reserve",
  permit: "permit",
  preBind: "preBind",
  bind: "bind",
};

export class ProfileError extends Error {}

const implementsPoint = (p: Plugin, point: keyof typeof METHOD) =>
  typeof (p as unknown as Record<string, unknown>)[METHOD[point]] === "function";

export function buildFramework(
  profile: Profile,
  registry: ReadonlyMap<string, PluginFactory>,
  handle: Handle,
): Framework {
  const args = new Map(profile.pluginConfig.map((c) => [c.name, c.args]));
  const instances = new Map<string, Plugin>();
  const instance = (name: string): Plugin => {
    let p = instances.get(name);
    if (!p) {
      const factory = registry.get(name);
      if (!factory)
        throw new ProfileError(`profile "${profile.schedulerName}": plugin "${name}" does not exist`);
      p = factory(args.get(name), handle);
      instances.set(name, p);
    }
    return p;
  };

  const multi = profile.plugins.multiPoint?.enabled ?? [];
  const weights = new Map<string, number>();
  for (const r of multi) if (r.weight) weights.set(r.name, r.weight);

  const pointRefs = (point: keyof typeof METHOD): PluginRef[] => {
    const set = profile.plugins[point];
    const disabled = new Set((set?.disabled ?? []).map((p) => p.name));
    const specific = set?.enabled ?? [];
    const specificNames = new Set(specific.map((p) => p.name));
    const multiNames = new Set(multi.map((p) => p.name));
    const out: PluginRef[] = [];
    for (const r of specific) if (multiNames.has(r.name)) out.push(r);
    if (!disabled.has("*")) {
      for (const r of multi) {
        if (specificNames.has(r.name) || disabled.has(r.name)) continue;
        if (implementsPoint(instance(r.name), point)) out.push(r);
      }
    }
    for (const r of specific) if (!multiNames.has(r.name)) out.push(r);
    for (const r of out) {
      if (!implementsPoint(instance(r.name), point)) {
        throw new ProfileError(
          `profile "${profile.schedulerName}": plugin "${r.name}" does not extend ${point} plugin`,
        );
      }
    }
    return out;
  };
  const at = <T>(point: keyof typeof METHOD) => pointRefs(point).map((r) => instance(r.name) as T);
  const scoreNames = new Set((profile.plugins.score?.enabled ?? []).map((p) => p.name));

  const plugins: ProfilePlugins = {
    preEnqueue: at("preEnqueue"),
    queueSort: at("queueSort"),
    preFilter: at("preFilter"),
    filter: at("filter"),
    postFilter: at("postFilter"),
    preScore: at("preScore"),
    score: pointRefs("score").map((r) => ({
      plugin: instance(r.name) as ProfilePlugins["score"][number]["plugin"],
      // A weight at the score point wins, 0 meaning 1; only plugins enabled just by multiPoint take its weight.
      weight: scoreNames.has(r.name) ? r.weight || 1 : weights.get(r.name) || 1,
    })),
    reserve: at("reserve"),
    permit: at("permit"),
    preBind: at("preBind"),
    bind: at("bind"),
    enqueueExtensions: [],
  };
  if (plugins.queueSort.length !== 1) {
    throw new ProfileError(`profile "${profile.schedulerName}": exactly one queueSort plugin is required`);
  }
  if (plugins.bind.length === 0) {
    throw new ProfileError(`profile "${profile.schedulerName}": at least one bind plugin is required`);
  }
  for (const p of instances.values()) {
    if (typeof (p as { eventsToRegister?: unknown }).eventsToRegister === "function") {
      plugins.enqueueExtensions.push(p as ProfilePlugins["enqueueExtensions"][number]);
    }
  }
  return new Framework(profile.schedulerName, plugins, handle, profile.percentageOfNodesToScore);
}
