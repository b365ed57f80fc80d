import tseslint from "typescript-eslint";

// Type-aware lint. The rule that matters most here is no-floating-promises: a fire-and-forget
// close() is the bug class Custodian exists to remove.
export default tseslint.config(
  { ignores: ["**/dist/**", "**/node_modules/**", "**/*.js", "**/*.cjs", "**/*.mjs", "vitest.config.ts", "eslint.config.js"] },
  {
    files: ["**/*.ts"],
    languageOptions: {
      parser: tseslint.parser,
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    plugins: { "@typescript-eslint": tseslint.plugin },
    rules: {
      "@typescript-eslint/no-floating-promises": "error",
      "@typescript-eslint/no-misused-promises": ["error", { checksVoidReturn: false }],
      "@typescript-eslint/await-thenable": "error",
      "no-debugger": "error",
      "prefer-const": "error",
      eqeqeq: ["error", "smart"],
    },
  },
);
