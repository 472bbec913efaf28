// The kubelet's volume manager, host side (pkg/kubelet/volumemanager with
// the plugins): each volume of a pod is set up under
// <rootDir>/pods/<uid>/volumes/<plugin>/<name> (hostPath and hostPath/local
// PVs are the host's path), set up again on every sync so configMap, secret,
// downward API and token updates reach running pods, and torn down with the pod.
import { existsSync, mkdirSync, rmSync } from "node:fs";
import { join, posix } from "node:path";
import type {
  ConfigMap,
  Container,
  Node,
  PersistentVolume,
  PersistentVolumeClaim,
  Pod,
  Secret,
  Volume,
} from "kubernetes-types/core/v1.d.ts";
import { isNotFound } from "../../client/api-error.ts";
import type { Clock } from "../../client/clock.ts";
import { Resources } from "../../client/resources.ts";
import type { RestClient } from "../../client/rest-client.ts";
import { ContainerConfigError } from "../pod/env.ts";
import type { Mount } from "../runtime/interface.ts";
import { type FileProjection, writePayload } from "./atomic-writer.ts";
import { configMapPayload } from "./configmap.ts";
import { downwardAPIPayload } from "./downwardapi.ts";
import { setUpEmptyDir } from "./emptydir.ts";
import { checkHostPathType } from "./hostpath.ts";
import { mountPointsUnder, mountTmpfs, unmount } from "./mount-util.ts";
import { setVolumeOwnership } from "./ownership.ts";
import { projectedPayload } from "./projected.ts";
import { secretPayload } from "./secret.ts";
import { TokenManager } from "./token-manager.ts";

export interface VolumeManagerOptions {
  /** The kubelet's --root-dir (upstream /var/lib/kubelet). */
  rootDir: string;
  /** The node's client: the Node authorizer lets it read only what its pods reference. */
  client: RestClient;
  clock: Clock;
  node?(): Node | undefined;
}

/** A volume that failed to set up; message is upstream's FailedMount event text. */
export class VolumeMountError extends Error {
  constructor(
    readonly volume: string,
    readonly reason: string,
  ) {
    super(`MountVolume.SetUp failed for volume "${volume}" : ${reason}`);
  }
}

const PLUGIN_DIRS = {
  emptyDir: "kubernetes.io~empty-dir",
  configMap: "kubernetes.io~configmap",
  secret: "kubernetes.io~secret",
  downwardAPI: "kubernetes.io~downward-api",
  projected: "kubernetes.io~projected",
} as const;

export class VolumeManager {
  readonly tokens: TokenManager;
  /** Host paths of each pod's mounted volumes, by volume name. */
  private readonly mounted = new Map<string, Map<string, string>>();

  constructor(private readonly opts: VolumeManagerOptions) {
    this.tokens = new TokenManager(opts.client, opts.clock);
  }

  podDir(uid: string): string {
    return join(this.opts.rootDir, "pods", uid);
  }

  /** WaitForAttachAndMount: sets up (or refreshes) every volume; throws a VolumeMountError. */
  async mountPod(pod: Pod): Promise<void> {
    const uid = pod.metadata?.uid ?? "";
    const paths = this.mounted.get(uid) ?? new Map<string, string>();
    for (const v of pod.spec?.volumes ?? []) {
      try {
        const path = await this.setUp(pod, v);
        // The kubelet's own volumes take the pod's fsGroup (configMap, secret, downwardAPI, projected read-only).
        if (v.emptyDir || v.configMap || v.secret || v.downwardAPI || v.projected) {
          setVolumeOwnership(path, pod.spec?.securityContext?.fsGroup, !v.emptyDir);
        }
        paths.set(v.name, path);
      } catch (err) {
        this.mounted.set(uid, paths);
        throw new VolumeMountError(v.name, err instanceof Error ? err.message : String(err));
      }
    }
    this.mounted.set(uid, paths);
  }

  /** The host path of a pod's volume, once set up. */
  volumePath(uid: string, volume: string): string | undefined {
    return this.mounted.get(uid)?.get(volume);
  }

  /** makeMounts: the container's CRI mounts; subPath errors are CreateContainerConfigErrors. */
  makeMounts(pod: Pod, c: Container): Mount[] {
    const uid = pod.metadata?.uid ?? "";
    const mounts: Mount[] = [];
    for (const m of c.volumeMounts ?? []) {
      const base = this.volumePath(uid, m.name);
      if (base === undefined) {
        throw new ContainerConfigError(`cannot find volume "${m.name}" to mount into container "${c.name}"`);
      }
      let hostPath = base;
      const subPath = m.subPath ?? "";
      if (subPath !== "") {
        if (posix.isAbsolute(subPath)) {
          throw new ContainerConfigError(`error SubPath \`${subPath}\` must not be an absolute path`);
        }
        if (subPath.split("/").includes("..")) {
          throw new ContainerConfigError(`unable to provision SubPath \`${subPath}\`: must not contain '..'`);
        }
        hostPath = join(base, subPath);
        // A missing subPath is created as a directory, as upstream does.
        if (!existsSync(hostPath)) mkdirSync(hostPath, { recursive: true, mode: 0o750 });
      }
      mounts.push({ containerPath: m.mountPath, hostPath, readonly: m.readOnly ?? false });
    }
    return mounts;
  }

