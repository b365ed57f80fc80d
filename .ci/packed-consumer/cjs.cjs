// CommonJS consumer of the packed packages. They are ESM-only: `require()` of them works where Node
// loads ES modules synchronously (require(esm), unflagged since Node 20.19 and 22.12); on older
// Node 20 releases a CommonJS file reaches them with dynamic `import()`. Both are checked here.
const assert = require("node:assert/strict");

const entries = [
  "@custodian/core",
  "@custodian/core/testing",
  "@custodian/plugin-pool",
  "@custodian/plugin-http",
  "@custodian/plugin-fs",
  "@custodian/plugin-alerts",
  "@custodian/plugin-metrics",
  "@custodian/plugin-dashboard",
  "@custodian/cli",
];
const [major, minor] = process.versions.node.split(".").map(Number);
const requireEsm = (major === 20 && minor >= 19) || (major === 22 && minor >= 12) || major >= 23;

async function main() {
  for (const id of entries) {
    const imported = await import(id);
    assert.ok(Object.keys(imported).length > 0, `${id}: exports something`);
    if (requireEsm) assert.equal(require(id).createKernel, imported.createKernel, `${id}: require() and import() give the same module`);
  }
  const { createKernel } = requireEsm ? require("@custodian/core") : await import("@custodian/core");
  const { poolPlugin } = requireEsm ? require("@custodian/plugin-pool") : await import("@custodian/plugin-pool");
  const kernel = await createKernel({ config: {}, plugins: [poolPlugin], env: {} });
  const thing = { closed: false };
  kernel.adopt(thing, { type: "thing", release: (t) => void (t.closed = true) });
  const report = await kernel.shutdown("cjs consumer done");
  assert.equal(report.ok, true);
  assert.equal(thing.closed, true);
  console.log(`cjs: ok (${entries.length} entries via ${requireEsm ? "require() and import()" : "import() only (this Node has no require(esm))"}; kernel shutdown ok)`);
}
main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
