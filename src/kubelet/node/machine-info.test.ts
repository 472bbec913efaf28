import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import {
  filesystemCapacity,
  goArch,
  goOS,
  hollowMachineInfo,
  hostMachineInfo,
  memTotalFromMeminfo,
  osImageFromOsRelease,
} from "./machine-info.ts";

test("GOARCH and GOOS names for Node's", () => {
  assert.equal(goArch("x64"), "amd64");
  assert.equal(goArch("arm64"), "arm64");
  assert.equal(goArch("ia32"), "386");
  assert.equal(goArch("ppc64"), "ppc64le");
  assert.equal(goOS("linux"), "linux");
  assert.equal(goOS("win32"), "windows");
});

test("osImage is PRETTY_NAME of /etc/os-release, Linux when missing", () => {
  assert.equal(
    osImageFromOsRelease(
      'NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n',
    ),
    "Debian GNU/Linux 12 (bookworm)",
  );
  assert.equal(osImageFromOsRelease("PRETTY_NAME=Alpine\n"), "Alpine");
  assert.equal(osImageFromOsRelease(undefined), "Linux");
});

test("memory capacity is MemTotal in bytes", () => {
  assert.equal(memTotalFromMeminfo("MemTotal:       24684092 kB\nMemFree: 1 kB\n"), 24684092 * 1024);
  assert.equal(memTotalFromMeminfo("nothing"), undefined);
});

test("a hollow node keeps its machine identity across restarts, but boots anew", () => {
  const a = hollowMachineInfo("hollow-1");
  const b = hollowMachineInfo("hollow-1");
  const c = hollowMachineInfo("hollow-2");
  assert.equal(a.machineID, b.machineID);
  assert.match(a.machineID, /^[0-9a-f]{32}$/);
  assert.equal(a.systemUUID, b.systemUUID);
  assert.match(a.systemUUID, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-a[0-9a-f]{3}-[0-9a-f]{12}$/);
  assert.notEqual(a.bootID, b.bootID);
  assert.notEqual(a.machineID, c.machineID);
  assert.equal(a.numCores, 4);
  assert.equal(a.memoryCapacity, 16 * 1024 ** 3);
  assert.equal(a.rootFsCapacity, 100 * 1024 ** 3);
  const big = hollowMachineInfo("h", { cpu: 64, memory: "256Gi", ephemeralStorage: "1Ti", bootID: "b" });
  assert.equal(big.numCores, 64);
  assert.equal(big.memoryCapacity, 256 * 1024 ** 3);
  assert.equal(big.rootFsCapacity, 1024 ** 4);
  assert.equal(big.bootID, "b");
});

test("this host: cores, memory, the data dir's filesystem, IDs, OS", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-machine-"));
  try {
    // A data dir that does not exist yet is measured on its nearest parent.
    const info = hostMachineInfo({ dataDir: join(dir, "not", "yet") });
    assert.ok(info.numCores > 0);
    assert.ok(info.memoryCapacity > 0);
    assert.equal(info.rootFsCapacity, filesystemCapacity(dir));
    assert.ok(info.rootFsCapacity > 0);
    assert.equal(info.operatingSystem, goOS());
    assert.equal(info.architecture, goArch());
    assert.ok(info.kernelVersion.length > 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
