// What the apiserver makes sure exists at every start, as upstream's bootstrap
// controller does: the system namespaces.
import { StatusError, StatusReason } from "../machinery/status.ts";
import type { Registry } from "./registry/index.ts";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

export async function bootstrap(registry: Registry): Promise<void> {
  for (const name of SYSTEM_NAMESPACES) {
    try {
      await registry.namespaces.create(undefined, {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: { name },
        spec: {},
      });
    } catch (e) {
      if (!(e instanceof StatusError && e.reason === StatusReason.AlreadyExists)) throw e;
    }
  }
}
