// Errors are data: core and the worker word what went wrong in the domain's words and leave the
// remedy to each surface. So no message they throw may name a CLI flag ("--allow-requantize"): the
// desktop app would show it. Checked two ways: every throw and coded-error construction in
// src/core and src/worker read from the source (TypeScript's parser), and the coded errors built
// by the code that raises them.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { CodedError, toAppError } from "../../src/core/errors.js";
import { sweepEntries } from "../../src/core/experiments/runSweep.js";
import { OutputExistsError } from "../../src/core/jobs/commitOutput.js";
import { DiskSpaceError } from "../../src/core/jobs/diskSpace.js";
import { planGpu } from "../../src/worker/native/planGpu.js";
import { parseLayerList } from "../../src/core/quantize/planPrune.js";
import { parseTensorTypeOverride } from "../../src/core/quantize/planQuantize.js";
import { SchemaVersionError } from "../../src/core/store/migrate.js";
import { quantizeFailure } from "../../src/core/quantize/quantizeFailure.js";
import { appErrorCodes, appErrorOf, remedyActions, type AppError } from "../../src/shared/domain/errors.js";
import { repoRoot } from "../cli/runCwb.js";

/** "--flag" as a CLI would spell it: two dashes then a letter, not inside a word. */
const flagText = /(^|[^\w-])--[a-z]/i;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => path.join(entry.parentPath, entry.name));
}

interface Thrown {
  where: string;
  text: string;
}

