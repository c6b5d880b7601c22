// `cwb devices …`: device profiles (built-in and the user's own) and what a variant is predicted to
// do on one of them (memory fit with its margin, generation speed as a range).
import path from "node:path";
import type { Command } from "commander";
import {
  sourceBases,
  sourcedNumbers,
  type DeviceEntry,
  type DeviceProfile,
  type SourceBasis,
} from "../../../shared/domain/deviceProfile.js";
import type { DevicePredictionTable } from "../../../shared/domain/devicePrediction.js";
import {
  basisLabels,
  describeCpu,
  describeEfficiency,
  describeEfficiencySample,
  describeGenerationRange,
  describeGpu,
  describeMargin,
  formatBandwidth,
  formatDeviceMemory,
  formatDeviceNumber,
} from "../../../shared/devices/describeDevice.js";
import { formatDateTime } from "../../../shared/format.js";
import {
  addDevice,
  copyDevice,
  editDevice,
  getDevice,
  listDevices,
  readDeviceProfileFile,
  removeDevice,
} from "../../../core/devices/deviceProfiles.js";
import { predictForDevice } from "../../../core/devices/predictForDevice.js";
import { compareOnDevice } from "../../../core/devices/compareOnDevice.js";
import { describeMeasuredSpeed } from "../../../shared/devices/deviceComparisonColumns.js";
import type { DeviceComparison } from "../../../shared/domain/deviceComparison.js";
import type { CliContext } from "../context.js";
import type { Output } from "../output.js";
import { numberOption, positiveInteger } from "../parseOptions.js";
import { resolveExperimentId } from "./experiments.js";

const GiB = 1024 ** 3;

function printList(output: Output, entries: readonly DeviceEntry[]): void {
  output.table(entries, [
    { header: "ID", value: (e) => e.profile.id },
    { header: "NAME", value: (e) => e.profile.name },
    { header: "KIND", value: (e) => e.profile.kind },
    { header: "OS", value: (e) => e.profile.os },
    { header: "RAM", value: (e) => formatDeviceMemory(e.profile.ramBytes.value), align: "right" },
    { header: "USABLE", value: (e) => formatDeviceMemory(e.profile.usableMemoryBytes.value), align: "right" },
    { header: "BANDWIDTH", value: (e) => formatBandwidth(e.profile.memoryBandwidth.value), align: "right" },
    { header: "ORIGIN", value: (e) => (e.copiedFrom ? `${e.origin} (copy of ${e.copiedFrom})` : e.origin) },
  ]);
}

/** The results imported for the device, per variant, and the efficiency factor they give. */
function printMeasured(output: Output, measured: DeviceComparison): void {
  const name = measured.device.name;
  output.line(`Measured on ${name} (results imported for it, mean ± standard deviation, n = repetitions):`);
  output.table(measured.rows, [
    { header: "VARIANT", value: (r) => r.prediction.label },
    {
      header: "GENERATION",
      value: (r) => (r.measured.generation ? describeMeasuredSpeed(r.measured.generation) : "—"),
      align: "right",
    },
    {
      header: "PROMPT",
      value: (r) => (r.measured.prompt ? describeMeasuredSpeed(r.measured.prompt) : "—"),
      align: "right",
    },
    {
      header: "EFFICIENCY",
      value: (r) => (r.measured.efficiency ? describeEfficiencySample(r.measured.efficiency) : "—"),
      align: "right",
    },
  ]);
  output.line(`efficiency factor: ${describeEfficiency(measured.efficiency)}`);
  output.line();
}

function printProfile(output: Output, entry: DeviceEntry, measured: DeviceComparison | null = null): void {
  const { profile } = entry;
  output.fields([
    ["id", profile.id],
    ["name", profile.name],
    ["kind", profile.kind],
    ["os", profile.os],
    ["origin", entry.copiedFrom ? `${entry.origin}, copied from ${entry.copiedFrom}` : entry.origin],
    ...(entry.updatedAt ? ([["updated", formatDateTime(entry.updatedAt)]] as const) : []),
    ["cpu", describeCpu(profile)],
    ["gpu", describeGpu(profile)],
    ...(profile.notes ? ([["notes", profile.notes]] as const) : []),
  ]);
  output.line();
  // Measured figures first: results imported for the device, then the profile's own by basis.
  if (measured && measured.rows.length > 0) printMeasured(output, measured);
  output.line("Profile figures:");
  output.table(sourcedNumbers(profile), [
    { header: "FIGURE", value: (n) => n.label },
    { header: "VALUE", value: (n) => formatDeviceNumber(n.kind, n.number.value), align: "right" },
    { header: "BASIS", value: (n) => basisLabels[n.number.basis] },
    { header: "SOURCE", value: (n) => n.number.source },
  ]);
  if (profile.cpu) output.line(`cpu: ${basisLabels[profile.cpu.basis]}, ${profile.cpu.source}`);
  if (profile.gpu) output.line(`gpu: ${basisLabels[profile.gpu.basis]}, ${profile.gpu.source}`);
}

