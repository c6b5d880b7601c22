// ESLint rule "layering": keeps each folder of src/ inside the architecture (docs/architecture.md).
// Every folder has an allow-list of the other src/ folders it may import and a list of kinds of
// import it may not use:
//   shared   → nothing else of src; pure TypeScript (it also runs in the browser)
//   renderer → shared only; pure TypeScript (it runs in the browser)
//   preload  → shared only, plus "electron" (a sandboxed preload can require nothing else)
//   core     → shared; never Electron, the native addon, or node-llama-cpp's values
//   worker   → shared and core; the only folder that loads native code
//   headless → shared and core; never the worker's code (workers are started by path), Electron,
//              the addon or node-llama-cpp's values
//   main     → shared and core (the same engine as headless, in Electron); never the worker's code,
//              headless, the addon or node-llama-cpp's values
// core, headless and main run in the process that owns the database and the queue, which must never
// load llama.cpp (an abort in llama.cpp would take the app down). There node-llama-cpp is allowed only
// as types: the app process reads GGUF headers with the project's own reader (core/library/ggufLayout.ts).
import { builtinModules } from "node:module";
import path from "node:path";

const builtins = new Set(builtinModules.filter((name) => !name.startsWith("_")));

/** What an import refers to, or null when it is nothing the rule cares about. */
function classify(source, filename, root) {
  if (source.startsWith("node:")) return { kind: "node builtin" };
  const bare = source.split("/")[0];
  if (!source.startsWith(".") && !path.isAbsolute(source)) {
    if (builtins.has(source) || builtins.has(bare)) return { kind: "node builtin" };
    if (source === "electron" || source.startsWith("electron/")) return { kind: "electron" };
    if (source === "better-sqlite3" || source.startsWith("better-sqlite3/"))
      return { kind: "native module", name: "better-sqlite3" };
    if (source === "node-llama-cpp") return { kind: "node-llama-cpp" };
    if (source.startsWith("node-llama-cpp/") || source.startsWith("@node-llama-cpp/")) {
      return { kind: "llama package" };
    }
    return null;
  }
  if (source.endsWith(".node")) return { kind: "native addon" };
  const target = path
    .relative(root, path.resolve(path.dirname(filename), source))
    .split(path.sep)
    .join("/");
  if (target === "native" || target.startsWith("native/")) return { kind: "native addon" };
  const layer = layerOf(target);
  return layer ? { kind: "layer", layer } : null;
}

const layers = ["renderer", "shared", "core", "worker", "main", "preload", "headless"];

function layerOf(projectPath) {
  const match = /^src\/([^/]+)(\/|$)/.exec(projectPath);
  return match && layers.includes(match[1]) ? match[1] : null;
}

const browserSafe = {
  forbidden: new Set([
    "node builtin",
    "electron",
    "native module",
    "node-llama-cpp",
    "llama package",
    "native addon",
  ]),
  why: "it runs in the browser too (pure TypeScript only)",
};
const parentProcess = {
  forbidden: new Set(["llama package", "native addon"]),
  llamaWhy:
    "it runs in the process that owns the database and the queue, which never loads llama.cpp (only workers do)",
};

/**
 * Per folder: the other src/ folders it may import (`layers`), the kinds of import it may not use
 * (`forbidden`) and why; `llamaWhy` limits node-llama-cpp to types.
 */
const policy = {
  shared: {
    ...browserSafe,
    layers: new Set(),
    layersWhy: "shared code is imported by every folder and imports none",
  },
  renderer: {
    ...browserSafe,
    layers: new Set(["shared"]),
    layersWhy: "the UI reaches the engine only through the protocol in src/shared",
  },
  preload: {
    forbidden: new Set(["node builtin", "native module", "node-llama-cpp", "llama package", "native addon"]),
    why: "a sandboxed preload can require only electron",
    layers: new Set(["shared"]),
    layersWhy: "the preload bundles only src/shared (the main process validates every payload again)",
  },
  core: {
    ...parentProcess,
    forbidden: new Set(["electron", "llama package", "native addon"]),
    why: "the engine never depends on Electron, and native code runs only in workers",
    layers: new Set(["shared"]),
    layersWhy: "the engine is used by every front end and depends on none; native work lives in src/worker",
  },
  worker: {
    forbidden: new Set(["electron"]),
    why: "workers are plain Node child processes (forked, or Electron utility processes via a shim)",
    layers: new Set(["shared", "core"]),
    layersWhy: "a worker runs the engine's jobs and depends on no front end",
  },
  headless: {
    ...parentProcess,
    forbidden: new Set(["electron", "llama package", "native addon"]),
    why: "the CLI and the server run without Electron, and native code runs only in workers",
    layers: new Set(["shared", "core"]),
    layersWhy:
      "the CLI and the server use the engine in src/core; native work runs in workers, started by path",
  },
  main: {
    ...parentProcess,
    why: "native code runs only in workers",
    layers: new Set(["shared", "core"]),
    layersWhy: "the Electron shell uses the engine in src/core; native work runs in workers, started by path",
  },
};