/** The literal text of every `throw …` and every `new …Error(…)` / `super(…)` of an error class. */
function thrownTexts(file: string): Thrown[] {
  const source = ts.createSourceFile(file, readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
  const found: Thrown[] = [];
  const literals = (node: ts.Node): string[] => {
    const texts: string[] = [];
    const visit = (n: ts.Node): void => {
      if (ts.isStringLiteral(n) || ts.isNoSubstitutionTemplateLiteral(n)) texts.push(n.text);
      else if (ts.isTemplateExpression(n)) {
        texts.push(n.head.text, ...n.templateSpans.map((span) => span.literal.text));
      }
      n.forEachChild(visit);
    };
    visit(node);
    return texts;
  };
  const inErrorClass = (node: ts.Node): boolean => {
    for (let n: ts.Node | undefined = node; n; n = n.parent) {
      if (ts.isClassDeclaration(n))
        return (n.heritageClauses ?? []).some((clause) =>
          clause.types.some((type) => /Error$/.test(type.expression.getText())),
        );
    }
    return false;
  };
  const visit = (node: ts.Node): void => {
    const isErrorConstruction =
      ts.isNewExpression(node) && /(Error|CodedError)$/.test(node.expression.getText(source));
    const isErrorSuper =
      ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.SuperKeyword && inErrorClass(node);
    if (ts.isThrowStatement(node) || isErrorConstruction || isErrorSuper) {
      const { line } = source.getLineAndCharacterOfPosition(node.getStart(source));
      const where = `${path.relative(repoRoot, file)}:${line + 1}`;
      for (const text of literals(node)) found.push({ where, text });
    }
    node.forEachChild(visit);
  };
  visit(source);
  return found;
}

describe("messages core and the worker throw", () => {
  const files = ["src/core", "src/worker"].flatMap((dir) => sourceFiles(path.join(repoRoot, dir)));

  it("are found (the scan sees the coded errors)", () => {
    const all = files.flatMap(thrownTexts);
    expect(all.length).toBeGreaterThan(100);
    expect(all.some((t) => t.where.includes("planQuantize.ts") && t.text.includes("importance matrix"))).toBe(
      true,
    );
  });

  it("name no CLI flag", () => {
    const withFlags = files
      .flatMap(thrownTexts)
      .filter((t) => flagText.test(t.text))
      .map((t) => `${t.where}: ${t.text}`);
    expect([...new Set(withFlags)]).toEqual([]);
  });
});

function caught(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error("expected a throw");
}

/** Coded errors as the code that raises them builds them, one or more per code where reachable. */
function raisedErrors(): AppError[] {
  const errors: unknown[] = [
    caught(() =>
      planGpu(
        "vulkan",
        false,
        { loader: true, error: null, devices: [{ index: 0, name: "llvmpipe", type: "cpu" }] },
        undefined,
      ),
    ),
    caught(() => planGpu("vulkan", false, { loader: false, error: "no loader", devices: [] }, undefined)),
    caught(() => parseTensorTypeOverride("attn_v")),
    caught(() => parseTensorTypeOverride("attn_v=q9_9")),
    caught(() => parseTensorTypeOverride("(=q8_0")),
    caught(() => parseLayerList(",")),
    caught(() => parseLayerList("3,x")),
    caught(() => sweepEntries({ types: ["Q9_Z"], imatrix: "none" })),
    caught(() => sweepEntries({ types: ["IQ2_XS"], imatrix: "none" })),
    quantizeFailure(new Error("/m/q8.gguf: quantization failed: requantizing from type q8_0 is disabled"), {
      modelPath: "/m/q8.gguf",
    }),
    quantizeFailure(new Error("/m/q8.gguf: quantization failed: llama_model_quantize failed"), {
      modelPath: "/m/q8.gguf",
      refusedTensor: { name: "token_embd.weight", type: "Q8_0" },
    }),
    quantizeFailure(new Error("/m/a.gguf: quantization failed: unsupported tensor"), {
      modelPath: "/m/a.gguf",
    }),
    new DiskSpaceError("/data", 5e9, 1e9, 256 * 1024 * 1024),
    new OutputExistsError("/m/out.gguf"),
    new SchemaVersionError("/data/workbench.sqlite", 9, 4),
  ];
  return errors.map((error) => {
    const data = appErrorOf(error);
    if (!data) throw new Error(`not a coded error: ${String(error)}`);
    return data;
  });
}

describe("coded errors", () => {
  it("carry a message without flags, and their remedies as actions", () => {
    const raised = raisedErrors();
    for (const error of raised) {
      expect(error.message, error.code).not.toMatch(flagText);
      expect(error.llamaReason ?? "", error.code).not.toMatch(flagText);
      for (const remedy of error.remedies) expect(remedyActions).toContain(remedy);
    }
    expect(new Set(raised.map((e) => e.code))).toEqual(
      new Set([
        "GPU_UNAVAILABLE",
        "BAD_TENSOR_OVERRIDE",
        "BAD_PRUNE_BLOCKS",
        "UNKNOWN_QUANT_TYPE",
        "IMATRIX_REQUIRED",
        "REQUANTIZE_DISABLED",
        "QUANTIZE_FAILED",
        "DISK_FULL",
        "OUTPUT_EXISTS",
        "SCHEMA_TOO_NEW",
      ]),
    );
  });

  it("keep llama.cpp's reason and name the remedy of a model that is already quantized", () => {
    const stated = appErrorOf(
      quantizeFailure(new Error("/m/q8.gguf: quantization failed: requantizing from type q8_0 is disabled"), {
        modelPath: "/m/q8.gguf",
      }),
    );
    expect(stated).toMatchObject({
      code: "REQUANTIZE_DISABLED",
      llamaReason: "requantizing from type q8_0 is disabled",
      remedies: ["allow-requantize"],
      file: "/m/q8.gguf",
    });
    // llama.cpp's line lost (the addon's placeholder): the tensor it stopped at tells.
    const inferred = appErrorOf(
      quantizeFailure(new Error("/m/q8.gguf: quantization failed: llama_model_quantize failed"), {
        modelPath: "/m/q8.gguf",
        refusedTensor: { name: "token_embd.weight", type: "Q8_0" },
      }),
    );
    expect(inferred).toMatchObject({ code: "REQUANTIZE_DISABLED", llamaReason: null });
    expect(inferred?.message).toMatch(/its tensor token_embd\.weight is Q8_0/);
    // Another reason stays llama.cpp's, whatever tensor it stopped at.
    const other = appErrorOf(
      quantizeFailure(new Error("/m/q8.gguf: quantization failed: out of memory"), {
        modelPath: "/m/q8.gguf",
        refusedTensor: { name: "token_embd.weight", type: "Q8_0" },
      }),
    );
    expect(other).toMatchObject({ code: "QUANTIZE_FAILED", llamaReason: "out of memory", remedies: [] });
  });

  it("every code is one of the list; anything else becomes FAILED with its message", () => {
    expect(() => new CodedError("NOPE" as never, "x")).not.toThrow();
    expect(appErrorOf(new CodedError("NOPE" as never, "x"))).toBeNull();
    expect(appErrorCodes).toContain("FAILED");
    expect(toAppError(new Error("plain"))).toEqual({
      code: "FAILED",
      message: "plain",
      llamaReason: null,
      remedies: [],
    });
  });
});
