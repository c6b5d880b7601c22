// An error as the screens show it: the message, llama.cpp's own reason when there is one, and what
// to do about it in the words of the screens' controls (renderer/errorWords.ts).
import type { ErrorWords } from "../errorWords.js";

export function ErrorDetails({ words, testId }: { words: ErrorWords; testId?: string }) {
  return (
    <div className="space-y-0.5 text-xs text-red-700" data-testid={testId}>
      <p>{words.message}</p>
      {words.llamaReason && <p className="text-zinc-500">llama.cpp: {words.llamaReason}</p>}
      {words.remedies.map((remedy) => (
        <p key={remedy} className="font-medium" data-testid="error-remedy">
          To fix: {remedy}
        </p>
      ))}
    </div>
  );
}
