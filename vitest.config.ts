import { defineConfig } from "vitest/config";

// The container tests build the image and start brokers in Docker: only `npm run test:containers`
// (which sets this) runs them, never `npm test`.
const containerTests = process.env.EDDY_CONTAINER_TESTS === "1";

export default defineConfig({
  test: {
    // In CI a JSON summary is written too, from which .ci/run prints the plain "N passed, N failed" line.
    reporters: process.env.CI ? ["default", ["json", { outputFile: ".ci/results/vitest.json" }]] : ["default"],
    projects: [
      {
        test: {
          name: "unit",
          include: ["packages/*/src/**/*.test.ts", "test/unit/**/*.test.ts"],
          exclude: ["**/dist/**", "**/node_modules/**"],
          sequence: { groupOrder: 0 },
        },
      },
      {
        test: {
          name: "integration",
          include: ["test/integration/**/*.test.ts"],
          testTimeout: 120_000,
          hookTimeout: 60_000,
          // Each file starts its own broker processes; two cores do not take more in parallel.
          maxWorkers: 2,
          // Unit tests first: they are quick and say most precisely what broke.
          sequence: { groupOrder: 1 },
        },
      },
      ...(containerTests
        ? [
            {
              test: {
                name: "containers",
                include: ["test/containers/**/*.test.ts"],
                // Building the image (npm ci, tsc) and forming a cluster take minutes on a cold cache.
                testTimeout: 300_000,
                hookTimeout: 900_000,
                maxWorkers: 1,
                sequence: { groupOrder: 2 },
              },
            },
          ]
        : []),
    ],
  },
});
