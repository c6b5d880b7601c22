// Types for layering.js (plain JS so ESLint loads it without a TypeScript loader).
import type { Rule } from "eslint";

declare const rule: Rule.RuleModule;
export default rule;
