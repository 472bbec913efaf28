import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import {
  ensureHostsFile,
  managedHostsFileContent,
  nodeHostsFileContent,
  shouldMountHostsFile,
} from "./hosts-file.ts";

const LOCALHOST =
  "# Kubernetes-managed hosts file.\n127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\nfe00::0\tip6-localnet\nfe00::0\tip6-mcastprefix\nfe00::1\tip6-allnodes\nfe00::2\tip6-allrouters\n";

describe("managedHostsFileContent", () => {
  it("writes the pod IP with its hostname (upstream's TestManagedHostsFileContent)", () => {
    assert.equal(
      managedHostsFileContent(["123.45.67.89"], "podFoo", "", []),
      `${LOCALHOST}123.45.67.89\tpodFoo\n`,
    );
  });
  it("puts the FQDN first with a subdomain, one line per pod IP", () => {
    assert.equal(
      managedHostsFileContent(["203.0.113.1", "fd00::6"], "podFoo", "domainFoo", []),
      `${LOCALHOST}203.0.113.1\tpodFoo.domainFoo\tpodFoo\nfd00::6\tpodFoo.domainFoo\tpodFoo\n`,
    );
  });
  it("appends host aliases, one line per IP", () => {
    assert.equal(
      managedHostsFileContent(["12.34.56.78"], "podFoo", "", [
        { ip: "123.45.67.89", hostnames: ["foo", "bar", "baz"] },
        { ip: "456.78.90.123", hostnames: ["park", "doo", "boo"] },
      ]),
      `${LOCALHOST}12.34.56.78\tpodFoo\n\n# Entries added by HostAliases.\n123.45.67.89\tfoo\tbar\tbaz\n456.78.90.123\tpark\tdoo\tboo\n`,
    );
  });
});

describe("nodeHostsFileContent", () => {
  it("copies the node's file under the host-network header", () => {
    assert.equal(
      nodeHostsFileContent("127.0.0.1\tlocalhost\n", [{ ip: "1.2.3.4", hostnames: ["a"] }]),
      "# Kubernetes-managed hosts file (host network).\n127.0.0.1\tlocalhost\n\n# Entries added by HostAliases.\n1.2.3.4\ta\n",
    );
  });
});

describe("ensureHostsFile", () => {
  it("writes the file 0644, from the node's file for host-network pods", () => {
    const dir = mkdtempSync(join(tmpdir(), "hosts-"));
    const fileName = join(dir, "pod", "etc-hosts");
    ensureHostsFile({
      fileName,
      hostIPs: ["10.244.0.5"],
      hostName: "p",
      hostDomainName: "",
      useHostNetwork: false,
    });
    assert.equal(readFileSync(fileName, "utf8"), `${LOCALHOST}10.244.0.5\tp\n`);
    assert.equal(statSync(fileName).mode & 0o777, 0o644);
    writeFileSync(join(dir, "node-hosts"), "10.0.0.1 node\n");
    ensureHostsFile({
      fileName,
      hostIPs: [],
      hostName: "p",
      hostDomainName: "",
      useHostNetwork: true,
      nodeHostsPath: join(dir, "node-hosts"),
    });
    assert.equal(
      readFileSync(fileName, "utf8"),
      "# Kubernetes-managed hosts file (host network).\n10.0.0.1 node\n",
    );
  });
});

describe("shouldMountHostsFile", () => {
  it("needs a pod IP and no /etc/hosts mount of the container's own", () => {
    assert.equal(shouldMountHostsFile([], { name: "c" }), false);
    assert.equal(shouldMountHostsFile(["10.244.0.5"], { name: "c" }), true);
    assert.equal(
      shouldMountHostsFile(["10.244.0.5"], {
        name: "c",
        volumeMounts: [{ name: "v", mountPath: "/etc/hosts" }],
      }),
      false,
    );
  });
});
