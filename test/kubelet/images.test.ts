// Imports the locally built images into a throwaway containerd and runs one.
import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { promisify } from "node:util";
import { buildImages, IMAGES, importImages } from "../../src/kubelet/images/index.ts";
import { startTestContainerd, type TestContainerd } from "../support/containerd.ts";

const execFileAsync = promisify(execFile);

describe("local images in containerd", () => {
  let dataDir = "";
  let sock = "";
  let node: TestContainerd | undefined;
  const containerID = `k8ts-images-${process.pid}-${Date.now()}`;
  const ctr = (...args: string[]) =>
    execFileAsync("ctr", ["--address", sock, "-n", "k8s.io", ...args], { encoding: "utf8" });

  before(async () => {
    // A range no other test uses; this test makes no sandbox.
    node = await startTestContainerd("k8ts-images-", "10.251.0.0/24");
    dataDir = node.dataDir;
    sock = node.containerd.socket;
  });

  after(async () => {
    if (node) {
      // Leave no task (and so no shim or rootfs mount) behind.
      await ctr("tasks", "kill", "-s", "SIGKILL", containerID).catch(() => {});
      await ctr("tasks", "rm", "-f", containerID).catch(() => {});
      await ctr("containers", "rm", containerID).catch(() => {});
    }
    await node?.stop();
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

    // The output goes to a bind-mounted file: ctr run's own stdout can lose what a task that exits at once
    // wrote (one clean-clone CI run saw it empty).
    const out = join(dataDir, "run-out");
    mkdirSync(out, { recursive: true });
    await ctr(
      "run",
      "--rm",
      "--mount",
      `type=bind,src=${out},dst=/out,options=rbind:rw`,
      IMAGES.busybox,
      containerID,
      "sh",
      "-c",
      "{ echo hi; id -un; } > /out/o",
    );
    assert.equal(readFileSync(join(out, "o"), "utf8"), "hi\nroot\n");
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
