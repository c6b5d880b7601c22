// Runs llama.cpp's own llama-speculative-simple (compiled against the prebuilt libraries our addon
// runs, scripts/build-llama-tools.js) greedily and reads its counts, for parity with `cwb speculate`.
import { spawnSync } from "node:child_process";
// @ts-expect-error -- plain JS build script without type declarations
import { prebuiltExtraToolPath } from "../../scripts/build-llama-tools.js";

export interface LlamaSpeculativeCounts {
  drafted: number;
  accepted: number;
  generated: number;
  /** Its own decode speed (tokens/s), from "decoded N tokens in S seconds". */
  tokensPerSecond: number;
}

export function runLlamaSpeculativeSimple(options: {
  target: string;
  draft: string;
  prompt: string;
  maxTokens: number;
  draftMax: number;
  pMin?: number;
  threads?: number;
}): LlamaSpeculativeCounts {
  const tool = prebuiltExtraToolPath("llama-speculative-simple");
  // Same settings as `cwb speculate`'s defaults: greedy, draft-min 0, p-min 0 unless given.
  const args = [
    ...["-m", options.target, "-md", options.draft, "-p", options.prompt],
    ...["-n", String(options.maxTokens), "--temp", "0", "--spec-type", "draft-simple"],
    ...[
      "--spec-draft-n-max",
      String(options.draftMax),
      "--spec-draft-n-min",
      "0",
      "--spec-draft-p-min",
      String(options.pMin ?? 0),
    ],
    ...["-c", "512", "-t", String(options.threads ?? 2)],
  ];
  // Its log goes through common's log thread, which sometimes loses the last lines at exit (seen on a
  // loaded machine: exit 0, no counts): run it again then, up to three times.
  let log = "";
  for (let attempt = 0; attempt < 3 && !/n_accept\s*=/.test(log); attempt++) {
    const run = spawnSync(tool, args, { encoding: "utf8", maxBuffer: 64 << 20 });
    log = `${run.stdout}\n${run.stderr}`;
    if (run.status !== 0)
      throw new Error(`llama-speculative-simple failed (${run.status}): ${log.slice(-2000)}`);
  }
  const field = (name: string) => {
    const m = new RegExp(`${name}\\s*=\\s*(\\d+)`).exec(log);
    if (!m) throw new Error(`llama-speculative-simple: no ${name} in its output: ${log.slice(-2000)}`);
    return Number(m[1]);
  };
  const speed = /decoded\s+\d+ tokens in\s+[\d.]+ seconds, speed:\s+([\d.]+) t\/s/.exec(log);
  return {
    drafted: field("n_drafted"),
    accepted: field("n_accept"),
    generated: field("n_predict"),
    tokensPerSecond: speed ? Number(speed[1]) : NaN,
  };
}
