// Child process of the llama.build job: node-llama-cpp's own source build of the llama.cpp release
// it bundles (cloned from the git bundle inside the package: no download), for this machine's CPU.
// It runs in its own process group so that a cancel can stop cmake, ninja and the compilers with it.
// Argument: the cmake options as JSON. cmake's progress lines go to stdout/stderr for the job to read.
import { getLlama, LlamaLogLevel } from "node-llama-cpp";

const cmakeOptions = JSON.parse(process.argv[2] ?? "{}") as Record<string, string>;
const llama = await getLlama({
  gpu: false,
  build: "forceRebuild",
  cmakeOptions,
  usePrebuiltBinaries: false,
  progressLogs: "stderr",
  skipDownload: false,
  logLevel: LlamaLogLevel.warn,
});
if (llama.buildType !== "localBuild")
  throw new Error(`node-llama-cpp loaded its ${llama.buildType} binaries`);
await llama.dispose();
