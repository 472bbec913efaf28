// Create-or-update of an object a component owns outright (the Services,
// Endpoints and APIServices of the add-ons that run on the host): created when
// missing, left alone when `same` says it already is as wanted, else replaced
// on top of what is stored (its resourceVersion, and what `keep` keeps).
import { isNotFound } from "./api-error.ts";
import type { KubeObject, ResourceRef, RestClient } from "./rest-client.ts";

export async function upsert<T extends KubeObject>(
  client: RestClient,
  res: ResourceRef,
  want: T,
  same: (have: T) => boolean,
  keep?: (have: T, next: T) => T,
): Promise<T> {
  const ns = want.metadata?.namespace;
  const name = want.metadata?.name ?? "";
  let have: T | undefined;
  try {
    have = await client.get<T>(res, name, { namespace: ns });
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
  if (!have) return client.create(res, want, { namespace: ns });
  if (same(have)) return have;
  const next = {
    ...have,
    ...want,
    metadata: { ...have.metadata, ...want.metadata, resourceVersion: have.metadata?.resourceVersion },
  };
  return client.update(res, keep ? keep(have, next) : next, { namespace: ns });
}
