// The check tables of upstream's policy/check_*_test.go (v1.32), with their
// exact forbidden reasons and details, plus the passing cases.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Container, PodSpec, SELinuxOptions, Volume } from "kubernetes-types/core/v1.d.ts";
import type { ObjectMeta } from "kubernetes-types/meta/v1.d.ts";
import { allowPrivilegeEscalation_1_8, allowPrivilegeEscalation_1_25 } from "./allow-privilege-escalation.ts";
import { appArmorProfile_1_0 } from "./app-armor-profile.ts";
import {
  capabilitiesBaseline_1_0,
  capabilitiesRestricted_1_22,
  capabilitiesRestricted_1_25,
} from "./capabilities.ts";
import {
  aggregateCheckResults,
  type CheckPodFn,
  forbiddenDetail,
  forbiddenReason,
  setRelaxPolicyForUserNamespacePods,
} from "./check.ts";
import { hostNamespaces_1_0 } from "./host-namespaces.ts";
import { hostPathVolumes_1_0 } from "./host-path-volumes.ts";
import { hostPorts_1_0 } from "./host-ports.ts";
import { privileged_1_0 } from "./privileged.ts";
import { procMount_1_0 } from "./proc-mount.ts";
import { restrictedVolumes_1_0 } from "./restricted-volumes.ts";
import { runAsNonRoot_1_0 } from "./run-as-non-root.ts";
import { runAsUser_1_23 } from "./run-as-user.ts";
import {
  seccompProfileBaseline_1_0,
  seccompProfileBaseline_1_19,
  seccompProfileRestricted_1_19,
  seccompProfileRestricted_1_25,
} from "./seccomp-profile.ts";
import { seLinuxOptions_1_0, seLinuxOptions_1_31 } from "./selinux-options.ts";
import { sysctls_1_0, sysctls_1_27, sysctls_1_29, sysctls_1_32 } from "./sysctls.ts";
import { windowsHostProcess_1_0 } from "./windows-host-process.ts";

// Specs as they arrive in JSON: every field, containers included, may be absent.
type Spec = Partial<PodSpec>;

function forbids(check: CheckPodFn, spec: Spec, reason: string, detail: string, meta: ObjectMeta = {}) {
  const r = check(meta, spec as PodSpec);
  assert.equal(r.allowed, false, "expected disallowed");
  assert.equal(r.forbiddenReason, reason);
  assert.equal(r.forbiddenDetail, detail);
}

function allows(check: CheckPodFn, spec: Spec, meta: ObjectMeta = {}) {
  assert.deepEqual(check(meta, spec as PodSpec), { allowed: true });
}

const c = (name: string, securityContext?: Container["securityContext"], extra: Partial<Container> = {}) =>
  securityContext === undefined ? { name, ...extra } : { name, securityContext, ...extra };

describe("allowPrivilegeEscalation", () => {
  const multiple: PodSpec = {
    containers: [
      c("a"),
      c("b", {}),
      c("c", { allowPrivilegeEscalation: true }),
      c("d", { allowPrivilegeEscalation: false }),
    ],
  };
  it("1.8: multiple containers", () => {
    forbids(
      allowPrivilegeEscalation_1_8,
      multiple,
      "allowPrivilegeEscalation != false",
      'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false',
    );
  });
  it("1.25: multiple containers", () => {
    forbids(
      allowPrivilegeEscalation_1_25,
      multiple,
      "allowPrivilegeEscalation != false",
      'containers "a", "b", "c" must set securityContext.allowPrivilegeEscalation=false',
    );
  });
  it("1.25: windows pod, admit without checking privilegeEscalation", () => {
    allows(allowPrivilegeEscalation_1_25, { os: { name: "windows" }, containers: [c("a")] });
    // 1.8 has no Windows exemption.
    assert.equal(
      allowPrivilegeEscalation_1_8({}, { os: { name: "windows" }, containers: [c("a")] }).allowed,
      false,
    );
  });
  it("1.25: linux pod, reject if security context is not set", () => {
    forbids(
      allowPrivilegeEscalation_1_25,
      { os: { name: "linux" }, containers: [c("a")] },
      "allowPrivilegeEscalation != false",
      'container "a" must set securityContext.allowPrivilegeEscalation=false',
    );
  });
  it("passes when every container sets false", () => {
    allows(allowPrivilegeEscalation_1_8, {
      initContainers: [c("i", { allowPrivilegeEscalation: false })],
      containers: [c("a", { allowPrivilegeEscalation: false })],
    });
  });
});

