// A full disk under the data dir, under an output, or filling while a job writes: quantize, imatrix,
// export, the database (in the CLI and over the server's WebSocket) say it is the disk and which one,
// leave nothing behind, record nothing half-made, and work again once space is freed. Needs root to
// mount a small tmpfs; skipped with a message otherwise.
import { spawnSync } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliOutcome } from "../../bench/fuzz/fuzzOutcome.js";
import { writeTinyGguf } from "../helpers/gguf.js";
import { readStore } from "../helpers/readDataDir.js";
import { assertBuilt, startServedApp } from "../helpers/servedApp.js";
import { connectProtocol } from "../helpers/wsProtocolClient.js";
import { makeRandomModel } from "../quantize/fixtures.js";

const work = mkdtempSync(path.join(os.tmpdir(), "cwb-full-disk-"));
const disk = path.join(work, "disk");
const roomy = path.join(work, "roomy");
const calibText = path.join(work, "calib.txt");
let mounted = false;
let randomModel = "";

beforeAll(async () => {
  assertBuilt();
  mkdirSync(disk);
  mkdirSync(roomy);
  // Big enough for the jobs' space checks to pass on an empty disk (the room kept free is 2 % of a
  // disk this small), small enough to fill in a few milliseconds.
  const mount = spawnSync("mount", ["-t", "tmpfs", "-o", "size=96m", "tmpfs", disk], { encoding: "utf8" });
  mounted = mount.status === 0;
  if (!mounted) {
    console.warn(`skipped: mounting a 96 MiB tmpfs was refused (${mount.stderr.trim()})`);
    return;
  }
  randomModel = await makeRandomModel(path.join(work, "random-f32.gguf"), { layers: 4 });
  const sentence = "The workbench measures every variant of a model on the machine that will run it. ";
  writeFileSync(calibText, sentence.repeat(400));
}, 120_000);

afterAll(() => {
  if (mounted) spawnSync("umount", [disk]);
  rmSync(work, { recursive: true, force: true });
});

/** Fills the disk to the last byte; returns the filler to remove. */
function fill(): string {
  const filler = path.join(disk, `filler-${Date.now()}`);
  const fd = openSync(filler, "w");
  const chunk = Buffer.alloc(1 << 20);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOSPC") throw error;
    // The last partial megabyte.
    try {
      for (;;) writeSync(fd, chunk, 0, 4096);
    } catch {
      // full
    }
  } finally {
    closeSync(fd);
  }
  return filler;
}

/**
 * Fills the disk the moment `started()` holds (a job's temp or staging folder appears), as another
 * program filling the disk would, after the job's space check passed. Resolves with the filler.
 */
function fillWhen(started: () => boolean): { filled: Promise<string>; stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  const filled = new Promise<string>((resolve) => {
    timer = setInterval(() => {
      if (!started()) return;
      clearInterval(timer);
      resolve(fill());
    }, 2);
  });
  return { filled, stop: () => clearInterval(timer) };
}

function jobTempStarted(dataDir: string): () => boolean {
  const tmp = path.join(dataDir, "tmp");
  return () => existsSync(tmp) && readdirSync(tmp).some((name) => name.startsWith("job-"));
}

function refusal(run: Awaited<ReturnType<typeof cliOutcome>>): string {
  expect(run.outcome).toMatchObject({ verdict: "refused" });
  return run.outcome.verdict === "refused" ? run.outcome.message : "";
}

function integrity(dataDir: string): string {
  return readStore(dataDir, (store) => String(store.db.pragma("integrity_check", { simple: true })));
}

function artifactCount(dataDir: string): number {
  return readStore(
    dataDir,
    (store) => (store.db.prepare("SELECT COUNT(*) AS n FROM artifacts").get() as { n: number }).n,
  );
}

const cwbIn =
  (dataDir: string) =>
  (...args: string[]) =>
    cliOutcome(["--data-dir", dataDir, ...args]);