  /** Unmounts the pod's tmpfs mounts and removes its volume directories. */
  async unmountPod(uid: string): Promise<void> {
    const dir = join(this.podDir(uid), "volumes");
    for (const p of mountPointsUnder(dir)) await unmount(p);
    rmSync(dir, { recursive: true, force: true });
    this.mounted.delete(uid);
    this.tokens.deletePodTokens(uid);
  }

  private pluginDir(uid: string, plugin: keyof typeof PLUGIN_DIRS, name: string): string {
    return join(this.podDir(uid), "volumes", PLUGIN_DIRS[plugin], name);
  }

  private async setUp(pod: Pod, v: Volume): Promise<string> {
    const uid = pod.metadata?.uid ?? "";
    const ns = pod.metadata?.namespace ?? "default";
    if (v.hostPath) {
      checkHostPathType(v.hostPath.path, v.hostPath.type);
      return v.hostPath.path;
    }
    if (v.emptyDir) {
      const dir = this.pluginDir(uid, "emptyDir", v.name);
      await setUpEmptyDir(dir, v.emptyDir);
      return dir;
    }
    if (v.configMap) {
      const s = v.configMap;
      const name = s.name ?? "";
      const optional = s.optional ?? false;
      const cm = await this.getConfigMap(ns, name);
      if (!cm && !optional) throw new Error(`configmap "${name}" not found`);
      return this.write(
        this.pluginDir(uid, "configMap", v.name),
        configMapPayload(s.items, cm, s.defaultMode, optional),
      );
    }
    if (v.secret) {
      const s = v.secret;
      const name = s.secretName ?? "";
      const optional = s.optional ?? false;
      const secret = await this.getSecret(ns, name);
      if (!secret && !optional) throw new Error(`secret "${name}" not found`);
      const dir = this.pluginDir(uid, "secret", v.name);
      mkdirSync(dir, { recursive: true });
      await mountTmpfs(dir);
      return this.write(dir, secretPayload(s.items, secret, s.defaultMode, optional));
    }
    if (v.downwardAPI) {
      const payload = downwardAPIPayload(
        v.downwardAPI.items,
        pod,
        v.downwardAPI.defaultMode,
        this.opts.node?.(),
      );
      return this.write(this.pluginDir(uid, "downwardAPI", v.name), payload);
    }
    if (v.projected) {
      const dir = this.pluginDir(uid, "projected", v.name);
      mkdirSync(dir, { recursive: true });
      // Tokens and secrets stay off the disk, as upstream's projected volumes do.
      await mountTmpfs(dir);
      const payload = await projectedPayload(pod, v.projected, {
        configMap: (n, name) => this.getConfigMap(n, name),
        secret: (n, name) => this.getSecret(n, name),
        tokens: this.tokens,
        node: () => this.opts.node?.(),
      });
      return this.write(dir, payload);
    }
    if (v.persistentVolumeClaim) return this.claimPath(ns, v.persistentVolumeClaim.claimName);
    throw new Error("volume type not supported by this kubelet");
  }

  private write(dir: string, payload: Map<string, FileProjection>): string {
    writePayload(dir, payload);
    return dir;
  }

  /** A claim's bound PV; hostPath and local PVs are their host path. */
  private async claimPath(namespace: string, claimName: string): Promise<string> {
    const pvc = await this.opts.client.get<PersistentVolumeClaim>(
      Resources.persistentvolumeclaims,
      claimName,
      { namespace },
    );
    if (pvc.status?.phase !== "Bound" || !pvc.spec?.volumeName) {
      throw new Error(
        `PVC ${namespace}/${claimName} has non-bound phase ("${pvc.status?.phase ?? "Pending"}") or empty pvc.Spec.VolumeName ("${pvc.spec?.volumeName ?? ""}")`,
      );
    }
    const pv = await this.opts.client.get<PersistentVolume>(Resources.persistentvolumes, pvc.spec.volumeName);
    if (pv.spec?.hostPath) {
      checkHostPathType(pv.spec.hostPath.path, pv.spec.hostPath.type);
      return pv.spec.hostPath.path;
    }
    if (pv.spec?.local) {
      if (!existsSync(pv.spec.local.path)) throw new Error(`path "${pv.spec.local.path}" does not exist`);
      return pv.spec.local.path;
    }
    throw new Error(`persistent volume ${pv.metadata?.name} has a volume type this kubelet cannot mount`);
  }

  private async getConfigMap(namespace: string, name: string): Promise<ConfigMap | undefined> {
    try {
      return await this.opts.client.get<ConfigMap>(Resources.configmaps, name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }

  private async getSecret(namespace: string, name: string): Promise<Secret | undefined> {
    try {
      return await this.opts.client.get<Secret>(Resources.secrets, name, { namespace });
    } catch (err) {
      if (isNotFound(err)) return undefined;
      throw err;
    }
  }
}
