import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { decodeErrorStream, outcomeStatus } from "./remotecommand.ts";

describe("remotecommand error stream", () => {
  it("decodes the runtime's v4 Status as client-go's errorDecoderV4", () => {
    assert.deepEqual(decodeErrorStream(Buffer.alloc(0)), { type: "success" });
    assert.deepEqual(decodeErrorStream(Buffer.from('{"metadata":{},"status":"Success"}')), {
      type: "success",
    });
    const exit = {
      metadata: {},
      status: "Failure",
      message:
        "command terminated with non-zero exit code: error executing command [sh -c exit 3], exit code 3",
      reason: "NonZeroExitCode",
      details: { causes: [{ reason: "ExitCode", message: "3" }] },
    };
    assert.deepEqual(decodeErrorStream(Buffer.from(JSON.stringify(exit))), { type: "exit", code: 3 });
    assert.deepEqual(
      decodeErrorStream(
        Buffer.from(JSON.stringify({ ...exit, details: { causes: [{ reason: "ExitCode", message: "x" }] } })),
      ),
      { type: "error", message: 'error stream protocol error: invalid exit code value "x"' },
    );
    assert.deepEqual(
      decodeErrorStream(Buffer.from('{"status":"Failure","message":"container not running"}')),
      { type: "error", message: "container not running" },
    );
  });

  it("writes channel 3's Status as upstream's StreamTranslator", () => {
    assert.equal(JSON.stringify(outcomeStatus({ type: "success" })), '{"metadata":{},"status":"Success"}');
    assert.equal(
      JSON.stringify(outcomeStatus({ type: "exit", code: 3 })),
      '{"metadata":{},"status":"Failure","message":"command terminated with non-zero exit code: command terminated with exit code 3","reason":"NonZeroExitCode","details":{"causes":[{"reason":"ExitCode","message":"3"}]}}',
    );
    assert.equal(
      JSON.stringify(outcomeStatus({ type: "error", message: "boom" })),
      '{"metadata":{},"status":"Failure","message":"Internal error occurred: boom","reason":"InternalError","details":{"causes":[{"message":"boom"}]},"code":500}',
    );
  });
});
