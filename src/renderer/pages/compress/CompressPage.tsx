// Compress: build a sweep recipe for one model (types, importance matrix, overrides, measurements),
// predict sizes with a dry run, prune layers, measure drafts for speculative decoding, and start the
// sweep (then follow it on Jobs).
import { modelLabel } from "../../../shared/modelLabel.js";
import { useState } from "react";
import { formatBytes, formatFileType, formatParams } from "../../../shared/format.js";
import { Button } from "../../components/Button.js";
import { Card } from "../../components/Card.js";
import { Checkbox, Field, Select, TextInput } from "../../components/Field.js";
import { Notice } from "../../components/Notice.js";
import { PageHeader } from "../../components/PageHeader.js";
import { useClient } from "../../client/ClientContext.js";
import { useCall } from "../../hooks/useCall.js";
import { navigate } from "../../routing/useHashRoute.js";
import { DistillStepSettings, PruneStepSettings } from "./ChainSettings.js";
import { chainVariantCount } from "./chainForm.js";
import { DryRunPanel } from "./DryRunPanel.js";
import { LayerPruningPanel } from "./LayerPruningPanel.js";
import { SearchPanel } from "./SearchPanel.js";
import { QuantTypePicker } from "./QuantTypePicker.js";
import { SpeculateSettings } from "./SpeculateSettings.js";
import { emptyRecipe, recipeProblems, sweepTypes, toSweepRecipe, type RecipeForm } from "./recipeForm.js";
import { DeviceSettings, ImatrixSettings, MeasureSettings, OverrideSettings } from "./RecipeSettings.js";
import { errorText, thrownErrorWords } from "../../errorWords.js";

