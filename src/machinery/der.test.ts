import assert from "node:assert/strict";
import { test } from "node:test";
import {
  children,
  directoryString,
  namedBits,
  objectIdentifier,
  octetString,
  readElement,
  sequence,
  time,
  unsignedInteger,
} from "./der.ts";

const hex = (b: Buffer) => b.toString("hex");

test("integers are minimal and positive", () => {
  assert.equal(hex(unsignedInteger(Buffer.from([0x00, 0x00, 0x7f]))), "02017f");
  assert.equal(hex(unsignedInteger(Buffer.from([0x80]))), "02020080");
  assert.equal(hex(unsignedInteger(Buffer.from([0x00]))), "020100");
});

test("named bits drop trailing zero bits (X.690 11.2.2)", () => {
  assert.equal(hex(namedBits([0, 2])), "030205a0"); // digitalSignature, keyEncipherment
  assert.equal(hex(namedBits([0, 5])), "03020284"); // digitalSignature, keyCertSign
  assert.equal(hex(namedBits([8])), "0303070080");
});

test("object identifiers, strings and times", () => {
  assert.equal(hex(objectIdentifier("1.2.840.10045.4.3.2")), "06082a8648ce3d040302");
  assert.equal(hex(objectIdentifier("2.5.29.37")), "0603551d25");
  assert.equal(hex(directoryString("system:masters")), `130e${hex(Buffer.from("system:masters"))}`);
  assert.equal(directoryString("ca@1")[0], 0x0c, "@ is not printable: UTF8String");
  assert.equal(hex(time(new Date("2049-12-31T23:59:59Z"))), `170d${hex(Buffer.from("491231235959Z"))}`);
  assert.equal(hex(time(new Date("2050-01-01T00:00:00Z"))), `180f${hex(Buffer.from("20500101000000Z"))}`);
});

test("lengths over 127 bytes take the long form, and the reader reads back what was written", () => {
  const big = octetString(Buffer.alloc(300, 1));
  assert.equal(hex(big.subarray(0, 4)), "0482012c");
  const seq = sequence(big, octetString(Buffer.from("x")));
  const [a, b] = children(readElement(seq).value);
  assert.equal(a.value.length, 300);
  assert.deepEqual(b.value, Buffer.from("x"));
  assert.throws(() => readElement(seq.subarray(0, 10)), /runs past/);
});
