// The short-lived pod that removes a volume's directory on its node
// (local-path-provisioner's createHelperPod for the "delete" action): the
// provisioner never touches a node's disk itself, so it mounts the parent
// directory into a busybox pod bound to that node and runs rm -rf there.
import { posix } from "node:path";
import type { Pod } from "kubernetes-types/core/v1.d.ts";

export const HELPER_POD_NAMESPACE = "kube-system";
export const HELPER_POD_IMAGE = "k8ts.local/busybox:latest";
/** local-path-provisioner's default helper pod name, suffixed with the action and volume. */
const HELPER_POD_NAME = "helper-pod";
const HELPER_POD_NAME_MAX_LENGTH = 128;
/** Maps a helper pod back to its volume (a label could not hold every volume name). */
export const ANN_HELPER_FOR_VOLUME = "local-path.k8ts.io/volume";
/** How long a helper pod may take before the attempt counts as failed (TeardownTimeout). */
export const HELPER_POD_TIMEOUT_SECONDS = 120;
/** On the fake runtime a container runs until stopped unless told otherwise: this one finishes. */
const FAKE_RUN_SECONDS_ANNOTATION = "fake.k8ts.io/run-seconds";

export type HelperAction = "create" | "delete";

export function helperPodName(action: HelperAction, pvName: string): string {
  return `${HELPER_POD_NAME}-${action}-${pvName}`.slice(0, HELPER_POD_NAME_MAX_LENGTH);
}

/** The pod that deletes path on node; throws for paths it cannot split safely (never "/"). */
export function newDeleteHelperPod(pvName: string, path: string, node: string): Pod {
  if (!pvName || !path || !node) throw new Error("invalid empty name or path or node");
  if (!posix.isAbsolute(path)) throw new Error(`volume path ${path} is not absolute`);
  const clean = posix.normalize(path).replace(/\/+$/, "");
  const parentDir = posix.dirname(clean);
  const volumeDir = posix.basename(clean);
  if (clean === "" || parentDir === "/" || volumeDir === "") {
    throw new Error(
      `invalid path delete for ${path}: cannot find parent dir or volume dir or parent dir is relative`,
    );
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name: helperPodName("delete", pvName),
      namespace: HELPER_POD_NAMESPACE,
      annotations: { [ANN_HELPER_FOR_VOLUME]: pvName, [FAKE_RUN_SECONDS_ANNOTATION]: "1" },
    },
    spec: {
      nodeName: node,
      restartPolicy: "Never",
      // No API access needed.
      automountServiceAccountToken: false,
      // Cleanup must run even on a tainted node.
      tolerations: [{ operator: "Exists" }],
      volumes: [{ name: "data", hostPath: { path: parentDir, type: "DirectoryOrCreate" } }],
      containers: [
        {
          name: HELPER_POD_NAME,
          image: HELPER_POD_IMAGE,
          imagePullPolicy: "IfNotPresent",
          command: ["rm", "-rf", posix.join(parentDir, volumeDir)],
          volumeMounts: [{ name: "data", mountPath: parentDir }],
        },
      ],
    },
  };
}