describe("appArmorProfile", () => {
  const prefix = "container.apparmor.security.beta.kubernetes.io/";
  it("allows defaults, localhost and no annotations", () => {
    allows(appArmorProfile_1_0, {}, { annotations: { [`${prefix}test`]: "runtime/default", env: "prod" } });
    allows(
      appArmorProfile_1_0,
      {},
      { annotations: { [`${prefix}test`]: "localhost/sec-profile01", env: "dev" } },
    );
    allows(appArmorProfile_1_0, {}, { annotations: { env: "dev" } });
    allows(appArmorProfile_1_0, {});
    allows(appArmorProfile_1_0, { securityContext: { appArmorProfile: { type: "RuntimeDefault" } } });
    allows(appArmorProfile_1_0, {
      containers: [c("foo", { appArmorProfile: { type: "RuntimeDefault" } })],
    });
  });
  it("unconfined pod", () => {
    forbids(
      appArmorProfile_1_0,
      { securityContext: { appArmorProfile: { type: "Unconfined" } } },
      "forbidden AppArmor profile",
      'pod must not set AppArmor profile type to "Unconfined"',
    );
  });
  it("unconfined container", () => {
    forbids(
      appArmorProfile_1_0,
      {
        securityContext: { appArmorProfile: { type: "RuntimeDefault" } },
        containers: [c("foo", { appArmorProfile: { type: "Unconfined" } })],
      },
      "forbidden AppArmor profile",
      'container "foo" must not set AppArmor profile type to "Unconfined"',
    );
  });
  it("unconfined init container", () => {
    forbids(
      appArmorProfile_1_0,
      {
        securityContext: { appArmorProfile: { type: "RuntimeDefault" } },
        containers: [c("foo")],
        initContainers: [c("bar", { appArmorProfile: { type: "Unconfined" } })],
      },
      "forbidden AppArmor profile",
      'container "bar" must not set AppArmor profile type to "Unconfined"',
    );
  });
  it("multiple containers (annotations)", () => {
    forbids(
      appArmorProfile_1_0,
      {},
      "forbidden AppArmor profiles",
      `annotations must not set AppArmor profile type to ${[
        `"container.apparmor.security.beta.kubernetes.io/="bogus""`,
        `"container.apparmor.security.beta.kubernetes.io/e="unconfined""`,
        `"container.apparmor.security.beta.kubernetes.io/f="unknown""`,
      ].join(", ")}`,
      {
        annotations: {
          [prefix]: "bogus",
          [`${prefix}a`]: "",
          [`${prefix}b`]: "runtime/default",
          [`${prefix}c`]: "localhost/",
          [`${prefix}d`]: "localhost/foo",
          [`${prefix}e`]: "unconfined",
          [`${prefix}f`]: "unknown",
        },
      },
    );
  });
});

