import { defineConfig } from "vitest/config";

// Workspace packages resolve to their TypeScript sources through the "@custodian/source"
// export condition, so tests never depend on a stale build. Child-process tests run the
// built output (npm test builds first).
export default defineConfig({
  ssr: { resolve: { conditions: ["@custodian/source"] } },
  resolve: { conditions: ["@custodian/source"] },
  test: {
    include: ["packages/*/test/**/*.test.ts", "examples/test/**/*.test.ts", "test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: "forks",
  },
});
