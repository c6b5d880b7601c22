// Tensor type names llama-quantize accepts for --tensor-type, --output-tensor-type and
// --token-embedding-type (ggml_type_name of every type ggml can store), matched case-insensitively.
// Kept as data so the CLI validates before a worker starts.
const names = [
  "f32",
  "f16",
  "q4_0",
  "q4_1",
  "q5_0",
  "q5_1",
  "q8_0",
  "q8_1",
  "q2_K",
  "q3_K",
  "q4_K",
  "q5_K",
  "q6_K",
  "q8_K",
  "iq2_xxs",
  "iq2_xs",
  "iq3_xxs",
  "iq1_s",
  "iq4_nl",
  "iq3_s",
  "iq2_s",
  "iq4_xs",
  "i8",
  "i16",
  "i32",
  "i64",
  "f64",
  "iq1_m",
  "bf16",
  "tq1_0",
  "tq2_0",
  "mxfp4",
  "nvfp4",
  "q1_0",
  "q2_0",
];

/** The canonical spelling of a ggml type name, or undefined. */
export function ggmlTypeByName(name: string): string | undefined {
  const lower = name.trim().toLowerCase();
  return names.find((n) => n.toLowerCase() === lower);
}
