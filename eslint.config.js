// ESLint flat config: typescript-eslint's type-checked rules for the application sources, the plain
// recommended rules elsewhere, and the local "cwb/layering" rule that keeps layer boundaries.
import js from "@eslint/js";
import globals from "globals";
import tseslint from "typescript-eslint";
import cwb from "./eslint-rules/index.js";

const root = import.meta.dirname;

export default tseslint.config(
  {
    ignores: [
      "node_modules/",
      "dist/",
      "out/",
      ".vite/",
      "native/build/",
      "native/llama-src/",
      "native/llama-tools/",
      "test-results/",
      "coverage/",
      ".cache/",
      ".cwb-data/",
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: "module", globals: { ...globals.node } },
    rules: {
      "@typescript-eslint/no-unused-vars": [
        "error",
        { argsIgnorePattern: "^_", varsIgnorePattern: "^_", caughtErrors: "none" },
      ],
      "@typescript-eslint/consistent-type-imports": [
        "error",
        { fixStyle: "inline-type-imports", disallowTypeAnnotations: false },
      ],
    },
  },
  {
    // Application sources: type-aware rules against the tsconfig each part is compiled with.
    files: ["src/**/*.{ts,tsx}"],
    extends: [...tseslint.configs.recommendedTypeCheckedOnly],
    languageOptions: {
      parserOptions: {
        project: ["./tsconfig.node.json", "./tsconfig.renderer.json", "./tsconfig.electron.json"],
        tsconfigRootDir: root,
      },
    },
    rules: {
      // Handlers are often sync functions typed as possibly async (CallHandler); that is fine.
      "@typescript-eslint/require-await": "off",
      "@typescript-eslint/no-misused-promises": [
        "error",
        { checksVoidReturn: { arguments: false, attributes: false } },
      ],
    },
  },
  {
    files: ["src/renderer/**/*.{ts,tsx}"],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ["src/**/*.{ts,tsx}"],
    plugins: { cwb },
    rules: { "cwb/layering": ["error", { root }] },
  },
  {
    files: ["**/*.d.ts"],
    rules: { "@typescript-eslint/consistent-type-imports": "off" },
  },
);
