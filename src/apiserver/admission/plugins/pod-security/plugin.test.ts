// The plugin's contract with the admission chain: which requests it looks
// at, warnings into attrs.warnings, audit annotations to the hook (prefixed
// as upstream's audit.AddAuditAnnotations), refusals thrown as StatusErrors.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { StatusError } from "../../../../machinery/status.ts";
import type { AdmissionAttributes, Obj } from "../../admission.ts";
import { newPodSecurity, type PodSecurityRegistry } from "./plugin.ts";

function fakeRegistry(
  namespaces: Record<string, Record<string, string>>,
  pods: Obj[] = [],
): PodSecurityRegistry {
  const stores: Record<string, Obj> = {
    namespaces: {
      get: async (_ns: string | undefined, name: string) => {
        if (!namespaces[name]) throw new Error(`namespaces "${name}" not found`);
        return { metadata: { name, labels: namespaces[name] } };
      },
    },
    pods: { list: async () => ({ items: pods }) },
  };
  return { byResource: (_g: string, _v: string, r: string) => stores[r] } as unknown as PodSecurityRegistry;
}

function attrs(resource: string, object: Obj, extra: Partial<AdmissionAttributes> = {}): AdmissionAttributes {
  const group = resource === "deployments" ? "apps" : "";
  return {
    operation: "CREATE",
    kind: { group, version: "v1", kind: object.kind },
    resource: { group, version: "v1", resource },
    subresource: "",
    namespace: "ns",
    name: object.metadata.name,
    object,
    user: { name: "alice", groups: ["system:authenticated"] },
    dryRun: false,
    warnings: [],
    ...extra,
  };
}

const privileged: Obj = {
  kind: "Pod",
  metadata: { name: "p", namespace: "ns" },
  spec: { containers: [{ name: "c", image: "busybox", securityContext: { privileged: true } }] },
};

describe("newPodSecurity", () => {
  it("is named PodSecurity and handles creates and updates only", () => {
    const p = newPodSecurity({ registry: fakeRegistry({}) });
    assert.equal(p.name, "PodSecurity");
    assert.deepEqual(
      (["CREATE", "UPDATE", "DELETE", "CONNECT"] as const).map((op) => p.handles(op)),
      [true, true, false, false],
    );
  });

  it("throws the 403 StatusError for an enforced violation", async () => {
    const p = newPodSecurity({
      registry: fakeRegistry({ ns: { "pod-security.kubernetes.io/enforce": "baseline" } }),
    });
    await assert.rejects(
      async () => p.validate(attrs("pods", privileged)),
      (e: unknown) =>
        e instanceof StatusError &&
        e.code === 403 &&
        e.message ===
          'pods "p" is forbidden: violates PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    );
  });

  it("adds warnings and hands prefixed audit annotations to the hook", async () => {
    const seen: Record<string, string>[] = [];
    const p = newPodSecurity({
      registry: () => fakeRegistry({ ns: { "pod-security.kubernetes.io/warn": "baseline" } }),
      onAuditAnnotations: (_a, annotations) => seen.push(annotations),
    });
    const a = attrs("pods", privileged);
    await p.validate(a);
    assert.deepEqual(a.warnings, [
      'would violate PodSecurity "baseline:latest": privileged (container "c" must not set securityContext.privileged=true)',
    ]);
    assert.deepEqual(seen, [{ "pod-security.kubernetes.io/enforce-policy": "privileged:latest" }]);
  });

  it("ignores resources without pod templates", async () => {
    const p = newPodSecurity({ registry: fakeRegistry({}) });
    const a = attrs("configmaps", { kind: "ConfigMap", metadata: { name: "cm" } });
    await p.validate(a);
    assert.deepEqual(a.warnings, []);
  });

  it("exempt users are recorded as such", async () => {
    const seen: Record<string, string>[] = [];
    const p = newPodSecurity({
      registry: fakeRegistry({ ns: { "pod-security.kubernetes.io/enforce": "restricted" } }),
      exemptions: { usernames: ["alice"] },
      onAuditAnnotations: (_a, annotations) => seen.push(annotations),
    });
    await p.validate(attrs("pods", privileged));
    assert.deepEqual(seen, [{ "pod-security.kubernetes.io/exempt": "user" }]);
  });

  it("rejects invalid defaults at construction", () => {
    assert.throws(
      () => newPodSecurity({ registry: fakeRegistry({}), defaults: { enforce: "strict" } }),
      /Invalid value/,
    );
  });
});
