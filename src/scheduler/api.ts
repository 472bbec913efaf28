// The API writes of the scheduler: bindings, preemption's deletions and
// nominations, and status conditions. Everything goes through the apiserver.
import type { Binding, Pod, PodCondition } from "kubernetes-types/core/v1.d.ts";
import { Resources } from "../client/resources.ts";
import type { KubeObject, ResourceRef, RestClient } from "../client/rest-client.ts";
import type { PluginApi } from "./framework/interface.ts";

export function pluginApi(client: RestClient, fieldManager = "kube-scheduler"): PluginApi {
  const ns = (pod: Pod) => pod.metadata?.namespace ?? "default";
  const name = (pod: Pod) => pod.metadata?.name ?? "";
  return {
    async bindPod(pod, nodeName) {
      const binding: Binding & KubeObject = {
        apiVersion: "v1",
        kind: "Binding",
        metadata: { name: name(pod), namespace: ns(pod), uid: pod.metadata?.uid },
        target: { apiVersion: "v1", kind: "Node", name: nodeName },
      };
      await client.create(Resources.pods, binding, {
        namespace: ns(pod),
        subresource: "binding",
        fieldManager,
      });
    },
    async deletePod(pod, gracePeriodSeconds) {
      await client.delete(Resources.pods, name(pod), {
        namespace: ns(pod),
        gracePeriodSeconds,
        preconditions: pod.metadata?.uid ? { uid: pod.metadata.uid } : undefined,
      });
    },
    async setNominatedNodeName(pod, nodeName) {
      await client.patch(
        Resources.pods,
        name(pod),
        { status: { nominatedNodeName: nodeName || null } },
        { type: "merge", namespace: ns(pod), subresource: "status", fieldManager },
      );
    },
    async patchPodCondition(pod, condition: PodCondition) {
      await client.patch(
        Resources.pods,
        name(pod),
        { status: { conditions: [condition] } },
        { type: "strategic", namespace: ns(pod), subresource: "status", fieldManager },
      );
    },
    patch(res: ResourceRef, namespace, objName, patch) {
      return client.patch<KubeObject>(res, objName, patch, { type: "merge", namespace, fieldManager });
    },
    update(res, obj) {
      return client.update(res, obj, { fieldManager });
    },
  };
}
