// The ApiError a request through RestClient fails with; an accepted request fails the test.
import assert from "node:assert/strict";
import { ApiError } from "../../src/client/api-error.ts";

export async function refused(p: Promise<unknown>): Promise<ApiError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof ApiError) return e;
    throw e;
  }
  assert.fail("the request was not refused");
}
