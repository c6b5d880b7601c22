// The project's local ESLint plugin ("cwb/<rule>" in eslint.config.js).
import layering from "./layering.js";

export default {
  meta: { name: "eslint-plugin-cwb" },
  rules: { layering },
};
