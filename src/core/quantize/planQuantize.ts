// Resolves a quantize request before its job is queued (in the process that owns the database):
// the parent model, the type, the importance matrix (a recorded artifact when it is one, so the
// variant points at it and its text set), the overrides, and where the new model goes.
import { existsSync } from "node:fs";
import path from "node:path";
import type { QuantizeJobParams } from "../../shared/domain/compression.js";
import { findQuantType, quantTypes } from "../../shared/quantTypes.js";
import { resolveModel } from "../eval/planEvaluation.js";
import { sha256File } from "../library/hashFile.js";
import { ensureDataPaths } from "../paths.js";
import { CodedError } from "../errors.js";
import type { Db } from "../store/Store.js";
import { checkImatrixMatchesModel, checkLibraryModelNotQuantized } from "./checkQuantizeInput.js";
import { ggmlTypeByName } from "./ggmlTypeNames.js";
import { explicitOutPath, freePath, modelStem } from "./outputPath.js";

export interface QuantizeRequest {
  model: string;
  type: string;
  imatrix?: string | null;
  /** "REGEX=TYPE" strings, as llama-quantize's --tensor-type. */
  tensorTypes?: readonly string[];
  outputTensorType?: string | null;
  tokenEmbeddingType?: string | null;
  pure?: boolean;
  leaveOutputTensor?: boolean;
  allowRequantize?: boolean;
  threads?: number | null;
  dryRun?: boolean;
  out?: string | null;
}

export function parseTensorTypeOverride(spec: string): { pattern: string; type: string } {
  const at = spec.lastIndexOf("=");
  if (at <= 0 || at === spec.length - 1)
    throw new CodedError(
      "BAD_TENSOR_OVERRIDE",
      `tensor type override "${spec}": expected PATTERN=TYPE, e.g. attn_v=q8_0`,
    );
  const pattern = spec.slice(0, at);
  const type = spec.slice(at + 1);
  try {
    new RegExp(pattern);
  } catch {
    throw new CodedError(
      "BAD_TENSOR_OVERRIDE",
      `tensor type override "${spec}": "${pattern}" is not a valid regular expression`,
    );
  }
  return { pattern: pattern.toLowerCase(), type: checkedGgmlType(`tensor type override "${spec}"`, type) };
}

/** `what` names the setting in the domain's words ("output tensor type"), never a flag. */
export function checkedGgmlType(what: string, name: string): string {
  const found = ggmlTypeByName(name);
  if (!found)
    throw new CodedError(
      "BAD_TENSOR_OVERRIDE",
      `${what}: unknown tensor type "${name}" (e.g. f16, q8_0, q6_K, q4_K, iq4_xs)`,
    );
  return found;
}

export async function planQuantize(
  db: Db,
  dataDir: string,
  request: QuantizeRequest,
): Promise<QuantizeJobParams> {
  const type = findQuantType(request.type);
  if (!type)
    throw new CodedError(
      "UNKNOWN_QUANT_TYPE",
      `unknown quantization type "${request.type}"; one of: ${quantTypes.map((q) => q.name).join(", ")}`,
      { remedies: ["list-quant-types"] },
    );
  let imatrix: QuantizeJobParams["recipe"]["imatrix"] = null;
  let textSetId: string | null = null;
  if (request.imatrix) {
    const file = path.resolve(request.imatrix);
    if (!existsSync(file)) throw new Error(`${file}: no such importance matrix file`);
    const { sha256 } = await sha256File(file);
    const artifact = db
      .prepare(
        "SELECT id, text_set_id FROM artifacts WHERE kind = 'imatrix' AND sha256 = ? ORDER BY created_at DESC LIMIT 1",
      )
      .get(sha256) as { id: string; text_set_id: string | null } | undefined;
    imatrix = { artifactId: artifact?.id ?? null, path: file, sha256 };
    textSetId = artifact?.text_set_id ?? null;
  } else if (type.needsImatrix && !request.dryRun) {
    throw new CodedError("IMATRIX_REQUIRED", `${type.name} needs an importance matrix`, {
      remedies: ["provide-imatrix"],
    });
  }
  const model = await resolveModel(db, request.model);
  // The refusals llama.cpp would give only once a worker runs, said before the job is queued.
  if (!type.copyOnly) checkLibraryModelNotQuantized(db, model, request.allowRequantize ?? false);
  if (imatrix) await checkImatrixMatchesModel(imatrix.path, model);
  const outPath = request.dryRun
    ? null
    : request.out
      ? explicitOutPath(request.out)
      : freePath(
          ensureDataPaths(dataDir).models,
          `${modelStem(model.path)}.${type.aliasOf ?? type.name}`,
          ".gguf",
        );
  if (outPath && path.resolve(outPath) === path.resolve(model.path))
    throw new Error(`${outPath}: the output cannot be the input model`);
  return {
    model: { modelId: model.id, path: model.path, sha256: model.sha256 },
    recipe: {
      type: type.aliasOf ?? type.name,
      ftype: type.ftype,
      imatrix,
      tensorTypes: (request.tensorTypes ?? []).map(parseTensorTypeOverride),
      outputTensorType: request.outputTensorType
        ? checkedGgmlType("output tensor type", request.outputTensorType)
        : null,
      tokenEmbeddingType: request.tokenEmbeddingType
        ? checkedGgmlType("token embedding type", request.tokenEmbeddingType)
        : null,
      pure: request.pure ?? false,
      leaveOutputTensor: request.leaveOutputTensor ?? false,
      allowRequantize: request.allowRequantize ?? false,
    },
    textSetId,
    threads: request.threads ?? null,
    dryRun: request.dryRun ?? false,
    outPath,
  };
}
