// Priority (plugin/pkg/admission/priority): a new pod's priorityClassName (or
// the global default class) resolves to spec.priority and spec.preemptionPolicy;
// only one PriorityClass may be the global default. The apiserver also makes
// sure the two system classes exist (ensureSystemPriorityClasses).
import type { Obj } from "../../../api/registry.ts";
import { isAlreadyExists, isNotFound, newBadRequest } from "../../../machinery/status.ts";
import type { Registry } from "../../registry/index.ts";
import type { AdmissionAttributes, MutatingPlugin, Operation, ValidatingPlugin } from "../admission.ts";
import { admissionForbidden, errorMessage } from "./errors.ts";
import { ObjectCache } from "./object-cache.ts";

/** scheduling.DefaultPriorityWhenNoDefaultClassExists. */
export const DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS = 0;
export const SYSTEM_CRITICAL_PRIORITY = 2_000_000_000;

/** scheduling.SystemPriorityClasses(), created at every apiserver start if missing. */
export const SYSTEM_PRIORITY_CLASSES: readonly { name: string; value: number; description: string }[] = [
  {
    name: "system-node-critical",
    value: SYSTEM_CRITICAL_PRIORITY + 1000,
    description: "Used for system critical pods that must not be moved from their current node.",
  },
  {
    name: "system-cluster-critical",
    value: SYSTEM_CRITICAL_PRIORITY,
    description:
      "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.",
  },
];

/** The scheduling/bootstrap-system-priority-classes post-start hook. */
export async function ensureSystemPriorityClasses(registry: Registry): Promise<void> {
  const store = registry.byResource("scheduling.k8s.io", "v1", "priorityclasses")!;
  for (const pc of SYSTEM_PRIORITY_CLASSES) {
    try {
      await store.get(undefined, pc.name);
      continue;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const obj: Obj = {
      apiVersion: "scheduling.k8s.io/v1",
      kind: "PriorityClass",
      metadata: { name: pc.name },
      value: pc.value,
      description: pc.description,
    };
    store.strategy.defaults(obj);
    try {
      await store.create(undefined, obj);
    } catch (e) {
      if (!isAlreadyExists(e)) throw e;
    }
  }
}

export interface PriorityOptions {
  registry: Registry;
  /** PriorityClasses from a watch; a miss by name still reads the store. */
  cache?: ObjectCache;
}

export class PriorityAdmission implements MutatingPlugin, ValidatingPlugin {
  readonly name = "Priority";

  private readonly classes: ObjectCache;

  /** Without a running cache, every read goes to the store. */
  constructor(opts: PriorityOptions) {
    this.classes =
      opts.cache ?? new ObjectCache(opts.registry.byResource("scheduling.k8s.io", "v1", "priorityclasses")!);
  }

  handles(op: Operation): boolean {
    return op === "CREATE" || op === "UPDATE" || op === "DELETE";
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.subresource !== "") return;
    if (a.resource.group !== "" || a.resource.resource !== "pods") return;
    if (a.operation === "CREATE" || a.operation === "UPDATE") await this.admitPod(a);
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    if (a.subresource !== "") return;
    if (a.resource.group !== "scheduling.k8s.io" || a.resource.resource !== "priorityclasses") return;
    if (a.operation === "CREATE" || a.operation === "UPDATE") await this.validatePriorityClass(a);
  }

  private async admitPod(a: AdmissionAttributes): Promise<void> {
    const pod = a.object;
    if (!pod || a.kind.kind !== "Pod") {
      throw newBadRequest("resource was marked with kind Pod but was unable to be converted");
    }
    pod.spec ??= {};
    const spec = pod.spec;
    if (a.operation === "UPDATE") {
      // Set on create and immutable since: an update that drops them keeps the stored ones.
      const old = a.oldObject?.spec ?? {};
      if (spec.priority == null && old.priority != null) spec.priority = old.priority;
      if (spec.preemptionPolicy == null && old.preemptionPolicy != null)
        spec.preemptionPolicy = old.preemptionPolicy;
      return;
    }
    let priority: number;
    let preemptionPolicy: string | undefined;
    if (!spec.priorityClassName) {
      let def: { name: string; value: number; preemptionPolicy?: string };
      try {
        def = await this.defaultPriority();
      } catch (e) {
        throw new Error(`failed to get default priority class: ${errorMessage(e)}`);
      }
      if (def.name) spec.priorityClassName = def.name;
      else delete spec.priorityClassName;
      priority = def.value;
      preemptionPolicy = def.preemptionPolicy;
    } else {
      const pc = await this.priorityClass(spec.priorityClassName);
      if (!pc) throw admissionForbidden(a, `no PriorityClass with name ${spec.priorityClassName} was found`);
      priority = pc.value ?? 0;
      preemptionPolicy = pc.preemptionPolicy ?? undefined;
    }
    if (spec.priority != null && spec.priority !== priority) {
      throw admissionForbidden(
        a,
        `the integer value of priority (${spec.priority}) must not be provided in pod spec; priority admission controller computed ${priority} from the given PriorityClass name`,
      );
    }
    spec.priority = priority;
    if (preemptionPolicy !== undefined) {
      if (spec.preemptionPolicy != null && spec.preemptionPolicy !== preemptionPolicy) {
        throw admissionForbidden(
          a,
          `the string value of PreemptionPolicy (${spec.preemptionPolicy}) must not be provided in pod spec; priority admission controller computed ${preemptionPolicy} from the given PriorityClass name`,
        );
      }
      spec.preemptionPolicy = preemptionPolicy;
    }
  }

  private async validatePriorityClass(a: AdmissionAttributes): Promise<void> {
    const pc = a.object;
    if (!pc || a.kind.kind !== "PriorityClass") {
      throw newBadRequest("resource was marked with kind PriorityClass but was unable to be converted");
    }
    if (pc.globalDefault !== true) return;
    let dpc: Obj | undefined;
    try {
      dpc = await this.defaultPriorityClass();
    } catch (e) {
      throw new Error(`failed to get default priority class: ${errorMessage(e)}`);
    }
    if (!dpc) return;
    // A second default, or another class made default while one exists.
    if (a.operation === "CREATE" || (a.operation === "UPDATE" && dpc.metadata?.name !== pc.metadata?.name)) {
      throw admissionForbidden(
        a,
        `PriorityClass ${dpc.metadata?.name} is already marked as default. Only one default can exist`,
      );
    }
  }

  private async priorityClass(name: string): Promise<Obj | undefined> {
    try {
      return await this.classes.lookup(undefined, name);
    } catch (e) {
      throw new Error(`failed to get PriorityClass with name ${name}: ${errorMessage(e)}`);
    }
  }

  private priorityClasses(): Promise<Obj[]> {
    return this.classes.listAll();
  }

  /** The global default; if a race made several, the one with the lowest value. */
  private async defaultPriorityClass(): Promise<Obj | undefined> {
    let def: Obj | undefined;
    for (const pc of await this.priorityClasses()) {
      if (pc.globalDefault === true && (!def || (def.value ?? 0) > (pc.value ?? 0))) def = pc;
    }
    return def;
  }

  private async defaultPriority(): Promise<{ name: string; value: number; preemptionPolicy?: string }> {
    const dpc = await this.defaultPriorityClass();
    if (dpc)
      return { name: dpc.metadata.name, value: dpc.value ?? 0, preemptionPolicy: dpc.preemptionPolicy };
    return {
      name: "",
      value: DEFAULT_PRIORITY_WHEN_NO_DEFAULT_CLASS_EXISTS,
      preemptionPolicy: "PreemptLowerPriority",
    };
  }
}