describe("the database's disk is full", () => {
  it("names it in the CLI, leaves nothing, and works once space is freed", async () => {
    if (!mounted) return;
    const model = writeTinyGguf(path.join(work, "tiny.gguf"), { seed: 9 }).path;
    const dataDir = path.join(disk, "data-db");
    const cwb = cwbIn(dataDir);
    expect((await cwb("models", "list")).outcome).toEqual({ verdict: "accepted" });
    const filler = fill();

    expect(refusal(await cwb("models", "import", model))).toMatch(
      /the database .*workbench\.sqlite cannot be written: its disk is full/,
    );
    expect(readdirSync(path.join(dataDir, "models"))).toEqual([]);
    expect(readdirSync(path.join(dataDir, "tmp"))).toEqual([]);

    rmSync(filler);
    expect((await cwb("--json", "models", "import", model)).outcome).toEqual({ verdict: "accepted" });
    expect(integrity(dataDir)).toBe("ok");
  }, 60_000);

  it("names it over the server's WebSocket, and the server keeps serving", async () => {
    if (!mounted) return;
    const model = writeTinyGguf(path.join(work, "tiny-ws.gguf"), { seed: 11 }).path;
    const dataDir = path.join(disk, "data-ws");
    const app = await startServedApp(dataDir);
    const connection = await connectProtocol(`ws://127.0.0.1:${app.port}/ws?token=${app.token}`, {
      Origin: app.origin,
    });
    try {
      const filler = fill();
      const refused = await connection.call("jobs.start", { kind: "models.import", params: { path: model } });
      expect(refused).toMatchObject({ ok: false, error: { code: "DISK_FULL" } });
      expect(!refused.ok && refused.error.message).toMatch(
        /the database .*workbench\.sqlite cannot be written: its disk is full/,
      );
      expect(await connection.call("app.info")).toMatchObject({ ok: true });

      rmSync(filler);
      const started = await connection.call("jobs.start", { kind: "models.import", params: { path: model } });
      expect(started).toMatchObject({ ok: true });
      const id = started.ok ? (started.value as { id: string }).id : "";
      await connection.waitForEvent(
        (e) =>
          e.topic === "jobs.updated" &&
          (e.payload as { id: string; state: string }).id === id &&
          (e.payload as { state: string }).state === "succeeded",
      );
    } finally {
      await connection.close();
      expect(await app.stop()).toBe(0);
    }
    expect(integrity(dataDir)).toBe("ok");
  }, 90_000);
});

describe("quantize", () => {
  it("is refused before writing when its output disk is full, and leaves nothing there", async () => {
    if (!mounted) return;
    const model = writeTinyGguf(path.join(work, "tiny-q.gguf"), { seed: 10 }).path;
    const filler = fill();
    const out = path.join(disk, "out.gguf");
    const message = refusal(
      await cwbIn(path.join(roomy, "data-q"))("quantize", model, "--type", "Q8_0", "--out", out),
    );
    expect(message).toMatch(new RegExp(`not enough disk space in ${disk}: `));
    expect(
      readdirSync(disk).filter((name) => !name.startsWith("filler") && !name.startsWith("data")),
    ).toEqual([]);
    rmSync(filler);
  }, 60_000);

  it("is refused before starting when the disk of the data dir's temp folder is full", async () => {
    if (!mounted) return;
    // The temp folder alone on the full disk: the output's disk and the database have room.
    const dataDir = path.join(roomy, "data-tmp-elsewhere");
    mkdirSync(path.join(disk, "tmp-elsewhere"));
    mkdirSync(dataDir);
    symlinkSync(path.join(disk, "tmp-elsewhere"), path.join(dataDir, "tmp"));
    const filler = fill();
    const message = refusal(
      await cwbIn(dataDir)("quantize", randomModel, "--type", "Q8_0", "--out", path.join(roomy, "q8.gguf")),
    );
    expect(message).toMatch(
      new RegExp(`not enough disk space in ${path.join(dataDir, "tmp", "job-")}\\w+: `),
    );
    expect(readdirSync(path.join(disk, "tmp-elsewhere"))).toEqual([]);
    expect(existsSync(path.join(roomy, "q8.gguf"))).toBe(false);
    rmSync(filler);
  }, 60_000);

  it("names a disk that fills during its write, removes the partial file, keeps earlier variants", async () => {
    if (!mounted) return;
    const dataDir = path.join(disk, "data-mid-write");
    const outDir = path.join(roomy, "outputs");
    mkdirSync(outDir);
    const cwb = cwbIn(dataDir);
    const earlier = await cwb(
      "quantize",
      randomModel,
      "--type",
      "Q4_0",
      "--out",
      path.join(outDir, "q4.gguf"),
    );
    expect(earlier.outcome).toEqual({ verdict: "accepted" });

    // The space check passes; the disk then fills while llama.cpp writes the 11 MiB F16 file.
    const filler = fillWhen(jobTempStarted(dataDir));
    const full = await cwb("quantize", randomModel, "--type", "F16", "--out", path.join(outDir, "f16.gguf"));
    filler.stop();
    expect(refusal(full)).toMatch(
      new RegExp(
        `the disk holding ${path.join(dataDir, "tmp", "job-")}\\w+ filled up while the job was writing there`,
      ),
    );
    rmSync(await filler.filled);
    expect(readdirSync(path.join(dataDir, "tmp"))).toEqual([]);
    expect(readdirSync(outDir)).toEqual(["q4.gguf"]);

    // The library still has the model and its earlier variant, and the next job works.
    const listed = await cwb("--json", "models", "list");
    expect(listed.outcome).toEqual({ verdict: "accepted" });
    expect((JSON.parse(listed.stdout) as unknown[]).length).toBe(2);
    const next = await cwb("quantize", randomModel, "--type", "Q2_K", "--out", path.join(outDir, "q2.gguf"));
    expect(next.outcome).toEqual({ verdict: "accepted" });
    expect(integrity(dataDir)).toBe("ok");
  }, 120_000);
});

