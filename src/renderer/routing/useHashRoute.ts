// Hash routing ("#/models/abc"): works the same from http:// and from Electron's file://.
import { useSyncExternalStore } from "react";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("hashchange", onChange);
  return () => window.removeEventListener("hashchange", onChange);
}

/** The route as path segments: "#/models/abc" → ["models", "abc"]. */
export function useHashRoute(): readonly string[] {
  const hash = useSyncExternalStore(subscribe, () => window.location.hash);
  return routeSegments(hash);
}

export function routeSegments(hash: string): string[] {
  return hash
    .replace(/^#\/?/, "")
    .split("/")
    .filter((segment) => segment !== "")
    .map((segment) => decodeURIComponent(segment));
}

export function routeHref(...segments: string[]): string {
  return `#/${segments.map(encodeURIComponent).join("/")}`;
}

export function navigate(...segments: string[]): void {
  window.location.hash = routeHref(...segments);
}
