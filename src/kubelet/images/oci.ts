// An OCI image layout (image-spec v1.0) with a single gzip layer, packed as
// one tar archive that `ctr images import` reads.
//
// Naming on import (containerd 1.6 client/import.go, imageName): the index
// entry's io.containerd.image.name is used as is when present; only without it
// does ctr fall back to org.opencontainers.image.ref.name, run through its
// prefix translator ("import-<date>" unless --base-name). So with the full
// name in io.containerd.image.name, and no --index-name (which adds a second
// reference to the index itself, CONTAINERD.md trap 2),
//   ctr --address <sock> -n k8s.io images import <archive>
// creates exactly one image, named <name>. ref.name carries only the tag, as
// containerd's own exporter writes it.

import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { type TarEntry, writeTar } from "./tar.ts";

export const MEDIA_TYPE_INDEX = "application/vnd.oci.image.index.v1+json";
export const MEDIA_TYPE_MANIFEST = "application/vnd.oci.image.manifest.v1+json";
export const MEDIA_TYPE_CONFIG = "application/vnd.oci.image.config.v1+json";
export const MEDIA_TYPE_LAYER_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
export const ANNOTATION_IMAGE_NAME = "io.containerd.image.name";
export const ANNOTATION_REF_NAME = "org.opencontainers.image.ref.name";

export const DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { architecture: string; os: string };
  annotations?: Record<string, string>;
}

export interface ImageSpec {
  /** Full reference, e.g. "k8ts.local/busybox:latest". */
  name: string;
  /** The root filesystem as an uncompressed tar. */
  layer: Buffer;
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  /** GOARCH-style; defaults to the host's. */
  architecture?: string;
}

export interface OCIImage {
  /** The layout as a tar archive, for `ctr images import`. */
  archive: Buffer;
  /** The layout's files by path (oci-layout, index.json, blobs/sha256/<hex>). */
  files: Map<string, Buffer>;
  manifest: Descriptor;
  config: Descriptor;
  layer: Descriptor;
  /** sha256 of the uncompressed layer, as in rootfs.diff_ids. */
  diffID: string;
}

/** Node's process.arch to the GOARCH names OCI platforms use. */
export function ociArchitecture(arch: string = process.arch): string {
  switch (arch) {
    case "x64":
      return "amd64";
    case "arm64":
      return "arm64";
    case "arm":
      return "arm";
    case "ia32":
      return "386";
    default:
      return arch;
  }
}

export function sha256(data: Buffer): string {
  return `sha256:${createHash("sha256").update(data).digest("hex")}`;
}

/** The tag part of a reference ("latest" if none). */
export function referenceTag(name: string): string {
  const last = name.slice(name.lastIndexOf("/") + 1);
  const colon = last.indexOf(":");
  return colon < 0 ? "latest" : last.slice(colon + 1);
}

export function buildOCIImage(spec: ImageSpec): OCIImage {
  const architecture = spec.architecture ?? ociArchitecture();
  const blobs = new Map<string, Buffer>();
  const addBlob = (mediaType: string, data: Buffer): Descriptor => {
    const digest = sha256(data);
    blobs.set(digest, data);
    return { mediaType, digest, size: data.length };
  };

  // gzipSync writes mtime 0 in the gzip header, so the bytes are stable.
  const layer = addBlob(MEDIA_TYPE_LAYER_GZIP, gzipSync(spec.layer, { level: 9 }));
  const diffID = sha256(spec.layer);

  const imageConfig: Record<string, unknown> = {
    Env: spec.env ?? [`PATH=${DEFAULT_PATH}`],
  };
  if (spec.entrypoint) imageConfig.Entrypoint = spec.entrypoint;
  if (spec.cmd) imageConfig.Cmd = spec.cmd;
  // No "created" and no history: they would only add timestamps.
  const config = addBlob(
    MEDIA_TYPE_CONFIG,
    json({
      architecture,
      os: "linux",
      config: imageConfig,
      rootfs: { type: "layers", diff_ids: [diffID] },
    }),
  );

  const manifest = addBlob(
    MEDIA_TYPE_MANIFEST,
    json({ schemaVersion: 2, mediaType: MEDIA_TYPE_MANIFEST, config, layers: [layer] }),
  );
  const manifestEntry: Descriptor = {
    ...manifest,
    platform: { architecture, os: "linux" },
    annotations: {
      [ANNOTATION_IMAGE_NAME]: spec.name,
      [ANNOTATION_REF_NAME]: referenceTag(spec.name),
    },
  };

  const files = new Map<string, Buffer>();
  files.set("oci-layout", json({ imageLayoutVersion: "1.0.0" }));
  files.set(
    "index.json",
    json({ schemaVersion: 2, mediaType: MEDIA_TYPE_INDEX, manifests: [manifestEntry] }),
  );
  const digests = [...blobs.keys()].sort();
  for (const d of digests) files.set(`blobs/sha256/${d.slice("sha256:".length)}`, blobs.get(d) as Buffer);

  const entries: TarEntry[] = [
    { type: "dir", path: "blobs" },
    { type: "dir", path: "blobs/sha256" },
  ];
  for (const [path, data] of files) entries.push({ type: "file", path, data });
  return { archive: writeTar(entries), files, manifest, config, layer, diffID };
}

function json(v: unknown): Buffer {
  return Buffer.from(JSON.stringify(v), "utf8");
}
