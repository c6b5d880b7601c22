// Which machine and build a measurement came from. Speed numbers are comparable only between runs
// with the same fingerprint id: the id hashes the fields that change performance and stay put
// (CPU, core count, RAM size, GPU and driver, OS, backend, llama.cpp release, node-llama-cpp
// version). Volatile facts (free memory, kernel patch level) go into details without entering it.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import type { Llama } from "node-llama-cpp";
import type { MachineFingerprint } from "../../shared/domain/bench.js";

interface NvidiaSmiInfo {
  names: string[];
  driver: string | null;
  memoryBytes: number | null;
}

/** nvidia-smi's view of the GPUs, or null when it is not installed or fails. */
function nvidiaSmi(): NvidiaSmiInfo | null {
  const result = spawnSync(
    "nvidia-smi",
    ["--query-gpu=name,driver_version,memory.total", "--format=csv,noheader,nounits"],
    {
      encoding: "utf8",
      timeout: 5000,
    },
  );
  if (result.status !== 0 || !result.stdout) return null;
  const rows = result.stdout
    .trim()
    .split("\n")
    .map((line) => line.split(",").map((part) => part.trim()));
  if (rows.length === 0) return null;
  const memoryMiB = rows.reduce((sum, row) => sum + (Number(row[2]) || 0), 0);
  return {
    names: rows.map((row) => row[0] ?? "").filter(Boolean),
    driver: rows[0]?.[1] ?? null,
    memoryBytes: memoryMiB > 0 ? memoryMiB * 1024 * 1024 : null,
  };
}

function osName(): string {
  if (process.platform === "linux") {
    try {
      const match = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync("/etc/os-release", "utf8"));
      if (match?.[1]) return `Linux ${match[1]}`;
    } catch {
      // fall through
    }
  }
  if (process.platform === "darwin") {
    const result = spawnSync("sw_vers", ["-productVersion"], { encoding: "utf8", timeout: 5000 });
    if (result.status === 0) return `macOS ${result.stdout.trim()}`;
  }
  if (process.platform === "win32") return os.version();
  return `${os.type()} ${os.release()}`;
}

function nodeLlamaCppDir(): string | null {
  const require = createRequire(import.meta.url);
  let dir = path.dirname(require.resolve("node-llama-cpp"));
  for (;;) {
    const manifest = path.join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "node-llama-cpp"
    )
      return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/** The llama.cpp release node-llama-cpp ships (llama/llama.cpp.info.json), without loading it. */
export function bundledLlamaCppRelease(): string {
  const dir = nodeLlamaCppDir();
  try {
    if (dir)
      return (
        (JSON.parse(readFileSync(path.join(dir, "llama", "llama.cpp.info.json"), "utf8")) as { tag?: string })
          .tag ?? "unknown"
      );
  } catch {
    // fall through
  }
  return "unknown";
}

/** The CPU as fingerprints record it (model name with whitespace collapsed, logical cores). */
export function hostCpu(): { cpu: string; cores: number } {
  const cpus = os.cpus();
  return {
    cpu: (cpus[0]?.model ?? "unknown CPU").replace(/\s+/g, " ").trim(),
    cores: cpus.length || os.availableParallelism(),
  };
}

/** The installed node-llama-cpp version, read from its package.json. */
export function nodeLlamaCppVersion(): string {
  const dir = nodeLlamaCppDir();
  if (!dir) return "unknown";
  return (
    (JSON.parse(readFileSync(path.join(dir, "package.json"), "utf8")) as { version?: string }).version ??
    "unknown"
  );
}

export function fingerprintId(stable: Record<string, unknown>): string {
  return createHash("sha256").update(JSON.stringify(stable)).digest("hex").slice(0, 16);
}

/**
 * Collects the fingerprint. Pass the Llama instance the measurement uses so the GPU names, VRAM and
 * backend are those of that build; without one the backend is recorded as "cpu" and the release is
 * the one node-llama-cpp ships (a local build of another release would differ).
 */
export async function collectMachineFingerprint(llama?: Llama): Promise<MachineFingerprint> {
  const { cpu, cores } = hostCpu();
  const ramBytes = os.totalmem();
  const backend = llama && llama.gpu !== false ? llama.gpu : "cpu";
  const smi = nvidiaSmi();

  let gpuNames: string[] = [];
  let vramBytes: number | null = null;
  if (llama && llama.gpu !== false) {
    gpuNames = await llama.getGpuDeviceNames();
    vramBytes = (await llama.getVramState()).total;
  }
  if (gpuNames.length === 0 && smi) gpuNames = smi.names;
  vramBytes ??= smi?.memoryBytes ?? null;

  const gpu = gpuNames.length > 0 ? gpuNames.join(" + ") : null;
  const osLabel = osName();
  // Without a Llama instance: the release node-llama-cpp ships, which is what its prebuilt CPU build
  // runs, so on CPU-only machines the app process and its workers agree on the id.
  const llamaCppRelease = llama?.llamaCppRelease.release ?? bundledLlamaCppRelease();
  const nodeLlamaCpp = nodeLlamaCppVersion();
  // Whole GiB: the kernel's total can move by a few pages between boots.
  const ramGiB = Math.round(ramBytes / 1024 ** 3);
  const id = fingerprintId({
    cpu,
    cores,
    ramGiB,
    gpu,
    gpuDriver: smi?.driver ?? null,
    os: osLabel,
    arch: process.arch,
    backend,
    llamaCppRelease,
    nodeLlamaCpp,
  });
  return {
    id,
    cpu,
    cores,
    ramBytes,
    gpu,
    os: osLabel,
    details: {
      arch: process.arch,
      platform: process.platform,
      osRelease: os.release(),
      backend,
      gpuDriver: smi?.driver ?? null,
      gpuNames,
      vramBytes,
      llamaCppRelease,
      nodeLlamaCppVersion: nodeLlamaCpp,
      cpuMathCores: llama?.cpuMathCores ?? null,
      llamaSystemInfo: llama?.systemInfo ?? null,
    },
  };
}
