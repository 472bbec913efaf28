// Informer events into the cache and the queue (upstream's eventhandlers.go):
// bound pods go to the cache, pending pods of our profiles to the queue, and
// every change that might make an unschedulable pod fit (a node added or
// relabelled, a pod deleted, a volume appearing) moves the pods whose
// rejecting plugins registered for that event.
import type { Node, Pod } from "kubernetes-types/core/v1.d.ts";
import type { SharedInformerFactory } from "../client/informer-factory.ts";
import { Resources } from "../client/resources.ts";
import type { ResourceRef } from "../client/rest-client.ts";
import type { HandlerRegistration } from "../client/shared-informer.ts";
import type { SchedulerCache } from "./cache/cache.ts";
import type { ActionType, ClusterEventResource } from "./framework/interface.ts";
import type { SchedulingQueue } from "./queue/scheduling-queue.ts";

export const STORAGE_CLASSES: ResourceRef = {
  group: "storage.k8s.io",
  version: "v1",
  resource: "storageclasses",
  namespaced: false,
};

const assigned = (pod: Pod) => !!pod.spec?.nodeName;
const terminal = (pod: Pod) => pod.status?.phase === "Succeeded" || pod.status?.phase === "Failed";
const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Which scheduling-relevant parts of a node changed, as upstream's nodeSchedulingPropertiesChange. */
export function nodeUpdateActions(oldNode: Node, newNode: Node): ActionType[] {
  const out: ActionType[] = [];
  if (oldNode.spec?.unschedulable !== newNode.spec?.unschedulable) out.push("UpdateNodeTaint");
  if (!same(oldNode.status?.allocatable, newNode.status?.allocatable)) out.push("UpdateNodeAllocatable");
  if (!same(oldNode.metadata?.labels, newNode.metadata?.labels)) out.push("UpdateNodeLabel");
  if (!same(oldNode.spec?.taints, newNode.spec?.taints)) out.push("UpdateNodeTaint");
  if (
    !same(
      oldNode.status?.conditions?.map((c) => [c.type, c.status]),
      newNode.status?.conditions?.map((c) => [c.type, c.status]),
    )
  ) {
    out.push("Update");
  }
  return out;
}

export interface EventHandlerOptions {
  informers: SharedInformerFactory;
  cache: SchedulerCache;
  queue: SchedulingQueue;
  /** Is this pod for one of our profiles? */
  responsibleFor(pod: Pod): boolean;
  /** A pending pod was bound (deleted = false) or deleted: drop what is kept about its attempts. */
  onPodGone?(pod: Pod, deleted: boolean): void;
}

export function addAllEventHandlers(o: EventHandlerOptions): HandlerRegistration[] {
  const { cache, queue } = o;
  const move = (resource: ClusterEventResource, action: ActionType) =>
    queue.movePodsToActiveOrBackoffQueue({ resource, action, label: `${resource}${action}` });
  const regs: HandlerRegistration[] = [];

  const addAssigned = (pod: Pod) => {
    if (terminal(pod)) return;
    cache.addPod(pod);
    move("AssignedPod", "Add");
  };
  regs.push(
    o.informers.forResource<Pod>(Resources.pods).addEventHandler({
      onAdd(pod) {
        if (assigned(pod)) addAssigned(pod);
        else if (o.responsibleFor(pod) && !pod.metadata?.deletionTimestamp) queue.add(pod);
      },
      onUpdate(oldPod, pod) {
        if (assigned(pod)) {
          if (!assigned(oldPod)) {
            // Bound: confirms the assumed pod; it leaves the queue for good.
            queue.delete(pod);
            o.onPodGone?.(pod, false);
            addAssigned(pod);
          } else if (terminal(pod)) {
            cache.removePod(pod);
            move("AssignedPod", "Delete");
          } else {
            cache.updatePod(pod);
            move("AssignedPod", "Update");
          }
          return;
        }
        if (!o.responsibleFor(pod)) return;
        if (pod.metadata?.deletionTimestamp) queue.delete(pod);
        else queue.update(pod);
      },
      onDelete(pod) {
        if (assigned(pod)) {
          cache.removePod(pod);
          move("AssignedPod", "Delete");
        } else {
          queue.delete(pod);
          o.onPodGone?.(pod, true);
          // An assumed pod deleted before its binding landed.
          cache.forgetPod(pod);
        }
      },
    }),
  );

  regs.push(
    o.informers.forResource<Node>(Resources.nodes).addEventHandler({
      onAdd(node) {
        cache.addNode(node);
        move("Node", "Add");
      },
      onUpdate(oldNode, node) {
        cache.updateNode(node);
        for (const a of nodeUpdateActions(oldNode, node)) move("Node", a);
      },
      onDelete(node) {
        cache.removeNode(node);
      },
    }),
  );

  const simple = (res: ResourceRef, resource: ClusterEventResource) =>
    o.informers.forResource(res).addEventHandler({
      onAdd: (_obj, initial) => {
        if (!initial) move(resource, "Add");
      },
      onUpdate: (a, b) => {
        if (a !== b) move(resource, "Update");
      },
      onDelete: () => move(resource, "Delete"),
    });
  regs.push(simple(Resources.persistentvolumes, "PersistentVolume"));
  regs.push(simple(Resources.persistentvolumeclaims, "PersistentVolumeClaim"));
  regs.push(simple(STORAGE_CLASSES, "StorageClass"));
  regs.push(simple(Resources.namespaces, "Namespace"));
  return regs;
}
