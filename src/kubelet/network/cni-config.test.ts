import assert from "node:assert/strict";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, test } from "node:test";
import { cniConfDir, writeCniConfig } from "./cni-config.ts";

const dir = mkdtempSync(join(tmpdir(), "k8ts-cni-"));
after(() => rmSync(dir, { recursive: true, force: true }));

test("writeCniConfig writes the bridge/portmap/loopback conflist of CONTAINERD.md", () => {
  const path = writeCniConfig(dir, "10.250.0.0/24");
  assert.equal(path, join(dir, "cni", "net.d", "10-k8ts.conflist"));
  assert.deepEqual(readdirSync(cniConfDir(dir)), ["10-k8ts.conflist"]);
  assert.deepEqual(JSON.parse(readFileSync(path, "utf8")), {
    cniVersion: "0.4.0",
    name: "k8ts",
    plugins: [
      {
        type: "bridge",
        bridge: "k8ts0",
        isGateway: true,
        ipMasq: false,
        hairpinMode: true,
        ipam: {
          type: "host-local",
          ranges: [[{ subnet: "10.250.0.0/24" }]],
          routes: [{ dst: "0.0.0.0/0" }],
          dataDir: join(dir, "cni", "networks"),
        },
      },
      { type: "portmap", capabilities: { portMappings: true } },
      { type: "loopback" },
    ],
  });
});

test("writeCniConfig replaces the conflist when the podCIDR changes", () => {
  const path = writeCniConfig(dir, "10.250.1.0/24");
  const conf = JSON.parse(readFileSync(path, "utf8"));
  assert.deepEqual(conf.plugins[0].ipam.ranges, [[{ subnet: "10.250.1.0/24" }]]);
  assert.deepEqual(readdirSync(cniConfDir(dir)), ["10-k8ts.conflist"]);
});
