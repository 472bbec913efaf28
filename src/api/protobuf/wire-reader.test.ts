import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  varintToBool,
  varintToInt32,
  varintToInt64,
  varintToUint32,
  varintToUint64,
  WireReader,
  WireType,
} from "./wire-reader.ts";

const reader = (s: string) => new WireReader(Uint8Array.from(Buffer.from(s.replace(/\s+/g, ""), "hex")));

describe("WireReader", () => {
  it("reads varints of every width", () => {
    assert.deepEqual(reader("00").varint(), { lo: 0, hi: 0 });
    assert.deepEqual(reader("ac02").varint(), { lo: 300, hi: 0 });
    assert.deepEqual(reader("ffffffff0f").varint(), { lo: 0xffffffff, hi: 0 });
    assert.deepEqual(reader("8080808010").varint(), { lo: 0, hi: 1 });
    assert.deepEqual(reader("ffffffffffffffffff01").varint(), { lo: 0xffffffff, hi: 0xffffffff });
  });

  it("converts varints as Go's integer conversions do", () => {
    const minusOne = reader("ffffffffffffffffff01").varint();
    assert.equal(varintToInt32(minusOne), -1);
    assert.equal(varintToInt64(minusOne), -1);
    assert.equal(varintToUint32(minusOne), 0xffffffff);
    assert.equal(varintToUint64(reader("ffffffff0f").varint()), 0xffffffff);
    // int32(v) keeps the low 32 bits: 2^32 + 7 → 7.
    assert.equal(varintToInt32(reader("8780808010").varint()), 7);
    assert.equal(varintToInt64(reader("8080808080808080 8001").varint()), -(2 ** 63));
    assert.equal(varintToInt64(reader("ffffffffffffff0f").varint()), 2 ** 53 - 1);
    assert.equal(varintToBool(reader("8080808010").varint()), true);
    assert.equal(varintToBool(reader("00").varint()), false);
  });

  it("reads tags, lengths and fixed-width values", () => {
    const r = reader("0a 03 616263 11 0102030405060708 1d 01020304");
    assert.deepEqual(r.tag("M"), { field: 1, wireType: WireType.LengthDelimited });
    assert.equal(Buffer.from(r.bytes()).toString(), "abc");
    assert.deepEqual(r.tag("M"), { field: 2, wireType: WireType.Fixed64 });
    assert.deepEqual([...r.fixed64()], [1, 2, 3, 4, 5, 6, 7, 8]);
    assert.deepEqual(r.tag("M"), { field: 3, wireType: WireType.Fixed32 });
    assert.deepEqual([...r.fixed32()], [1, 2, 3, 4]);
    assert.equal(r.done, true);
  });

  it("skips every wire type, nested groups included", () => {
    const r = reader(
      "08 96 01  11 0102030405060708  1a 02 6869  1b 08 01 23 10 02 24 1c  25 01020304  28 05",
    );
    const seen: number[] = [];
    for (;;) {
      const { field, wireType } = r.tag("M");
      if (field === 5) break;
      seen.push(field);
      r.skip(wireType);
    }
    assert.deepEqual(seen, [1, 2, 3, 3, 4]);
  });

  it("fails like gogo-protobuf on bad input", () => {
    assert.throws(() => reader("80").varint(), { message: "unexpected EOF" });
    assert.throws(() => reader("ffffffffffffffffffff01").varint(), { message: "proto: integer overflow" });
    assert.throws(() => reader("05 6162").bytes(), { message: "unexpected EOF" });
    assert.throws(() => reader("0102").fixed32(), { message: "unexpected EOF" });
    assert.throws(() => reader("07").tag("Pod"), { message: "proto: Pod: illegal tag 0 (wire type 7)" });
    assert.throws(() => reader("0c").tag("Pod"), { message: "proto: Pod: wiretype end group for non-group" });
    assert.throws(() => reader("").skip(6), { message: "proto: illegal wireType 6" });
  });
});
