// Polls until f gives a value: for what tests wait on through the API, which has no event to await.
// undefined and false both mean "not yet", so a condition (() => boolean) waits the same way as a lookup.
export async function until<T>(
  f: () => Promise<T> | T,
  what: string,
  ms = 60_000,
  intervalMs = 250,
): Promise<Exclude<T, false | undefined>> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined && v !== false) return v as Exclude<T, false | undefined>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}
