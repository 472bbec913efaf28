import assert from "node:assert/strict";
import { test } from "node:test";
import { getHeapStatistics } from "node:v8";
import { startIdleGC } from "./idle-gc.ts";

test("an idle process whose heap grew collects, and gives the garbage back", async () => {
  const stop = startIdleGC({ periodMs: 100, minGrowthBytes: 8 * 1024 * 1024 });
  try {
    // ~60 MB of short-lived objects, as a burst of requests leaves behind.
    let keep: unknown[] = [];
    for (let i = 0; i < 300_000; i++) {
      keep.push({ i, s: `object-${i}`, a: [i, i + 1, i + 2] });
      if (keep.length > 50_000) keep = [];
    }
    keep = [];
    const grown = getHeapStatistics().used_heap_size;
    await new Promise((r) => setTimeout(r, 600));
    const after = getHeapStatistics().used_heap_size;
    assert.ok(after < grown / 2, `used heap ${grown} → ${after}: no collection while idle`);
  } finally {
    stop();
  }
});

test("the young generation a burst grew goes back too, with a second collection a few seconds later", async () => {
  const mb = 1024 * 1024;
  const stop = startIdleGC({ periodMs: 100, minGrowthBytes: 8 * mb, followUpMs: 5500 });
  try {
    let keep: unknown[] = [];
    for (let i = 0; i < 1_000_000; i++) {
      keep.push({ i, s: `object-${i}`, a: [i, i + 1, i + 2] });
      if (keep.length > 100_000) keep = [];
    }
    keep = [];
    // V8 shrinks its young generation at a collection only once allocation has been slow for 5 s.
    const until = Date.now() + 12_000;
    let h = getHeapStatistics();
    while (Date.now() < until) {
      await new Promise((r) => setTimeout(r, 250));
      h = getHeapStatistics();
      if (h.total_heap_size - h.used_heap_size < 12 * mb) break;
    }
    assert.ok(
      h.total_heap_size - h.used_heap_size < 12 * mb,
      `heap ${Math.round(h.total_heap_size / mb)} MB for ${Math.round(h.used_heap_size / mb)} MB used: the empty young generation was kept`,
    );
  } finally {
    stop();
  }
});
