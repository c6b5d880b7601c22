// ESLint rule "layering": keeps each layer's imports inside the architecture (docs/ and the
// README describe it). src/renderer and src/shared are pure TypeScript that also runs in a browser;
// src/shared is imported by every other layer and imports none of them; src/core and src/worker
// are the engine and never depend on Electron or on the Electron shell.
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
    if (
      source === "node-llama-cpp" ||
      source.startsWith("node-llama-cpp/") ||
      source.startsWith("@node-llama-cpp/")
    ) {
      return { kind: "native module", name: "node-llama-cpp" };
    }
    return null;
  }
  const target = path
    .relative(root, path.resolve(path.dirname(filename), source))
    .split(path.sep)
    .join("/");
  if (
    target === "native" ||
    target.startsWith("native/") ||
    target === "src/core/native" ||
    target.startsWith("src/core/native/")
  ) {
    return { kind: "native addon" };
  }
  const layer = layerOf(target);
  return layer ? { kind: "layer", layer } : null;
}

const layers = ["renderer", "shared", "core", "worker", "main", "preload", "headless"];

function layerOf(projectPath) {
  const match = /^src\/([^/]+)(\/|$)/.exec(projectPath);
  return match && layers.includes(match[1]) ? match[1] : null;
}

const browserSafe = {
  forbidden: new Set(["node builtin", "electron", "native module", "native addon"]),
  why: "it runs in the browser too (pure TypeScript only)",
};

/** Per layer: which kinds of import and which other layers it may not import. */
const policy = {
  renderer: { ...browserSafe, layers: new Set(["core", "worker", "main", "preload", "headless"]) },
  shared: { ...browserSafe, layers: new Set(["core", "worker", "main", "preload", "headless", "renderer"]) },
  core: {
    forbidden: new Set(["electron"]),
    layers: new Set(["main", "preload", "renderer"]),
    why: "the engine never depends on Electron",
  },
  worker: {
    forbidden: new Set(["electron"]),
    layers: new Set(["main", "preload", "renderer"]),
    why: "the engine never depends on Electron",
  },
};

/** @type {import("eslint").Rule.RuleModule} */
const rule = {
  meta: {
    type: "problem",
    docs: {
      description:
        "Enforce the layer boundaries between src/renderer, src/shared, src/core, src/worker and the Electron shell",
    },
    schema: [{ type: "object", properties: { root: { type: "string" } }, additionalProperties: false }],
    messages: {
      forbiddenKind: "src/{{layer}} must not import {{what}} ('{{source}}'): {{why}}.",
      forbiddenLayer: "src/{{layer}} must not import src/{{target}} ('{{source}}'): {{why}}.",
    },
  },
  create(context) {
    const root = path.resolve(context.options[0]?.root ?? context.cwd);
    const filename = path.resolve(context.filename);
    const layer = layerOf(path.relative(root, filename).split(path.sep).join("/"));
    const rules = layer ? policy[layer] : undefined;
    if (!rules) return {};

    function check(node, source) {
      if (typeof source !== "string") return;
      const target = classify(source, filename, root);
      if (!target) return;
      if (target.kind === "layer") {
        if (target.layer !== layer && rules.layers.has(target.layer)) {
          const why =
            layer === "shared" ? "shared code is imported by every layer and imports none" : rules.why;
          context.report({
            node,
            messageId: "forbiddenLayer",
            data: { layer, target: target.layer, source, why },
          });
        }
        return;
      }
      if (rules.forbidden.has(target.kind)) {
        const what = target.name
          ? `${target.kind} ${target.name}`
          : target.kind === "native addon"
            ? "the native addon"
            : target.kind === "node builtin"
              ? "a Node builtin"
              : target.kind;
        context.report({ node, messageId: "forbiddenKind", data: { layer, what, source, why: rules.why } });
      }
    }

    const literal = (node) =>
      node && node.type === "Literal" && typeof node.value === "string" ? node.value : undefined;

    return {
      ImportDeclaration: (node) => check(node.source, node.source.value),
      ExportNamedDeclaration: (node) => node.source && check(node.source, node.source.value),
      ExportAllDeclaration: (node) => check(node.source, node.source.value),
      ImportExpression: (node) => check(node.source, literal(node.source)),
      TSImportType: (node) => {
        // typescript-eslint 8 has `source`; older versions wrap the string in `argument`.
        const argument =
          node.source ?? (node.argument?.type === "TSLiteralType" ? node.argument.literal : node.argument);
        check(node, literal(argument));
      },
      TSExternalModuleReference: (node) => check(node.expression, literal(node.expression)),
      CallExpression: (node) => {
        if (
          node.callee.type === "Identifier" &&
          node.callee.name === "require" &&
          node.arguments.length === 1
        ) {
          check(node.arguments[0], literal(node.arguments[0]));
        }
      },
    };
  },
};

export default rule;
