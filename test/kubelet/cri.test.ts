// The CRI client against k8ts's own containerd (CONTAINERD.md's set-up): start
// it in a throwaway data dir, import the local images, and run a pod sandbox on
// the k8ts0 bridge with a busybox container through every CRI call the kubelet
// uses. Everything made is removed in after(), also when a test fails.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildImages, IMAGES, importImages } from "../../src/kubelet/images/index.ts";
import type { RunningContainerd } from "../../src/kubelet/runtime/containerd.ts";
import { CriError, type CriRuntime } from "../../src/kubelet/runtime/cri.ts";
import type {
  ContainerConfig,
  ContainerEvent,
  PodSandboxConfig,
} from "../../src/kubelet/runtime/interface.ts";
import { startTestContainerd, type TestContainerd, until } from "../support/containerd.ts";

// A test range inside no other test's CIDRs.
const POD_CIDR = "10.250.0.0/24";

describe("CRI client on k8ts's containerd", () => {
  let node: TestContainerd | undefined;
  let dataDir: string;
  let containerd: RunningContainerd;
  let cri: CriRuntime;
  const events: ContainerEvent[] = [];
  let unsubscribe: (() => void) | undefined;

  before(async () => {
    node = await startTestContainerd("k8ts-cri-", POD_CIDR);
    ({ dataDir, containerd, cri } = node);
  });

  after(async () => {
    unsubscribe?.();
    await node?.stop();
  });

  it("answers Version and Status", async () => {
    const v = await cri.version();
    assert.equal(v.runtimeName, "containerd");
    assert.equal(v.runtimeApiVersion, "v1");
    assert.match(v.runtimeVersion, /^v?1\.\d+/);
    const st = await cri.status();
    assert.deepEqual(
      st.conditions.map((c) => [c.type, c.status]),
      [
        ["RuntimeReady", true],
        ["NetworkReady", true],
      ],
    );
  });

  it("wrote containerd's config and log under the data dir", () => {
    const config = readFileSync(join(dataDir, "containerd", "config.toml"), "utf8");
    assert.match(config, /restrict_oom_score_adj = true/);
    assert.ok(existsSync(join(dataDir, "containerd", "containerd.log")));
    assert.ok(existsSync(join(dataDir, "cni", "net.d", "10-k8ts.conflist")));
  });

  it("keeps the gRPC status of a failed call", async () => {
    await assert.rejects(cri.containerStatus("no-such-container"), (e: unknown) => {
      assert.ok(e instanceof CriError);
      assert.equal(e.code, 5);
      assert.equal(e.codeName, "NOT_FOUND");
      assert.match(e.message, /not found/);
      return true;
    });
    assert.equal(await cri.imageStatus("k8ts.local/nothing:1"), undefined);
  });

  it("sees the local images once imported", async () => {
    const archives = await buildImages(join(dataDir, "images"));
    await importImages([archives.busybox, archives.pause], {
      address: containerd?.socket ?? "",
      namespace: "k8s.io",
    });
    const busybox = await cri.imageStatus(IMAGES.busybox);
    assert.ok(busybox, "busybox image present");
    assert.ok(busybox.repoTags.includes(IMAGES.busybox));
    const tags = (await cri.listImages()).flatMap((i) => i.repoTags);
    assert.ok(tags.includes(IMAGES.pause), `pause in ${tags.join(",")}`);
    // containerd refreshes the snapshotter's usage in the background, so only the shape is certain here.
    const fs = await cri.imageFsInfo();
    assert.equal(typeof fs.usedBytes, "number");
    assert.equal(typeof fs.inodesUsed, "number");
  });

  it("runs a sandbox and a busybox container through their whole life", async () => {
    unsubscribe = cri.onContainerEvent((e) => events.push(e));
    const uid = randomUUID();
    const logDirectory = join(dataDir, "pods", `default_cri-test_${uid}`);
    mkdirSync(logDirectory, { recursive: true });
    const sandboxConfig: PodSandboxConfig = {
      metadata: { name: "cri-test", uid, namespace: "default", attempt: 0 },
      hostname: "cri-test",
      logDirectory,
      portMappings: [],
      labels: { "io.kubernetes.pod.name": "cri-test" },
      annotations: {},
      linux: {},
    };
    const sandboxId = await cri.runPodSandbox(sandboxConfig);
    const sb = await cri.podSandboxStatus(sandboxId);
    assert.equal(sb.state, "SANDBOX_READY");
    assert.equal(sb.metadata.uid, uid);
    assert.match(sb.network?.ip ?? "", /^10\.250\.0\.\d+$/);

    const config: ContainerConfig = {
      metadata: { name: "sleep", attempt: 0 },
      image: { image: IMAGES.busybox },
      command: ["sleep", "3600"],
      args: [],
      workingDir: "",
      envs: [{ key: "GREETING", value: "hi" }],
      mounts: [],
      labels: { "io.kubernetes.container.name": "sleep" },
      annotations: {},
      logPath: "sleep/0.log",
      stdin: false,
      stdinOnce: false,
      tty: false,
    };
    const id = await cri.createContainer(sandboxId, config, sandboxConfig);
    await cri.startContainer(id);
    const st = await cri.containerStatus(id);
    assert.equal(st.state, "CONTAINER_RUNNING");
    assert.equal(st.metadata.name, "sleep");
    assert.equal(st.image.image, IMAGES.busybox);
    assert.ok(st.startedAt > 0);
    assert.equal(st.logPath, join(logDirectory, "sleep/0.log"));

    const failed = await cri.execSync(id, ["sh", "-c", "exit 3"], 10);
    assert.equal(failed.exitCode, 3);
    const hi = await cri.execSync(id, ["echo", "hi"], 10);
    assert.equal(hi.exitCode, 0);
    assert.equal(hi.stdout.toString(), "hi\n");
    const env = await cri.execSync(id, ["sh", "-c", "echo $GREETING"], 10);
    assert.equal(env.stdout.toString(), "hi\n");

    const listed = await cri.listContainers({ podSandboxId: sandboxId, state: "CONTAINER_RUNNING" });
    assert.deepEqual(
      listed.map((c) => [c.id, c.metadata.name]),
      [[id, "sleep"]],
    );

    // The pod's PID namespace (NamespaceMode POD, CRI's default) has pause as PID 1, so sleep dies of SIGTERM.
    await cri.stopContainer(id, 5);
    const stopped = await cri.containerStatus(id);
    assert.equal(stopped.state, "CONTAINER_EXITED");
    assert.equal(stopped.exitCode, 143);
    assert.equal(stopped.reason, "Error");
    assert.ok(stopped.finishedAt >= stopped.startedAt);
    await cri.removeContainer(id);
    await cri.stopPodSandbox(sandboxId);
    assert.equal((await cri.podSandboxStatus(sandboxId)).state, "SANDBOX_NOTREADY");
    await cri.removePodSandbox(sandboxId);
    assert.deepEqual(await cri.listContainers(), []);
    assert.deepEqual(await cri.listPodSandbox(), []);

    // containerd 1.6 has no GetContainerEvents: the events come from polling.
    const types = await until(
      () => {
        const t = events.filter((e) => e.containerId === id).map((e) => e.type);
        return t.includes("CONTAINER_DELETED_EVENT") ? t : undefined;
      },
      "the container's deleted event",
      10_000,
      50,
    );
    assert.equal(types[types.length - 1], "CONTAINER_DELETED_EVENT");
    assert.ok(types.includes("CONTAINER_CREATED_EVENT") || types.includes("CONTAINER_STARTED_EVENT"));
    assert.equal(cri.containerEventSource, "poll");
  });
});