describe("imatrix", () => {
  const imatrixArgs = (out: string) => [
    "imatrix",
    randomModel,
    "--text",
    calibText,
    "--ctx",
    "128",
    "--chunks",
    "2",
    "--out",
    out,
  ];

  it("is refused before writing when its output disk is full", async () => {
    if (!mounted) return;
    const dataDir = path.join(roomy, "data-imatrix-before");
    const filler = fill();
    const out = path.join(disk, "before.imatrix.gguf");
    expect(refusal(await cwbIn(dataDir)(...imatrixArgs(out)))).toMatch(
      new RegExp(`not enough disk space in ${disk}: `),
    );
    expect(existsSync(out)).toBe(false);
    rmSync(filler);
  }, 60_000);

  it("names the disk when the database's disk fills while it computes; records nothing; works once freed", async () => {
    if (!mounted) return;
    const dataDir = path.join(disk, "data-imatrix");
    const out = path.join(roomy, "during.imatrix.gguf");
    const cwb = cwbIn(dataDir);
    expect((await cwb("models", "list")).outcome).toEqual({ verdict: "accepted" });
    const filler = fillWhen(jobTempStarted(dataDir));
    const message = refusal(await cwb(...imatrixArgs(out)));
    filler.stop();
    expect(message).toMatch(
      new RegExp(
        `the disk holding ${path.join(dataDir, "tmp", "job-")}\\w+ filled up while the job was writing there`,
      ),
    );
    rmSync(await filler.filled);
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(path.join(dataDir, "tmp"))).toEqual([]);

    // The job whose end the full disk refused is not left running; the next run records its matrix.
    const jobs = await cwb("--json", "jobs", "list");
    const states = (JSON.parse(jobs.stdout) as { kind: string; state: string }[])
      .filter((job) => job.kind === "imatrix")
      .map((job) => job.state);
    expect(states).toEqual(["interrupted"]);
    expect(artifactCount(dataDir)).toBe(0);
    expect((await cwb(...imatrixArgs(out))).outcome).toEqual({ verdict: "accepted" });
    expect(artifactCount(dataDir)).toBe(1);
    expect(integrity(dataDir)).toBe("ok");
  }, 120_000);

  it("names the output's disk when it fills before the matrix is copied there; leaves no partial file", async () => {
    if (!mounted) return;
    const dataDir = path.join(roomy, "data-imatrix-copy");
    const outDir = path.join(disk, "imatrix-out");
    mkdirSync(outDir);
    const filler = fillWhen(jobTempStarted(dataDir));
    const message = refusal(await cwbIn(dataDir)(...imatrixArgs(path.join(outDir, "m.imatrix.gguf"))));
    filler.stop();
    expect(message).toMatch(
      new RegExp(`the disk holding ${outDir} filled up while the job was writing there`),
    );
    rmSync(await filler.filled);
    expect(readdirSync(outDir)).toEqual([]);
    expect(artifactCount(dataDir)).toBe(0);
  }, 120_000);
});

describe("export", () => {
  let many = "";
  beforeAll(() => {
    // Many layers split one tensor per shard: hundreds of files, a write that outlasts the filling.
    if (mounted)
      many = writeTinyGguf(path.join(work, "many-layers.gguf"), { layers: 60, weights: "F32" }).path;
  });

  it("is refused before writing when the destination's disk is full", async () => {
    if (!mounted) return;
    const filler = fill();
    const out = path.join(disk, "bundle-before");
    expect(refusal(await cwbIn(path.join(roomy, "data-export"))("export", many, "--out", out))).toMatch(
      new RegExp(`not enough disk space in ${disk}: `),
    );
    expect(readdirSync(disk).filter((name) => name.includes("bundle"))).toEqual([]);
    rmSync(filler);
  }, 60_000);

  for (const name of ["bundle", "bundle.zip"]) {
    it(`names the disk that fills while ${name} is written, leaves nothing a verifier could take`, async () => {
      if (!mounted) return;
      const dataDir = path.join(roomy, "data-export");
      const outDir = path.join(disk, `export-${name.replace(".", "-")}`);
      mkdirSync(outDir);
      const out = path.join(outDir, name);
      const filler = fillWhen(() => readdirSync(outDir).length > 0);
      const message = refusal(await cwbIn(dataDir)("export", many, "--out", out, "--split-max-tensors", "1"));
      filler.stop();
      expect(message).toMatch(
        new RegExp(
          `the disk holding ${path.join(outDir, `.${name}.`)}\\S+ filled up while the job was writing there`,
        ),
      );
      rmSync(await filler.filled);
      expect(readdirSync(outDir)).toEqual([]);
      expect(refusal(await cwbIn(dataDir)("export", "verify", out))).toMatch(new RegExp(out));

      // Once space is freed the same export succeeds.
      expect((await cwbIn(dataDir)("export", many, "--out", out)).outcome).toEqual({ verdict: "accepted" });
      expect(readdirSync(outDir)).toEqual([name]);
      rmSync(out, { recursive: true });
    }, 120_000);
  }
});
