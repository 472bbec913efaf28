// The kubelet's CSINode (pkg/volume/csi/nodeinfomanager): at start every
// kubelet makes sure a CSINode named after its node exists, owned by the Node
// and annotated with the in-tree volume plugins whose volumes CSI drivers now
// serve. It lists no drivers: k8ts's kubelet registers no CSI plugins.
import type { Node } from "kubernetes-types/core/v1.d.ts";
import type { CSINode } from "kubernetes-types/storage/v1.d.ts";
import { isAlreadyExists, isNotFound } from "../../client/api-error.ts";
import { type Clock, sleep } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";

export const MIGRATED_PLUGINS_ANNOTATION = "storage.alpha.kubernetes.io/migrated-plugins";

/** The in-tree plugins 1.32 migrates to CSI by default (CSIMigrationPortworx is on since 1.31), sorted. */
export const MIGRATED_PLUGINS = [
  "kubernetes.io/aws-ebs",
  "kubernetes.io/azure-disk",
  "kubernetes.io/azure-file",
  "kubernetes.io/cinder",
  "kubernetes.io/gce-pd",
  "kubernetes.io/portworx-volume",
  "kubernetes.io/vsphere-volume",
].join(",");

/** tryInitializeCSINodeWithAnnotation: create the CSINode, or set its annotation when it differs. */
export async function initializeCSINode(client: RestClient, node: Node): Promise<void> {
  const name = node.metadata!.name!;
  let existing: CSINode;
  try {
    existing = await client.get<CSINode>(Resources.csinodes, name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    try {
      await client.create<CSINode>(Resources.csinodes, {
        apiVersion: "storage.k8s.io/v1",
        kind: "CSINode",
        metadata: {
          name,
          annotations: { [MIGRATED_PLUGINS_ANNOTATION]: MIGRATED_PLUGINS },
          ownerReferences: [{ apiVersion: "v1", kind: "Node", name, uid: node.metadata!.uid! }],
        },
        spec: { drivers: [] },
      });
    } catch (err) {
      if (!isAlreadyExists(err)) throw err;
    }
    return;
  }
  if (existing.metadata?.annotations?.[MIGRATED_PLUGINS_ANNOTATION] === MIGRATED_PLUGINS) return;
  existing.metadata = {
    ...existing.metadata,
    annotations: { ...existing.metadata?.annotations, [MIGRATED_PLUGINS_ANNOTATION]: MIGRATED_PLUGINS },
  };
  await client.update(Resources.csinodes, existing);
}

/** Retries with backoff (0.5 s doubling, at most 30 s apart) until it succeeds or the signal aborts. */
export async function ensureCSINode(
  client: RestClient,
  node: Node,
  clock: Clock,
  signal: AbortSignal,
  log: (msg: string, fields?: Record<string, unknown>) => void,
): Promise<void> {
  for (let delay = 500; !signal.aborted; delay = Math.min(delay * 2, 30_000)) {
    try {
      await initializeCSINode(client, node);
      return;
    } catch (e) {
      log("Failed to initialize CSINode", { err: (e as Error).message });
    }
    await sleep(clock, delay, signal).catch(() => {});
  }
}
