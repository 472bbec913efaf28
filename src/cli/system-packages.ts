// The Debian packages `k8ts up --runtime containerd` needs (CONTAINERD_PACKAGES):
// installed with apt-get when k8ts runs as root on Debian, as scripts/setup.mjs
// does for npm test; otherwise a clear error before anything starts.
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";
import { CONTAINERD_PACKAGES, missingContainerdPackages } from "../kubelet/runtime/containerd.ts";

export type PackagePlan =
  | { type: "ready" }
  | { type: "install"; packages: string[] }
  | { type: "fail"; message: string };

export interface PackageFacts {
  /** The packages whose files are missing. */
  missing: readonly string[];
  isRoot: boolean;
  isDebian: boolean;
}

/** The apt-get command line that installs packages. */
export function aptGetInstallCommand(packages: readonly string[]): string {
  return `apt-get install -y --no-install-recommends ${packages.join(" ")}`;
}

/** What to do about the containerd runtime's packages. */
export function planContainerdPackages(f: PackageFacts): PackagePlan {
  const all = CONTAINERD_PACKAGES.join(" ");
  if (!f.isRoot) {
    const missing =
      f.missing.length > 0
        ? ` The Debian packages ${f.missing.join(" ")} are missing: install them as root with \`${aptGetInstallCommand(f.missing)}\`.`
        : "";
    return {
      type: "fail",
      message: `--runtime containerd runs containers and must run as root (it needs the Debian packages ${all}).${missing} Or use --runtime fake (no containers).`,
    };
  }
  if (f.missing.length === 0) return { type: "ready" };
  if (!f.isDebian) {
    return {
      type: "fail",
      message: `--runtime containerd needs ${f.missing.join(" ")} (the Debian packages ${all}); k8ts installs them only on Debian (\`${aptGetInstallCommand(f.missing)}\`): install them with your system's package manager, or use --runtime fake (no containers).`,
    };
  }
  return { type: "install", packages: [...f.missing] };
}

export interface EnsurePackagesOptions {
  progress(msg: string): void;
  /** The facts; read from this machine unless given. */
  facts?: PackageFacts;
  /** Runs a command (apt-get, systemctl); throws when it fails unless quiet. */
  run?(cmd: string, args: string[], o: { env: NodeJS.ProcessEnv; quiet: boolean }): void;
}

function runCommand(cmd: string, args: string[], o: { env: NodeJS.ProcessEnv; quiet: boolean }): void {
  try {
    execFileSync(cmd, args, { stdio: ["ignore", "ignore", o.quiet ? "ignore" : "inherit"], env: o.env });
  } catch (e) {
    if (!o.quiet) throw e;
  }
}

/** The facts of this machine. */
export function containerdPackageFacts(): PackageFacts {
  return {
    missing: missingContainerdPackages(),
    isRoot: process.getuid?.() === 0,
    isDebian: existsSync("/etc/debian_version"),
  };
}

/** Installs the containerd runtime's missing packages, or throws the message that says what to do. */
export function ensureContainerdPackages(o: EnsurePackagesOptions): void {
  const plan = planContainerdPackages(o.facts ?? containerdPackageFacts());
  switch (plan.type) {
    case "ready":
      return;
    case "fail":
      throw new Error(plan.message);
    case "install": {
      const run = o.run ?? runCommand;
      const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
      o.progress(`installing ${plan.packages.join(" ")} (apt-get)…`);
      try {
        run("apt-get", ["update", "-qq"], { env, quiet: false });
        run("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...plan.packages], {
          env,
          quiet: false,
        });
      } catch (e) {
        throw new Error(
          `installing ${plan.packages.join(" ")} failed (${(e as Error).message}); run \`${aptGetInstallCommand(plan.packages)}\` by hand, or use --runtime fake`,
        );
      }
      // Debian's package starts its own containerd; k8ts runs its own under the data dir.
      run("systemctl", ["disable", "--now", "containerd"], { env, quiet: true });
      o.progress(`installed ${plan.packages.join(" ")}`);
      return;
    }
  }
}
