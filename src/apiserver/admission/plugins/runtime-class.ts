// RuntimeClass (plugin/pkg/admission/runtimeclass): a new pod that names a
// RuntimeClass gets its overhead (spec.overhead, which the scheduler and the
// kubelet count) and its scheduling (nodeSelector and tolerations, so the pod
// lands where the handler exists). A pod may set no overhead of its own.
import type { Toleration } from "kubernetes-types/core/v1.d.ts";
import type { Obj } from "../../../api/registry.ts";
import { sameToleration } from "../../../api/scheduling/taints.ts";
import { parseQuantity } from "../../../machinery/quantity.ts";
import { newBadRequest } from "../../../machinery/status.ts";
import type { Registry } from "../../registry/index.ts";
import type { AdmissionAttributes, MutatingPlugin, Operation, ValidatingPlugin } from "../admission.ts";
import { admissionForbidden } from "./errors.ts";
import { ObjectCache } from "./object-cache.ts";

export class RuntimeClassAdmission implements MutatingPlugin, ValidatingPlugin {
  readonly name = "RuntimeClass";

  private readonly classes: ObjectCache;

  /** Without a running cache, every read goes to the store. */
  constructor(opts: { registry: Registry; cache?: ObjectCache }) {
    this.classes =
      opts.cache ?? new ObjectCache(opts.registry.byResource("node.k8s.io", "v1", "runtimeclasses")!);
  }

  handles(op: Operation): boolean {
    return op === "CREATE";
  }

  async admit(a: AdmissionAttributes): Promise<void> {
    const prepared = await this.prepare(a);
    if (!prepared?.runtimeClass) return;
    const { pod, runtimeClass } = prepared;
    const overhead = runtimeClass.overhead?.podFixed;
    if (overhead) {
      if (pod.spec.overhead != null && !sameResources(overhead, pod.spec.overhead)) {
        throw admissionForbidden(
          a,
          "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead",
        );
      }
      pod.spec.overhead = { ...overhead };
    }
    const scheduling = runtimeClass.scheduling;
    if (!scheduling) return;
    const selector: Record<string, string> | undefined = scheduling.nodeSelector;
    if (pod.spec.nodeSelector == null) {
      if (selector) pod.spec.nodeSelector = { ...selector };
    } else {
      for (const [key, value] of Object.entries(selector ?? {})) {
        const podValue = pod.spec.nodeSelector[key];
        if (podValue !== undefined && podValue !== value) {
          throw admissionForbidden(
            a,
            `conflict: runtimeClass.scheduling.nodeSelector[${key}] = ${value}; pod.spec.nodeSelector[${key}] = ${podValue}`,
          );
        }
        pod.spec.nodeSelector[key] = value;
      }
    }
    const merged = mergeTolerations(pod.spec.tolerations ?? [], scheduling.tolerations ?? []);
    if (merged.length > 0) pod.spec.tolerations = merged;
    else delete pod.spec.tolerations;
  }

  async validate(a: AdmissionAttributes): Promise<void> {
    const prepared = await this.prepare(a);
    if (!prepared) return;
    const overhead = prepared.runtimeClass?.overhead?.podFixed;
    const podOverhead = prepared.pod.spec.overhead;
    if (overhead) {
      if (podOverhead == null || !sameResources(overhead, podOverhead)) {
        throw admissionForbidden(
          a,
          "pod rejected: Pod's Overhead doesn't match RuntimeClass's defined Overhead",
        );
      }
    } else if (podOverhead != null) {
      throw admissionForbidden(
        a,
        "pod rejected: Pod Overhead set without corresponding RuntimeClass defined Overhead",
      );
    }
  }

  /** prepareObjects: the pod and its RuntimeClass; undefined for requests the plugin ignores. */
  private async prepare(a: AdmissionAttributes): Promise<{ pod: Obj; runtimeClass?: Obj } | undefined> {
    if (a.subresource !== "" || a.resource.group !== "" || a.resource.resource !== "pods") return undefined;
    const pod = a.object;
    if (!pod || a.kind.kind !== "Pod") {
      throw newBadRequest("Resource was marked with kind Pod but was unable to be converted");
    }
    pod.spec ??= {};
    const name: string | undefined = pod.spec.runtimeClassName ?? undefined;
    if (name === undefined) return { pod };
    const runtimeClass = await this.classes.lookup(undefined, name);
    if (!runtimeClass) throw admissionForbidden(a, `pod rejected: RuntimeClass "${name}" not found`);
    return { pod, runtimeClass };
  }
}

/** Semantic equality of two resource lists: the same names, each quantity equal by value. */
function sameResources(a: Record<string, string>, b: Record<string, string>): boolean {
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((n) => b[n] !== undefined && parseQuantity(a[n]).cmp(parseQuantity(b[n])) === 0);
}

/** isSuperset: whether ss tolerates everything t does. */
function isSuperset(ss: Toleration, t: Toleration): boolean {
  if (sameToleration(ss, t)) return true;
  // An empty key with Exists matches every key; an empty effect every effect.
  if ((t.key ?? "") !== (ss.key ?? "") && ((ss.key ?? "") !== "" || ss.operator !== "Exists")) return false;
  if ((t.effect ?? "") !== (ss.effect ?? "") && (ss.effect ?? "") !== "") return false;
  if (ss.effect === "NoExecute" && ss.tolerationSeconds != null) {
    if (t.tolerationSeconds == null || t.tolerationSeconds > ss.tolerationSeconds) return false;
  }
  switch (ss.operator ?? "") {
    case "Equal":
    case "":
      return t.operator === "Equal" && (t.value ?? "") === (ss.value ?? "");
    case "Exists":
      return true;
    default:
      return false;
  }
}

/** tolerations.MergeTolerations: both lists in order, without those another one covers. */
export function mergeTolerations(first: Toleration[], second: Toleration[]): Toleration[] {
  const all = [...first, ...second];
  const merged: Toleration[] = [];
  all.forEach((t, i) => {
    if (merged.some((m) => isSuperset(m, t))) return;
    // Of two equal tolerations the first is kept.
    if (all.slice(i + 1).some((t2) => !sameToleration(t, t2) && isSuperset(t2, t))) return;
    merged.push(t);
  });
  return merged;
}