describe("capabilities", () => {
  it("baseline: multiple containers", () => {
    forbids(
      capabilitiesBaseline_1_0,
      {
        containers: [
          c("a", { capabilities: { add: ["FOO", "BAR"] } }),
          c("b", { capabilities: { add: ["BAR", "BAZ"] } }),
        ],
      },
      "non-default capabilities",
      'containers "a", "b" must not include "BAR", "BAZ", "FOO" in securityContext.capabilities.add',
    );
  });
  it("baseline: the default set may be added", () => {
    allows(capabilitiesBaseline_1_0, {
      containers: [c("a", { capabilities: { add: ["NET_BIND_SERVICE", "CHOWN", "SYS_CHROOT", "KILL"] } })],
    });
  });
  it("restricted: multiple containers", () => {
    forbids(
      capabilitiesRestricted_1_22,
      {
        containers: [
          c("a", { capabilities: { add: ["FOO", "BAR"] } }),
          c("b", { capabilities: { add: ["BAR", "BAZ"] } }),
          c("c", { capabilities: { add: ["NET_BIND_SERVICE", "CHOWN"], drop: ["ALL", "FOO"] } }),
        ],
      },
      "unrestricted capabilities",
      'containers "a", "b" must set securityContext.capabilities.drop=["ALL"]; containers "a", "b", "c" must not include "BAR", "BAZ", "CHOWN", "FOO" in securityContext.capabilities.add',
    );
  });
  it("restricted: no security context at all", () => {
    forbids(
      capabilitiesRestricted_1_22,
      { containers: [c("a")] },
      "unrestricted capabilities",
      'container "a" must set securityContext.capabilities.drop=["ALL"]',
    );
  });
  it("restricted: drop ALL and add NET_BIND_SERVICE passes; 1.25 exempts Windows pods", () => {
    allows(capabilitiesRestricted_1_22, {
      containers: [c("a", { capabilities: { drop: ["ALL"], add: ["NET_BIND_SERVICE"] } })],
    });
    allows(capabilitiesRestricted_1_25, { os: { name: "windows" }, containers: [c("a")] });
    assert.equal(
      capabilitiesRestricted_1_25({}, { os: { name: "linux" }, containers: [c("a")] }).allowed,
      false,
    );
  });
});

describe("hostNamespaces", () => {
  it("multiple host namespaces", () => {
    forbids(
      hostNamespaces_1_0,
      { hostNetwork: true, hostIPC: true, hostPID: true },
      "host namespaces",
      "hostNetwork=true, hostPID=true, hostIPC=true",
    );
  });
  it("false or unset passes", () => {
    allows(hostNamespaces_1_0, { hostNetwork: false, hostPID: false });
  });
});

describe("hostPathVolumes", () => {
  it("host path volumes", () => {
    forbids(
      hostPathVolumes_1_0,
      {
        volumes: [
          { name: "a", hostPath: { path: "/a" } },
          { name: "b", hostPath: { path: "/b" } },
          { name: "c", emptyDir: {} },
        ],
      },
      "hostPath volumes",
      'volumes "a", "b"',
    );
  });
  it("one volume", () => {
    forbids(
      hostPathVolumes_1_0,
      { volumes: [{ name: "a", hostPath: { path: "/" } }] },
      "hostPath volumes",
      'volume "a"',
    );
  });
});

describe("hostPorts", () => {
  it("one container, one host port", () => {
    forbids(
      hostPorts_1_0,
      {
        containers: [
          c("a", undefined, { ports: [{ containerPort: 1, hostPort: 0 }] }),
          c("b", undefined, {
            ports: [
              { containerPort: 1, hostPort: 0 },
              { containerPort: 2, hostPort: 20 },
            ],
          }),
        ],
      },
      "hostPort",
      'container "b" uses hostPort 20',
    );
  });
  it("multiple containers, multiple host port", () => {
    forbids(
      hostPorts_1_0,
      {
        containers: [
          c("a", undefined, { ports: [{ containerPort: 1, hostPort: 0 }] }),
          c("b", undefined, {
            ports: [
              { containerPort: 1, hostPort: 0 },
              { containerPort: 2, hostPort: 10 },
              { containerPort: 3, hostPort: 20 },
            ],
          }),
          c("c", undefined, {
            ports: [
              { containerPort: 1, hostPort: 0 },
              { containerPort: 2, hostPort: 10 },
              { containerPort: 3, hostPort: 30 },
            ],
          }),
        ],
      },
      "hostPort",
      'containers "b", "c" use hostPorts 10, 20, 30',
    );
  });
  it("ports sort as strings, as upstream keeps them", () => {
    forbids(
      hostPorts_1_0,
      {
        containers: [
          c("a", undefined, {
            ports: [
              { containerPort: 1, hostPort: 8080 },
              { containerPort: 2, hostPort: 443 },
            ],
          }),
        ],
      },
      "hostPort",
      'container "a" uses hostPorts 443, 8080',
    );
  });
});

