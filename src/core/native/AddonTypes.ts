// The whole surface of the cwb_native addon (native/src/*.cpp), typed in one place.
// Each section names the C++ file that implements it.

/** backend.cpp */
export interface BackendDevice {
  name: string;
  description: string;
  type: "cpu" | "gpu" | "igpu" | "accel";
  backend: string;
  memoryFree: number;
  memoryTotal: number;
}

export interface AddonBackend {
  /** Loads ggml backends from binsDir unless node-llama-cpp already did; returns the devices. */
  ensureBackends(binsDir?: string): BackendDevice[];
  systemInfo(): { systemInfo: string; supportsMmap: boolean; supportsGpuOffload: boolean };
}

export type CwbNativeAddon = AddonBackend;
