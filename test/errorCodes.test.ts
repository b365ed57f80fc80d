// Every package's error codes against docs/errors.md, in one place: each code is unique across the
// project, equals its key, is documented under its own package's section, and every documented code
// is one that some package really throws (no stale entries).
import { readFileSync } from "node:fs";
import { CoreErrorCodes } from "@custodian/core";
import { AlertsErrorCodes } from "@custodian/plugin-alerts";
import { DashboardErrorCodes } from "@custodian/plugin-dashboard";
import { FsErrorCodes } from "@custodian/plugin-fs";
import { HttpErrorCodes } from "@custodian/plugin-http";
import { MetricsErrorCodes } from "@custodian/plugin-metrics";
import { PoolErrorCodes } from "@custodian/plugin-pool";
import { describe, expect, it } from "vitest";

const docs = readFileSync(new URL("../docs/errors.md", import.meta.url), "utf8");

const packages: ReadonlyArray<[string, Readonly<Record<string, string>>]> = [
  ["core", CoreErrorCodes],
  ["plugin-http", HttpErrorCodes],
  ["plugin-fs", FsErrorCodes],
  ["plugin-dashboard", DashboardErrorCodes],
  ["plugin-pool", PoolErrorCodes],
  ["plugin-alerts", AlertsErrorCodes],
  ["plugin-metrics", MetricsErrorCodes],
];

/** "## @custodian/<pkg>" → the codes documented under it ("### ERR_…"). */
function documentedByPackage(): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of docs.split("\n")) {
    const section = /^## @custodian\/([a-z-]+)\s*$/.exec(line);
    if (section !== null) out.set(section[1], (current = []));
    const code = /^### (ERR_[A-Z_]+)\s*$/.exec(line);
    if (code !== null) {
      expect(current, `${code[1]} is documented before any "## @custodian/<package>" section`).toBeDefined();
      current?.push(code[1]);
    }
  }
  return out;
}

describe("error codes across packages", () => {
  const documented = documentedByPackage();

  for (const [pkg, codes] of packages) {
    it(`@custodian/${pkg}: each code equals its key, is ERR_<AREA>_<PROBLEM>, and is documented in its section`, () => {
      expect(Object.keys(codes).length).toBeGreaterThan(0);
      const section = documented.get(pkg) ?? [];
      for (const [key, code] of Object.entries(codes)) {
        expect(code).toBe(key);
        expect(code).toMatch(/^ERR_[A-Z]+_[A-Z_]+$/);
        expect(section, `${code} is not under "## @custodian/${pkg}" in docs/errors.md`).toContain(code);
      }
    });
  }

  it("no code is used by two packages, and docs/errors.md documents no code that nothing throws", () => {
    const owner = new Map<string, string>();
    for (const [pkg, codes] of packages) {
      for (const code of Object.values(codes)) {
        expect(owner.get(code), `${code} is defined by both ${owner.get(code)} and ${pkg}`).toBeUndefined();
        owner.set(code, pkg);
      }
    }
    const stale = [...documented.entries()].flatMap(([pkg, codes]) => codes.filter((c) => owner.get(c) !== pkg).map((c) => `${pkg}: ${c}`));
    expect(stale).toEqual([]);
    expect([...documented.keys()].sort()).toEqual(packages.map(([pkg]) => pkg).sort());
  });
});
