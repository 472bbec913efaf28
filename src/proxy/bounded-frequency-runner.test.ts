import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BoundedFrequencyRunner } from "./bounded-frequency-runner.ts";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("BoundedFrequencyRunner", () => {
  it("runs a burst at once, then at most once per minInterval, folding asks together", async () => {
    const times: number[] = [];
    const start = Date.now();
    const r = new BoundedFrequencyRunner({
      name: "t",
      fn: async () => {
        times.push(Date.now() - start);
      },
      minIntervalMs: 200,
      maxIntervalMs: 0,
      burstRuns: 2,
    });
    r.start();
    for (let i = 0; i < 10; i++) {
      r.run();
      await sleep(5);
    }
    await sleep(330);
    await r.stop();
    // Two at once (the burst), then the remaining asks folded into one run ~200 ms later.
    assert.equal(times.length, 3, JSON.stringify(times));
    assert.ok(times[1] < 100);
    assert.ok(times[2] >= 150, JSON.stringify(times));
  });

  it("runs on its own every maxInterval", async () => {
    let runs = 0;
    const r = new BoundedFrequencyRunner({
      name: "t",
      fn: async () => {
        runs++;
      },
      minIntervalMs: 0,
      maxIntervalMs: 50,
      burstRuns: 2,
    });
    r.start();
    await sleep(180);
    await r.stop();
    assert.ok(runs >= 2 && runs <= 4, String(runs));
  });

  it("never overlaps runs", async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const r = new BoundedFrequencyRunner({
      name: "t",
      fn: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(30);
        active--;
        runs++;
      },
      minIntervalMs: 0,
      maxIntervalMs: 0,
      burstRuns: 2,
    });
    r.start();
    r.run();
    r.run();
    r.run();
    await sleep(100);
    await r.stop();
    assert.equal(maxActive, 1);
    assert.equal(runs, 2);
  });
});
