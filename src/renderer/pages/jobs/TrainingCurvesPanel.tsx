// Under a distill, train or reference.build job on the Jobs screen: its curves (live while it runs, the stored series
// afterwards) and the latest figures in words: step, loss, tokens/s, held-out KLD ± its 95 % interval,
// perplexity, and the ETA.
import { isFinished, type Job } from "../../../shared/domain/job.js";
import { hasTrainingMetrics, heldoutPerplexity } from "../../../shared/domain/trainingMetrics.js";
import { formatDuration, formatKld, formatTokensPerSecond } from "../../../shared/format.js";
import { TrainingCurvesChart } from "../../charts/TrainingCurvesChart.js";
import { useJobMetrics } from "../../hooks/useJobMetrics.js";

/** The job kinds that report a training series. */
export const trainingJobKinds: ReadonlySet<string> = new Set(["distill", "train", "reference.build"]);

export function TrainingCurvesPanel({ job }: { job: Job }) {
  const { series, error } = useJobMetrics(job.id, job.state);
  if (error) return <p className="text-xs text-red-700">Could not read the curves: {error.message}</p>;
  if (!hasTrainingMetrics(series))
    return (
      <p className="text-xs text-zinc-500" data-testid="training-curves-empty">
        {isFinished(job.state) ? "This run recorded no training steps." : "No training step yet."}
      </p>
    );
  const lastTrain = series.train.at(-1);
  const rate = [...series.train].reverse().find((p) => p.tokensPerSecond !== null)?.tokensPerSecond;
  const lastHeldout = series.heldout.at(-1);
  const facts = [
    lastTrain &&
      `step ${lastTrain.step}${series.totalSteps ? ` of ${series.totalSteps}` : ""}, train loss ${lastTrain.loss.toFixed(4)}`,
    rate !== undefined && formatTokensPerSecond(rate),
    lastHeldout &&
      `held-out loss ${lastHeldout.objective.toFixed(4)}, KLD ${formatKld(lastHeldout.kld)} ± ${formatKld(1.96 * lastHeldout.kldStdErr)} (95 %), PPL ${heldoutPerplexity(lastHeldout).toFixed(2)}`,
    !isFinished(job.state) &&
      job.progress?.etaSeconds != null &&
      `ETA ${formatDuration(job.progress.etaSeconds)}`,
  ].filter(Boolean);
  return (
    <div className="space-y-2">
      <p className="text-xs tabular-nums text-zinc-600" data-testid="training-facts">
        {facts.join(" · ")}
      </p>
      <TrainingCurvesChart series={series} />
    </div>
  );
}
