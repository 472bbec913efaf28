// util/node MarkPodsNotReady: the pods of a node whose kubelet went silent
// cannot say so themselves, so the controller turns their Ready condition
// False (Services stop sending them traffic) and says why in an event.
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../client/api-error.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { updatePodCondition } from "../util/pod-status.ts";

/** Updates Ready to False on each pod of nodeName; throws the errors met (after trying every pod). */
export async function markPodsNotReady(
  client: RestClient,
  recorder: EventRecorder,
  pods: readonly Pod[],
  nodeName: string,
  now: number,
): Promise<void> {
  const errs: Error[] = [];
  for (const cached of pods) {
    // Defensive, as upstream: the index may lag behind a rebinding.
    if (cached.spec?.nodeName !== nodeName) continue;
    const status = structuredClone(cached.status ?? {});
    const ready = status.conditions?.find((c) => c.type === "Ready");
    if (!ready) continue;
    if (!updatePodCondition(status, { ...ready, status: "False" }, now)) continue;
    const pod: Pod = { ...cached, status };
    try {
      await client.update(Resources.pods, pod as Pod & { metadata: object }, { subresource: "status" });
    } catch (e) {
      // Already gone: nothing left to do for it.
      if (isNotFound(e)) continue;
      errs.push(e as Error);
    }
    // upstream's reference.GetReference of the pod.
    const m = pod.metadata ?? {};
    recorder.event(
      {
        apiVersion: "v1",
        kind: "Pod",
        namespace: m.namespace,
        name: m.name,
        uid: m.uid,
        resourceVersion: m.resourceVersion,
      },
      "Warning",
      "NodeNotReady",
      "Node is not ready",
    );
  }
  if (errs.length === 1) throw errs[0];
  if (errs.length > 1) throw new Error(`[${errs.map((e) => e.message).join(", ")}]`);
}
