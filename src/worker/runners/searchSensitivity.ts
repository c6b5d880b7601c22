// search.sensitivity, worker half: the base pass when its distributions are not cached, then for
// each (group, type) cell a quantization into the job's temp folder (every tensor at the baseline
// type, the group's tensors at the cell's type) and an evaluation of that file against the base
// distributions. Each cell's file is deleted as soon as it is measured, so the disk holds one at a
// time. The parent (core/jobs/kinds/searchSensitivity.ts) caches the measurements.
import { appendFile, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import os from "node:os";
import { CodedError } from "../../core/errors.js";
import { sha256File } from "../../core/library/hashFile.js";
import { quantizeFailure } from "../../core/quantize/quantizeFailure.js";
import type { QuantizeOptions } from "../native/AddonTypes.js";
import { baselineGroupName, type MeasuredCell } from "../../shared/domain/searchSensitivity.js";
import { evaluatePass, nativeOptions, runEvaluation } from "../eval/runEvaluation.js";
import { evalFigures } from "../../core/eval/evalFigures.js";
import { loadNative } from "../native/loadAddon.js";
import { runNativeTask } from "../native/nativeTask.js";
import { defineRunner } from "../Runner.js";

export default defineRunner("search.sensitivity", async (params, context) => {
  const { sha256 } = await sha256File(params.text.path, { signal: context.signal });
  if (sha256 !== params.text.sha256)
    throw new CodedError(
      "TEXT_CHANGED",
      `${params.text.path}: the text changed since the search was queued`,
      {
        file: params.text.path,
        remedies: ["retry"],
      },
    );
  const { addon, llama, backend } = await loadNative(params.settings);
  const threads = params.settings.threads ?? llama.cpuMathCores;
  const groups = new Map(params.groups.map((group) => [group.name, group]));
  const started = performance.now();
  const passes = params.cells.length + (params.baseCachePath ? 0 : 1);
  let passesDone = 0;
  let basePassSeconds: number | null = null;
  const report = (within: number, step: string) => {
    const elapsed = (performance.now() - started) / 1000;
    const done = passesDone + within;
    context.progress(done / passes, step, done > 0.2 ? (elapsed / done) * (passes - done) : undefined);
  };

  let basePath = params.baseCachePath;
  let base = null;
  let chunks = 0;
  if (!basePath) {
    const writeTo = context.tempPath("base.cwbbase");
    const output = await runEvaluation(
      {
        base: { modelId: params.model.modelId, path: params.model.path },
        variants: [],
        textPath: params.text.path,
        settings: params.settings,
        baseCachePath: null,
        writeBaseCacheTo: writeTo,
      },
      { signal: context.signal, onProgress: (fraction) => report(fraction, "base pass") },
    );
    base = output.base;
    basePassSeconds = base?.evalSeconds ?? null;
    chunks = output.chunks;
    basePath = writeTo;
    passesDone += 1;
  }

  const cells: MeasuredCell[] = [];
  for (const cell of params.cells) {
    const cellStarted = performance.now();
    const label = `${cell.group} at ${cell.type}`;
    const group = cell.group === baselineGroupName ? null : groups.get(cell.group);
    if (cell.group !== baselineGroupName && !group)
      throw new Error(`search.sensitivity: cell names an unknown group ${cell.group}`);
    const filePath = context.tempPath(`cell-${cells.length}.gguf`);
    const options: QuantizeOptions = {
      inPath: params.model.path,
      outPath: filePath,
      ftype: params.baseline.ftype,
      ...(params.imatrix ? { imatrixPath: params.imatrix.path } : {}),
      // token_embd and output have their own options (llama-quantize's --token-embedding-type and
      // --output-tensor-type); the baseline pins both so that the ftype's own rules do not move them.
      tokenEmbeddingType: group?.name === "token_embd" ? cell.type : params.baseline.type,
      outputTensorType: group?.name === "output" ? cell.type : params.baseline.type,
      tensorTypes:
        group && group.name !== "token_embd" && group.name !== "output"
          ? [{ pattern: group.pattern, type: cell.type }]
          : [],
      threads: params.threads ?? os.availableParallelism(),
    };
    report(0, `quantizing ${label}`);
    await runNativeTask(
      addon.quantize(options, () => undefined),
      context.signal,
    ).catch((error: unknown) => {
      if (context.signal.aborted) throw error;
      throw quantizeFailure(error, { modelPath: params.model.path, refusedTensor: null });
    });
    const measured = await evaluatePass(
      params.settings,
      { modelPath: filePath, basePath, ...nativeOptions(params, threads, backend) },
      context.signal,
      (event) => {
        if (event.type === "progress" && event.done !== undefined && event.total)
          report(0.2 + (0.8 * event.done) / event.total, `measuring ${label}`);
      },
    );
    await rm(filePath, { force: true });
    if (!measured.baseNll || !measured.kld || !measured.sameTop)
      throw new Error("the variant pass returned no base comparison");
    const figures = evalFigures({
      nll: measured.nll,
      baseNll: measured.baseNll,
      kld: measured.kld,
      sameTop: measured.sameTop,
    });
    chunks = measured.nChunks;
    const seconds = (performance.now() - cellStarted) / 1000;
    const measuredCell = {
      group: cell.group,
      type: cell.type,
      kld: figures.kldMean,
      ppl: figures.ppl,
      seconds,
    };
    cells.push(measuredCell);
    // Kept even if a later cell aborts the worker; the parent folds the log into the cache.
    if (params.cellsLogPath) {
      await mkdir(path.dirname(params.cellsLogPath), { recursive: true });
      await appendFile(params.cellsLogPath, JSON.stringify(measuredCell) + "\n");
    }
    passesDone += 1;
    context.log(
      "info",
      `${label}: KLD ${figures.kldMean.value.toFixed(6)} ± ${figures.kldMean.uncertainty.toFixed(6)} (${seconds.toFixed(1)} s)`,
    );
  }
  report(0, `measured ${cells.length} cell(s)`);
  return { base, cells, chunks, basePassSeconds };
});
