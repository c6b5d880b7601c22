// Small line icons for the navigation, drawn on a 20×20 grid.
const paths: Record<string, string> = {
  models: "M4 6.5 10 3l6 3.5v7L10 17l-6-3.5v-7Zm0 0L10 10m0 0 6-3.5M10 10v7",
  compress: "M10 3v5m0 0-2.5-2.5M10 8l2.5-2.5M10 17v-5m0 0-2.5 2.5M10 12l2.5 2.5M4 10h12",
  jobs: "M4 5h12M4 10h12M4 15h7",
  compare: "M4 16V9m4 7V4m4 12v-5m4 5V7",
  history: "M10 5v5l3 2m4-2a7 7 0 1 1-14 0 7 7 0 0 1 14 0Z",
  export: "M10 12V3m0 0L6.5 6.5M10 3l3.5 3.5M4 12v3.5h12V12",
  devices: "M7 2.5h6a1 1 0 0 1 1 1v13a1 1 0 0 1-1 1H7a1 1 0 0 1-1-1v-13a1 1 0 0 1 1-1Zm2 12.5h2",
};

export function NavIcon({ id }: { id: string }) {
  return (
    <svg
      viewBox="0 0 20 20"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.5}
      strokeLinecap="round"
      strokeLinejoin="round"
      className="size-4 shrink-0"
      aria-hidden="true"
    >
      <path d={paths[id] ?? paths.jobs} />
    </svg>
  );
}
