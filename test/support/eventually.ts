// Retries a check (assertions) until it passes or time runs out, then throws its last failure:
// for what the apiserver takes in through a watch a moment after it is written (admission
// configuration, RBAC bindings reaching the authorizer; upstream's e2e waits the same way).
export async function eventually(check: () => Promise<void>, ms = 5000): Promise<void> {
  const deadline = Date.now() + ms;
  for (;;) {
    try {
      await check();
      return;
    } catch (e) {
      if (Date.now() > deadline) throw e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
}
