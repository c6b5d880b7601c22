// Resolves a recipe search before anything runs (in the process that owns the database): the model,
// the calibration text, the importance matrix, the tensor groups from the GGUF's tensor table, the
// candidate types, and which (group, type) cells the cache already holds. What is left to measure
// becomes the params of one "search.sensitivity" job.
import { existsSync, statSync } from "node:fs";
import path from "node:path";
import { evalSettings, type EvalSettingsInput } from "../../shared/domain/eval.js";
import type { ModelRecord } from "../../shared/domain/model.js";
import {
  baselineGroupName,
  type MeasuredCell,
  type SearchSensitivityParams,
} from "../../shared/domain/searchSensitivity.js";
import { findQuantType } from "../../shared/quantTypes.js";
import { baseCacheKey, findBaseCache } from "../eval/baseDistributionCache.js";
import { resolveModel } from "../eval/planEvaluation.js";
import { CodedError } from "../errors.js";
import { readGgufLayout } from "../library/ggufLayout.js";
import { sha256File } from "../library/hashFile.js";
import { dataPaths } from "../paths.js";
import {
  checkImatrixMatchesModel,
  checkNotQuantized,
  readImatrixWidths,
} from "../quantize/checkQuantizeInput.js";
import { checkedGgmlType } from "../quantize/planQuantize.js";
import { searchGroups, type SearchGroup } from "../quantize/searchGroupSizes.js";
import type { Db } from "../store/Store.js";
import { getTextSetBySha256 } from "../store/textSets.js";
import { cellKey, measuredCellsLog, readSensitivityCache, sensitivityCachePath } from "./sensitivityCache.js";

/** Tensor types llama.cpp refuses to write without an importance matrix. */
const imatrixTensorTypes = new Set(["IQ1_S", "IQ1_M", "IQ2_XXS", "IQ2_XS", "IQ2_S", "IQ3_XXS"]);
export const typeNeedsImatrix = (type: string): boolean => imatrixTensorTypes.has(type.toUpperCase());

/**
 * Whether a group may take a type: one that needs an importance matrix only when the matrix has an
 * entry for every tensor of the group. llama-imatrix collects nothing for token_embd (a row lookup)
 * nor, by default, for output, and quantizing those to such a type aborts llama.cpp.
 */
export function typeAllowedFor(
  group: SearchGroup,
  type: string,
  imatrixTensors: ReadonlySet<string> | null,
): boolean {
  if (!typeNeedsImatrix(type)) return true;
  return imatrixTensors !== null && group.tensors.every((tensor) => imatrixTensors.has(tensor.name));
}

export const defaultSearchTypes = ["Q3_K", "Q4_K", "Q5_K", "Q6_K"];
/** Few chunks: the sensitivity pass ranks groups, the validation measures the result. */
export const defaultSensitivityChunks = 4;

export interface SearchRequest {
  model: string;
  textPath: string;
  types?: readonly string[];
  imatrix?: string | null;
  /** The baseline file type of everything outside the measured group (default Q8_0). */
  baseline?: string;
  /** Blocks per band; default: one band per block up to 8 blocks, else 8 bands. */
  bandSize?: number | null;
  settings?: EvalSettingsInput;
  threads?: number | null;
}

export interface SearchPlan {
  model: ModelRecord;
  /** Bytes of the model file outside the searched tensors (header, norms), aligned as written. */
  fixedBytes: number;
  alignment: number;
  /** Weights in the whole file, for budgets given in bits per weight. */
  parameterCount: number;
  groups: SearchGroup[];
  /** Canonical upper-case names, the baseline included. */
  types: string[];
  cached: Map<string, MeasuredCell>;
  /** Every cell the search needs, the baseline's included (cached or not). */
  cellsTotal: number;
  cacheFile: string;
  /** Null when every cell is cached: nothing to run. */
  params: SearchSensitivityParams | null;
  /** Template for the sensitivity params (also when nothing is left to measure). */
  baseline: { type: string; ftype: number };
  imatrixPath: string | null;
  /** The tensors the importance matrix has entries for. */
  imatrixTensors: ReadonlySet<string> | null;
}

