import assert from "node:assert/strict";
import { test } from "node:test";
import { restoreLauncherEnv } from "./main.ts";

test("the launcher's preload is undone for what k8ts starts: the user's LD_PRELOAD and MALLOC_CONF come back", () => {
  const env: NodeJS.ProcessEnv = {
    LD_PRELOAD: "/usr/lib/x86_64-linux-gnu/libjemalloc.so.2:/opt/mine.so",
    MALLOC_CONF: "background_thread:true",
    K8TS_SAVED_LD_PRELOAD: "/opt/mine.so",
    K8TS_SAVED_MALLOC_CONF: "",
    PATH: "/usr/bin",
  };
  restoreLauncherEnv(env);
  assert.deepEqual(env, { LD_PRELOAD: "/opt/mine.so", PATH: "/usr/bin" });
});

test("without the launcher's marks (K8TS_MALLOC=libc, no jemalloc, node run by hand) the environment is left alone", () => {
  const env: NodeJS.ProcessEnv = { LD_PRELOAD: "/opt/mine.so", MALLOC_CONF: "narenas:1" };
  restoreLauncherEnv(env);
  assert.deepEqual(env, { LD_PRELOAD: "/opt/mine.so", MALLOC_CONF: "narenas:1" });
});
