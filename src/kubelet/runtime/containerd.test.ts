import assert from "node:assert/strict";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import {
  checkContainerdInstalled,
  containerdPaths,
  findExecutable,
  writeContainerdConfig,
} from "./containerd.ts";

const dir = mkdtempSync(join(tmpdir(), "k8ts-ctrd-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("writeContainerdConfig writes CONTAINERD.md's verified configuration under the data dir", () => {
  const p = writeContainerdConfig(dir);
  assert.equal(p.config, join(dir, "containerd", "config.toml"));
  assert.equal(
    readFileSync(p.config, "utf8"),
    `version = 2
root = "${dir}/containerd/root"
state = "${dir}/containerd/state"
[grpc]
  address = "${dir}/containerd/containerd.sock"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "k8ts.local/pause:3.10"
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "${dir}/containerd/certs.d"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${dir}/cni/net.d"
`,
  );
  assert.ok(existsSync(join(dir, "cni", "net.d")), "the CNI conf dir exists for containerd's watcher");
});

test("containerdPaths keeps socket and log in <dataDir>/containerd", () => {
  const p = containerdPaths("/var/lib/k8ts");
  assert.equal(p.socket, "/var/lib/k8ts/containerd/containerd.sock");
  assert.equal(p.log, "/var/lib/k8ts/containerd/containerd.log");
});

test("findExecutable searches PATH for executables only", () => {
  const bin = join(dir, "bin");
  mkdirSync(bin, { recursive: true });
  writeFileSync(join(bin, "containerd"), "#!/bin/sh\n");
  chmodSync(join(bin, "containerd"), 0o755);
  writeFileSync(join(bin, "runc"), "not executable");
  chmodSync(join(bin, "runc"), 0o644);
  assert.equal(findExecutable("containerd", `/nonexistent:${bin}`), join(bin, "containerd"));
  assert.equal(findExecutable("runc", bin), undefined);
});

test("a missing containerd or runc names the packages and --runtime fake", () => {
  assert.throws(
    () => checkContainerdInstalled("/nonexistent"),
    (e: Error) => {
      assert.equal(
        e.message,
        "containerd and runc not found on PATH: the containerd runtime needs the Debian packages " +
          "containerd runc containernetworking-plugins busybox-static iptables conntrack " +
          "(apt-get install containerd runc containernetworking-plugins busybox-static iptables conntrack), " +
          "or run the kubelet with --runtime fake",
      );
      return true;
    },
  );
});