/** The value names a static import or re-export takes from node-llama-cpp (or ["*"]). */
function valueNames(node) {
  if (node.importKind === "type" || node.exportKind === "type") return [];
  if (node.type === "ExportAllDeclaration") return ["*"];
  const specifiers = node.specifiers ?? [];
  if (specifiers.length === 0) return ["(side effects)"];
  const names = [];
  for (const s of specifiers) {
    if (s.importKind === "type" || s.exportKind === "type") continue;
    if (s.type === "ImportSpecifier" || s.type === "ExportSpecifier") {
      const name = s.type === "ImportSpecifier" ? s.imported : s.local;
      const text = name.type === "Identifier" ? name.name : String(name.value);
      names.push(text);
    } else names.push(s.type === "ImportDefaultSpecifier" ? "default" : "*");
  }
  return names;
}

/** @type {import("eslint").Rule.RuleModule} */
const rule = {
  meta: {
    type: "problem",
    docs: {
      description:
        "Enforce the import boundaries between src/shared, src/core, src/worker, src/headless, src/main, src/preload and src/renderer",
    },
    schema: [{ type: "object", properties: { root: { type: "string" } }, additionalProperties: false }],
    messages: {
      forbiddenKind: "src/{{layer}} must not import {{what}} ('{{source}}'): {{why}}.",
      forbiddenLayer: "src/{{layer}} must not import src/{{target}} ('{{source}}'): {{why}}.",
      llamaValue:
        "src/{{layer}} may import only types from node-llama-cpp ('{{source}}' takes {{names}}): {{why}}.",
    },
  },
  create(context) {
    const root = path.resolve(context.options[0]?.root ?? context.cwd);
    const filename = path.resolve(context.filename);
    const layer = layerOf(path.relative(root, filename).split(path.sep).join("/"));
    const rules = layer ? policy[layer] : undefined;
    if (!rules) return {};

    /** `usage`: "type" for import types, the declaration for static imports, "dynamic" for import(), "require". */
    function check(node, source, usage) {
      if (typeof source !== "string") return;
      const target = classify(source, filename, root);
      if (!target) return;
      if (target.kind === "layer") {
        if (target.layer !== layer && !rules.layers.has(target.layer)) {
          context.report({
            node,
            messageId: "forbiddenLayer",
            data: { layer, target: target.layer, source, why: rules.layersWhy },
          });
        }
        return;
      }
      if (target.kind === "node-llama-cpp" && !rules.forbidden.has("node-llama-cpp")) {
        if (!rules.llamaWhy || usage === "type") return;
        let names;
        if (usage === "dynamic" || usage === "require") names = ["its exports"];
        else names = valueNames(usage);
        if (names.length > 0) {
          context.report({
            node,
            messageId: "llamaValue",
            data: { layer, source, names: names.join(", "), why: rules.llamaWhy },
          });
        }
        return;
      }
      if (rules.forbidden.has(target.kind)) {
        const what = target.name
          ? `${target.kind} ${target.name}`
          : target.kind === "native addon"
            ? "the native addon"
            : target.kind === "llama package"
              ? "node-llama-cpp's subpaths or platform packages"
              : target.kind === "node builtin"
                ? "a Node builtin"
                : target.kind;
        context.report({ node, messageId: "forbiddenKind", data: { layer, what, source, why: rules.why } });
      }
    }

    const literal = (node) =>
      node && node.type === "Literal" && typeof node.value === "string" ? node.value : undefined;

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value, node),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value, node),
      ExportAllDeclaration: (node) => check(node.source, node.source.value, node),
      ImportExpression: (node) => check(node.source, literal(node.source), "dynamic"),
      TSImportType: (node) => {
        // typescript-eslint 8 has `source`; older versions wrap the string in `argument`.
        const argument =
          node.source ?? (node.argument?.type === "TSLiteralType" ? node.argument.literal : node.argument);
        check(node, literal(argument), "type");
      },
      TSExternalModuleReference: (node) => check(node.expression, literal(node.expression), "require"),
      CallExpression: (node) => {
        if (
          node.callee.type === "Identifier" &&
          node.callee.name === "require" &&
          node.arguments.length === 1
        ) {
          check(node.arguments[0], literal(node.arguments[0]), "require");
        }
      },
    };
  },
};

export default rule;