export function CompressPage({ modelId }: { modelId: string | undefined }) {
  const client = useClient();
  const models = useCall("models.list", {}, ["models.changed"]);
  const [form, setForm] = useState<RecipeForm>(emptyRecipe);
  const [name, setName] = useState("");
  const [starting, setStarting] = useState(false);
  const [startError, setStartError] = useState<string>();
  const [showProblems, setShowProblems] = useState(false);

  const list = models.data ?? [];
  const model =
    list.find((m) => m.id === modelId) ??
    (modelId ? undefined : (list.find((m) => m.parentId === null) ?? list[0]));
  const problems = recipeProblems(form);
  const typeCount = sweepTypes(form).length;
  const variantCount = typeCount + chainVariantCount(form.chain, typeCount);
  // Starting a sweep whose earlier run was interrupted resumes that experiment: say so first.
  const unfinished = useCall(
    "experiments.unfinishedSweep",
    model && problems.length === 0 ? { modelId: model.id, recipe: toSweepRecipe(form) } : null,
    ["experiments.changed", "jobs.updated"],
  ).data;

  const start = async () => {
    setShowProblems(true);
    if (!model || problems.length > 0) return;
    setStarting(true);
    setStartError(undefined);
    try {
      await client.call("experiments.startSweep", {
        modelId: model.id,
        recipe: toSweepRecipe(form),
        name: name.trim() || undefined,
      });
      navigate("jobs");
    } catch (reason) {
      setStartError(`The sweep did not start: ${errorText(thrownErrorWords(reason))}`);
    } finally {
      setStarting(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Compress"
        subtitle="Build a sweep: every chosen type becomes a variant, evaluated against the base and benchmarked."
        actions={
          <Button
            variant="primary"
            onClick={() => void start()}
            disabled={!model || starting}
            data-testid="start-sweep"
          >
            {starting
              ? "Starting…"
              : unfinished
                ? "Resume interrupted sweep"
                : `Start sweep${variantCount > 0 ? ` (${variantCount} variant${variantCount === 1 ? "" : "s"})` : ""}`}
          </Button>
        }
      />
      <div className="space-y-4">
        {models.error && <Notice tone="error">Could not list models: {models.error.message}</Notice>}
        {unfinished && (
          <Notice tone="info">
            This sweep ran before and did not finish (“{unfinished.name}”, {unfinished.state}). Starting it
            resumes that experiment: only the steps that did not succeed run again.
          </Notice>
        )}
        {startError && (
          <Notice tone="error" onDismiss={() => setStartError(undefined)}>
            {startError}
          </Notice>
        )}
        {showProblems && problems.length > 0 && (
          <Notice tone="error">
            <ul className="list-inside list-disc">
              {problems.map((problem) => (
                <li key={problem}>{problem}</li>
              ))}
            </ul>
          </Notice>
        )}

        <Card title="Base model">
          {list.length === 0 ? (
            <p className="px-4 py-6 text-sm text-zinc-500">
              {models.loading
                ? "Loading…"
                : "The library is empty: import a model on the Models screen first."}
            </p>
          ) : (
            <div className="grid gap-4 px-4 py-3 md:grid-cols-[minmax(0,22rem)_1fr_minmax(0,18rem)] md:items-end">
              <Field label="Model">
                <Select
                  aria-label="Base model"
                  value={model?.id ?? ""}
                  onChange={(event) => navigate("compress", event.target.value)}
                >
                  {list.map((m) => (
                    <option key={m.id} value={m.id}>
                      {modelLabel(m)} · {formatFileType(m.metadata.fileType)} · {formatBytes(m.sizeBytes)}
                    </option>
                  ))}
                </Select>
              </Field>
              {model ? (
                <dl className="flex flex-wrap gap-x-6 gap-y-1 pb-1.5 text-sm">
                  <Fact label="Architecture" value={model.metadata.architecture} />
                  <Fact label="Parameters" value={formatParams(model.metadata.parameterCount)} />
                  <Fact label="Blocks" value={String(model.metadata.layers)} />
                  <Fact label="File type" value={formatFileType(model.metadata.fileType)} />
                  <Fact label="Size" value={formatBytes(model.sizeBytes)} />
                </dl>
              ) : (
                <span />
              )}
              <Field label="Experiment name (optional)">
                <TextInput
                  aria-label="Experiment name"
                  placeholder="e.g. laptop sweep, Nov"
                  value={name}
                  onChange={(event) => setName(event.target.value)}
                />
              </Field>
            </div>
          )}
        </Card>

        <Card title="Quantization types">
          <QuantTypePicker form={form} onChange={setForm} />
          <div className="space-y-1 border-t border-zinc-100 px-4 py-3">
            <Checkbox
              label="Allow requantizing"
              checked={form.allowRequantize}
              onChange={(allowRequantize) => setForm({ ...form, allowRequantize })}
            />
            <p className="text-xs text-zinc-500">
              For a base model that is already quantized: quantizing it again loses more quality than starting
              from the original, so llama.cpp refuses unless allowed here.
            </p>
          </div>
        </Card>

        <div className="grid gap-4 lg:grid-cols-2">
          <Card title="Importance matrix">
            <ImatrixSettings form={form} onChange={setForm} />
          </Card>
          <Card title="Per-tensor overrides">
            <OverrideSettings form={form} onChange={setForm} />
          </Card>
        </div>

        {model && (
          <div className="grid gap-4 lg:grid-cols-2">
            <Card title="Prune step">
              <PruneStepSettings
                model={model}
                chain={form.chain}
                onChange={(chain) => setForm({ ...form, chain })}
              />
            </Card>
            <Card title="Distill step">
              <DistillStepSettings
                model={model}
                chain={form.chain}
                onChange={(chain) => setForm({ ...form, chain })}
              />
            </Card>
          </div>
        )}

        <Card title="Measurements">
          <MeasureSettings form={form} onChange={setForm} />
        </Card>

        <Card title="Speculative decoding">
          <SpeculateSettings
            form={form.speculate}
            types={form.types}
            onChange={(speculate) => setForm({ ...form, speculate })}
          />
        </Card>

        <Card title="Device">
          <DeviceSettings form={form} onChange={setForm} />
        </Card>

        {model && (
          <Card title="Dry run: predicted sizes">
            <DryRunPanel model={model} form={form} />
          </Card>
        )}

        {model && (
          <Card title="Find the best mix for a budget">
            <SearchPanel key={model.id} model={model} defaultText={form.calibrationText || form.evalText} />
          </Card>
        )}

        {model && (
          <Card title="Layer pruning">
            <LayerPruningPanel
              key={model.id}
              model={model}
              defaultText={form.calibrationText || form.evalText}
            />
          </Card>
        )}
      </div>
    </>
  );
}

function Fact({ label, value }: { label: string; value: string }) {
  return (
    <div>
      <dt className="text-xs text-zinc-500">{label}</dt>
      <dd className="tabular-nums text-zinc-800">{value}</dd>
    </div>
  );
}
