// The emptyDir plugin (pkg/volume/emptydir): a directory under the pod's
// volumes; medium Memory is a tmpfs sized by sizeLimit. A sizeLimit on disk is
// enforced by eviction upstream, which k8ts does not do yet.
import { chmodSync, mkdirSync } from "node:fs";
import type { EmptyDirVolumeSource } from "kubernetes-types/core/v1.d.ts";
import { Quantity } from "../../machinery/quantity.ts";
import { mountTmpfs } from "./mount-util.ts";

export async function setUpEmptyDir(dir: string, source: EmptyDirVolumeSource): Promise<void> {
  mkdirSync(dir, { recursive: true });
  if (source.medium === "Memory") {
    const size =
      source.sizeLimit !== undefined ? Number(Quantity.parse(String(source.sizeLimit)).value()) : undefined;
    await mountTmpfs(dir, size);
  } else if (source.medium && source.medium !== "") {
    throw new Error(`unknown storage medium "${source.medium}"`);
  }
  // Every user in the container may write (upstream's 0777).
  chmodSync(dir, 0o777);
}
