// `k8ts images build|import|list`: the node's local images, as `kind load` and
// `k3s ctr images import` give them — OCI archives built here from Debian's
// busybox-static, or any docker-save/OCI archive, loaded into the node's
// containerd (the k8s.io namespace the CRI plugin reads).
import { existsSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { listImages } from "../kubelet/images/import.ts";
import { buildImages, IMAGES, importImages } from "../kubelet/images/index.ts";
import { containerdPaths, findContainerd } from "../kubelet/runtime/containerd.ts";
import type { Command } from "./flags.ts";

const USAGE = "usage: k8ts images build | import FILE... | list  [--data-dir DIR]";

/** The node's containerd socket; a clear error when no containerd of this data dir runs. */
function runningContainerd(dataDir: string): string {
  const { socket } = containerdPaths(dataDir);
  if (findContainerd(dataDir) === undefined || !existsSync(socket)) {
    throw new Error(
      `no containerd runs for the data dir ${dataDir} (socket ${socket}): start the node first with ` +
        "./k8ts up (or k8ts kubelet --runtime containerd) on the same --data-dir",
    );
  }
  return socket;
}

export const imagesCommand: Command = {
  name: "images",
  summary: "Build the local images, or import image archives into this node's containerd",
  description:
    "k8ts images build      builds k8ts.local/busybox:latest and k8ts.local/pause:3.10 (OCI archives\n" +
    "                       under <data-dir>/images) from Debian's busybox-static, and imports them into\n" +
    "                       the node's containerd when it runs (./k8ts up does this by itself).\n" +
    "k8ts images import F…  imports docker-save or OCI archives into the node's containerd.\n" +
    "k8ts images list       lists the images the node's containerd holds.",
  flags: [
    {
      name: "data-dir",
      type: "string",
      default: join(homedir(), ".k8ts"),
      help: "The node's data dir (its containerd lives in <data-dir>/containerd)",
    },
  ],
  async run(flags, args) {
    const dataDir = String(flags["data-dir"]);
    const [verb, ...files] = args;
    switch (verb) {
      case "build": {
        const archives = await buildImages(join(dataDir, "images"));
        process.stdout.write(`${IMAGES.busybox}\t${archives.busybox}\n${IMAGES.pause}\t${archives.pause}\n`);
        if (findContainerd(dataDir) !== undefined) {
          const address = runningContainerd(dataDir);
          await importImages([archives.busybox, archives.pause], { address, namespace: "k8s.io" });
          process.stderr.write(`imported into the containerd of ${dataDir}\n`);
        }
        return 0;
      }
      case "import": {
        if (files.length === 0) throw new Error("k8ts images import needs at least one archive file");
        const missing = files.filter((f) => !existsSync(f));
        if (missing.length > 0) throw new Error(`no such file: ${missing.join(", ")}`);
        const address = runningContainerd(dataDir);
        const before = new Set(await listImages({ address, namespace: "k8s.io" }));
        await importImages(
          files.map((f) => resolve(f)),
          { address, namespace: "k8s.io" },
        );
        const added = (await listImages({ address, namespace: "k8s.io" })).filter((n) => !before.has(n));
        process.stdout.write(
          added.length > 0 ? `${added.join("\n")}\n` : "no new image names (already present)\n",
        );
        return 0;
      }
      case "list": {
        const address = runningContainerd(dataDir);
        const names = await listImages({ address, namespace: "k8s.io" });
        // Digest-only references are containerd's aliases of the named ones.
        process.stdout.write(`${names.filter((n) => !n.startsWith("sha256:")).join("\n")}\n`);
        return 0;
      }
      default:
        throw new Error(USAGE);
    }
  },
};
