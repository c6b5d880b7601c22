// The desktop-runtime files against their formats' documented shapes: the Ollama Modelfile parsed
// by the instructions and parameters its documentation lists, and every llama-server / llama-cli /
// llama-bench flag we write found in the bundled llama.cpp's own argument parsers for that tool.
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { bundleLayout } from "../../src/core/export/templates/bundleLayout.js";
import { deviceBenchArgs } from "../../src/core/export/templates/deviceBenchScript.js";
import { llamaCliArgs, llamaServerArgs } from "../../src/core/export/templates/llamaCppCommands.js";
import { ollamaModelfile } from "../../src/core/export/templates/ollamaModelfile.js";
import type { RuntimeSettings } from "../../src/shared/domain/exportManifest.js";
import { repoRoot } from "../cli/runCwb.js";

const settings: RuntimeSettings = {
  contextLength: 2048,
  threads: 6,
  gpuLayers: 99,
  flashAttention: "on",
  kvCacheType: "q8_0",
  batchSize: 256,
  basis: "test",
};
const chatMl =
  "{% for m in messages %}<|im_start|>{{ m['role'] }}\n{{ m['content'] }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n";

/** Instructions and PARAMETER names (with value kinds) of Ollama's Modelfile reference. */
const instructions = new Set(["FROM", "PARAMETER", "TEMPLATE", "SYSTEM", "ADAPTER", "LICENSE", "MESSAGE"]);
const parameters: Record<string, "int" | "float" | "string"> = {
  mirostat: "int",
  mirostat_eta: "float",
  mirostat_tau: "float",
  num_ctx: "int",
  repeat_last_n: "int",
  repeat_penalty: "float",
  temperature: "float",
  seed: "int",
  stop: "string",
  num_predict: "int",
  top_k: "int",
  top_p: "float",
  min_p: "float",
  num_gpu: "int",
  num_thread: "int",
  num_batch: "int",
};

/** Parses a Modelfile into instructions; throws on anything its documentation does not allow. */
function parseModelfile(text: string): { instruction: string; args: string }[] {
  const out: { instruction: string; args: string }[] = [];
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() === "" || line.startsWith("#")) continue;
    const match = /^([A-Za-z]+)\s+(.*)$/.exec(line);
    if (!match || !instructions.has(match[1]!.toUpperCase()))
      throw new Error(`line ${i + 1}: not an instruction: ${line}`);
    let args = match[2]!;
    if (args.startsWith('"""')) {
      while (!(args.length >= 6 && args.endsWith('"""'))) {
        i++;
        if (i >= lines.length) throw new Error(`unterminated """ from line ${i + 1}`);
        args += "\n" + lines[i]!;
      }
    }
    out.push({ instruction: match[1]!.toUpperCase(), args });
  }
  const froms = out.filter((o) => o.instruction === "FROM");
  if (froms.length !== 1 || out[0]?.instruction !== "FROM") throw new Error("exactly one FROM, first");
  for (const { instruction, args } of out) {
    if (instruction !== "PARAMETER") continue;
    const [name, ...rest] = args.split(/\s+/);
    const value = rest.join(" ");
    const kind = parameters[name!];
    if (!kind) throw new Error(`unknown PARAMETER ${name}`);
    if (kind === "int" && !/^-?\d+$/.test(value))
      throw new Error(`PARAMETER ${name}: not an integer: ${value}`);
    if (kind === "float" && !Number.isFinite(Number(value)))
      throw new Error(`PARAMETER ${name}: not a number`);
    if (kind === "string" && !/^".*"$/.test(value)) throw new Error(`PARAMETER ${name}: not a quoted string`);
  }
  return out;
}

const argSource = readFileSync(path.join(repoRoot, "native/llama-src/v0.4.0/common/arg.cpp"), "utf8");
const benchSource = readFileSync(
  path.join(repoRoot, "native/llama-src/v0.4.0/tools/llama-bench/llama-bench.cpp"),
  "utf8",
);

/** Flags common_params_parse accepts for an example: each option's spellings and its set_examples list. */
function flagsFor(example: string): Set<string> {
  const flags = new Set<string>();
  for (const block of argSource.split("add_opt(common_arg(").slice(1)) {
    const body = block.slice(
      0,
      block.indexOf("\n    add_opt(") === -1 ? undefined : block.indexOf("\n    add_opt("),
    );
    const names = /^\s*\{([^}]*)\}/.exec(body)?.[1];
    if (!names) continue;
    const examples = /\.set_examples\(\{([^}]*)\}\)/.exec(body)?.[1];
    if (examples && !examples.includes(example) && !examples.includes("LLAMA_EXAMPLE_COMMON")) continue;
    for (const m of names.matchAll(/"(-[^"]+)"/g)) flags.add(m[1]!);
    // The negative spellings ({"--jinja"}, {"--no-jinja"}) come as a second list.
    const negative = /^\s*\{[^}]*\},\s*\{([^}]*)\}/.exec(body)?.[1];
    for (const m of (negative ?? "").matchAll(/"(-[^"]+)"/g)) flags.add(m[1]!);
  }
  return flags;
}

const flagsOf = (args: readonly string[]): string[] => args.filter((a) => /^-[a-z-]/.test(a));

describe("runtime files", () => {
  const layout = bundleLayout("cwb", "tiny", null);
  const split = bundleLayout("cwb", "tiny", 3);

  it("writes an Ollama Modelfile its documentation's grammar accepts, with the settings", () => {
    for (const [l, template] of [
      [layout, chatMl],
      [split, null],
      [layout, "{{ messages }}"],
    ] as const) {
      const parsed = parseModelfile(ollamaModelfile(l, settings, template, "tiny"));
      const params = Object.fromEntries(
        parsed
          .filter((p) => p.instruction === "PARAMETER")
          .map((p) => p.args.split(/\s+/, 2) as [string, string]),
      );
      expect(params).toMatchObject({ num_ctx: "2048", num_thread: "6", num_gpu: "99", num_batch: "256" });
      expect(parsed[0]!.args).toBe(l === split ? "./tiny-merged.gguf" : "../../models/cwb/tiny/tiny.gguf");
      expect(parsed.some((p) => p.instruction === "TEMPLATE")).toBe(template === chatMl);
    }
    expect(() => parseModelfile("PARAMETER num_ctx 10\nFROM x")).toThrow("exactly one FROM, first");
    expect(() => parseModelfile("FROM x\nPARAMETER num_ctxx 10")).toThrow("unknown PARAMETER num_ctxx");
  });

  it("writes only llama-server and llama-cli flags that llama.cpp's argument parser defines for each", () => {
    const server = flagsFor("LLAMA_EXAMPLE_SERVER");
    const cli = flagsFor("LLAMA_EXAMPLE_CLI");
    expect(server.has("--port") && !cli.has("--port")).toBe(true);
    for (const flag of flagsOf(llamaServerArgs(split, settings))) expect(server.has(flag), flag).toBe(true);
    for (const flag of flagsOf(llamaCliArgs(split, settings))) expect(cli.has(flag), flag).toBe(true);
    expect(llamaServerArgs(split, settings)).toEqual(
      expect.arrayContaining(["-m", "models/cwb/tiny/tiny-00001-of-00003.gguf", "-fa", "on", "-ctk", "q8_0"]),
    );
  });

  it("writes only llama-bench flags its parser knows, with JSON output", () => {
    const args = deviceBenchArgs(layout, settings);
    for (const flag of flagsOf(args)) expect(benchSource, flag).toContain(`arg == "${flag}"`);
    expect(args.slice(-2)).toEqual(["-o", "json"]);
  });
});
