// An honest stand-in for screens that later issues build.
import { PageHeader } from "../components/PageHeader.js";
import type { Screen } from "../navigation.js";

export function PlaceholderPage({ screen }: { screen: Screen | undefined }) {
  if (!screen) return <PageHeader title="Not found" subtitle="There is no such screen." />;
  return (
    <>
      <PageHeader title={screen.label} subtitle={screen.description} />
      <div className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-12 text-center">
        <p className="text-sm font-medium text-zinc-700">Coming in a later issue</p>
        <p className="mt-1 text-sm text-zinc-500">
          This screen is not built yet. Models and Jobs work today.
        </p>
      </div>
    </>
  );
}
