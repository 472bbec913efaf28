import assert from "node:assert/strict";
import { test } from "node:test";
import { errFormatWrong, errSuffix, Quantity } from "../../machinery/quantity.ts";
import { quantityFromJSON } from "./quantity-memo.ts";

test("quantityFromJSON answers as Quantity.fromJSON, the first time and after", () => {
  for (const v of ["100m", " 500Mi ", "1e3", 0.5, 3, "0", "-1Gi", "1.5"]) {
    for (let i = 0; i < 2; i++) {
      const q = quantityFromJSON(v);
      assert.equal(q.toString(), Quantity.fromJSON(v).toString());
      assert.equal(q.format, Quantity.fromJSON(v).format);
    }
  }
});

test("quantities that do not parse throw upstream's message every time", () => {
  for (let i = 0; i < 2; i++) {
    assert.throws(() => quantityFromJSON("abc"), { message: errFormatWrong });
    assert.throws(() => quantityFromJSON("1Qi"), { message: errFormatWrong });
    assert.throws(() => quantityFromJSON("1e"), { message: errSuffix });
    assert.throws(() => quantityFromJSON(true), { message: errFormatWrong });
  }
});

test("the memo stays correct past its size bound", () => {
  for (let i = 0; i < 3000; i++) {
    const v = `${i}Mi`;
    assert.equal(quantityFromJSON(v).toString(), Quantity.fromJSON(v).toString());
  }
  assert.equal(quantityFromJSON("100m").toString(), "100m");
});
