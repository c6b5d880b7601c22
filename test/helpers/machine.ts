// A machine fingerprint for tests that record runs: a 2-core Linux CPU machine without a GPU.
import type { MachineFingerprint } from "../../src/shared/domain/bench.js";

export function testMachine(id: string): MachineFingerprint {
  return {
    id,
    cpu: "Test CPU",
    cores: 2,
    ramBytes: 24 * 1024 ** 3,
    gpu: null,
    os: "Linux Test",
    details: {
      arch: "x64",
      platform: "linux",
      osRelease: "6.0",
      backend: "cpu",
      gpuDriver: null,
      gpuNames: [],
      vramBytes: null,
      llamaCppRelease: "v0.5.0",
      nodeLlamaCppVersion: "3.22.1",
      cpuMathCores: 2,
      llamaSystemInfo: null,
    },
  };
}
