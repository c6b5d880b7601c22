// The two generation speeds side by side confuse: "Generation" is the model's speed on this llama.cpp
// build (llama-bench's method), "App generation" what an app on node-llama-cpp gets. One line says
// which one an app sees and why they differ; the user can hide either, and the choice is kept.
import type { ExperimentColumn } from "../../../shared/metrics/experimentColumns.js";
import { Select } from "../../components/Field.js";
import { useStoredChoice } from "../../hooks/useStoredChoice.js";

export const speedViews = ["both", "engine", "app"] as const;
export type SpeedView = (typeof speedViews)[number];

export const speedViewStorageKey = "cwb.compare.speedView";

export function useSpeedView(): [SpeedView, (view: SpeedView) => void] {
  return useStoredChoice(speedViewStorageKey, speedViews, "both");
}

/** The columns without the generation speed the view hides. */
export function shownSpeedColumns(
  columns: readonly ExperimentColumn[],
  view: SpeedView,
): readonly ExperimentColumn[] {
  const hidden = view === "engine" ? "appTg" : view === "app" ? "tg" : null;
  return hidden ? columns.filter((c) => c.key !== hidden) : columns;
}

export const speedViewExplanation =
  "Your app sees App generation (node-llama-cpp: sampling and JS round trips per token, threads started per step); Generation is the model's own decode speed on this llama.cpp build, as llama-bench measures it.";

export function SpeedViewChoice({
  value,
  onChange,
}: {
  value: SpeedView;
  onChange: (view: SpeedView) => void;
}) {
  return (
    <span className="inline-flex items-center gap-2">
      <Select
        aria-label="Generation speeds shown"
        value={value}
        onChange={(event) => onChange(event.target.value as SpeedView)}
        className="w-56"
      >
        <option value="both">Both generation speeds</option>
        <option value="engine">Generation (engine) only</option>
        <option value="app">App generation only</option>
      </Select>
      <span className="max-w-md text-xs text-zinc-500" data-testid="speed-view-note">
        {speedViewExplanation}
      </span>
    </span>
  );
}
