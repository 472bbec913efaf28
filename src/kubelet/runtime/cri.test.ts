import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, describe, it, test } from "node:test";
import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";
import { CriError, CriRuntime, containerEventsBetween } from "./cri.ts";
import type { ContainerEvent } from "./interface.ts";

test("containerEventsBetween turns two listed states into the events between them", () => {
  assert.deepEqual(containerEventsBetween(undefined, "CONTAINER_CREATED"), ["CONTAINER_CREATED_EVENT"]);
  assert.deepEqual(containerEventsBetween(undefined, "CONTAINER_RUNNING"), [
    "CONTAINER_CREATED_EVENT",
    "CONTAINER_STARTED_EVENT",
  ]);
  assert.deepEqual(containerEventsBetween("CONTAINER_CREATED", "CONTAINER_EXITED"), [
    "CONTAINER_STARTED_EVENT",
    "CONTAINER_STOPPED_EVENT",
  ]);
  assert.deepEqual(containerEventsBetween("CONTAINER_RUNNING", "CONTAINER_RUNNING"), []);
  assert.deepEqual(containerEventsBetween("CONTAINER_EXITED", undefined), ["CONTAINER_DELETED_EVENT"]);
  assert.deepEqual(containerEventsBetween("CONTAINER_RUNNING", "CONTAINER_UNKNOWN"), []);
});

// A CRI server of a few methods on a unix socket, loaded from the same proto; like containerd 1.6 it
// has no GetContainerEvents (grpc-js answers UNIMPLEMENTED).
describe("CriRuntime against an in-process CRI server", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-cri-unit-"));
  const socket = join(dir, "cri.sock");
  const server = new grpc.Server();
  let containers: Array<{ id: string; podSandboxId: string; state: string }> = [];
  let cri: CriRuntime;
  const seen: Array<{ method: string; req: unknown }> = [];

  before(async () => {
    const def = protoLoader.loadSync(fileURLToPath(new URL("./cri/api.proto", import.meta.url)), {
      keepCase: false,
      longs: Number,
      enums: String,
      defaults: true,
    });
    const v1 = (grpc.loadPackageDefinition(def).runtime as grpc.GrpcObject).v1 as grpc.GrpcObject;
    const svc = (v1.RuntimeService as grpc.ServiceClientConstructor).service;
    const unary =
      (method: string, reply: (req: Record<string, unknown>) => object | grpc.ServiceError) =>
      (call: grpc.ServerUnaryCall<Record<string, unknown>, object>, cb: grpc.sendUnaryData<object>) => {
        seen.push({ method, req: call.request });
        const r = reply(call.request);
        if ("code" in r) cb(r as grpc.ServiceError);
        else cb(null, r);
      };
    server.addService(svc, {
      Version: unary("Version", () => ({
        version: "0.1.0",
        runtimeName: "containerd",
        runtimeVersion: "1.6.20~ds1",
        runtimeApiVersion: "v1",
      })),
      ContainerStatus: unary("ContainerStatus", (req) => ({
        code: grpc.status.NOT_FOUND,
        details: `an error occurred when try to find container "${req.containerId}": not found`,
        message: "",
        name: "",
        metadata: new grpc.Metadata(),
      })),
      ListContainers: unary("ListContainers", () => ({
        containers: containers.map((c) => ({ ...c, metadata: { name: c.id }, createdAt: 1 })),
      })),
      StopContainer: unary("StopContainer", () => ({})),
    });
    await new Promise<void>((resolve, reject) =>
      server.bindAsync(`unix://${socket}`, grpc.ServerCredentials.createInsecure(), (err) =>
        err ? reject(err) : resolve(),
      ),
    );
    cri = new CriRuntime({ socket, eventPollIntervalMs: 20 });
  });
  after(() => {
    cri.close();
    server.forceShutdown();
    rmSync(dir, { recursive: true, force: true });
  });

  it("calls Version with the CRI API version", async () => {
    assert.deepEqual(await cri.version(), {
      runtimeName: "containerd",
      runtimeVersion: "1.6.20~ds1",
      runtimeApiVersion: "v1",
    });
    assert.deepEqual(seen.at(-1), { method: "Version", req: { version: "v1" } });
  });

  it("keeps the gRPC status and the runtime's message", async () => {
    await assert.rejects(cri.containerStatus("abc"), (e: unknown) => {
      assert.ok(e instanceof CriError);
      assert.equal(e.code, grpc.status.NOT_FOUND);
      assert.equal(e.codeName, "NOT_FOUND");
      assert.equal(e.method, "ContainerStatus");
      assert.equal(e.message, 'an error occurred when try to find container "abc": not found');
      return true;
    });
  });

  it("sends StopContainer's timeout and list filters in proto form", async () => {
    await cri.stopContainer("abc", 30);
    assert.deepEqual(seen.at(-1), { method: "StopContainer", req: { containerId: "abc", timeout: 30 } });
    await cri.listContainers({ podSandboxId: "sb", state: "CONTAINER_RUNNING", labelSelector: { a: "b" } });
    assert.deepEqual(seen.at(-1), {
      method: "ListContainers",
      req: {
        filter: {
          id: "",
          podSandboxId: "sb",
          state: { state: "CONTAINER_RUNNING" },
          labelSelector: { a: "b" },
        },
      },
    });
  });

  it("makes container events by polling when GetContainerEvents is unimplemented", async () => {
    containers = [{ id: "old", podSandboxId: "sb", state: "CONTAINER_RUNNING" }];
    const events: ContainerEvent[] = [];
    const stop = cri.onContainerEvent((e) => events.push(e));
    const wait = async (n: number) => {
      const end = Date.now() + 5000;
      while (events.length < n && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    };
    await new Promise((r) => setTimeout(r, 100)); // the baseline list
    containers = [{ id: "new", podSandboxId: "sb", state: "CONTAINER_RUNNING" }];
    await wait(3);
    stop();
    assert.equal(cri.containerEventSource, "poll");
    assert.deepEqual(
      events.map((e) => [e.containerId, e.podSandboxId, e.type]),
      [
        ["new", "sb", "CONTAINER_CREATED_EVENT"],
        ["new", "sb", "CONTAINER_STARTED_EVENT"],
        ["old", "sb", "CONTAINER_DELETED_EVENT"],
      ],
    );
    assert.ok(events.every((e) => e.createdAt > 1.7e18));
  });
});
