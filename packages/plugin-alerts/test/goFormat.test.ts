import { describe, expect, it } from "vitest";
import { formatExp, formatFixed, formatFloat, formatG } from "../src/goFormat.js";

// Expected strings are Go's own output (fmt / strconv), as Prometheus renders `{{ $value }}` and humanize*.
describe("formatFloat (Go %v of a float64)", () => {
  it("prints the shortest round-trip digits, exponent form from 1e+06 and below 1e-04", () => {
    const got = [2 / 3, 1234567, 1e6, 100000, 0.0001, 0.00001234, 0, 1e21, 123456789012, -0.5, 4 / 3, Number.NaN, Infinity, -Infinity].map(formatFloat);
    expect(got).toEqual([
      "0.6666666666666666",
      "1.234567e+06",
      "1e+06",
      "100000",
      "0.0001",
      "1.234e-05",
      "0",
      "1e+21",
      "1.23456789012e+11",
      "-0.5",
      "1.3333333333333333",
      "NaN",
      "+Inf",
      "-Inf",
    ]);
  });
});

describe("formatG (Go %.4g)", () => {
  it("rounds to 4 significant digits, ties to even on exact values, trims zeros", () => {
    const got = [(2 / 3) * 1000, 12345, 12.125, 100, 0, 0.0001, 1.5, 66.66666666666666, 1234.5, 0.00001234, 999.96].map((v) => formatG(v, 4));
    expect(got).toEqual(["666.7", "1.234e+04", "12.12", "100", "0", "0.0001", "1.5", "66.67", "1234", "1.234e-05", "1000"]);
  });
});

describe("formatFixed and formatExp (Go %.Nf, %.Ne)", () => {
  it("rounds the exact binary value, ties to even", () => {
    expect([formatFixed(2 / 3, 2), formatFixed(0.125, 2), formatFixed(0.375, 2), formatFixed(1234.5, 0), formatFixed(0.006, 2), formatFixed(-1.5, 0)]).toEqual([
      "0.67",
      "0.12",
      "0.38",
      "1234",
      "0.01",
      "-2",
    ]);
    expect([formatExp(1234.5, 3), formatExp(0, 2), formatExp(1e-7, 1)]).toEqual(["1.234e+03", "0.00e+00", "1.0e-07"]);
  });
});
