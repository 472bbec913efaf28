// Small builders for the unit tests of this folder.
import type { Pod, Service } from "kubernetes-types/core/v1.d.ts";

export function testService(
  o: Partial<Service["spec"]> & { name?: string; labels?: Record<string, string> } = {},
): Service {
  const { name = "svc", labels, ...spec } = o;
  return {
    apiVersion: "v1",
    kind: "Service",
    metadata: {
      name,
      namespace: "ns",
      uid: `uid-${name}`,
      labels,
      creationTimestamp: "2024-01-01T00:00:00Z",
    },
    spec: {
      selector: { app: "web" },
      clusterIP: "10.96.0.10",
      ipFamilies: ["IPv4"],
      ports: [{ name: "http", port: 80, protocol: "TCP", targetPort: "web" }],
      ...spec,
    },
  };
}

export function testPod(
  name: string,
  ip: string,
  o: {
    ready?: boolean;
    deleting?: boolean;
    phase?: string;
    node?: string;
    hostname?: string;
    subdomain?: string;
  } = {},
): Pod {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      name,
      namespace: "ns",
      uid: `uid-${name}`,
      labels: { app: "web" },
      resourceVersion: "1",
      ...(o.deleting ? { deletionTimestamp: "2024-01-01T00:01:00Z" } : {}),
    },
    spec: {
      nodeName: o.node ?? "node-0",
      hostname: o.hostname,
      subdomain: o.subdomain,
      containers: [{ name: "c", image: "i", ports: [{ name: "web", containerPort: 8080, protocol: "TCP" }] }],
    },
    status: {
      phase: o.phase ?? "Running",
      podIP: ip,
      podIPs: [{ ip }],
      conditions: [
        {
          type: "Ready",
          status: o.ready === false ? "False" : "True",
          lastTransitionTime: "2024-01-01T00:00:30Z",
        },
      ],
    },
  };
}