describe("privileged", () => {
  it("privileged", () => {
    forbids(
      privileged_1_0,
      {
        containers: [
          c("a"),
          c("b", {}),
          c("c", { privileged: false }),
          c("d", { privileged: true }),
          c("e", { privileged: true }),
        ],
      },
      "privileged",
      'containers "d", "e" must not set securityContext.privileged=true',
    );
  });
  it("ephemeral containers are checked too", () => {
    forbids(
      privileged_1_0,
      {
        containers: [c("a")],
        ephemeralContainers: [{ name: "debug", securityContext: { privileged: true } }],
      },
      "privileged",
      'container "debug" must not set securityContext.privileged=true',
    );
  });
});

describe("procMount", () => {
  const spec = (hostUsers: boolean): PodSpec => ({
    containers: [
      c("a"),
      c("b", {}),
      c("c", { procMount: "Default" }),
      c("d", { procMount: "Unmasked" }),
      c("e", { procMount: "other" }),
    ],
    hostUsers,
  });
  it("procMount", () => {
    forbids(
      procMount_1_0,
      spec(true),
      "procMount",
      'containers "d", "e" must not set securityContext.procMount to "Unmasked", "other"',
    );
  });
  it("hostUsers=false is only relaxed with the user namespace feature gate", () => {
    assert.equal(procMount_1_0({}, spec(false)).allowed, false);
    setRelaxPolicyForUserNamespacePods(true);
    try {
      allows(procMount_1_0, spec(false));
      assert.equal(procMount_1_0({}, spec(true)).allowed, false);
    } finally {
      setRelaxPolicyForUserNamespacePods(false);
    }
  });
});

describe("restrictedVolumes", () => {
  it("host path volumes", () => {
    const v = (name: string, source: Partial<Volume>): Volume => ({ name, ...source }) as Volume;
    forbids(
      restrictedVolumes_1_0,
      {
        volumes: [
          // allowed types
          v("a1", { emptyDir: {} }),
          v("a2", { secret: {} }),
          v("a3", { persistentVolumeClaim: { claimName: "x" } }),
          v("a4", { downwardAPI: {} }),
          v("a5", { configMap: {} }),
          v("a6", { projected: {} }),
          v("a7", { csi: { driver: "x" } }),
          v("a8", { ephemeral: {} }),
          // known restricted types
          v("b1", { hostPath: { path: "/" } }),
          v("b2", { gcePersistentDisk: { pdName: "x" } }),
          v("b3", { awsElasticBlockStore: { volumeID: "x" } }),
          v("b4", { gitRepo: { repository: "x" } }),
          v("b5", { nfs: { path: "/", server: "x" } }),
          v("b6", { iscsi: { iqn: "x", lun: 0, targetPortal: "x" } }),
          v("b7", { glusterfs: { endpoints: "x", path: "x" } }),
          v("b8", { rbd: { image: "x", monitors: [] } }),
          v("b9", { flexVolume: { driver: "x" } }),
          v("b10", { cinder: { volumeID: "x" } }),
          v("b11", { cephfs: { monitors: [] } }),
          v("b12", { flocker: {} }),
          v("b13", { fc: {} }),
          v("b14", { azureFile: { secretName: "x", shareName: "x" } }),
          v("b15", { vsphereVolume: { volumePath: "x" } }),
          v("b16", { quobyte: { registry: "x", volume: "x" } }),
          v("b17", { azureDisk: { diskName: "x", diskURI: "x" } }),
          v("b18", { photonPersistentDisk: { pdID: "x" } }),
          v("b19", { portworxVolume: { volumeID: "x" } }),
          v("b20", { scaleIO: { gateway: "x", system: "x", secretRef: {} } }),
          v("b21", { storageos: {} }),
          // unknown type
          v("c1", {}),
        ],
      },
      "restricted volume types",
      `volumes "b1", "b2", "b3", "b4", "b5", "b6", "b7", "b8", "b9", "b10", "b11", "b12", "b13", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21", "c1"` +
        ` use restricted volume types ` +
        `"awsElasticBlockStore", "azureDisk", "azureFile", "cephfs", "cinder", "fc", "flexVolume", "flocker", "gcePersistentDisk", "gitRepo", "glusterfs", ` +
        `"hostPath", "iscsi", "nfs", "photonPersistentDisk", "portworxVolume", "quobyte", "rbd", "scaleIO", "storageos", "unknown", "vsphereVolume"`,
    );
  });
  it("image volumes are not yet allowed in v1.32", () => {
    forbids(
      restrictedVolumes_1_0,
      { volumes: [{ name: "img", image: { reference: "x" } } as Volume] },
      "restricted volume types",
      'volume "img" uses restricted volume type "unknown"',
    );
  });
});

