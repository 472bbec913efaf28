// Tests that run the real apiserver (ServiceAccount admission on) without the
// controller-manager make the `default` service account the ServiceAccount
// controller would make.
import { isAlreadyExists } from "../../src/client/api-error.ts";
import { Resources } from "../../src/client/resources.ts";
import type { RestClient } from "../../src/client/rest-client.ts";

export async function ensureDefaultServiceAccount(client: RestClient, namespace = "default"): Promise<void> {
  try {
    await client.create(Resources.serviceaccounts, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: "default", namespace },
    });
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}
