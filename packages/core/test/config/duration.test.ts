import { describe, expect, it } from "vitest";
import { parseDuration, parseSize } from "../../src/index.js";

describe("parseDuration", () => {
  it.each([
    ["250ms", 250],
    ["5s", 5000],
    ["2m", 120_000],
    ["1h", 3_600_000],
    ["1.5s", 1500],
    [0, 0],
    [42, 42],
  ])("%s -> %d ms", (input, ms) => expect(parseDuration(input)).toBe(ms));

  it.each(["-1s", "5 parsecs", "", "s", "1e3", "NaN"])("refuses %j with ERR_DURATION_INVALID", (input) => {
    expect(() => parseDuration(input, "shutdown.deadline")).toThrow(
      expect.objectContaining({ code: "ERR_DURATION_INVALID", message: expect.stringContaining("shutdown.deadline") }),
    );
  });

  it("refuses negative and non-finite numbers", () => {
    expect(() => parseDuration(-5)).toThrow(expect.objectContaining({ code: "ERR_DURATION_INVALID" }));
    expect(() => parseDuration(Number.POSITIVE_INFINITY)).toThrow(expect.objectContaining({ code: "ERR_DURATION_INVALID" }));
  });
});

describe("parseSize", () => {
  it("parses decimal and binary units", () => {
    expect(parseSize("10MB")).toBe(10_000_000);
    expect(parseSize("1KiB")).toBe(1024);
    expect(parseSize(12)).toBe(12);
    expect(() => parseSize("ten")).toThrow(expect.objectContaining({ code: "ERR_CONFIG_INVALID" }));
  });
});