describe("runAsNonRoot", () => {
  it("no explicit runAsNonRoot", () => {
    forbids(
      runAsNonRoot_1_0,
      { containers: [c("a")] },
      "runAsNonRoot != true",
      'pod or container "a" must set securityContext.runAsNonRoot=true',
    );
  });
  it("pod runAsNonRoot=false", () => {
    forbids(
      runAsNonRoot_1_0,
      { securityContext: { runAsNonRoot: false }, containers: [c("a")] },
      "runAsNonRoot != true",
      "pod must not set securityContext.runAsNonRoot=false",
    );
  });
  it("containers runAsNonRoot=false", () => {
    forbids(
      runAsNonRoot_1_0,
      {
        securityContext: { runAsNonRoot: true },
        containers: [
          c("a"),
          c("b", {}),
          c("c", { runAsNonRoot: false }),
          c("d", { runAsNonRoot: false }),
          c("e", { runAsNonRoot: true }),
          c("f", { runAsNonRoot: true }),
        ],
      },
      "runAsNonRoot != true",
      'containers "c", "d" must not set securityContext.runAsNonRoot=false',
    );
  });
  it("pod nil, container fallthrough", () => {
    forbids(
      runAsNonRoot_1_0,
      {
        containers: [c("a"), c("b", {}), c("d", { runAsNonRoot: true }), c("e", { runAsNonRoot: true })],
      },
      "runAsNonRoot != true",
      'pod or containers "a", "b" must set securityContext.runAsNonRoot=true',
    );
  });
  it("pod-level true covers the containers", () => {
    allows(runAsNonRoot_1_0, { securityContext: { runAsNonRoot: true }, containers: [c("a")] });
  });
  it("host users false allowed only with the feature gate", () => {
    assert.equal(runAsNonRoot_1_0({}, { hostUsers: false, containers: [c("a")] }).allowed, false);
    setRelaxPolicyForUserNamespacePods(true);
    try {
      allows(runAsNonRoot_1_0, { hostUsers: false });
    } finally {
      setRelaxPolicyForUserNamespacePods(false);
    }
  });
});

describe("runAsUser", () => {
  it("pod runAsUser=0", () => {
    forbids(
      runAsUser_1_23,
      { securityContext: { runAsUser: 0 }, containers: [c("a")] },
      "runAsUser=0",
      "pod must not set runAsUser=0",
    );
  });
  it("pod runAsUser=non-zero and nil", () => {
    allows(runAsUser_1_23, { securityContext: { runAsUser: 1000 }, containers: [c("a")] });
    allows(runAsUser_1_23, { securityContext: {}, containers: [c("a")] });
  });
  it("containers runAsUser=0", () => {
    forbids(
      runAsUser_1_23,
      {
        securityContext: { runAsUser: 1000 },
        containers: [
          c("a"),
          c("b", {}),
          c("c", { runAsUser: 0 }),
          c("d", { runAsUser: 0 }),
          c("e", { runAsUser: 1 }),
          c("f", { runAsUser: 1 }),
        ],
      },
      "runAsUser=0",
      'containers "c", "d" must not set runAsUser=0',
    );
  });
  it("containers runAsUser=non-zero", () => {
    allows(runAsUser_1_23, {
      containers: [c("c", { runAsUser: 1 }), c("d", { runAsUser: 2 }), c("e", { runAsUser: 3 })],
    });
  });
  it("UserNamespacesPodSecurityStandards enabled with HostUsers", () => {
    setRelaxPolicyForUserNamespacePods(true);
    try {
      allows(runAsUser_1_23, { hostUsers: false });
      forbids(
        runAsUser_1_23,
        { securityContext: { runAsUser: 0 }, containers: [c("a")], hostUsers: true },
        "runAsUser=0",
        "pod must not set runAsUser=0",
      );
    } finally {
      setRelaxPolicyForUserNamespacePods(false);
    }
  });
});

