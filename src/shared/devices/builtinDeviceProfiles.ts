// The device profiles that ship with the app, as data checked against the profile schema when this
// module loads. Each number says where it comes from and whether it is a spec-sheet figure, a
// derivation from spec figures, or one of the usable-memory rules below (docs/devices.md):
//   iOS     usable = 0.6 × RAM: an app with the increased-memory-limit entitlement is stopped by
//           jetsam at roughly that share of RAM on 6-8 GB iPhones; os_proc_available_memory() on
//           the device gives the real figure.
//   Android usable = 0.5 × RAM: no fixed per-app cap applies to native allocations, but the
//           low-memory killer ends the foreground app once the system and its resident services
//           (commonly 3-4 GB) are squeezed.
//   Linux   usable = RAM − 1 GiB left to the OS and its services.
// Bandwidth is the theoretical peak, bus width × transfer rate: measured apps reach less, which the
// prediction's efficiency factor carries.
import { deviceProfile, type DeviceProfile, type DeviceProfileInput } from "../domain/deviceProfile.js";

const GiB = 1024 ** 3;
const GB = 1e9;
const MB = 1e6;

const iosUsableRule =
  "rule of thumb: 0.6 × RAM, what jetsam lets an app with the increased-memory-limit entitlement keep on 6-8 GB iPhones (less without the entitlement); os_proc_available_memory() on the device gives the real figure";
const androidUsableRule =
  "rule of thumb: 0.5 × RAM; Android sets no fixed cap on native allocations, but the low-memory killer stops the foreground app once the system and resident services (commonly 3-4 GB) run short";
const linuxUsableRule = "rule of thumb: RAM − 1 GiB left to the OS and its services";

const appStoreSize = {
  value: 4 * GB,
  source: "Apple App Store Connect Help, maximum build file sizes: an iOS app may be up to 4 GB uncompressed",
  basis: "spec",
} as const;
const onDemandResources = {
  value: 512 * MB,
  source: "Apple On-Demand Resources Guide: one asset pack (tag) holds at most 512 MB",
  basis: "spec",
} as const;
const playBaseModule = {
  value: 200 * MB,
  source:
    "Google Play Console Help, app size limits: the compressed download of an app bundle's base and feature modules is limited to 200 MB; larger content goes into asset packs",
  basis: "spec",
} as const;
const playAssetPack = {
  value: 1.5 * GB,
  source:
    "Android developers, Play Asset Delivery: each fast-follow or on-demand asset pack may be up to 1.5 GB (limits change; check the current page before shipping)",
  basis: "spec",
} as const;
const fat32File = {
  value: 4 * GiB - 1,
  source: "FAT32 stores a file's size in 32 bits: no file can exceed 4 GiB − 1 byte",
  basis: "spec",
} as const;

function lpddr(busBits: number, megaTransfers: number, memory: string, where: string) {
  return {
    value: (busBits / 8) * megaTransfers * 1e6,
    source: `derived: ${busBits}-bit ${memory} at ${megaTransfers} MT/s (${where}) = ${((busBits / 8) * megaTransfers) / 1000} GB/s peak`,
    basis: "derived",
  } as const;
}

/** A share-of-RAM rule applied to a RAM size in GiB. */
function usable(ramGiB: number, share: number, rule: string) {
  return { value: ramGiB * GiB * share, source: rule, basis: "rule-of-thumb" } as const;
}

