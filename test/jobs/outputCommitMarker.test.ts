// Taking back an output a job moved into place but did not record (outputCommitMarker.ts): only the
// very file the job linked (same device and inode) and only while the library does not record it;
// a user's file put at that path afterwards is never touched.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, unlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { commitOutput } from "../../src/core/jobs/commitOutput.js";
import { undoUnrecordedCommits } from "../../src/core/jobs/outputCommitMarker.js";
import { ensureDataPaths } from "../../src/core/paths.js";
import { insertArtifact } from "../../src/core/store/artifacts.js";
import { Store } from "../../src/core/store/Store.js";

const dataDir = mkdtempSync(path.join(os.tmpdir(), "cwb-commit-marker-"));
const store = Store.open(ensureDataPaths(dataDir).database);
afterAll(() => {
  store.close();
  rmSync(dataDir, { recursive: true, force: true });
});

/** A job temp folder whose output was committed to `name` in the outputs folder. */
async function committed(name: string): Promise<{ tempDir: string; final: string }> {
  const tempDir = path.join(dataDir, "tmp", `job-${name}`);
  mkdirSync(tempDir, { recursive: true });
  writeFileSync(path.join(tempDir, "out.gguf"), "job bytes");
  const final = path.join(dataDir, "outputs", name);
  await commitOutput(path.join(tempDir, "out.gguf"), final);
  return { tempDir, final };
}

describe("undoUnrecordedCommits", () => {
  it("removes the output the job linked while nothing records it", async () => {
    const { tempDir, final } = await committed("a.gguf");
    expect(await undoUnrecordedCommits(tempDir, store.db)).toEqual([final]);
    expect(existsSync(final)).toBe(false);
  });

  it("keeps an output the library records", async () => {
    const { tempDir, final } = await committed("b.gguf");
    insertArtifact(store.db, { kind: "report", path: final, bytes: 9 });
    expect(await undoUnrecordedCommits(tempDir, store.db)).toEqual([]);
    expect(readFileSync(final, "utf8")).toBe("job bytes");
  });

  it("never removes a user's file put at the output's path since", async () => {
    const { tempDir, final } = await committed("c.gguf");
    unlinkSync(final);
    writeFileSync(final, "the user's bytes");
    expect(await undoUnrecordedCommits(tempDir, store.db)).toEqual([]);
    expect(readFileSync(final, "utf8")).toBe("the user's bytes");
  });
});