describe("seLinuxOptions", () => {
  const okContainers = [
    c("a", { seLinuxOptions: { type: "container_t" } }),
    c("b", { seLinuxOptions: { type: "container_init_t" } }),
    c("c", { seLinuxOptions: { type: "container_kvm_t" } }),
    c("d", { seLinuxOptions: { type: "container_engine_t" } }),
  ];
  const badContainers = [
    c("e", { seLinuxOptions: { type: "bar" } }),
    c("f", { seLinuxOptions: { user: "bar" } }),
    c("g", { seLinuxOptions: { role: "baz" } }),
  ];
  it("invalid pod and containers", () => {
    forbids(
      seLinuxOptions_1_31,
      {
        securityContext: { seLinuxOptions: { type: "foo", user: "bar", role: "baz" } },
        containers: [...okContainers, ...badContainers],
      },
      "seLinuxOptions",
      'pod and containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: types "bar", "foo"; user may not be set; role may not be set',
    );
  });
  it("invalid pod", () => {
    forbids(
      seLinuxOptions_1_31,
      {
        securityContext: { seLinuxOptions: { type: "foo", user: "bar", role: "baz" } },
        containers: okContainers,
      },
      "seLinuxOptions",
      'pod set forbidden securityContext.seLinuxOptions: type "foo"; user may not be set; role may not be set',
    );
  });
  it("invalid containers", () => {
    forbids(
      seLinuxOptions_1_31,
      { securityContext: { seLinuxOptions: {} }, containers: [...okContainers, ...badContainers] },
      "seLinuxOptions",
      'containers "e", "f", "g" set forbidden securityContext.seLinuxOptions: type "bar"; user may not be set; role may not be set',
    );
  });
  it("bad type, bad user, bad role", () => {
    const pod = (o: SELinuxOptions): Spec => ({ securityContext: { seLinuxOptions: o } });
    forbids(
      seLinuxOptions_1_31,
      pod({ type: "bad" }),
      "seLinuxOptions",
      'pod set forbidden securityContext.seLinuxOptions: type "bad"',
    );
    forbids(
      seLinuxOptions_1_31,
      pod({ user: "bad" }),
      "seLinuxOptions",
      "pod set forbidden securityContext.seLinuxOptions: user may not be set",
    );
    forbids(
      seLinuxOptions_1_31,
      pod({ role: "bad" }),
      "seLinuxOptions",
      "pod set forbidden securityContext.seLinuxOptions: role may not be set",
    );
  });
  it("container_engine_t is allowed from 1.31 only", () => {
    const spec: PodSpec = { containers: [c("d", { seLinuxOptions: { type: "container_engine_t" } })] };
    allows(seLinuxOptions_1_31, spec);
    forbids(
      seLinuxOptions_1_0,
      spec,
      "seLinuxOptions",
      'container "d" set forbidden securityContext.seLinuxOptions: type "container_engine_t"',
    );
  });
});

