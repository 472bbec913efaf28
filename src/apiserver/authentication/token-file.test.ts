import assert from "node:assert/strict";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseCsv, parseTokenFile, TokenFileAuthenticator } from "./token-file.ts";

test("parseCsv reads records as Go's encoding/csv does", () => {
  assert.deepEqual(parseCsv('a,b,c\n\n"x,y","say ""hi""",\r\nlast'), [
    ["a", "b", "c"],
    ["x,y", 'say "hi"', ""],
    ["last"],
  ]);
  // A quoted field may span lines.
  assert.deepEqual(parseCsv('t,"two\nlines",u\n'), [["t", "two\nlines", "u"]]);
});

test("parseCsv's errors are Go's ParseError strings", () => {
  assert.throws(() => parseCsv('tok,al"ice,1'), {
    message: 'parse error on line 1, column 7: bare " in non-quoted-field',
  });
  assert.throws(() => parseCsv('ok,1,2\ntok,"alice"x,1'), {
    message: 'parse error on line 2, column 11: extraneous or missing " in quoted-field',
  });
  assert.throws(() => parseCsv('tok,"open\nstill'), {
    message: 'record on line 1; parse error on line 2, column 6: extraneous or missing " in quoted-field',
  });
  assert.throws(() => parseCsv('tok,"open\nstill\n'), {
    message: 'record on line 1; parse error on line 2, column 7: extraneous or missing " in quoted-field',
  });
});

test("records need three columns; the fourth is the comma-separated groups", () => {
  const tokens = parseTokenFile('t1,alice,uid-1,"dev,ops"\nt2,bob,uid-2\n,skipped,x\n', "/etc/tokens.csv");
  assert.deepEqual(
    [...tokens.entries()],
    [
      ["t1", { name: "alice", uid: "uid-1", groups: ["dev", "ops"] }],
      ["t2", { name: "bob", uid: "uid-2", groups: [] }],
    ],
  );
  assert.throws(() => parseTokenFile("t1,alice\n", "/etc/tokens.csv"), {
    message:
      "token file '/etc/tokens.csv' must have at least 3 columns (token, user name, user uid), found 2",
  });
  // A later duplicate wins, as the map assignment upstream.
  assert.equal(parseTokenFile("t,a,1\nt,b,2\n", "f").get("t")?.name, "b");
});

test("TokenFileAuthenticator.fromFile: the file's users; a missing file is os.Open's error", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8ts-tokenfile-"));
  try {
    const path = join(dir, "tokens.csv");
    writeFileSync(path, "secret-token,carol,c-1,admins\n");
    const a = TokenFileAuthenticator.fromFile(path);
    assert.deepEqual(a.authenticateToken("secret-token"), {
      user: { name: "carol", uid: "c-1", groups: ["admins"] },
    });
    assert.equal(a.authenticateToken("other"), undefined);
    const missing = join(dir, "nope.csv");
    assert.throws(() => TokenFileAuthenticator.fromFile(missing), {
      message: `open ${missing}: no such file or directory`,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
