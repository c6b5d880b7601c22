// llama.build, parent half: nothing to record (the build lives in node-llama-cpp's folder and the
// addon list); it declares the disk the source, the objects and the libraries take, so a full disk
// fails the job before a long compile instead of in the middle of it.
import path from "node:path";
import { packageRoot } from "../../packageRoot.js";
import { defineJobKindHost } from "../JobKindHost.js";

/** The source (207 MB) and the finished build (54 MB), measured on Linux x64, with room for the compile. */
const buildBytes = 500 * 1024 * 1024;

export const llamaBuildHost = defineJobKindHost({
  kind: "llama.build",
  estimateOutput: () => ({ bytes: buildBytes, dir: path.join(packageRoot(), "node_modules") }),
});
