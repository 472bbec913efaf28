import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Pod } from "kubernetes-types/core/v1.d.ts";
import { FakeClock } from "../../client/fake-clock.ts";
import { FakeRuntime } from "../runtime/fake.ts";
import { LABELS } from "../runtime/interface.ts";
import { resolveStream, StreamingError } from "./handler.ts";

describe("kubelet streaming on a hollow node", () => {
  it("answers as upstream's kubelet: missing pod 404, missing container 500, the fake runtime's clear error", async () => {
    const rt = new FakeRuntime({ clock: new FakeClock(1_700_000_000_000), podCIDR: () => "10.244.0.0/24" });
    const uid = "uid-1";
    const pod: Pod = { metadata: { name: "p", namespace: "ns", uid }, spec: { containers: [{ name: "c" }] } };
    const sandboxConfig = {
      metadata: { name: "p", uid, namespace: "ns", attempt: 0 },
      hostname: "p",
      logDirectory: "/var/log/pods/ns_p_uid-1",
      portMappings: [],
      labels: { [LABELS.podName]: "p", [LABELS.podNamespace]: "ns", [LABELS.podUid]: uid },
      annotations: {},
    };
    await rt.pullImage("busybox");
    const sandboxId = await rt.runPodSandbox(sandboxConfig);
    const deps = {
      runtime: rt,
      getPodByName: (ns: string, n: string) => (ns === "ns" && n === "p" ? pod : undefined),
    };
    const q = new URLSearchParams("command=ls&output=1");
    const expect = async (t: Parameters<typeof resolveStream>[1], code: number, message: string | RegExp) =>
      assert.rejects(resolveStream(deps, t, q), (e) => {
        assert.ok(e instanceof StreamingError);
        assert.equal(e.code, code);
        if (typeof message === "string") assert.equal(e.message, message);
        else assert.match(e.message, message);
        return true;
      });
    await expect({ kind: "exec", namespace: "ns", pod: "nope", container: "c" }, 404, "pod does not exist");
    await expect(
      { kind: "exec", namespace: "ns", pod: "p", uid: "other", container: "c" },
      404,
      "pod not found",
    );
    await expect(
      { kind: "exec", namespace: "ns", pod: "p", container: "c" },
      500,
      'container not found ("c")',
    );

    const id = await rt.createContainer(
      sandboxId,
      {
        metadata: { name: "c", attempt: 0 },
        image: { image: "busybox" },
        command: [],
        args: [],
        workingDir: "",
        envs: [],
        mounts: [],
        labels: { [LABELS.podUid]: uid, [LABELS.containerName]: "c" },
        annotations: {},
        logPath: "c/0.log",
        stdin: false,
        stdinOnce: false,
        tty: false,
      },
      sandboxConfig,
    );
    await rt.startContainer(id);
    await expect(
      { kind: "exec", namespace: "ns", pod: "p", container: "c" },
      500,
      /fake runtime: hollow nodes run no processes \(exec\)/,
    );
    await expect({ kind: "portForward", namespace: "ns", pod: "p", container: "" }, 500, /\(port-forward\)/);
  });
});
