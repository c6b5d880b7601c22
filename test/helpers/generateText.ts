// Loads a GGUF in node-llama-cpp (CPU) and greedily completes a fixed prompt: proof that llama.cpp
// accepts a model we wrote and runs it.
import { getLlama, LlamaCompletion, LlamaLogLevel } from "node-llama-cpp";

export async function generateText(file: string, maxTokens = 12): Promise<string> {
  const llama = await getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error });
  const loaded = await llama.loadModel({ modelPath: file });
  const context = await loaded.createContext({ contextSize: 256 });
  try {
    const completion = new LlamaCompletion({ contextSequence: context.getSequence() });
    return await completion.generateCompletion("The state of the Union is", { maxTokens, temperature: 0 });
  } finally {
    await context.dispose();
    await loaded.dispose();
  }
}
