// Image pulls through CRI on `k8ts up --runtime containerd`, from Debian's
// docker-registry on loopback (one anonymous, one behind htpasswd), with the
// local busybox image pushed by skopeo: imagePullSecrets (on the pod and from
// the service account), and a missing tag giving ErrImagePull, then
// ImagePullBackOff, with upstream's events. containerd 1.6 speaks plain HTTP to
// a loopback registry by itself (its localhost fallback), so no hosts.toml is
// needed. Everything made is removed in after(), also when a test fails.
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { buildImages } from "../../src/kubelet/images/index.ts";
import {
  type ContainerdCluster,
  requireContainerd,
  startContainerdCluster,
  until,
} from "../support/containerd.ts";
import { freePort } from "../support/ports.ts";
import { type Cluster, ROOT, run } from "./harness.ts";

interface Registry {
  host: string;
  process: ChildProcess;
}

/** docker-registry on 127.0.0.1 with its storage under dir; htpasswd auth when given a file. */
async function startRegistry(dir: string, name: string, htpasswd?: string): Promise<Registry> {
  const port = await freePort();
  const config = join(dir, `${name}.yml`);
  writeFileSync(
    config,
    [
      "version: 0.1",
      "log:",
      "  level: error",
      "  accesslog:",
      "    disabled: true",
      "storage:",
      "  filesystem:",
      `    rootdirectory: ${join(dir, name)}`,
      "http:",
      `  addr: 127.0.0.1:${port}`,
      ...(htpasswd ? ["auth:", "  htpasswd:", "    realm: k8ts-test", `    path: ${htpasswd}`] : []),
      "",
    ].join("\n"),
  );
  const child = spawn("docker-registry", ["serve", config], { stdio: ["ignore", "ignore", "pipe"] });
  let err = "";
  child.stderr?.on("data", (d) => {
    err += d;
  });
  const host = `127.0.0.1:${port}`;
  await until(
    async () => {
      if (child.exitCode !== null) throw new Error(`docker-registry exited: ${err}`);
      const r = await fetch(`http://${host}/v2/`).catch(() => undefined);
      return r && (r.status === 200 || r.status === 401) ? true : undefined;
    },
    `docker-registry on ${host}`,
    20_000,
  );
  return { host, process: child };
}

function pod(name: string, image: string, extra: Record<string, unknown> = {}) {
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: { name },
    spec: {
      terminationGracePeriodSeconds: 1,
      containers: [{ name: "main", image, command: ["sh", "-c", "sleep 3600"], ...extra }],
    },
  };
}

interface EventView {
  type: string;
  reason: string;
  message: string;
}