function printPrediction(output: Output, table: DevicePredictionTable): void {
  output.line(
    `${table.device.name} (${table.device.id}), context ${table.contextSize} tokens, ${formatBandwidth(table.bandwidthBytesPerSecond)} peak bandwidth`,
  );
  if (table.rows.length === 0) {
    output.line("No variants to predict for.");
    return;
  }
  output.table(table.rows, [
    { header: "VARIANT", value: (r) => r.label },
    { header: "FILE", value: (r) => formatDeviceMemory(r.fileBytes), align: "right" },
    { header: "NEEDS (estimated)", value: (r) => formatDeviceMemory(r.memory.totalBytes), align: "right" },
    { header: "USABLE", value: (r) => formatDeviceMemory(r.usableBytes), align: "right" },
    { header: "MARGIN", value: (r) => describeMargin(r.marginBytes), align: "right" },
    { header: "FITS", value: (r) => r.fit },
    { header: "GENERATION", value: (r) => describeGenerationRange(r), align: "right" },
  ]);
  output.line();
  output.line(`Every figure above is a prediction, not a measurement.`);
  output.line(`Efficiency: ${describeEfficiency(table.efficiency)}.`);
  output.line(
    "Generation: low end at a full context (weights and the whole KV cache read per token), high end at an empty one.",
  );
  output.line(
    `Estimated parts of the memory figure: ${[...new Set(table.rows.flatMap((r) => r.estimated))].join(", ")}.`,
  );
  output.line(
    "Prompt processing: not predicted (it is compute-bound and depends on each CPU's and GPU's kernels).",
  );
  for (const row of table.rows.filter((r) => r.nodeLlamaCppEstimate)) {
    const estimate = row.nodeLlamaCppEstimate!;
    output.line(
      `${row.label}: node-llama-cpp estimated ${formatDeviceMemory(estimate.bytes)} at context ${estimate.contextSize} in its benchmark here.`,
    );
  }
}

interface EditOptions {
  file?: string;
  name?: string;
  ramGib?: string;
  usableGib?: string;
  bandwidthGbs?: string;
  source?: string;
  basis: string;
}

/** The profile with the figures given as flags replaced, each carrying --source and --basis. */
function applyEditFlags(profile: DeviceProfile, options: EditOptions): DeviceProfile {
  const numbers = [options.ramGib, options.usableGib, options.bandwidthGbs].filter((v) => v !== undefined);
  if (numbers.length > 0 && !options.source)
    throw new Error("--source: say where the new figures come from (a spec sheet, a measurement, ...)");
  if (!(sourceBases as readonly string[]).includes(options.basis))
    throw new Error(`--basis: expected one of ${sourceBases.join(", ")}, got "${options.basis}"`);
  const sourced = (value: number) => ({
    value,
    source: options.source!,
    basis: options.basis as SourceBasis,
  });
  return {
    ...profile,
    ...(options.name ? { name: options.name } : {}),
    ...(options.ramGib
      ? { ramBytes: sourced(numberOption("--ram-gib", options.ramGib, { min: 0.001 }) * GiB) }
      : {}),
    ...(options.usableGib
      ? { usableMemoryBytes: sourced(numberOption("--usable-gib", options.usableGib, { min: 0.001 }) * GiB) }
      : {}),
    ...(options.bandwidthGbs
      ? {
          memoryBandwidth: sourced(
            numberOption("--bandwidth-gbs", options.bandwidthGbs, { min: 0.001 }) * 1e9,
          ),
        }
      : {}),
  };
}

