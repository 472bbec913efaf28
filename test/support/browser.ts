// A real browser for the dashboard's end-to-end test: Debian's headless
// Chromium, driven over the DevTools protocol (one page, flat sessions).
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";

export const CHROMIUM = "/usr/bin/chromium-headless-shell";

export interface BrowserPage {
  goto(url: string): Promise<void>;
  /** An expression evaluated in the page; a promise is awaited, the value comes back as JSON. */
  eval<T = unknown>(expression: string): Promise<T>;
  /** Evaluates the expression until it is truthy; its last value and the page's text name a time-out. */
  waitFor<T = unknown>(expression: string, what: string, timeoutMs?: number): Promise<T>;
  /** Clicks the element once it is there (as a person waits for a page to show it). */
  click(selector: string): Promise<void>;
  /** Sets a field's value, once it is there, and fires its input and change events, as typing would. */
  fill(selector: string, value: string): Promise<void>;
  screenshot(path: string): Promise<void>;
  /** Uncaught exceptions and console errors of the page so far. */
  errors: string[];
}

export interface Browser {
  page: BrowserPage;
  close(): Promise<void>;
}

/** SIGTERM to Chromium's process group, SIGKILL to what is left of it after 5 s; resolves when none is left. */
async function stopGroup(child: ChildProcess): Promise<void> {
  const alive = () => {
    try {
      process.kill(-child.pid!, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(-child.pid!, "SIGTERM");
  const until = performance.now() + 5_000;
  while (alive()) {
    if (performance.now() > until) process.kill(-child.pid!, "SIGKILL");
    await new Promise((r) => setTimeout(r, 50));
  }
}

export async function launchBrowser(): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), "k8ts-chromium-"));
  const child: ChildProcess = spawn(
    CHROMIUM,
    [
      "--headless",
      // As root, Chromium's sandbox will not start.
      "--no-sandbox",
      "--disable-gpu",
      "--remote-debugging-port=0",
      `--user-data-dir=${profile}`,
      // k8ts up's dashboard certificate comes from the cluster's own CA.
      "--ignore-certificate-errors",
      "--window-size=1280,900",
      "about:blank",
    ],
    // Its own process group: its renderer and helper processes go with it.
    { stdio: ["ignore", "ignore", "pipe"], detached: true },
  );
  let stderr = "";
  const wsUrl = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chromium did not start in 30 s:\n${stderr}`)), 30_000);
    child.stderr!.on("data", (d) => {
      stderr += d;
      const m = /DevTools listening on (ws:\/\/\S+)/.exec(stderr);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`chromium exited with ${code}:\n${stderr}`));
    });
  });
  const ws = new WebSocket(wsUrl);
  await new Promise((resolve, reject) => {
    ws.once("open", resolve);
    ws.once("error", reject);
  });
  let nextId = 1;
  const pending = new Map<number, { resolve(v: unknown): void; reject(e: Error): void }>();
  const listeners: ((method: string, params: Record<string, unknown>) => void)[] = [];
  ws.on("message", (data) => {
    const msg = JSON.parse(String(data));
    if (msg.id !== undefined) {
      const p = pending.get(msg.id);
      pending.delete(msg.id);
      if (msg.error) p?.reject(new Error(`${msg.error.message} ${msg.error.data ?? ""}`));
      else p?.resolve(msg.result);
    } else {
      for (const l of listeners) l(msg.method, msg.params);
    }
  });
  const send = <T = Record<string, unknown>>(method: string, params: object = {}, sessionId?: string) =>
    new Promise<T>((resolve, reject) => {
      const id = nextId++;
      pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      ws.send(JSON.stringify({ id, method, params, sessionId }));
    });

  const { targetId } = await send<{ targetId: string }>("Target.createTarget", { url: "about:blank" });
  const { sessionId } = await send<{ sessionId: string }>("Target.attachToTarget", {
    targetId,
    flatten: true,
  });
  const inPage = <T = Record<string, unknown>>(method: string, params: object = {}) =>
    send<T>(method, params, sessionId);
  const errors: string[] = [];
  let loaded: (() => void) | undefined;
  listeners.push((method, params) => {
    if (method === "Runtime.exceptionThrown") {
      const d = params.exceptionDetails as { text: string; exception?: { description?: string } };
      errors.push(d.exception?.description ?? d.text);
    } else if (method === "Runtime.consoleAPICalled" && params.type === "error") {
      errors.push(
        (params.args as { value?: unknown; description?: string }[])
          .map((a) => a.value ?? a.description)
          .join(" "),
      );
    } else if (method === "Page.loadEventFired" || method === "Page.navigatedWithinDocument") {
      // A new document has loaded, or only the URL's fragment changed (the UI's routes).
      loaded?.();
    }
  });
  await inPage("Page.enable");
  await inPage("Runtime.enable");

  const evaluate = async <T>(expression: string): Promise<T> => {
    const r = await inPage<{
      result: { value?: T };
      exceptionDetails?: { exception?: { description?: string }; text: string };
    }>("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true });
    if (r.exceptionDetails)
      throw new Error(`in the page: ${r.exceptionDetails.exception?.description ?? r.exceptionDetails.text}`);
    return r.result.value as T;
  };
  const page: BrowserPage = {
    errors,
    async goto(url) {
      const done = new Promise<void>((resolve) => {
        loaded = resolve;
      });
      const r = await inPage<{ errorText?: string }>("Page.navigate", { url });
      if (r.errorText) throw new Error(`navigating to ${url}: ${r.errorText}`);
      await done;
    },
    eval: evaluate,
    async waitFor<T>(expression: string, what: string, timeoutMs = 20_000): Promise<T> {
      const until = performance.now() + timeoutMs;
      let last: unknown;
      for (;;) {
        last = await evaluate<T>(expression);
        if (last) return last as T;
        if (performance.now() > until) {
          const text = await evaluate<string>(
            "document.body ? document.body.textContent.replace(/\\s+/g, \" \") : ''",
          );
          throw new Error(
            `${what}: not so after ${timeoutMs} ms (last ${JSON.stringify(last)}); the page says:\n${text.slice(0, 3000)}\npage errors: ${JSON.stringify(errors)}`,
          );
        }
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async click(selector) {
      await page.waitFor(
        `(() => { const e = document.querySelector(${JSON.stringify(selector)}); if (!e) return false; e.click(); return true; })()`,
        `a ${selector} to click`,
      );
    },
    async fill(selector, value) {
      await page.waitFor(
        `(() => { const e = document.querySelector(${JSON.stringify(selector)}); if (!e) return false; e.value = ${JSON.stringify(value)}; e.dispatchEvent(new Event("input", { bubbles: true })); e.dispatchEvent(new Event("change", { bubbles: true })); return true; })()`,
        `a ${selector} to fill`,
      );
    },
    async screenshot(path) {
      const { data } = await inPage<{ data: string }>("Page.captureScreenshot", { format: "png" });
      writeFileSync(path, Buffer.from(data, "base64"));
    },
  };
  return {
    page,
    async close() {
      ws.close();
      await stopGroup(child);
      // Helpers that outlived it would hold the pipe, and this process, open.
      child.stderr?.destroy();
      rmSync(profile, { recursive: true, force: true, maxRetries: 3 });
    },
  };
}
