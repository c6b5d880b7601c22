// The screens in the left navigation, in order. `ready` is false for a screen this build does not offer.
export interface Screen {
  readonly id: string;
  readonly label: string;
  readonly description: string;
  readonly ready: boolean;
}

export const screens: readonly Screen[] = [
  { id: "models", label: "Models", description: "Import GGUF files and inspect their tensors.", ready: true },
  {
    id: "compress",
    label: "Compress",
    description: "Quantize, compute importance matrices and prune layers.",
    ready: true,
  },
  { id: "jobs", label: "Jobs", description: "Queued, running and finished work.", ready: true },
  {
    id: "compare",
    label: "Compare",
    description: "Speed, memory and quality of variants side by side.",
    ready: true,
  },
  {
    id: "history",
    label: "History",
    description: "Every experiment and measurement, searchable.",
    ready: true,
  },
  {
    id: "export",
    label: "Export",
    description: "Find a variant's file; mobile bundles come later.",
    ready: true,
  },
  {
    id: "devices",
    label: "Devices",
    description: "Phone and board profiles, each figure with its source.",
    ready: true,
  },
];
