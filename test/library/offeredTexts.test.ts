// The texts the Compress form offers instead of a typed path: the library's text sets (with size and
// hash; a set whose file is gone is not offered) and each built reference model's held-out texts.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { listOfferedTexts } from "../../src/core/texts/offeredTexts.js";
import { insertTextSet } from "../../src/core/store/textSets.js";
import { Store } from "../../src/core/store/Store.js";
import { referenceDataDir, referenceModel } from "../helpers/referenceModel.js";

let dir: string;
beforeAll(async () => {
  await referenceModel("quick");
  dir = mkdtempSync(path.join(os.tmpdir(), "cwb-offered-texts-"));
}, 30 * 60_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it("offers the library's text sets with their hashes and the reference model's held-out texts", () => {
  const store = Store.open(path.join(dir, "workbench.sqlite"));
  try {
    const file = path.join(dir, "calib.txt");
    writeFileSync(file, "some text\n");
    insertTextSet(store.db, {
      name: "calib.txt",
      purpose: "calibration",
      sha256: "ab".repeat(32),
      path: file,
      bytes: 10,
    });
    insertTextSet(store.db, {
      name: "gone.txt",
      purpose: "evaluation",
      sha256: "cd".repeat(32),
      path: path.join(dir, "gone.txt"),
      bytes: 5,
    });

    const texts = listOfferedTexts(store.db, referenceDataDir);
    expect(texts[0]).toEqual({
      name: "calib.txt",
      path: file,
      bytes: 10,
      sha256: "ab".repeat(32),
      purpose: "calibration",
      source: "library",
    });
    expect(texts.some((t) => t.name === "gone.txt")).toBe(false);
    const reference = texts.filter((t) => t.source === "reference");
    expect(reference.map((t) => t.purpose)).toEqual(expect.arrayContaining(["evaluation", "calibration"]));
    for (const t of reference) {
      expect(t.path.startsWith(path.join(referenceDataDir, "reference"))).toBe(true);
      expect(t.bytes).toBeGreaterThan(1000);
      expect(t.name).toMatch(/held-out (evaluation|calibration) text \(\d{4}–\d{4}\)$/);
    }
  } finally {
    store.close();
  }
});
