// `cwb models …`: import a GGUF file into the library, list, show and remove models.
import path from "node:path";
import type { Command } from "commander";
import type { ModelRecord, ModelSummary } from "../../../shared/domain/model.js";
import {
  formatBitsPerWeight,
  formatBytes,
  formatDateTime,
  formatFileType,
  formatInteger,
  formatParams,
  formatShape,
} from "../../../shared/format.js";
import { getModel, listModels, modelLineageOf, removeModel } from "../../../core/library/modelLibrary.js";
import { describeLineage } from "../../../shared/domain/lineage.js";
import type { CliContext } from "../context.js";
import type { Output } from "../output.js";
import { runJobInForeground } from "../runJobInForeground.js";

export function registerModelsCommands(program: Command, context: CliContext): void {
  const models = program
    .command("models")
    .description("the model library: GGUF files referenced where they are");

  models
    .command("import")
    .description("read a GGUF file's metadata, hash it and add it to the library (the file is not copied)")
    .argument("<path>", "GGUF model file")
    .action(async (filePath: string) => {
      const { output } = context;
      // A "models.import" job: the worker checks and hashes the file, this process records it. The
      // worker runs in the package folder, so the path is made absolute here.
      await runJobInForeground(
        context,
        "models.import",
        { path: path.resolve(filePath) },
        {
          json: (result) => result,
          human: (result) => {
            output.line(
              result.alreadyPresent
                ? `Already in the library as ${result.model.id}`
                : `Imported ${result.model.id}`,
            );
            printSummary(output, result.model);
          },
        },
      );
    });

  models
    .command("list")
    .alias("ls")
    .description("list the models in the library")
    .action(() => {
      const { output } = context;
      const rows = listModels(context.workbench().db);
      output.result(rows, () => {
        if (rows.length === 0) {
          output.line('The library is empty. Add a model with "cwb models import PATH".');
          return;
        }
        output.table<ModelSummary>(rows, [
          { header: "ID", value: (m) => m.id },
          { header: "FILE", value: (m) => m.fileName },
          { header: "ARCH", value: (m) => m.metadata.architecture },
          { header: "PARAMS", value: (m) => formatParams(m.metadata.parameterCount), align: "right" },
          { header: "TYPE", value: (m) => formatFileType(m.metadata.fileType) },
          {
            header: "BPW",
            value: (m) => formatBitsPerWeight(m.metadata.bitsPerWeight).replace(" bpw", ""),
            align: "right",
          },
          { header: "SIZE", value: (m) => formatBytes(m.sizeBytes), align: "right" },
          { header: "PARENT", value: (m) => m.parentId ?? "" },
          { header: "IMPORTED", value: (m) => formatDateTime(m.importedAt) },
        ]);
      });
    });

  models
    .command("show")
    .description("a model's metadata, its lineage (a variant) and its tensor table")
    .argument("<id>", "id, id prefix, file name or path")
    .action((ref: string) => {
      const { output } = context;
      const db = context.workbench().db;
      const model = getModel(db, ref);
      output.result(model, () => {
        printSummary(output, model);
        output.line();
        const lineage = modelLineageOf(db, model.id);
        if (lineage.length > 1) {
          output.line("lineage (original first):");
          for (const line of describeLineage(lineage)) output.line(`  ${line}`);
          output.line();
        }
        output.table(model.metadata.tensors, [
          { header: "TENSOR", value: (t) => t.name },
          { header: "TYPE", value: (t) => t.type },
          { header: "SHAPE", value: (t) => formatShape(t.shape) },
          { header: "BYTES", value: (t) => formatBytes(t.bytes), align: "right" },
        ]);
      });
    });

  models
    .command("remove")
    .alias("rm")
    .description("remove a model from the library; its file stays unless --delete-file")
    .argument("<id>", "id, id prefix, file name or path")
    .option("--delete-file", "also delete the model file from disk")
    .action(async (ref: string, options: { deleteFile?: boolean }) => {
      const { output } = context;
      const workbench = context.workbench();
      const result = await removeModel(workbench.db, ref, { deleteFile: options.deleteFile ?? false });
      workbench.events.emit("models.changed", { id: result.model.id });
      output.result(
        {
          id: result.model.id,
          path: result.model.path,
          removed: result.removed,
          fileDeleted: result.fileDeleted,
        },
        () => {
          output.line(`Removed ${result.model.id} from the library`);
          if (result.fileDeleted) output.line(`Deleted ${result.model.path}`);
          else if (options.deleteFile) output.line(`${result.model.path} was already gone`);
          else output.line(`The file stays at ${result.model.path}`);
        },
      );
    });
}

function printSummary(output: Output, model: ModelRecord): void {
  const m = model.metadata;
  const count = (value: number | null): string => formatInteger(value);
  output.fields([
    ["id", model.id],
    ["name", m.name ?? "—"],
    ["path", model.path],
    ["size", `${formatBytes(model.sizeBytes)} (${formatInteger(model.sizeBytes)} bytes)`],
    ["sha256", model.sha256],
    ["architecture", m.architecture],
    ["parameters", `${formatParams(m.parameterCount)} (${formatInteger(m.parameterCount)})`],
    ["file type", formatFileType(m.fileType)],
    ["bits per weight", formatBitsPerWeight(m.bitsPerWeight)],
    ["layers", count(m.layers)],
    ["heads / kv heads", `${count(m.heads)} / ${count(m.headsKv)}`],
    ["embedding length", count(m.embeddingLength)],
    ["feed-forward length", count(m.feedForwardLength)],
    ["context length", count(m.contextLength)],
    ["vocabulary", count(m.vocabularySize)],
    ["chat template", m.chatTemplate === null ? "—" : `${m.chatTemplate.length} characters`],
    ["tensors", String(m.tensors.length)],
    ["parent", model.parentId ?? "—"],
    ["imported", formatDateTime(model.importedAt)],
  ]);
}
