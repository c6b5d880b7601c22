// Export: choose variants (the library's or an experiment's) and a device profile, see each variant's
// predicted fit and generation speed there, export one as a bundle (folder or .zip) with progress
// and Cancel, verify it, and bring the device's own measurements back (results import).
import { useState } from "react";
import { Card } from "../../components/Card.js";
import { Field, Select } from "../../components/Field.js";
import { Notice } from "../../components/Notice.js";
import { PageHeader } from "../../components/PageHeader.js";
import { errorText, thrownErrorWords } from "../../errorWords.js";
import { useCall } from "../../hooks/useCall.js";
import { routeHref } from "../../routing/useHashRoute.js";
import { DeviceResultsImport } from "./DeviceResultsImport.js";
import { ExportForm } from "./ExportForm.js";
import { PredictionTable } from "./PredictionTable.js";

/** The context the table predicts at when the form does not ask for one. */
const predictionContext = 4096;

export function ExportPage() {
  const models = useCall("models.list", {}, ["models.changed"]);
  const experiments = useCall("experiments.list", {}, ["experiments.changed"]);
  const devices = useCall("devices.list", {}, ["devices.changed"]);
  const [experimentId, setExperimentId] = useState("");
  const [chosenDevice, setChosenDevice] = useState<string>();
  const [chosenModel, setChosenModel] = useState<string>();
  const deviceList = devices.data ?? [];
  const deviceId = chosenDevice ?? deviceList[0]?.profile.id;
  const predictions = useCall(
    "devices.predict",
    deviceId ? { deviceId, contextSize: predictionContext, ...(experimentId ? { experimentId } : {}) } : null,
    ["models.changed", "devices.changed", "jobs.updated"],
  );
  const rows = predictions.data?.rows ?? [];
  const modelId =
    rows.find((r) => r.modelId === chosenModel)?.modelId ?? rows.find((r) => r.modelId)?.modelId ?? undefined;
  const model = (models.data ?? []).find((m) => m.id === modelId);
  const nameOf = (id: string) => (models.data ?? []).find((m) => m.id === id)?.fileName ?? id;
  const loadError = models.error ?? devices.error ?? experiments.error;

  return (
    <>
      <PageHeader
        title="Export"
        subtitle="Bundle a variant for a phone or a desktop runtime, check it, and bring the device's measurements back."
      />
      <div className="space-y-4">
        {loadError && <Notice tone="error">{errorText(thrownErrorWords(loadError))}</Notice>}
        <Card title="Variants on a device">
          <div className="space-y-3 px-4 py-3">
            <div className="flex flex-wrap items-end gap-4">
              <Field label="Variants" className="w-72">
                <Select
                  aria-label="Variants"
                  value={experimentId}
                  onChange={(event) => setExperimentId(event.target.value)}
                >
                  <option value="">Every model in the library</option>
                  {(experiments.data ?? []).map((e) => (
                    <option key={e.id} value={e.id}>
                      Experiment: {e.name}
                    </option>
                  ))}
                </Select>
              </Field>
              <Field label="Device" className="w-72">
                <Select
                  aria-label="Device"
                  value={deviceId ?? ""}
                  onChange={(event) => setChosenDevice(event.target.value)}
                >
                  {deviceList.map((entry) => (
                    <option key={entry.profile.id} value={entry.profile.id}>
                      {entry.profile.name}
                      {entry.origin === "user" ? " (yours)" : ""}
                    </option>
                  ))}
                </Select>
              </Field>
              <a
                className="pb-2 text-sm text-indigo-700 underline"
                href={routeHref("devices", ...(deviceId ? [deviceId] : []))}
              >
                See or edit device profiles
              </a>
            </div>
            {predictions.error && (
              <Notice tone="error">{errorText(thrownErrorWords(predictions.error))}</Notice>
            )}
            {predictions.data &&
              (rows.length === 0 ? (
                <p className="text-sm text-zinc-500">
                  No variants here yet: import a model or make variants on the Compress screen.
                </p>
              ) : (
                <PredictionTable table={predictions.data} chosenId={modelId} onChoose={setChosenModel} />
              ))}
          </div>
        </Card>
        {model && (
          <Card title={`Export ${model.fileName}`}>
            <ExportForm
              key={model.id}
              modelId={model.id}
              modelName={model.fileName}
              deviceId={deviceId ?? null}
            />
          </Card>
        )}
        <Card title="Results from the device">
          <DeviceResultsImport devices={deviceList} defaultDeviceId={deviceId ?? null} nameOf={nameOf} />
        </Card>
      </div>
    </>
  );
}
