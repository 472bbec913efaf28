// DefaultTolerationSeconds (plugin/pkg/admission/defaulttolerationseconds):
// every pod tolerates the not-ready and unreachable NoExecute taints for 300 s
// unless it already tolerates them, so a node's short outage does not evict it
// at once.
import type { Obj } from "../../../api/registry.ts";
import { newBadRequest } from "../../../machinery/status.ts";
import type { AdmissionAttributes, MutatingPlugin, Operation } from "../admission.ts";

export const TAINT_NODE_NOT_READY = "node.kubernetes.io/not-ready";
export const TAINT_NODE_UNREACHABLE = "node.kubernetes.io/unreachable";
/** --default-not-ready-toleration-seconds and --default-unreachable-toleration-seconds. */
export const DEFAULT_TOLERATION_SECONDS = 300;

export class DefaultTolerationSeconds implements MutatingPlugin {
  readonly name = "DefaultTolerationSeconds";

  constructor(
    private readonly notReadySeconds = DEFAULT_TOLERATION_SECONDS,
    private readonly unreachableSeconds = DEFAULT_TOLERATION_SECONDS,
  ) {}

  handles(op: Operation): boolean {
    return op === "CREATE" || op === "UPDATE";
  }

  admit(a: AdmissionAttributes): void {
    if (a.resource.group !== "" || a.resource.resource !== "pods") return;
    // Pods proper, not their subresources.
    if (a.subresource !== "") return;
    const pod = a.object;
    if (!pod || a.kind.kind !== "Pod") throw newBadRequest(`expected *api.Pod but got ${a.kind.kind}`);
    pod.spec ??= {};
    const tolerations: Obj[] = Array.isArray(pod.spec.tolerations) ? pod.spec.tolerations : [];
    // An empty key tolerates every taint, an empty effect every effect.
    const tolerates = (key: string) =>
      tolerations.some((t) => (t.key === key || !t.key) && (t.effect === "NoExecute" || !t.effect));
    const added: Obj[] = [];
    if (!tolerates(TAINT_NODE_NOT_READY)) added.push(toleration(TAINT_NODE_NOT_READY, this.notReadySeconds));
    if (!tolerates(TAINT_NODE_UNREACHABLE)) {
      added.push(toleration(TAINT_NODE_UNREACHABLE, this.unreachableSeconds));
    }
    if (added.length > 0) pod.spec.tolerations = [...tolerations, ...added];
  }
}

function toleration(key: string, seconds: number): Obj {
  return { key, operator: "Exists", effect: "NoExecute", tolerationSeconds: seconds };
}
