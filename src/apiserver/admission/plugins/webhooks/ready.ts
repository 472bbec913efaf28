// admission.Handler.WaitForReady: a request that arrives before the webhook
// configurations are read waits up to 10 seconds, then is refused, rather than
// skipping webhooks it has not seen yet.
import { newForbidden } from "../../../../machinery/status.ts";
import type { AdmissionAttributes } from "../../admission.ts";
import type { WebhookSource } from "./source.ts";

const TIME_TO_WAIT_FOR_READY_MS = 10_000;

export async function waitForReady(
  source: WebhookSource,
  a: AdmissionAttributes,
  timeoutMs = TIME_TO_WAIT_FOR_READY_MS,
): Promise<void> {
  if (source.hasSynced()) return;
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    source.start().catch(() => undefined),
    new Promise((r) => {
      timer = setTimeout(r, timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (source.hasSynced()) return;
  // admission.NewForbidden: the name falls back to the object's.
  const name = a.name || a.object?.metadata?.name || "";
  throw newForbidden(
    { group: a.resource.group, resource: a.resource.resource },
    name,
    "not yet ready to handle request",
  );
}
