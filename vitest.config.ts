import { defineConfig } from "vitest/config";

// Tests run the real thing (SQLite files, llama.cpp, child processes, Chromium), so they are slow
// and share 2 cores: files run one at a time, with generous timeouts.
export default defineConfig({
  test: {
    include: ["test/**/*.test.ts", "test/**/*.test.tsx"],
    testTimeout: 120_000,
    hookTimeout: 600_000,
    fileParallelism: false,
    pool: "forks",
  },
});
