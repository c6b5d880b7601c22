// node --import: resolves the "electron" package to electronDouble.mjs in this process.
import { register } from "node:module";

register(
  `data:text/javascript,${encodeURIComponent(`
    export async function resolve(specifier, context, next) {
      if (specifier === "electron") return { url: ${JSON.stringify(new URL("./electronDouble.mjs", import.meta.url).href)}, shortCircuit: true };
      return next(specifier, context);
    }`)}`,
);
