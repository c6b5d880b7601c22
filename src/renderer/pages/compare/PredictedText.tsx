// A generated text whose tokens a predictor proposed and the target accepted are highlighted, one mark
// per token, with a legend that says what the marks mean and the predictor's acceptance rate.
import type { GenerateOutput } from "../../../shared/domain/generate.js";

type Speculation = NonNullable<GenerateOutput["speculation"]>;

const markStyle = "rounded-sm bg-amber-200/80 text-zinc-900";

export function PredictedText({ prompt, speculation }: { prompt: string; speculation: Speculation }) {
  return (
    <p className="whitespace-pre-wrap px-3 py-2 font-mono text-xs leading-relaxed text-zinc-800">
      <span className="text-zinc-400">{prompt}</span>
      {speculation.pieces.map((piece, index) =>
        speculation.acceptedMask[index] ? (
          <mark key={index} className={markStyle} data-testid="accepted-token">
            {piece}
          </mark>
        ) : (
          <span key={index}>{piece}</span>
        ),
      )}
    </p>
  );
}

export function PredictionLegend({
  speculation,
  draftLabel,
}: {
  speculation: Speculation;
  draftLabel: string | null;
}) {
  const { counts, acceptanceRate } = speculation;
  const source = speculation.predictor === "draft" ? `the draft (${draftLabel ?? "?"})` : "prompt lookup";
  return (
    <p className="border-t border-zinc-200 px-3 py-1.5 text-xs text-zinc-600" data-testid="prediction-legend">
      <mark className={markStyle}>highlighted</mark>: {counts.used} token{counts.used === 1 ? "" : "s"}{" "}
      {source} predicted and the target accepted · acceptance{" "}
      <span data-testid="acceptance-rate">
        {acceptanceRate === null ? "–" : `${(acceptanceRate * 100).toFixed(1)} %`}
      </span>{" "}
      ({counts.accepted} of {counts.drafted} predictions checked)
    </p>
  );
}
