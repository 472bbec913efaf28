import assert from "node:assert/strict";
import { test } from "node:test";
import { missingContainerdPackages } from "../kubelet/runtime/containerd.ts";
import { aptGetInstallCommand, ensureContainerdPackages, planContainerdPackages } from "./system-packages.ts";

const ALL = "containerd runc containernetworking-plugins busybox-static iptables conntrack";

test("nothing to do as root when every package is there", () => {
  assert.deepEqual(planContainerdPackages({ missing: [], isRoot: true, isDebian: true }), { type: "ready" });
  assert.deepEqual(planContainerdPackages({ missing: [], isRoot: true, isDebian: false }), { type: "ready" });
});

test("as root on Debian, the missing packages are installed", () => {
  assert.deepEqual(planContainerdPackages({ missing: ["runc", "iptables"], isRoot: true, isDebian: true }), {
    type: "install",
    packages: ["runc", "iptables"],
  });
});

test("not root: fails naming the packages, the apt-get command and --runtime fake", () => {
  const plan = planContainerdPackages({ missing: ["containerd", "runc"], isRoot: false, isDebian: true });
  assert.equal(plan.type, "fail");
  assert.equal(
    plan.type === "fail" && plan.message,
    `--runtime containerd runs containers and must run as root (it needs the Debian packages ${ALL}). ` +
      "The Debian packages containerd runc are missing: install them as root with " +
      "`apt-get install -y --no-install-recommends containerd runc`. Or use --runtime fake (no containers).",
  );
  // Everything installed still needs root.
  const noneMissing = planContainerdPackages({ missing: [], isRoot: false, isDebian: true });
  assert.equal(
    noneMissing.type === "fail" && noneMissing.message,
    `--runtime containerd runs containers and must run as root (it needs the Debian packages ${ALL}). Or use --runtime fake (no containers).`,
  );
});

test("root but not Debian: fails naming the packages instead of guessing a package manager", () => {
  const plan = planContainerdPackages({ missing: ["busybox-static"], isRoot: true, isDebian: false });
  assert.equal(
    plan.type === "fail" && plan.message,
    `--runtime containerd needs busybox-static (the Debian packages ${ALL}); k8ts installs them only on Debian ` +
      "(`apt-get install -y --no-install-recommends busybox-static`): install them with your system's package manager, " +
      "or use --runtime fake (no containers).",
  );
});

test("the installer runs apt-get update, install --no-install-recommends, then disables Debian's containerd", () => {
  const calls: string[] = [];
  const progress: string[] = [];
  ensureContainerdPackages({
    progress: (m) => progress.push(m),
    facts: { missing: ["containerd", "runc"], isRoot: true, isDebian: true },
    run: (cmd, args, o) => {
      assert.equal(o.env.DEBIAN_FRONTEND, "noninteractive");
      calls.push(`${cmd} ${args.join(" ")}${o.quiet ? " (quiet)" : ""}`);
    },
  });
  assert.deepEqual(calls, [
    "apt-get update -qq",
    "apt-get install -y -qq --no-install-recommends containerd runc",
    "systemctl disable --now containerd (quiet)",
  ]);
  assert.deepEqual(progress, ["installing containerd runc (apt-get)…", "installed containerd runc"]);
});

test("the installer runs nothing when all is there, and throws the plan's message when it cannot install", () => {
  const calls: string[] = [];
  const run = (cmd: string) => {
    calls.push(cmd);
  };
  ensureContainerdPackages({ progress: () => {}, facts: { missing: [], isRoot: true, isDebian: true }, run });
  assert.throws(
    () =>
      ensureContainerdPackages({
        progress: () => {},
        facts: { missing: ["runc"], isRoot: false, isDebian: true },
        run,
      }),
    /must run as root.*apt-get install -y --no-install-recommends runc.*--runtime fake/,
  );
  assert.deepEqual(calls, []);
});

test("a failed apt-get says which command to run by hand", () => {
  assert.throws(
    () =>
      ensureContainerdPackages({
        progress: () => {},
        facts: { missing: ["iptables"], isRoot: true, isDebian: true },
        run: (_cmd, args) => {
          if (args[0] === "install") throw new Error("exit status 100");
        },
      }),
    {
      message:
        "installing iptables failed (exit status 100); run `apt-get install -y --no-install-recommends iptables` by hand, or use --runtime fake",
    },
  );
});

test("aptGetInstallCommand", () => {
  assert.equal(aptGetInstallCommand(["a", "b"]), "apt-get install -y --no-install-recommends a b");
});

test("missingContainerdPackages probes executables on PATH and the CNI and busybox files", () => {
  assert.deepEqual(
    missingContainerdPackages("/nonexistent", () => false),
    ["containerd", "runc", "containernetworking-plugins", "busybox-static", "iptables", "conntrack"],
  );
  const files = new Set(["/usr/lib/cni/bridge"]);
  assert.deepEqual(
    missingContainerdPackages("/nonexistent", (f) => files.has(f)),
    ["containerd", "runc", "busybox-static", "iptables", "conntrack"],
  );
});