describe("image pulls from a registry on k8ts up --runtime containerd", () => {
  let dir: string;
  const registries: Registry[] = [];
  let open: Registry;
  let authed: Registry;
  let node: ContainerdCluster | undefined;
  let cluster: Cluster;

  before(async () => {
    requireContainerd();
    dir = mkdtempSync(join(tmpdir(), "k8ts-registry-"));
    const htpasswd = join(dir, "htpasswd");
    writeFileSync(htpasswd, execFileSync("htpasswd", ["-Bbn", "user", "s3cret"], { encoding: "utf8" }));
    open = await startRegistry(dir, "open");
    registries.push(open);
    authed = await startRegistry(dir, "authed", htpasswd);
    registries.push(authed);
    const archives = await buildImages(join(dir, "images"));
    for (const [r, creds] of [
      [open, []],
      [authed, ["--dest-creds", "user:s3cret"]],
    ] as const) {
      execFileSync(
        "skopeo",
        [
          "copy",
          "--quiet",
          "--dest-tls-verify=false",
          ...creds,
          `oci-archive:${archives.busybox}`,
          `docker://${r.host}/test/busybox:v1`,
        ],
        { stdio: ["ignore", "ignore", "pipe"] },
      );
    }
    node = await startContainerdCluster();
    cluster = node.cluster;
  });

  after(async () => {
    try {
      await node?.cleanUp();
    } finally {
      for (const r of registries) r.process.kill("SIGKILL");
      if (dir) rmSync(dir, { recursive: true, force: true });
    }
  });

  const kubectl = async (args: string[], input?: string) => {
    const r = await cluster.kubectl(args, { input });
    assert.equal(r.code, 0, `kubectl ${args.join(" ")}: ${r.stderr}`);
    return r.stdout;
  };
  const apply = (obj: object) => kubectl(["apply", "-f", "-"], JSON.stringify(obj));
  const phase = (name: string, ns = "default") =>
    kubectl(["get", "pod", name, "-n", ns, "-o", "jsonpath={.status.phase}"]);
  const running = (name: string, ns = "default") =>
    until(async () => ((await phase(name, ns)) === "Running" ? true : undefined), `${name} Running`, 90_000);
  const waiting = async (name: string, reason: string) => {
    let last = "";
    try {
      return await until(
        async () => {
          last = await kubectl(["get", "pod", name, "-o", "jsonpath={.status}"]);
          const status = JSON.parse(last || "{}") as {
            containerStatuses?: { state?: { waiting?: { reason?: string; message?: string } } }[];
          };
          const w = status.containerStatuses?.[0]?.state?.waiting;
          return w?.reason === reason ? w : undefined;
        },
        `${name} waiting with ${reason}`,
        90_000,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}; last status: ${last}`);
    }
  };
  const events = async (name: string, ns = "default"): Promise<EventView[]> => {
    const list = JSON.parse(
      await kubectl([
        "get",
        "events",
        "-n",
        ns,
        "--field-selector",
        `involvedObject.name=${name}`,
        "-o",
        "json",
      ]),
    ) as { items: EventView[] };
    return list.items.map(({ type, reason, message }) => ({ type, reason, message }));
  };

  it("runs a pod from the anonymous registry, with Pulling and Pulled events", async () => {
    const image = `${open.host}/test/busybox:v1`;
    await apply(pod("anon", image));
    await running("anon");
    const ev = await events("anon");
    assert.ok(
      ev.some((e) => e.reason === "Pulling" && e.message === `Pulling image "${image}"`),
      JSON.stringify(ev),
    );
    const pulled = ev.find((e) => e.reason === "Pulled");
    assert.equal(pulled?.type, "Normal");
    assert.match(
      pulled?.message ?? "",
      new RegExp(
        `^Successfully pulled image "${image.replace(/\./g, "\\.")}" in \\S+ \\(\\S+ including waiting\\)\\. Image size: [1-9]\\d* bytes\\.$`,
      ),
    );
    const imageID = await kubectl([
      "get",
      "pod",
      "anon",
      "-o",
      "jsonpath={.status.containerStatuses[0].imageID}",
    ]);
    assert.match(imageID, /sha256:[0-9a-f]{64}$/);
  });

  it("the authenticated registry refuses a pod without a pull secret: ErrImagePull with containerd's 401", async () => {
    const image = `${authed.host}/test/busybox:v1`;
    await apply(pod("noauth", image, { imagePullPolicy: "Always" }));
    const w = await waiting("noauth", "ErrImagePull");
    const expected = `rpc error: code = Unknown desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": pulling from host ${authed.host} failed with status code [manifests v1]: 401 Unauthorized`;
    assert.equal(w.message, expected);
    const ev = await events("noauth");
    assert.ok(
      ev.some(
        (e) =>
          e.type === "Warning" &&
          e.reason === "Failed" &&
          e.message === `Failed to pull image "${image}": ${expected}`,
      ),
      JSON.stringify(ev),
    );
    assert.ok(ev.some((e) => e.reason === "Failed" && e.message === "Error: ErrImagePull"));
  });

  it("pulls with a kubernetes.io/dockerconfigjson secret from kubectl create secret docker-registry", async () => {
    await kubectl([
      "create",
      "secret",
      "docker-registry",
      "regcred",
      `--docker-server=${authed.host}`,
      "--docker-username=user",
      "--docker-password=s3cret",
    ]);
    const p = pod("withauth", `${authed.host}/test/busybox:v1`, { imagePullPolicy: "Always" });
    await apply({ ...p, spec: { ...p.spec, imagePullSecrets: [{ name: "regcred" }] } });
    await running("withauth");
    const ev = await events("withauth");
    assert.ok(ev.some((e) => e.reason === "Pulled" && e.message.startsWith("Successfully pulled image")));
  });

  it("pulls with the service account's imagePullSecrets, which admission copies into the pod", async () => {
    await kubectl(["create", "namespace", "sa-pull"]);
    await until(
      async () =>
        (await cluster.kubectl(["get", "sa", "default", "-n", "sa-pull"])).code === 0 ? true : undefined,
      "the default service account",
      30_000,
    );
    await kubectl([
      "create",
      "secret",
      "docker-registry",
      "regcred",
      "-n",
      "sa-pull",
      `--docker-server=${authed.host}`,
      "--docker-username=user",
      "--docker-password=s3cret",
    ]);
    await kubectl([
      "patch",
      "sa",
      "default",
      "-n",
      "sa-pull",
      "-p",
      '{"imagePullSecrets":[{"name":"regcred"}]}',
    ]);
    await kubectl(
      ["apply", "-n", "sa-pull", "-f", "-"],
      JSON.stringify(pod("viasa", `${authed.host}/test/busybox:v1`, { imagePullPolicy: "Always" })),
    );
    const secrets = await kubectl([
      "get",
      "pod",
      "viasa",
      "-n",
      "sa-pull",
      "-o",
      "jsonpath={.spec.imagePullSecrets}",
    ]);
    assert.deepEqual(JSON.parse(secrets), [{ name: "regcred" }]);
    await running("viasa", "sa-pull");
    await kubectl(["delete", "namespace", "sa-pull", "--wait=false"]);
  });

  it("k8ts images import loads a docker-save archive that a pod then runs without a pull", async () => {
    const archive = join(dir, "imported.docker.tar");
    const archives = await buildImages(join(dir, "images"));
    execFileSync("skopeo", [
      "copy",
      "--quiet",
      `oci-archive:${archives.busybox}`,
      `docker-archive:${archive}:example.com/team/imported:v2`,
    ]);
    const r = await run(join(ROOT, "k8ts"), ["images", "import", archive, "--data-dir", cluster.dataDir]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^example\.com\/team\/imported:v2$/m);
    const list = await run(join(ROOT, "k8ts"), ["images", "list", "--data-dir", cluster.dataDir]);
    assert.match(list.stdout, /^example\.com\/team\/imported:v2$/m);
    await apply(pod("imported", "example.com/team/imported:v2", { imagePullPolicy: "Never" }));
    await running("imported");
    assert.ok(!(await events("imported")).some((e) => e.reason === "Pulling"));
  });

  it("k8ts images import names what is wrong when no node runs", async () => {
    const r = await run(join(ROOT, "k8ts"), ["images", "import", "/nonexistent.tar", "--data-dir", dir]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /no such file: \/nonexistent\.tar/);
    const none = await run(join(ROOT, "k8ts"), ["images", "list", "--data-dir", dir]);
    assert.notEqual(none.code, 0);
    assert.match(
      none.stderr,
      /no containerd runs for the data dir .*: start the node first with \.\/k8ts up/,
    );
  });

  it("a missing tag gives ErrImagePull, then ImagePullBackOff, with upstream's events", async () => {
    const image = `${open.host}/test/busybox:nope`;
    await apply(pod("missing", image));
    const pull = await waiting("missing", "ErrImagePull");
    const expected = `rpc error: code = NotFound desc = failed to pull and unpack image "${image}": failed to resolve reference "${image}": ${image}: not found`;
    assert.equal(pull.message, expected);
    const backOff = await waiting("missing", "ImagePullBackOff");
    assert.equal(backOff.message, `Back-off pulling image "${image}"`);
    const ev = await events("missing");
    const has = (type: string, reason: string, message: string) =>
      assert.ok(
        ev.some((e) => e.type === type && e.reason === reason && e.message === message),
        `${type} ${reason} "${message}" in ${JSON.stringify(ev, null, 1)}`,
      );
    has("Normal", "Pulling", `Pulling image "${image}"`);
    has("Warning", "Failed", `Failed to pull image "${image}": ${expected}`);
    has("Warning", "Failed", "Error: ErrImagePull");
    has("Normal", "BackOff", `Back-off pulling image "${image}"`);
    has("Warning", "Failed", "Error: ImagePullBackOff");
    assert.equal(await phase("missing"), "Pending");
  });
});
