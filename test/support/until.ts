// Polls until f gives a value: for what tests wait on through the API, which has no event to await.
export async function until<T>(
  f: () => Promise<T | undefined> | T | undefined,
  what: string,
  ms = 60_000,
  intervalMs = 250,
): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
