// A read-modify-write that retries on 409, as client-go's retry.RetryOnConflict:
// for tests that change an object a controller also writes (its status, taints),
// where a single get and update races that controller.
import { ApiError } from "../../src/client/api-error.ts";
import type { KubeObject, ResourceRef, RestClient, WriteOptions } from "../../src/client/rest-client.ts";

export async function updateRetryingConflicts<T extends KubeObject>(
  client: RestClient,
  res: ResourceRef,
  name: string,
  mutate: (obj: T) => T | undefined,
  opts: WriteOptions = {},
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    const cur = await client.get<T>(res, name, { namespace: opts.namespace });
    try {
      return await client.update<T>(res, mutate(cur) ?? cur, opts);
    } catch (e) {
      if (!(e instanceof ApiError && e.code === 409) || attempt >= 10) throw e;
    }
  }
}
