// Imports the locally built images into a throwaway containerd and runs one.
import assert from "node:assert/strict";
import { type ChildProcess, execFile, execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { buildImages, IMAGES, importImages } from "../../src/kubelet/images/index.ts";

const execFileAsync = promisify(execFile);

/** npm test installs containerd, runc and the rest as root (scripts/setup.mjs); anything else is a set-up error. */
function requireContainerd(): void {
  if (process.getuid?.() !== 0)
    throw new Error("this test runs containerd: run it as root (npm test does its own set-up)");
  for (const bin of ["containerd", "ctr", "runc"]) {
    try {
      execFileSync("sh", ["-c", `command -v ${bin}`], { stdio: "ignore" });
    } catch {
      throw new Error(`${bin} is missing: apt-get install containerd runc (npm test installs them as root)`);
    }
  }
}

describe("local images in containerd", () => {
  let dataDir = "";
  let sock = "";
  let containerd: ChildProcess | undefined;
  const containerID = `k8ts-images-${process.pid}-${Date.now()}`;
  const ctr = (...args: string[]) =>
    execFileAsync("ctr", ["--address", sock, "-n", "k8s.io", ...args], { encoding: "utf8" });

  before(async () => {
    requireContainerd();
    dataDir = mkdtempSync(join(tmpdir(), "k8ts-images-"));
    sock = join(dataDir, "containerd/containerd.sock");
    mkdirSync(join(dataDir, "cni/net.d"), { recursive: true });
    const config = join(dataDir, "containerd.toml");
    writeFileSync(
      config,
      `version = 2
root = "${dataDir}/containerd/root"
state = "${dataDir}/containerd/state"
[grpc]
  address = "${sock}"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${IMAGES.pause}"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dataDir}/cni/net.d"
`,
    );
    const log = openSync(join(dataDir, "containerd.log"), "a");
    containerd = spawn("containerd", ["--config", config], { stdio: ["ignore", log, log] });
    const deadline = Date.now() + 15_000;
    while (!existsSync(sock)) {
      if (containerd.exitCode !== null || Date.now() > deadline) {
        throw new Error(
          `containerd did not start:\n${readFileSync(join(dataDir, "containerd.log"), "utf8")}`,
        );
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  });

  after(async () => {
    if (containerd?.pid !== undefined && containerd.exitCode === null) {
      // Leave no task (and so no shim or rootfs mount) behind.
      await ctr("tasks", "kill", "-s", "SIGKILL", containerID).catch(() => {});
      await ctr("tasks", "rm", "-f", containerID).catch(() => {});
      await ctr("containers", "rm", containerID).catch(() => {});
      const exited = new Promise((r) => containerd?.once("exit", r));
      process.kill(containerd.pid, "SIGTERM");
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
      if (containerd.exitCode === null && containerd.signalCode === null)
        process.kill(containerd.pid, "SIGKILL");
    }
    if (dataDir === "") return;
    // Unmount anything containerd left under the data dir, deepest first.
    const mounts = readFileSync("/proc/self/mountinfo", "utf8")
      .split("\n")
      .map((l) => l.split(" ")[4] ?? "")
      .filter((m) => m.startsWith(dataDir))
      .sort((a, b) => b.length - a.length);
    for (const m of mounts) {
      try {
        execFileSync("umount", ["-l", m]);
      } catch {}
    }
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("imports both archives under exactly their two names, and runs busybox", async () => {
    const archives = await buildImages(join(dataDir, "images"));
    // The archive alone names the image: a bare `ctr images import` (no
    // --index-name) adds no import-<date> reference to clean up.
    await ctr("images", "import", archives.pause);
    const bare = (await ctr("images", "ls", "-q")).stdout.trim().split("\n");
    assert.deepEqual(
      bare.filter((n) => !n.startsWith("sha256:")),
      ["k8ts.local/pause:3.10"],
    );
    await importImages([archives.busybox, archives.pause], { address: sock, namespace: "k8s.io" });
    const { stdout: names } = await ctr("images", "ls", "-q");
    // The CRI plugin adds one "sha256:<config digest>" reference per image (its
    // image ID); anything else must be exactly our two names, no import-<date>.
    const refs = names.trim().split("\n").sort();
    assert.deepEqual(
      refs.filter((n) => !n.startsWith("sha256:")),
      ["k8ts.local/busybox:latest", "k8ts.local/pause:3.10"],
    );
    assert.equal(refs.filter((n) => n.startsWith("sha256:")).length, 2);

    // Importing again is idempotent and still adds no import-<date> name.
    await importImages([archives.busybox], { address: sock, namespace: "k8s.io" });
    assert.equal((await ctr("images", "ls", "-q")).stdout, names);

    const { stdout } = await ctr("run", "--rm", IMAGES.busybox, containerID, "sh", "-c", "echo hi; id -un");
    assert.equal(stdout, "hi\nroot\n");
  });

  it("names the command and its stderr when ctr fails", async () => {
    await assert.rejects(
      importImages([join(dataDir, "missing.tar")], { address: sock, namespace: "k8s.io" }),
      (err: Error) => {
        assert.match(err.message, /^ctr --address .* -n k8s\.io images import .*missing\.tar failed: /);
        assert.match(err.message, /no such file or directory/);
        return true;
      },
    );
  });
});
