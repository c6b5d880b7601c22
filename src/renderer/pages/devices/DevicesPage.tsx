// Devices: the built-in profiles and the user's own, one shown with the source of every figure;
// user profiles can be added (new or copied from any profile), edited and removed. Built-ins stay
// as shipped: they are copied, not edited.
import { useState } from "react";
import type { DeviceEntry, DeviceProfile } from "../../../shared/domain/deviceProfile.js";
import { formatBandwidth, formatDeviceMemory } from "../../../shared/devices/describeDevice.js";
import { Button } from "../../components/Button.js";
import { Card } from "../../components/Card.js";
import { Notice } from "../../components/Notice.js";
import { PageHeader } from "../../components/PageHeader.js";
import { useClient } from "../../client/ClientContext.js";
import { useCall } from "../../hooks/useCall.js";
import { navigate } from "../../routing/useHashRoute.js";
import { DeviceProfileDetail } from "./DeviceProfileDetail.js";
import { DeviceProfileForm } from "./DeviceProfileForm.js";

type Mode =
  | { readonly kind: "view" }
  | { readonly kind: "add"; readonly base: DeviceEntry | null }
  | { readonly kind: "edit"; readonly entry: DeviceEntry };

export function DevicesPage({ deviceId }: { deviceId: string | undefined }) {
  const client = useClient();
  const devices = useCall("devices.list", {}, ["devices.changed"]);
  const list = devices.data ?? [];
  const [mode, setMode] = useState<Mode>({ kind: "view" });
  const [removing, setRemoving] = useState(false);
  const [notice, setNotice] = useState<string>();
  const selected = list.find((e) => e.profile.id === deviceId) ?? list[0];

  const add = async (profile: DeviceProfile, copiedFrom: string | null) => {
    await client.call("devices.add", { profile, copiedFrom });
    setMode({ kind: "view" });
    setNotice(`Added ${profile.name}.`);
    navigate("devices", profile.id);
  };
  const edit = async (profile: DeviceProfile) => {
    await client.call("devices.edit", { id: profile.id, profile });
    setMode({ kind: "view" });
    setNotice(`Saved ${profile.name}.`);
  };
  const remove = async (entry: DeviceEntry) => {
    try {
      await client.call("devices.remove", { id: entry.profile.id });
      setNotice(`Removed ${entry.profile.name}.`);
      navigate("devices");
    } catch (error) {
      setNotice(
        `Could not remove ${entry.profile.name}: ${error instanceof Error ? error.message : String(error)}`,
      );
    } finally {
      setRemoving(false);
    }
  };

  return (
    <>
      <PageHeader
        title="Devices"
        subtitle="Phones and boards to predict for: what one app may use, and where each figure comes from."
        actions={
          <Button variant="primary" onClick={() => setMode({ kind: "add", base: null })}>
            New profile
          </Button>
        }
      />
      <div className="space-y-4">
        {devices.error && <Notice tone="error">Could not list devices: {devices.error.message}</Notice>}
        {notice && (
          <Notice tone="success" onDismiss={() => setNotice(undefined)}>
            {notice}
          </Notice>
        )}
        {mode.kind !== "view" && (
          <Card
            title={
              mode.kind === "edit"
                ? `Edit ${mode.entry.profile.name}`
                : mode.base
                  ? `New profile from ${mode.base.profile.name}`
                  : "New profile"
            }
          >
            <DeviceProfileForm
              key={
                mode.kind === "edit" ? `edit-${mode.entry.profile.id}` : `add-${mode.base?.profile.id ?? ""}`
              }
              mode={mode.kind}
              base={mode.kind === "edit" ? mode.entry.profile : (mode.base?.profile ?? null)}
              onSubmit={(profile) =>
                mode.kind === "edit" ? edit(profile) : add(profile, mode.base?.profile.id ?? null)
              }
              onCancel={() => setMode({ kind: "view" })}
            />
          </Card>
        )}
        <div className="grid grid-cols-1 gap-4 xl:grid-cols-[minmax(0,5fr)_minmax(0,7fr)]">
          <Card title="Profiles">
            {list.length === 0 ? (
              <p className="px-4 py-6 text-sm text-zinc-500">
                {devices.loading ? "Loading…" : "No profiles."}
              </p>
            ) : (
              <table className="w-full text-sm">
                <thead>
                  <tr className="border-b border-zinc-200 text-left text-xs text-zinc-500">
                    <th className="px-4 py-2 font-medium">Device</th>
                    <th className="px-2 py-2 text-right font-medium">Usable</th>
                    <th className="px-2 py-2 text-right font-medium">Bandwidth</th>
                    <th className="px-4 py-2 font-medium">Origin</th>
                  </tr>
                </thead>
                <tbody className="divide-y divide-zinc-100">
                  {list.map((entry) => {
                    const active = entry.profile.id === selected?.profile.id;
                    return (
                      <tr
                        key={entry.profile.id}
                        data-testid="device-row"
                        data-device-id={entry.profile.id}
                        className={active ? "bg-indigo-50/60" : "hover:bg-zinc-50"}
                      >
                        <td className="px-4 py-1.5">
                          <a
                            href={`#/devices/${encodeURIComponent(entry.profile.id)}`}
                            className="font-medium text-zinc-900 hover:text-indigo-700"
                          >
                            {entry.profile.name}
                          </a>
                          <div className="text-xs text-zinc-500">
                            {entry.profile.kind} · {formatDeviceMemory(entry.profile.ramBytes.value)} RAM
                          </div>
                        </td>
                        <td className="px-2 py-1.5 text-right tabular-nums">
                          {formatDeviceMemory(entry.profile.usableMemoryBytes.value)}
                        </td>
                        <td className="px-2 py-1.5 text-right tabular-nums">
                          {formatBandwidth(entry.profile.memoryBandwidth.value)}
                        </td>
                        <td className="px-4 py-1.5 text-xs text-zinc-600">
                          {entry.origin === "built-in" ? "built-in" : "yours"}
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
            )}
          </Card>
          {selected && (
            <Card
              title={selected.profile.name}
              actions={
                <>
                  <Button onClick={() => setMode({ kind: "add", base: selected })}>Copy</Button>
                  {selected.origin === "user" && (
                    <>
                      <Button onClick={() => setMode({ kind: "edit", entry: selected })}>Edit</Button>
                      {removing ? (
                        <Button variant="danger" onClick={() => void remove(selected)}>
                          Confirm remove
                        </Button>
                      ) : (
                        <Button variant="dangerOutline" onClick={() => setRemoving(true)}>
                          Remove
                        </Button>
                      )}
                    </>
                  )}
                </>
              }
            >
              <DeviceProfileDetail entry={selected} />
            </Card>
          )}
        </div>
      </div>
    </>
  );
}