const inputs: DeviceProfileInput[] = [
  {
    schemaVersion: 1,
    id: "iphone-15-pro",
    name: "iPhone 15 Pro",
    kind: "phone",
    os: "ios",
    ramBytes: {
      value: 8 * GiB,
      source:
        "teardown reports and Xcode's device list: 8 GB LPDDR5 (Apple does not print RAM on its spec page)",
      basis: "spec",
    },
    usableMemoryBytes: usable(8, 0.6, iosUsableRule),
    memoryBandwidth: lpddr(64, 6400, "LPDDR5", "A17 Pro as reported by SoC databases"),
    cpu: {
      clusters: [
        { cores: 2, core: "performance", maxGhz: 3.78 },
        { cores: 4, core: "efficiency", maxGhz: 2.11 },
      ],
      source:
        "Apple newsroom, A17 Pro: a 6-core CPU with 2 performance and 4 efficiency cores; clocks from SoC databases",
      basis: "spec",
    },
    gpu: {
      name: "Apple A17 Pro GPU (6 cores)",
      apis: ["metal"],
      source: "Apple iPhone 15 Pro tech specs: 6-core GPU; Metal is the only GPU API on iOS",
      basis: "spec",
    },
    storage: { appSizeLimit: appStoreSize, assetPackLimit: onDemandResources, fileSizeLimit: null },
  },
  {
    schemaVersion: 1,
    id: "iphone-16",
    name: "iPhone 16",
    kind: "phone",
    os: "ios",
    ramBytes: {
      value: 8 * GiB,
      source: "Xcode's device list and teardowns: 8 GB LPDDR5X, raised from 6 GB for Apple Intelligence",
      basis: "spec",
    },
    usableMemoryBytes: usable(8, 0.6, iosUsableRule),
    memoryBandwidth: lpddr(64, 7500, "LPDDR5X", "A18 as reported by SoC databases"),
    cpu: {
      clusters: [
        { cores: 2, core: "performance", maxGhz: 4.04 },
        { cores: 4, core: "efficiency", maxGhz: 2.42 },
      ],
      source:
        "Apple iPhone 16 tech specs: A18 with a 6-core CPU, 2 performance and 4 efficiency cores; clocks from SoC databases",
      basis: "spec",
    },
    gpu: {
      name: "Apple A18 GPU (5 cores)",
      apis: ["metal"],
      source: "Apple iPhone 16 tech specs: 5-core GPU; Metal is the only GPU API on iOS",
      basis: "spec",
    },
    storage: { appSizeLimit: appStoreSize, assetPackLimit: onDemandResources, fileSizeLimit: null },
  },
  {
    schemaVersion: 1,
    id: "pixel-8",
    name: "Google Pixel 8",
    kind: "phone",
    os: "android",
    ramBytes: { value: 8 * GiB, source: "Google Store Pixel 8 tech specs: 8 GB LPDDR5X RAM", basis: "spec" },
    usableMemoryBytes: usable(8, 0.5, androidUsableRule),
    memoryBandwidth: lpddr(64, 8533, "LPDDR5X", "Tensor G3 as reported by SoC databases"),
    cpu: {
      clusters: [
        { cores: 1, core: "Cortex-X3", maxGhz: 2.91 },
        { cores: 4, core: "Cortex-A715", maxGhz: 2.37 },
        { cores: 4, core: "Cortex-A510", maxGhz: 1.7 },
      ],
      source: "Tensor G3 as listed by SoC databases: 1 + 4 + 4 Arm cores (Google names only the chip)",
      basis: "spec",
    },
    gpu: {
      name: "Arm Immortalis-G715 (Mali, 10 cores)",
      apis: ["vulkan", "opencl"],
      source: "Tensor G3 as listed by SoC databases; Android exposes Vulkan, and Arm's driver OpenCL",
      basis: "spec",
    },
    storage: { appSizeLimit: playBaseModule, assetPackLimit: playAssetPack, fileSizeLimit: null },
  },
  {
    schemaVersion: 1,
    id: "pixel-9",
    name: "Google Pixel 9",
    kind: "phone",
    os: "android",
    ramBytes: {
      value: 12 * GiB,
      source: "Google Store Pixel 9 tech specs: 12 GB LPDDR5X RAM",
      basis: "spec",
    },
    usableMemoryBytes: usable(12, 0.5, androidUsableRule),
    memoryBandwidth: lpddr(64, 8533, "LPDDR5X", "Tensor G4 as reported by SoC databases"),
    cpu: {
      clusters: [
        { cores: 1, core: "Cortex-X4", maxGhz: 3.1 },
        { cores: 3, core: "Cortex-A720", maxGhz: 2.6 },
        { cores: 4, core: "Cortex-A520", maxGhz: 1.92 },
      ],
      source: "Tensor G4 as listed by SoC databases: 1 + 3 + 4 Arm cores",
      basis: "spec",
    },
    gpu: {
      name: "Arm Mali-G715 (7 cores)",
      apis: ["vulkan", "opencl"],
      source: "Tensor G4 as listed by SoC databases; Android exposes Vulkan, and Arm's driver OpenCL",
      basis: "spec",
    },
    storage: { appSizeLimit: playBaseModule, assetPackLimit: playAssetPack, fileSizeLimit: null },
  },
  {
    schemaVersion: 1,
    id: "galaxy-s24-ultra",
    name: "Samsung Galaxy S24 Ultra",
    kind: "phone",
    os: "android",
    ramBytes: {
      value: 12 * GiB,
      source: "Samsung Galaxy S24 Ultra specifications: 12 GB memory",
      basis: "spec",
    },
    usableMemoryBytes: usable(12, 0.5, androidUsableRule),
    memoryBandwidth: lpddr(
      64,
      8533,
      "LPDDR5X",
      "Snapdragon 8 Gen 3 for Galaxy; Qualcomm's brief allows up to 9600 MT/s",
    ),
    cpu: {
      clusters: [
        { cores: 1, core: "Cortex-X4", maxGhz: 3.39 },
        { cores: 3, core: "Cortex-A720", maxGhz: 3.1 },
        { cores: 2, core: "Cortex-A720", maxGhz: 2.9 },
        { cores: 2, core: "Cortex-A520", maxGhz: 2.2 },
      ],
      source:
        "Qualcomm Snapdragon 8 Gen 3 product brief: a 1 + 5 + 2 Kryo CPU (Arm core designs), the prime core at 3.39 GHz in the Galaxy version",
      basis: "spec",
    },
    gpu: {
      name: "Qualcomm Adreno 750",
      apis: ["vulkan", "opencl"],
      source: "Qualcomm Snapdragon 8 Gen 3 product brief: Adreno 750 with Vulkan 1.3 and OpenCL 3.0",
      basis: "spec",
    },
    storage: { appSizeLimit: playBaseModule, assetPackLimit: playAssetPack, fileSizeLimit: null },
  },
  {
    schemaVersion: 1,
    id: "pixel-7a",
    name: "Google Pixel 7a (mid-range)",
    kind: "phone",
    os: "android",
    ramBytes: { value: 8 * GiB, source: "Google Store Pixel 7a tech specs: 8 GB LPDDR5 RAM", basis: "spec" },
    usableMemoryBytes: usable(8, 0.5, androidUsableRule),
    memoryBandwidth: lpddr(64, 5500, "LPDDR5", "Tensor G2 as reported by SoC databases"),
    cpu: {
      clusters: [
        { cores: 2, core: "Cortex-X1", maxGhz: 2.85 },
        { cores: 2, core: "Cortex-A78", maxGhz: 2.35 },
        { cores: 4, core: "Cortex-A55", maxGhz: 1.8 },
      ],
      source: "Tensor G2 as listed by SoC databases: 2 + 2 + 4 Arm cores",
      basis: "spec",
    },
    gpu: {
      name: "Arm Mali-G710 (7 cores)",
      apis: ["vulkan", "opencl"],
      source: "Tensor G2 as listed by SoC databases; Android exposes Vulkan, and Arm's driver OpenCL",
      basis: "spec",
    },
    storage: { appSizeLimit: playBaseModule, assetPackLimit: playAssetPack, fileSizeLimit: null },
  },
  {
    schemaVersion: 1,
    id: "raspberry-pi-5-8gb",
    name: "Raspberry Pi 5 (8 GB)",
    kind: "sbc",
    os: "linux",
    ramBytes: {
      value: 8 * GiB,
      source: "Raspberry Pi 5 product brief: 8 GB LPDDR4X-4267 SDRAM",
      basis: "spec",
    },
    usableMemoryBytes: { value: 8 * GiB - GiB, source: linuxUsableRule, basis: "rule-of-thumb" },
    memoryBandwidth: lpddr(32, 4267, "LPDDR4X", "Raspberry Pi 5 product brief"),
    cpu: {
      clusters: [{ cores: 4, core: "Cortex-A76", maxGhz: 2.4 }],
      source: "Raspberry Pi 5 product brief: BCM2712, quad-core Cortex-A76 at 2.4 GHz",
      basis: "spec",
    },
    gpu: {
      name: "VideoCore VII",
      apis: ["vulkan"],
      source: "Raspberry Pi 5 product brief: VideoCore VII GPU with Vulkan 1.2 (Mesa's v3dv driver)",
      basis: "spec",
    },
    storage: {
      appSizeLimit: null,
      assetPackLimit: null,
      fileSizeLimit: {
        ...fat32File,
        source: `${fat32File.source}; applies when the model is carried on a FAT32 USB stick or SD card partition (the root file system, ext4, has no such limit)`,
      },
    },
    notes: "No app store: models are copied onto the SD card, an SSD or a USB drive.",
  },
];

/** The built-in profiles, validated (a mistake here fails every test that loads this module). */
export const builtinDeviceProfiles: readonly DeviceProfile[] = inputs.map((input) =>
  deviceProfile.parse(input),
);
