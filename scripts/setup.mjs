// Set-up shared by `npm test`, `npm run bench` and `./k8ts`: it must run before
// node_modules exists, so it uses nothing but Node's standard library.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Debian packages, by what needs them. */
export const systemPackages = {
  test: [
    "etcd-server",
    "containerd",
    "runc",
    "containernetworking-plugins",
    "busybox-static",
    "iptables",
    "conntrack",
    // The image-pull tests push to a registry of their own on loopback (htpasswd makes its bcrypt users).
    "docker-registry",
    "skopeo",
    "apache2-utils",
    // The port-forward test fetches through kubectl port-forward with curl.
    "curl",
    // ./k8ts runs node on jemalloc when it is installed (the launcher says why).
    "libjemalloc2",
    // The dashboard's end-to-end test drives a real browser.
    "chromium-headless-shell",
  ],
  bench: ["etcd-server", "libjemalloc2"],
};

/** The V8 flags in scripts/node-flags, which ./k8ts gives every k8ts process. */
export function nodeFlags() {
  return readFileSync(join(root, "scripts", "node-flags"), "utf8")
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .flatMap((l) => l.trim().split(/\s+/));
}

function log(msg) {
  process.stderr.write(`k8ts setup: ${msg}\n`);
}

/** Runs `npm ci` when node_modules is missing or older than package-lock.json. */
export function ensureNodeModules() {
  const stamp = join(root, "node_modules", ".package-lock.json");
  const lock = join(root, "package-lock.json");
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= statSync(lock).mtimeMs) return;
  log("installing npm dependencies (npm ci)…");
  const r = spawnSync("npm", ["ci", "--no-audit", "--no-fund"], {
    cwd: root,
    stdio: ["ignore", "inherit", "inherit"],
  });
  if (r.status !== 0) {
    throw new Error("npm ci failed: check network access to the npm registry, then run `npm ci` by hand");
  }
}

function missingPackages(names) {
  return names.filter((p) => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: dpkg-query's own format syntax
    const r = spawnSync("dpkg-query", ["-W", "-f=${Status}", p], { encoding: "utf8" });
    return r.status !== 0 || !r.stdout.includes("install ok installed");
  });
}

/** Installs missing Debian packages when running as root on Debian; otherwise names them. */
export function ensureSystemPackages(names) {
  if (!existsSync("/etc/debian_version")) return;
  const missing = missingPackages(names);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `missing system packages: ${missing.join(" ")}; install them with: sudo apt-get install ${missing.join(" ")}`,
    );
  }
  log(`installing system packages: ${missing.join(" ")}…`);
  const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
  execFileSync("apt-get", ["update", "-qq"], { stdio: ["ignore", "ignore", "inherit"], env });
  execFileSync("apt-get", ["install", "-y", "-qq", "--no-install-recommends", ...missing], {
    stdio: ["ignore", "ignore", "inherit"],
    env,
  });
  // Debian starts packaged daemons (etcd, containerd) on install; k8ts and its tests run their own.
  for (const unit of ["etcd", "containerd", "docker-registry"])
    spawnSync("systemctl", ["disable", "--now", unit], { stdio: "ignore" });
}
