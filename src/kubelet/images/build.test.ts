import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { buildImages, listApplets } from "./build.ts";
import { IMAGES } from "./names.ts";
import { sha256 } from "./oci.ts";

const dir = mkdtempSync(join(tmpdir(), "k8ts-build-"));
after(() => rmSync(dir, { recursive: true, force: true }));

interface Unpacked {
  annotations: Record<string, string>;
  config: { config: { Entrypoint?: string[]; Cmd?: string[] }; rootfs: { diff_ids: string[] } };
  layer: Buffer;
  listing: string;
}

// Opens an archive the way ctr does: index → manifest → config and layer.
function unpack(archive: string): Unpacked {
  const root = mkdtempSync(join(dir, "x-"));
  execFileSync("tar", ["-xf", archive, "-C", root]);
  const read = (digest: string) => readFileSync(join(root, "blobs/sha256", digest.replace("sha256:", "")));
  const entry = JSON.parse(readFileSync(join(root, "index.json"), "utf8")).manifests[0];
  const manifest = JSON.parse(read(entry.digest).toString());
  const gz = read(manifest.layers[0].digest);
  const layer = gunzipSync(gz);
  const layerFile = join(root, "layer.tar");
  execFileSync("tee", [layerFile], { input: layer, stdio: ["pipe", "ignore", "inherit"] });
  const listing = execFileSync("tar", ["-tvf", layerFile], {
    encoding: "utf8",
    env: { ...process.env, TZ: "UTC" },
  });
  return {
    annotations: entry.annotations,
    config: JSON.parse(read(manifest.config.digest).toString()),
    layer,
    listing,
  };
}

describe("buildImages", async () => {
  const first = await buildImages(join(dir, "a"));
  const second = await buildImages(join(dir, "b"));

  it("builds k8ts.local/busybox:latest with every applet linked to /bin/busybox", async () => {
    const img = unpack(first.busybox);
    assert.equal(img.annotations["io.containerd.image.name"], IMAGES.busybox);
    assert.equal(img.annotations["io.containerd.image.name"], "k8ts.local/busybox:latest");
    assert.deepEqual(img.config.config.Cmd, ["sh"]);
    assert.equal(img.config.config.Entrypoint, undefined);
    assert.deepEqual(img.config.rootfs.diff_ids, [sha256(img.layer)]);
    const size = readFileSync("/usr/bin/busybox").length;
    assert.match(
      img.listing,
      new RegExp(`^-rwxr-xr-x root/root +${size} 1970-01-01 00:00 bin/busybox$`, "m"),
    );
    for (const line of [
      "lrwxrwxrwx root/root         0 1970-01-01 00:00 bin/sh -> /bin/busybox",
      "drwxrwxrwt root/root         0 1970-01-01 00:00 tmp/",
      "drwx------ root/root         0 1970-01-01 00:00 root/",
      "drwxr-xr-x root/root         0 1970-01-01 00:00 var/www/",
      "drwxr-xr-x root/root         0 1970-01-01 00:00 usr/bin/",
    ]) {
      assert.ok(img.listing.includes(`${line}\n`), line);
    }
    for (const applet of await listApplets()) {
      if (applet === "bin/busybox") continue;
      assert.ok(img.listing.includes(` ${applet} -> /bin/busybox\n`), applet);
    }
    assert.match(img.listing, / etc\/passwd\n/);
    assert.match(img.listing, / etc\/group\n/);
  });

  it("builds k8ts.local/pause:3.10 as busybox running sleep infinity", () => {
    const img = unpack(first.pause);
    assert.equal(img.annotations["io.containerd.image.name"], "k8ts.local/pause:3.10");
    assert.deepEqual(img.config.config.Entrypoint, ["/bin/sleep"]);
    assert.deepEqual(img.config.config.Cmd, ["infinity"]);
    const names = img.listing
      .trim()
      .split("\n")
      .map((l) => l.slice(l.indexOf(" 00:00 ") + 7));
    assert.deepEqual(names, ["bin/", "bin/busybox", "bin/sleep -> /bin/busybox"]);
  });

  it("gives the same bytes, hence the same digests, on every build", () => {
    assert.equal(sha256(readFileSync(first.busybox)), sha256(readFileSync(second.busybox)));
    assert.equal(sha256(readFileSync(first.pause)), sha256(readFileSync(second.pause)));
  });
});
