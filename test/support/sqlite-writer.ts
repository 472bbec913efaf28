// A child process for the crash test: writes in a loop and prints each key
// only after the store acknowledged it, until it is killed.
import { SqliteStore } from "../../src/storage/sqlite.ts";

const store = new SqliteStore({ path: process.argv[2] });
const value = new Uint8Array(512).fill(7);
let n = 0;

async function writer(id: number): Promise<never> {
  for (;;) {
    const key = `/registry/crash/p${process.pid}/w${id}/k${n++}`;
    await store.create(key, value);
    process.stdout.write(`${key}\n`);
  }
}

process.stdout.write("ready\n");
for (let i = 0; i < 16; i++) void writer(i);
