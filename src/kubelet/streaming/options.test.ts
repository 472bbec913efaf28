import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { execCommand, parseStreamingPath, remoteCommandOptions, runCommand } from "./options.ts";

describe("kubelet streaming URLs", () => {
  it("parses the paths upstream's kubelet serves", () => {
    assert.deepEqual(parseStreamingPath("/exec/default/web/main"), {
      kind: "exec",
      namespace: "default",
      pod: "web",
      container: "main",
    });
    assert.deepEqual(parseStreamingPath("/attach/ns/p/uid-1/c"), {
      kind: "attach",
      namespace: "ns",
      pod: "p",
      uid: "uid-1",
      container: "c",
    });
    assert.deepEqual(parseStreamingPath("/portForward/ns/p"), {
      kind: "portForward",
      namespace: "ns",
      pod: "p",
      container: "",
    });
    assert.equal(parseStreamingPath("/portForward/ns/p/uid/extra")?.kind, undefined);
    assert.equal(parseStreamingPath("/exec/ns/p"), undefined);
    assert.equal(parseStreamingPath("/containerLogs/ns/p/c"), undefined);
  });

  it("reads remotecommand's options as NewOptions does", () => {
    assert.deepEqual(remoteCommandOptions(new URLSearchParams("input=1&output=1&error=1")), {
      stdin: true,
      stdout: true,
      stderr: true,
      tty: false,
    });
    // kubectl's own query, passed through by the apiserver's proxy, says "true".
    assert.equal(remoteCommandOptions(new URLSearchParams("output=true")).stdout, true);
    // "Access to exec with tty and stderr is not supported, bypassing stderr".
    assert.deepEqual(remoteCommandOptions(new URLSearchParams("output=1&error=1&tty=1")), {
      stdin: false,
      stdout: true,
      stderr: false,
      tty: true,
    });
    assert.throws(() => remoteCommandOptions(new URLSearchParams("tty=1&error=1")), {
      message: "you must specify at least 1 of stdin, stdout, stderr",
    });
  });

  it("takes exec's repeated command params and run's cmd", () => {
    assert.deepEqual(execCommand(new URLSearchParams("command=sh&command=-c&command=echo%20a%20b")), [
      "sh",
      "-c",
      "echo a b",
    ]);
    assert.deepEqual(runCommand(new URLSearchParams("cmd=cat%20/etc/hostname")), ["cat", "/etc/hostname"]);
  });
});
