import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Container, Pod } from "kubernetes-types/core/v1.d.ts";
import { ContainerConfigError } from "./env.ts";
import {
  determineEffectiveSecurityContext,
  generateLinuxContainerSecurityContext,
  verifyRunAsNonRoot,
} from "./security-context.ts";

function pod(psc: NonNullable<Pod["spec"]>["securityContext"], c: Container): Pod {
  return {
    metadata: { name: "p", namespace: "ns", uid: "u" },
    spec: { securityContext: psc, containers: [c] },
  };
}

describe("determineEffectiveSecurityContext", () => {
  it("takes the pod's user fields, overridden by the container's", () => {
    const c: Container = { name: "c", securityContext: { runAsUser: 2, readOnlyRootFilesystem: true } };
    assert.deepEqual(
      determineEffectiveSecurityContext(pod({ runAsUser: 1, runAsGroup: 3, fsGroup: 9 }, c), c),
      {
        runAsUser: 2,
        runAsGroup: 3,
        readOnlyRootFilesystem: true,
      },
    );
  });
});

describe("generateLinuxContainerSecurityContext", () => {
  it("maps users, groups (fsGroup first), capabilities, readonly root, privileged and no_new_privs", () => {
    const c: Container = {
      name: "c",
      securityContext: {
        capabilities: { add: ["NET_ADMIN"], drop: ["ALL"] },
        allowPrivilegeEscalation: false,
        readOnlyRootFilesystem: true,
        privileged: false,
      },
    };
    const sc = generateLinuxContainerSecurityContext(
      pod({ runAsUser: 1000, runAsGroup: 3000, supplementalGroups: [4000, 5000], fsGroup: 2000 }, c),
      c,
    );
    assert.deepEqual(sc.capabilities, { addCapabilities: ["NET_ADMIN"], dropCapabilities: ["ALL"] });
    assert.deepEqual(sc.runAsUser, { value: 1000 });
    assert.deepEqual(sc.runAsGroup, { value: 3000 });
    assert.deepEqual(sc.supplementalGroups, [2000, 4000, 5000]);
    assert.equal(sc.readonlyRootfs, true);
    assert.equal(sc.privileged, false);
    assert.equal(sc.noNewPrivs, true);
    assert.ok(sc.maskedPaths?.includes("/proc/kcore"));
    assert.ok(sc.readonlyPaths?.includes("/proc/sys"));
  });
  it("sets no_new_privs only for an explicit allowPrivilegeEscalation: false", () => {
    const c: Container = { name: "c" };
    assert.equal(generateLinuxContainerSecurityContext(pod(undefined, c), c).noNewPrivs, false);
  });
  it("runs as the image's uid or user name when the pod names no user", () => {
    const c: Container = { name: "c" };
    assert.deepEqual(generateLinuxContainerSecurityContext(pod(undefined, c), c, { uid: 65534 }).runAsUser, {
      value: 65534,
    });
    assert.equal(
      generateLinuxContainerSecurityContext(pod(undefined, c), c, { username: "nobody" }).runAsUsername,
      "nobody",
    );
  });
  it("leaves /proc unmasked with procMount Unmasked", () => {
    const c: Container = { name: "c", securityContext: { procMount: "Unmasked" } };
    const sc = generateLinuxContainerSecurityContext(pod(undefined, c), c);
    assert.deepEqual([sc.maskedPaths, sc.readonlyPaths], [[], []]);
  });
});

describe("verifyRunAsNonRoot (upstream's messages)", () => {
  const c: Container = { name: "c" };
  const nonRoot = pod({ runAsNonRoot: true }, c);
  it("refuses an image that runs as root, also when it names no user", () => {
    const msg = 'container has runAsNonRoot and image will run as root (pod: "p_ns(u)", container: c)';
    assert.throws(() => verifyRunAsNonRoot(nonRoot, c, { uid: 0 }), { message: msg });
    assert.throws(
      () => verifyRunAsNonRoot(nonRoot, c, {}),
      (e) => e instanceof ContainerConfigError && e.message === msg,
    );
  });
  it("refuses a non-numeric image user", () => {
    assert.throws(() => verifyRunAsNonRoot(nonRoot, c, { username: "app" }), {
      message:
        'container has runAsNonRoot and image has non-numeric user (app), cannot verify user is non-root (pod: "p_ns(u)", container: c)',
    });
  });
  it("refuses runAsUser 0 and accepts a non-zero one or a non-root image", () => {
    const root = pod({ runAsNonRoot: true, runAsUser: 0 }, c);
    assert.throws(() => verifyRunAsNonRoot(root, c, { uid: 1000 }), {
      message: `container's runAsUser breaks non-root policy (pod: "p_ns(u)", container: c)`,
    });
    verifyRunAsNonRoot(pod({ runAsNonRoot: true, runAsUser: 1000 }, c), c, {});
    verifyRunAsNonRoot(nonRoot, c, { uid: 1000 });
    verifyRunAsNonRoot(pod(undefined, c), c, {});
  });
});
