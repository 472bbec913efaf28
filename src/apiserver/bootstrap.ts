// What the apiserver makes sure exists at every start, as upstream's bootstrap
// controller does: the system namespaces and the `kubernetes` Service on the
// first address of the service range.
import { StatusError, StatusReason } from "../machinery/status.ts";
import type { Registry } from "./registry/index.ts";
import { DEFAULT_SERVICE_NETWORK, firstServiceIP } from "./registry/services.ts";

export const SYSTEM_NAMESPACES = ["default", "kube-system", "kube-public", "kube-node-lease"];

async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (e) {
    if (!(e instanceof StatusError && e.reason === StatusReason.AlreadyExists)) throw e;
  }
}

export async function bootstrap(
  registry: Registry,
  opts: { port: number; serviceCIDR?: string },
): Promise<void> {
  await Promise.all(
    SYSTEM_NAMESPACES.map((name) =>
      ensure(() =>
        registry.namespaces.create(undefined, {
          apiVersion: "v1",
          kind: "Namespace",
          metadata: { name },
          spec: {},
        }),
      ),
    ),
  );
  const services = registry.byResource("", "v1", "services")!;
  const existing = await services.get("default", "kubernetes").catch(() => undefined);
  if (!existing) {
    await ensure(() =>
      services.create("default", {
        apiVersion: "v1",
        kind: "Service",
        metadata: {
          name: "kubernetes",
          namespace: "default",
          labels: { component: "apiserver", provider: "kubernetes" },
        },
        spec: {
          type: "ClusterIP",
          clusterIP: firstServiceIP(opts.serviceCIDR ?? DEFAULT_SERVICE_NETWORK.serviceCIDR),
          sessionAffinity: "None",
          ports: [{ name: "https", protocol: "TCP", port: 443, targetPort: opts.port }],
        },
      }),
    );
  }
}
