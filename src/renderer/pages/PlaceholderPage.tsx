// What the content area shows for a screen that does not exist or is not available in this build.
import { PageHeader } from "../components/PageHeader.js";
import type { Screen } from "../navigation.js";

export function PlaceholderPage({ screen }: { screen: Screen | undefined }) {
  if (!screen) return <PageHeader title="Not found" subtitle="There is no such screen." />;
  return (
    <>
      <PageHeader title={screen.label} subtitle={screen.description} />
      <div className="rounded-lg border border-dashed border-zinc-300 bg-white px-6 py-12 text-center">
        <p className="text-sm font-medium text-zinc-700">Not available in this build</p>
        <p className="mt-1 text-sm text-zinc-500">The other screens in the navigation work.</p>
      </div>
    </>
  );
}
