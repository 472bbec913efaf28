// The two images a local k8ts node needs, built from Debian's busybox-static
// without a registry or umoci: a busybox image for workloads and a pause image
// for sandboxes (busybox running `sleep infinity`).

import { execFile } from "node:child_process";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { IMAGES } from "./names.ts";
import { buildOCIImage, type OCIImage } from "./oci.ts";
import type { TarEntry } from "./tar.ts";
import { writeTar } from "./tar.ts";

const execFileAsync = promisify(execFile);

export const BUSYBOX_PATH = "/usr/bin/busybox";

export interface BuildOptions {
  /** The static busybox to copy in; /usr/bin/busybox (busybox-static) unless told. */
  busybox?: string;
}

const PASSWD = "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n";
const GROUP = "root:x:0:\nnogroup:x:65534:\n";

/** Builds both images and writes them as OCI archives under outDir. */
export async function buildImages(
  outDir: string,
  opts: BuildOptions = {},
): Promise<{ busybox: string; pause: string }> {
  const bin = opts.busybox ?? BUSYBOX_PATH;
  const [binary, applets] = await Promise.all([readFile(bin), listApplets(bin)]);
  await mkdir(outDir, { recursive: true });
  const busybox = join(outDir, "busybox.oci.tar");
  const pause = join(outDir, "pause.oci.tar");
  await writeFile(busybox, busyboxImage(binary, applets).archive);
  await writeFile(pause, pauseImage(binary).archive);
  return { busybox, pause };
}

/** The applet paths busybox was built with, e.g. "bin/sh", "usr/bin/wget". */
export async function listApplets(bin: string = BUSYBOX_PATH): Promise<string[]> {
  const { stdout } = await execFileAsync(bin, ["--list-full"]);
  return stdout
    .split("\n")
    .map((l) => l.trim().replace(/^\/+/, ""))
    .filter((l) => l !== "");
}

export function busyboxImage(binary: Buffer, applets: readonly string[]): OCIImage {
  const entries: TarEntry[] = [
    { type: "file", path: "bin/busybox", data: binary, mode: 0o755 },
    { type: "file", path: "etc/passwd", data: Buffer.from(PASSWD) },
    { type: "file", path: "etc/group", data: Buffer.from(GROUP) },
    { type: "dir", path: "tmp", mode: 0o1777 },
    { type: "dir", path: "root", mode: 0o700 },
    { type: "dir", path: "var/www" },
  ];
  for (const a of applets) {
    if (a === "bin/busybox") continue;
    entries.push({ type: "symlink", path: a, target: "/bin/busybox" });
  }
  return buildOCIImage({ name: IMAGES.busybox, layer: layerTar(entries), cmd: ["sh"] });
}

export function pauseImage(binary: Buffer): OCIImage {
  const entries: TarEntry[] = [
    { type: "file", path: "bin/busybox", data: binary, mode: 0o755 },
    { type: "symlink", path: "bin/sleep", target: "/bin/busybox" },
  ];
  return buildOCIImage({
    name: IMAGES.pause,
    layer: layerTar(entries),
    entrypoint: ["/bin/sleep"],
    cmd: ["infinity"],
  });
}

// Adds each missing parent directory (0755) and sorts by path, so a layer's
// bytes depend only on its contents, never on the order they were listed in.
export function layerTar(entries: readonly TarEntry[]): Buffer {
  const byPath = new Map<string, TarEntry>();
  for (const e of entries) {
    const parts = e.path.split("/");
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join("/");
      if (!byPath.has(dir)) byPath.set(dir, { type: "dir", path: dir });
    }
    byPath.set(e.path, e);
  }
  const sorted = [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return writeTar(sorted);
}