describe("seccompProfile", () => {
  const unconfinedContainers = (podType: string): PodSpec => ({
    securityContext: { seccompProfile: { type: podType } },
    containers: [
      c("a"),
      c("b", {}),
      c("c", { seccompProfile: { type: "Unconfined" } }),
      c("d", { seccompProfile: { type: "Unconfined" } }),
      c("e", { seccompProfile: { type: "RuntimeDefault" } }),
      c("f", { seccompProfile: { type: "RuntimeDefault" } }),
    ],
  });
  it("baseline 1.0: pod seccomp annotation invalid", () => {
    forbids(
      seccompProfileBaseline_1_0,
      {},
      "seccompProfile",
      'forbidden annotation seccomp.security.alpha.kubernetes.io/pod="unconfined"',
      { annotations: { "seccomp.security.alpha.kubernetes.io/pod": "unconfined" } },
    );
  });
  it("baseline 1.0: containers seccomp annotations invalid", () => {
    forbids(
      seccompProfileBaseline_1_0,
      { containers: [c("a"), c("b"), c("c")] },
      "seccompProfile",
      'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", container.seccomp.security.alpha.kubernetes.io/b="unknown"',
      {
        annotations: {
          "container.seccomp.security.alpha.kubernetes.io/a": "unconfined",
          "container.seccomp.security.alpha.kubernetes.io/b": "unknown",
        },
      },
    );
  });
  it("baseline 1.0: pod and containers seccomp annotations invalid", () => {
    forbids(
      seccompProfileBaseline_1_0,
      { containers: [c("a"), c("b"), c("c")] },
      "seccompProfile",
      'forbidden annotations container.seccomp.security.alpha.kubernetes.io/a="unconfined", container.seccomp.security.alpha.kubernetes.io/b="unknown", seccomp.security.alpha.kubernetes.io/pod="unconfined"',
      {
        annotations: {
          "seccomp.security.alpha.kubernetes.io/pod": "unconfined",
          "container.seccomp.security.alpha.kubernetes.io/a": "unconfined",
          "container.seccomp.security.alpha.kubernetes.io/b": "unknown",
        },
      },
    );
  });
  it("baseline 1.0: allowed annotation values", () => {
    allows(
      seccompProfileBaseline_1_0,
      { containers: [c("a"), c("b")] },
      {
        annotations: {
          "seccomp.security.alpha.kubernetes.io/pod": "runtime/default",
          "container.seccomp.security.alpha.kubernetes.io/a": "docker/default",
          "container.seccomp.security.alpha.kubernetes.io/b": "localhost/profile.json",
        },
      },
    );
  });
  it("baseline 1.19: pod seccomp invalid", () => {
    forbids(
      seccompProfileBaseline_1_19,
      { securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [c("a")] },
      "seccompProfile",
      'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    );
  });
  it("baseline 1.19: containers seccomp invalid", () => {
    forbids(
      seccompProfileBaseline_1_19,
      unconfinedContainers("RuntimeDefault"),
      "seccompProfile",
      'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
    );
  });
  it("baseline 1.19: pod and containers seccomp invalid", () => {
    forbids(
      seccompProfileBaseline_1_19,
      unconfinedContainers("Unconfined"),
      "seccompProfile",
      'pod and containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
    );
  });
  it("baseline 1.19: unset passes", () => {
    allows(seccompProfileBaseline_1_19, { containers: [c("a")] });
  });
  it("restricted: no explicit seccomp", () => {
    forbids(
      seccompProfileRestricted_1_19,
      { containers: [c("a")] },
      "seccompProfile",
      'pod or container "a" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
    );
  });
  it("restricted: pod seccomp invalid", () => {
    forbids(
      seccompProfileRestricted_1_19,
      { securityContext: { seccompProfile: { type: "Unconfined" } }, containers: [c("a")] },
      "seccompProfile",
      'pod must not set securityContext.seccompProfile.type to "Unconfined"',
    );
  });
  it("restricted: containers seccomp invalid", () => {
    forbids(
      seccompProfileRestricted_1_19,
      unconfinedContainers("RuntimeDefault"),
      "seccompProfile",
      'containers "c", "d" must not set securityContext.seccompProfile.type to "Unconfined"',
    );
  });
  it("restricted: pod nil, container fallthrough", () => {
    forbids(
      seccompProfileRestricted_1_19,
      {
        containers: [
          c("a"),
          c("b", {}),
          c("d", { seccompProfile: { type: "RuntimeDefault" } }),
          c("e", { seccompProfile: { type: "RuntimeDefault" } }),
        ],
      },
      "seccompProfile",
      'pod or containers "a", "b" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"',
    );
  });
  it("restricted: a pod-level profile covers the containers; 1.25 exempts Windows pods", () => {
    allows(seccompProfileRestricted_1_19, {
      securityContext: { seccompProfile: { type: "Localhost", localhostProfile: "p.json" } },
      containers: [c("a")],
    });
    allows(seccompProfileRestricted_1_25, { os: { name: "windows" }, containers: [c("a")] });
  });
});

describe("sysctls", () => {
  const pod = (...names: string[]): Spec => ({
    securityContext: { sysctls: names.map((name) => ({ name, value: "1" })) },
  });
  it("forbidden sysctls", () => {
    forbids(sysctls_1_0, pod("a", "b"), "forbidden sysctls", "a, b");
    forbids(sysctls_1_27, pod("a", "b"), "forbidden sysctls", "a, b");
  });
  it("new supported sysctls not supported in 1.0", () => {
    forbids(
      sysctls_1_0,
      pod("net.ipv4.ip_local_reserved_ports"),
      "forbidden sysctls",
      "net.ipv4.ip_local_reserved_ports",
    );
    allows(sysctls_1_27, pod("net.ipv4.ip_local_reserved_ports"));
  });
  it("each version's additions", () => {
    allows(
      sysctls_1_0,
      pod(
        "kernel.shm_rmid_forced",
        "net.ipv4.ip_local_port_range",
        "net.ipv4.tcp_syncookies",
        "net.ipv4.ping_group_range",
        "net.ipv4.ip_unprivileged_port_start",
      ),
    );
    const v129 = [
      "net.ipv4.tcp_keepalive_time",
      "net.ipv4.tcp_fin_timeout",
      "net.ipv4.tcp_keepalive_intvl",
      "net.ipv4.tcp_keepalive_probes",
    ];
    forbids(sysctls_1_27, pod(...v129), "forbidden sysctls", v129.join(", "));
    allows(sysctls_1_29, pod(...v129));
    forbids(
      sysctls_1_29,
      pod("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem"),
      "forbidden sysctls",
      "net.ipv4.tcp_rmem, net.ipv4.tcp_wmem",
    );
    allows(sysctls_1_32, pod("net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem", ...v129));
  });
});

describe("windowsHostProcess", () => {
  it("host process", () => {
    forbids(
      windowsHostProcess_1_0,
      {
        securityContext: { windowsOptions: { hostProcess: true } },
        containers: [
          c("a"),
          c("b", {}),
          c("c", { windowsOptions: {} }),
          c("d", { windowsOptions: { hostProcess: false } }),
          c("e", { windowsOptions: { hostProcess: true } }),
          c("f", { windowsOptions: { hostProcess: true } }),
        ],
      },
      "hostProcess",
      'pod and containers "e", "f" must not set securityContext.windowsOptions.hostProcess=true',
    );
  });
});

describe("aggregate results", () => {
  it("joins reasons, and details in parentheses (checks_test.go)", () => {
    const agg = aggregateCheckResults([
      { allowed: true },
      { allowed: false, forbiddenReason: "host ports", forbiddenDetail: "8080, 9090" },
      { allowed: false, forbiddenReason: "privileged containers" },
      { allowed: false },
    ]);
    assert.equal(agg.allowed, false);
    assert.equal(forbiddenReason(agg), "host ports, privileged containers, unknown forbidden reason");
    assert.equal(
      forbiddenDetail(agg),
      "host ports (8080, 9090), privileged containers, unknown forbidden reason",
    );
    assert.equal(aggregateCheckResults([{ allowed: true }]).allowed, true);
  });
});