export async function planSearch(db: Db, dataDir: string, request: SearchRequest): Promise<SearchPlan> {
  const textPath = path.resolve(request.textPath);
  if (!existsSync(textPath) || !statSync(textPath).isFile())
    throw new Error(`${textPath}: no such text file`);
  const model = await resolveModel(db, request.model);
  checkNotQuantized(model, null, false);
  const baselineType = findQuantType(request.baseline ?? "Q8_0");
  if (!baselineType || baselineType.copyOnly)
    throw new CodedError("UNKNOWN_QUANT_TYPE", `unknown baseline type "${request.baseline}"`, {
      remedies: ["list-quant-types"],
    });
  let imatrix: SearchSensitivityParams["imatrix"] = null;
  let imatrixTensors: Set<string> | null = null;
  if (request.imatrix) {
    const file = path.resolve(request.imatrix);
    if (!existsSync(file)) throw new Error(`${file}: no such importance matrix file`);
    await checkImatrixMatchesModel(file, model);
    imatrixTensors = new Set((await readImatrixWidths(file)).keys());
    imatrix = { path: file, sha256: (await sha256File(file)).sha256 };
  }
  const requested = (request.types ?? defaultSearchTypes).map((type) =>
    checkedGgmlType("search type", type).toUpperCase(),
  );
  const refused = requested.filter((type) => !imatrix && typeNeedsImatrix(type));
  if (refused.length > 0)
    throw new CodedError("IMATRIX_REQUIRED", `${refused.join(", ")} need(s) an importance matrix`, {
      remedies: ["provide-imatrix"],
    });
  const types = [...new Set([...requested, baselineType.name.toUpperCase()])];

  const layout = await readGgufLayout(model.path, statSync(model.path).size);
  const blocks = new Set(
    layout.tensors.map((t) => /^blk\.(\d+)\./.exec(t.name)?.[1]).filter((b) => b !== undefined),
  ).size;
  const bandSize = request.bandSize ?? (blocks <= 8 ? 1 : Math.ceil(blocks / 8));
  const groups = searchGroups(
    layout.tensors.map((t) => ({ name: t.name, shape: t.shape })),
    bandSize,
  );
  const searched = new Set(groups.flatMap((g) => g.tensors.map((t) => t.name)));
  const align = (bytes: number) => Math.ceil(bytes / layout.alignment) * layout.alignment;
  const fixedBytes =
    statSync(model.path).size -
    layout.tensors.filter((t) => searched.has(t.name)).reduce((sum, t) => sum + align(t.bytes), 0);

  const settings = evalSettings.parse({ chunks: defaultSensitivityChunks, ...request.settings });
  const { sha256: textSha256 } = await sha256File(textPath);
  const cacheFile = sensitivityCachePath(dataPaths(dataDir).artifacts, {
    modelSha256: model.sha256,
    textSha256,
    imatrixSha256: imatrix?.sha256 ?? null,
    baselineType: baselineType.name,
    settings,
  });
  const cached = readSensitivityCache(cacheFile);
  const baseline = { type: baselineType.name.toUpperCase(), ftype: baselineType.ftype };
  const wanted = [
    { group: baselineGroupName, type: baseline.type },
    ...groups.flatMap((group) =>
      types
        .filter((type) => type !== baseline.type && typeAllowedFor(group, type, imatrixTensors))
        .map((type) => ({ group: group.name, type })),
    ),
  ];
  const cells = wanted.filter((cell) => !cached.has(cellKey(cell.group, cell.type)));
  const baseCache = findBaseCache(db, model.id, baseCacheKey(model.sha256, textSha256, settings));
  return {
    model,
    fixedBytes,
    alignment: layout.alignment,
    parameterCount: layout.tensors.reduce((sum, t) => sum + t.shape.reduce((a, b) => a * b, 1), 0),
    groups,
    types,
    cached,
    cellsTotal: wanted.length,
    cacheFile,
    baseline,
    imatrixPath: imatrix?.path ?? null,
    imatrixTensors,
    params:
      cells.length === 0
        ? null
        : {
            model: { modelId: model.id, path: model.path, sha256: model.sha256 },
            text: {
              path: textPath,
              sha256: textSha256,
              textSetId: getTextSetBySha256(db, textSha256)?.id ?? null,
            },
            imatrix,
            baseline,
            settings,
            baseCachePath: baseCache?.path ?? null,
            groups: groups.map((group) => ({ name: group.name, pattern: group.pattern })),
            cells,
            threads: request.threads ?? null,
            cellsLogPath: measuredCellsLog(cacheFile),
          },
  };
}
