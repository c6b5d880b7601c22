// Streams a file through sha256, reporting bytes done, and stops promptly when aborted.
import { createHash } from "node:crypto";
import { open } from "node:fs/promises";

export interface HashProgress {
  bytesDone: number;
  bytesTotal: number;
}

export async function sha256File(
  filePath: string,
  options: { onProgress?: (progress: HashProgress) => void; signal?: AbortSignal; chunkBytes?: number } = {},
): Promise<{ sha256: string; bytes: number }> {
  const handle = await open(filePath, "r");
  try {
    const bytesTotal = (await handle.stat()).size;
    const hash = createHash("sha256");
    const buffer = Buffer.alloc(options.chunkBytes ?? 4 << 20);
    let bytesDone = 0;
    options.onProgress?.({ bytesDone, bytesTotal });
    for (;;) {
      options.signal?.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, bytesDone);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      bytesDone += bytesRead;
      options.onProgress?.({ bytesDone, bytesTotal });
    }
    return { sha256: hash.digest("hex"), bytes: bytesDone };
  } finally {
    await handle.close();
  }
}
