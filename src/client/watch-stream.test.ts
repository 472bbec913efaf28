import assert from "node:assert/strict";
import { test } from "node:test";
import { decodeWatchStream } from "./rest-client.ts";

async function decode(chunks: string[]): Promise<unknown[]> {
  async function* gen() {
    yield* chunks;
  }
  const out: unknown[] = [];
  for await (const e of decodeWatchStream(gen())) out.push(e);
  return out;
}

const ev = (n: number) => ({ type: "ADDED", object: { metadata: { name: `p${n}` } } });
const line = (n: number) => `${JSON.stringify(ev(n))}\n`;

test("events split anywhere across chunks, and many in one chunk, decode in order", async () => {
  const text = [0, 1, 2, 3, 4].map(line).join("");
  // Every split point of the whole stream into two chunks, and one chunk per character.
  for (let cut = 0; cut <= text.length; cut++) {
    assert.deepEqual(
      await decode([text.slice(0, cut), text.slice(cut)]),
      [0, 1, 2, 3, 4].map(ev),
      `cut ${cut}`,
    );
  }
  assert.deepEqual(await decode([...text]), [0, 1, 2, 3, 4].map(ev));
});

test("blank lines and CRLF line ends are skipped; a last event without a newline is kept", async () => {
  assert.deepEqual(await decode(["\n", `${JSON.stringify(ev(0))}\r\n`, "\r\n  \n", JSON.stringify(ev(1))]), [
    ev(0),
    ev(1),
  ]);
});

test("a line that is not JSON fails the iteration", async () => {
  await assert.rejects(decode(["{not json}\n"]), SyntaxError);
});
