// Finished outputs move from a job's temp folder to their final name, never over an existing file.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitOutput, OutputExistsError } from "../../src/core/jobs/commitOutput.js";

const dir = mkdtempSync(path.join(os.tmpdir(), "cwb-commit-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("commitOutput", () => {
  it("moves the temp file into place, creating the folder", async () => {
    const temp = path.join(dir, "out.partial");
    writeFileSync(temp, "model bytes");
    const final = path.join(dir, "models", "out.gguf");
    await commitOutput(temp, final);
    expect(readFileSync(final, "utf8")).toBe("model bytes");
    expect(existsSync(temp)).toBe(false);
  });

  it("refuses to replace an existing file and leaves both untouched", async () => {
    const temp = path.join(dir, "second.partial");
    writeFileSync(temp, "new bytes");
    const final = path.join(dir, "models", "out.gguf");
    await expect(commitOutput(temp, final)).rejects.toBeInstanceOf(OutputExistsError);
    await expect(commitOutput(temp, final)).rejects.toThrow(`${final}: already exists; not overwriting it`);
    expect(readFileSync(final, "utf8")).toBe("model bytes");
    expect(readFileSync(temp, "utf8")).toBe("new bytes");
  });
});
