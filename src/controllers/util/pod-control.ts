// upstream's RealPodControl: pods made from a controller's template, created
// and deleted through the API, with the events upstream records
// (SuccessfulCreate / FailedCreate, SuccessfulDelete / FailedDelete).
import type { Pod, PodTemplateSpec } from "kubernetes-types/core/v1.d.ts";
import type { OwnerReference } from "kubernetes-types/meta/v1.d.ts";
import { ApiError, isNotFound } from "../../client/api-error.ts";
import type { EventRecorder } from "../../client/event-recorder.ts";
import { Resources } from "../../client/resources.ts";
import type { KubeObject, RestClient } from "../../client/rest-client.ts";
import { deepCopyJson } from "../../machinery/deep-copy.ts";

export const FAILED_CREATE_POD_REASON = "FailedCreate";
export const SUCCESSFUL_CREATE_POD_REASON = "SuccessfulCreate";
export const FAILED_DELETE_POD_REASON = "FailedDelete";
export const SUCCESSFUL_DELETE_POD_REASON = "SuccessfulDelete";

/** generateName of a controller's pods: "<name>-" (upstream's getPodsPrefix). */
export function podsPrefix(controllerName: string): string {
  const prefix = `${controllerName}-`;
  // A prefix that would make an invalid name (too long) is used without the dash, as upstream does.
  return prefix.length <= 253 - 5 ? prefix : controllerName;
}

/** upstream's GetPodFromTemplate: labels, annotations and finalizers of the template, its spec, and the controller reference. */
export function getPodFromTemplate(
  template: PodTemplateSpec,
  parent: KubeObject,
  controllerRef?: OwnerReference,
): Pod {
  const meta = template.metadata ?? {};
  const pod: Pod = {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      generateName: podsPrefix(parent.metadata?.name ?? ""),
      labels: { ...meta.labels },
      annotations: { ...meta.annotations },
      ...(meta.finalizers?.length ? { finalizers: [...meta.finalizers] } : {}),
      ...(controllerRef ? { ownerReferences: [controllerRef] } : {}),
    },
    spec: deepCopyJson(template.spec ?? { containers: [] }),
  };
  return pod;
}

function isNamespaceTerminating(e: unknown): boolean {
  return e instanceof ApiError && !!e.details?.causes?.some((c) => c.reason === "NamespaceTerminating");
}

export class PodControl {
  constructor(
    private readonly client: RestClient,
    private readonly recorder: EventRecorder,
  ) {}

  /** Creates pod (made by getPodFromTemplate and maybe adjusted) on behalf of owner. */
  async createPod(pod: Pod, owner: KubeObject): Promise<Pod> {
    if (Object.keys(pod.metadata?.labels ?? {}).length === 0)
      throw new Error("unable to create pods, no labels");
    const namespace = owner.metadata?.namespace ?? pod.metadata?.namespace;
    try {
      const created = await this.client.create<Pod>(Resources.pods, pod as Pod & { metadata: object }, {
        namespace,
      });
      this.recorder.event(
        owner,
        "Normal",
        SUCCESSFUL_CREATE_POD_REASON,
        `Created pod: ${created.metadata?.name}`,
      );
      return created;
    } catch (e) {
      // Creating in a terminating namespace fails by design: no event for it.
      if (!isNamespaceTerminating(e)) {
        this.recorder.event(
          owner,
          "Warning",
          FAILED_CREATE_POD_REASON,
          `Error creating: ${(e as Error).message}`,
        );
      }
      throw e;
    }
  }

  /** Creates a pod from the template with owner as its controller. */
  createPodFromTemplate(
    template: PodTemplateSpec,
    owner: KubeObject,
    controllerRef: OwnerReference,
  ): Promise<Pod> {
    return this.createPod(getPodFromTemplate(template, owner, controllerRef), owner);
  }

  /** Deletes a pod on behalf of owner; with uid, only that incarnation of it. */
  async deletePod(namespace: string, name: string, owner: KubeObject, uid?: string): Promise<void> {
    try {
      await this.client.delete(Resources.pods, name, {
        namespace,
        ...(uid ? { preconditions: { uid } } : {}),
      });
      this.recorder.event(owner, "Normal", SUCCESSFUL_DELETE_POD_REASON, `Deleted pod: ${name}`);
    } catch (e) {
      // Already gone: the caller lowers its expectations; not worth an event.
      if (isNotFound(e)) throw e;
      this.recorder.event(
        owner,
        "Warning",
        FAILED_DELETE_POD_REASON,
        `Error deleting: ${(e as Error).message}`,
      );
      throw e;
    }
  }

  patchPod(namespace: string, name: string, patch: unknown): Promise<Pod> {
    return this.client.patch<Pod>(Resources.pods, name, patch, { namespace, type: "strategic" });
  }
}
