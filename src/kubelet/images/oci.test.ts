import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, describe, it } from "node:test";
import { gunzipSync } from "node:zlib";
import { buildOCIImage, type Descriptor, ociArchitecture, referenceTag, sha256 } from "./oci.ts";
import { writeTar } from "./tar.ts";

const dir = mkdtempSync(join(tmpdir(), "k8ts-oci-"));
after(() => rmSync(dir, { recursive: true, force: true }));

const layer = writeTar([
  { type: "dir", path: "bin" },
  { type: "file", path: "bin/true", data: Buffer.from("x"), mode: 0o755 },
]);

function blob(root: string, d: Descriptor): Buffer {
  const data = readFileSync(join(root, "blobs/sha256", d.digest.replace("sha256:", "")));
  assert.equal(data.length, d.size, `size of ${d.digest}`);
  assert.equal(sha256(data), d.digest);
  return data;
}

describe("buildOCIImage", () => {
  it("writes a layout whose index, manifest, config and layer agree", () => {
    const img = buildOCIImage({ name: "k8ts.local/t:1.0", layer, entrypoint: ["/bin/true"], cmd: ["a"] });
    const archive = join(dir, "t.tar");
    writeFileSync(archive, img.archive);
    const root = join(dir, "t");
    execFileSync("mkdir", ["-p", root]);
    execFileSync("tar", ["-xf", archive, "-C", root]);

    assert.deepEqual(JSON.parse(readFileSync(join(root, "oci-layout"), "utf8")), {
      imageLayoutVersion: "1.0.0",
    });
    const index = JSON.parse(readFileSync(join(root, "index.json"), "utf8"));
    assert.equal(index.schemaVersion, 2);
    assert.equal(index.manifests.length, 1);
    const entry = index.manifests[0];
    assert.equal(entry.mediaType, "application/vnd.oci.image.manifest.v1+json");
    assert.deepEqual(entry.annotations, {
      "io.containerd.image.name": "k8ts.local/t:1.0",
      "org.opencontainers.image.ref.name": "1.0",
    });
    assert.deepEqual(entry.platform, { architecture: ociArchitecture(), os: "linux" });

    const manifest = JSON.parse(blob(root, entry).toString());
    assert.equal(manifest.schemaVersion, 2);
    assert.equal(manifest.mediaType, "application/vnd.oci.image.manifest.v1+json");
    assert.equal(manifest.config.mediaType, "application/vnd.oci.image.config.v1+json");
    assert.equal(manifest.layers.length, 1);
    assert.equal(manifest.layers[0].mediaType, "application/vnd.oci.image.layer.v1.tar+gzip");

    const config = JSON.parse(blob(root, manifest.config).toString());
    assert.equal(config.os, "linux");
    assert.equal(config.architecture, ociArchitecture());
    assert.deepEqual(config.config, {
      Env: ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"],
      Entrypoint: ["/bin/true"],
      Cmd: ["a"],
    });
    const gz = blob(root, manifest.layers[0]);
    assert.deepEqual(gunzipSync(gz), layer);
    assert.deepEqual(config.rootfs, { type: "layers", diff_ids: [sha256(layer)] });
    assert.equal(img.diffID, sha256(layer));
    assert.equal(img.manifest.digest, entry.digest);
  });

  it("maps Node's arch names to OCI's", () => {
    assert.equal(ociArchitecture("x64"), "amd64");
    assert.equal(ociArchitecture("arm64"), "arm64");
  });

  it("takes the tag from a reference", () => {
    assert.equal(referenceTag("k8ts.local/pause:3.10"), "3.10");
    assert.equal(referenceTag("localhost:5000/busybox"), "latest");
  });
});