export function registerDevicesCommands(program: Command, context: CliContext): void {
  const devices = program
    .command("devices")
    .description("device profiles (phones, boards) and predictions of how variants run on them");

  devices
    .command("list")
    .alias("ls")
    .description("list the built-in and your own device profiles")
    .action(() => {
      const entries = listDevices(context.workbench().db);
      context.output.result(entries, () => printList(context.output, entries));
    });

  devices
    .command("show")
    .description("one profile, every figure with its source")
    .argument("<id>", "device id (see cwb devices list)")
    .action(async (id: string) => {
      const db = context.workbench().db;
      const entry = getDevice(db, id);
      const measured = await compareOnDevice(db, { deviceId: id, contextSize: 4096, measuredOnly: true });
      context.output.result({ ...entry, measured }, () => printProfile(context.output, entry, measured));
    });

  devices
    .command("add")
    .description("add your own profile from a JSON file, or copy an existing one under a new id")
    .option("--file <profile.json>", "a profile in the format of cwb devices show ID --json (its .profile)")
    .option("--from <id>", "copy this profile (built-in or yours)")
    .option("--id <new-id>", "the copy's id (with --from)")
    .option("--name <name>", "the copy's name (with --from)")
    .action(async (options: { file?: string; from?: string; id?: string; name?: string }) => {
      const db = context.workbench().db;
      let entry: DeviceEntry;
      if (options.file && !options.from) {
        const file = path.resolve(options.file);
        entry = addDevice(db, await readDeviceProfileFile(file), { file });
      } else if (options.from && options.id && !options.file) {
        entry = copyDevice(db, options.from, options.id, options.name);
      } else {
        throw new Error("give either --file PROFILE.json, or --from ID with --id NEW_ID");
      }
      context.output.result(entry, () => {
        context.output.line(`Added ${entry.profile.id}`);
        printProfile(context.output, entry);
      });
    });

  devices
    .command("edit")
    .description("change one of your profiles: replace it from a file, or set figures with flags")
    .argument("<id>", "device id")
    .option("--file <profile.json>", "the whole new profile (its id may be left out)")
    .option("--name <name>", "new name")
    .option("--ram-gib <n>", "RAM in GiB")
    .option("--usable-gib <n>", "memory one app may use, in GiB")
    .option("--bandwidth-gbs <n>", "peak memory bandwidth in GB/s")
    .option("--source <text>", "where the figures given as flags come from")
    .option("--basis <basis>", `how they were obtained: ${sourceBases.join(", ")}`, "measured")
    .action(async (id: string, options: EditOptions) => {
      const db = context.workbench().db;
      let entry: DeviceEntry;
      if (options.file) {
        const file = path.resolve(options.file);
        entry = editDevice(db, id, await readDeviceProfileFile(file), { file });
      } else {
        entry = editDevice(db, id, applyEditFlags(getDevice(db, id).profile, options));
      }
      context.output.result(entry, () => {
        context.output.line(`Updated ${entry.profile.id}`);
        printProfile(context.output, entry);
      });
    });

  devices
    .command("remove")
    .alias("rm")
    .description("remove one of your profiles (built-in ones stay)")
    .argument("<id>", "device id")
    .action((id: string) => {
      removeDevice(context.workbench().db, id);
      context.output.result({ removed: true, id }, () => context.output.line(`Removed ${id}`));
    });

  devices
    .command("predict")
    .description(
      "predicted memory fit (with the margin) and generation speed (a range) of variants on a device",
    )
    .argument("<device>", "device id")
    .option(
      "--variants <refs>",
      "comma-separated model ids, paths or GGUF files (default: the whole library)",
    )
    .option("--experiment <id>", "every variant of this experiment")
    .option("--ctx <n>", "context length in tokens", "4096")
    .action(async (deviceId: string, options: { variants?: string; experiment?: string; ctx: string }) => {
      const workbench = context.workbench();
      const table = await predictForDevice(workbench.db, {
        deviceId,
        contextSize: positiveInteger("--ctx", options.ctx),
        models: options.variants
          ?.split(",")
          .map((ref) => ref.trim())
          .filter(Boolean),
        experimentId: options.experiment ? resolveExperimentId(context, options.experiment) : undefined,
      });
      context.output.result(table, () => printPrediction(context.output, table));
    });
}
