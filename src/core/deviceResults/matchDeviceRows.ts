// Which variant of the library each result row measured. A row that carries the model's SHA-256
// names it outright. Otherwise the model's tensor bytes (llama-bench's model_size is
// llama_model_size, the sum over the tensors, which the library has from the GGUF header) and
// parameter count must agree within what the format printed, and the architecture and file type of
// its description must be the library's. Several fits (the same quant made with and without an
// importance matrix weighs the same) are reported with their candidates, never guessed.
import type { ModelRecord } from "../../shared/domain/model.js";
import type { DeviceBenchRow } from "../../shared/deviceResults/deviceBenchRow.js";
import { quantizeNameOfFileType } from "../../shared/deviceResults/llamaModelDescription.js";
import type { Db } from "../store/Store.js";
import { listModelRecords } from "../store/models.js";

export interface MatchCandidate {
  modelId: string;
  fileName: string;
  path: string;
}

export type RowMatch =
  | { kind: "matched"; by: "hash" | "size"; modelId: string }
  /** unnamed: the row does not say which model it measured, so any model of the library may be chosen. */
  | { kind: "ambiguous"; candidates: MatchCandidate[]; reason: string; unnamed: boolean }
  | { kind: "unmatched"; reason: string };

interface LibraryModel {
  record: ModelRecord;
  tensorBytes: number;
}

const candidateOf = (model: LibraryModel): MatchCandidate => ({
  modelId: model.record.id,
  fileName: model.record.fileName,
  path: model.record.path,
});

function fits(row: DeviceBenchRow, model: LibraryModel): boolean {
  const wanted = row.model;
  const metadata = model.record.metadata;
  if (wanted.sizeBytes !== null && Math.abs(model.tensorBytes - wanted.sizeBytes) > wanted.sizeToleranceBytes)
    return false;
  if (wanted.params !== null && Math.abs(metadata.parameterCount - wanted.params) > wanted.paramsTolerance)
    return false;
  if (wanted.architecture !== null && wanted.architecture !== metadata.architecture) return false;
  const fileType = quantizeNameOfFileType(metadata.fileType);
  return wanted.fileType === null || fileType === null || wanted.fileType === fileType;
}

/** What the row says about its model, for messages: "llama ?B F16, 11019264 bytes of tensors". */
export function describeWantedModel(row: DeviceBenchRow): string {
  const { description, sizeBytes, sizeToleranceBytes } = row.model;
  const size =
    sizeBytes === null
      ? null
      : sizeToleranceBytes > 0
        ? `about ${Math.round(sizeBytes)} bytes of tensors`
        : `${sizeBytes} bytes of tensors`;
  return [description, size].filter((part) => part !== null).join(", ") || "no model named";
}

export class DeviceRowMatcher {
  readonly #models: LibraryModel[];

  constructor(db: Db) {
    this.#models = listModelRecords(db).map((record) => ({
      record,
      tensorBytes: record.metadata.tensors.reduce((sum, tensor) => sum + tensor.bytes, 0),
    }));
  }

  /** Every model of the library, as candidates for a row that does not say which model it measured. */
  get everyModel(): MatchCandidate[] {
    return this.#models.map(candidateOf);
  }

  match(row: DeviceBenchRow): RowMatch {
    const { sha256, sizeBytes, description } = row.model;
    if (sha256 !== null) {
      const model = this.#models.find((m) => m.record.sha256 === sha256);
      return model
        ? { kind: "matched", by: "hash", modelId: model.record.id }
        : { kind: "unmatched", reason: `no model in the library has SHA-256 ${sha256}` };
    }
    if (sizeBytes === null && description === null)
      return {
        kind: "ambiguous",
        candidates: this.everyModel,
        reason: "the result does not say which model it measured",
        unnamed: true,
      };
    const candidates = this.#models.filter((model) => fits(row, model));
    if (candidates.length === 1) return { kind: "matched", by: "size", modelId: candidates[0]!.record.id };
    if (candidates.length === 0)
      return { kind: "unmatched", reason: `no model in the library fits (${describeWantedModel(row)})` };
    return {
      kind: "ambiguous",
      candidates: candidates.map(candidateOf),
      reason: `${candidates.length} models fit (${describeWantedModel(row)})`,
      unnamed: false,
    };
  }
}
