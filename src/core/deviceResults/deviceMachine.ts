// A device whose results are imported is a machine of the history, like the computers the app ran
// on: one machines row per device, named by the device's id, its runs compared with each other.
// Its CPU and GPU are what the bench printed; what it did not print stays unknown (0, "unknown").
import type { MachineFingerprint } from "../../shared/domain/bench.js";
import type { DeviceBenchRow } from "../../shared/deviceResults/deviceBenchRow.js";
import { CodedError } from "../errors.js";

const deviceIdPattern = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** Whether `id` may name a device; the one place a device id is checked before anything is recorded. */
export function checkDeviceId(id: string): string {
  if (!deviceIdPattern.test(id))
    throw new CodedError(
      "BAD_DEVICE_ID",
      `"${id}" cannot name a device: use 1 to 64 letters, digits, dots, dashes or underscores, starting with a letter or digit`,
    );
  return id;
}

const deviceMachinePrefix = "device:";

export function deviceMachineId(deviceId: string): string {
  return `${deviceMachinePrefix}${deviceId}`;
}

/** Whether a run's machine is a device whose results were imported (not a computer the app ran on). */
export function isDeviceMachineId(machineId: string): boolean {
  return machineId.startsWith(deviceMachinePrefix);
}

function firstOf(
  rows: readonly DeviceBenchRow[],
  pick: (row: DeviceBenchRow) => string | null,
): string | null {
  for (const row of rows) {
    const value = pick(row);
    if (value) return value;
  }
  return null;
}

/** The machines row of a device, from what its results say about it. */
export function deviceMachine(deviceId: string, rows: readonly DeviceBenchRow[]): MachineFingerprint {
  const gpu = firstOf(rows, (row) => row.gpuInfo);
  const build = rows.find((row) => row.build.number !== null)?.build;
  return {
    id: deviceMachineId(deviceId),
    cpu: firstOf(rows, (row) => row.cpuInfo) ?? "unknown",
    cores: 0,
    ramBytes: 0,
    gpu,
    os: "unknown",
    details: {
      arch: "unknown",
      platform: "device",
      osRelease: "",
      backend: (firstOf(rows, (row) => row.backend) ?? "unknown").toLowerCase(),
      gpuDriver: null,
      gpuNames: gpu ? [gpu] : [],
      vramBytes: null,
      llamaCppRelease: build ? `b${build.number}` : "unknown",
      nodeLlamaCppVersion: "none",
      cpuMathCores: null,
      llamaSystemInfo: null,
      device: deviceId,
    },
  };
}
