// /healthz, /livez and /readyz as k8s.io/apiserver/pkg/server/healthz serves
// them: named checks, "ok" or with `?verbose` one line per check, `?exclude=`,
// and one path per check (/readyz/etcd). A failure always lists every check,
// its reason withheld (the root paths are public), with a 500.
import type { ServerResponse } from "node:http";

export interface HealthCheck {
  readonly name: string;
  /** Rejects, or throws, when the check fails. */
  check(): Promise<void> | void;
}

export type HealthEndpoint = "healthz" | "livez" | "readyz";

const TEXT = { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" };

/** The checks' outcomes, each bounded by `timeoutMs` so that a hung store fails the check instead of the probe. */
async function run(check: HealthCheck, timeoutMs: number): Promise<Error | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      Promise.resolve().then(() => check.check()),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
      }),
    ]);
    return undefined;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Serves `/<endpoint>` (sub undefined) or `/<endpoint>/<sub>`; false when
 * `sub` names no check, for the caller's 404.
 */
export async function serveHealth(
  res: ServerResponse,
  endpoint: HealthEndpoint,
  checks: readonly HealthCheck[],
  sub: string | undefined,
  query: URLSearchParams,
  /** Told each failure with its reason, which the answer withholds. */
  onFailure: (check: string, err: Error) => void = () => {},
  timeoutMs = 2000,
): Promise<boolean> {
  if (sub !== undefined) {
    const one = checks.find((c) => c.name === sub);
    if (!one) return false;
    const err = await run(one, timeoutMs);
    if (err) onFailure(one.name, err);
    res.writeHead(err ? 500 : 200, TEXT);
    res.end(err ? `internal server error: ${err.message}\n` : "ok");
    return true;
  }
  const excluded = new Set(query.getAll("exclude"));
  const outcomes = await Promise.all(
    checks.map((c) => (excluded.has(c.name) ? Promise.resolve(undefined) : run(c, timeoutMs))),
  );
  let out = "";
  let failed = false;
  checks.forEach((c, i) => {
    if (excluded.delete(c.name)) out += `[+]${c.name} excluded: ok\n`;
    else if (outcomes[i]) {
      failed = true;
      onFailure(c.name, outcomes[i]);
      out += `[-]${c.name} failed: reason withheld\n`;
    } else out += `[+]${c.name} ok\n`;
  });
  if (excluded.size > 0) {
    const names = [...excluded].sort().map((n) => JSON.stringify(n));
    out += `warn: some health checks cannot be excluded: no matches for ${names.join(",")}\n`;
  }
  if (failed) {
    res.writeHead(500, TEXT);
    res.end(`${out}${endpoint} check failed\n`);
    return true;
  }
  res.writeHead(200, TEXT);
  res.end(query.has("verbose") ? `${out}${endpoint} check passed\n` : "ok");
  return true;
}
