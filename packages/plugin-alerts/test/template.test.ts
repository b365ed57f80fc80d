import { describe, expect, it } from "vitest";
import { compileTemplate, sprintf } from "../src/template.js";

const render = (text: string, value: number, labels: Record<string, string> = {}) => compileTemplate(text)({ labels, value });

// Formats from Prometheus template/template_test.go (TestTemplateExpansion: humanize, humanize1024,
// humanizeDuration, humanizePercentage cases), carried over to our API.
describe("template functions (Prometheus template_test.go)", () => {
  it("humanize", () => {
    expect([0, 1, 12, 123, 1234, 12345, 123456, 1234567, 1e9, 0.1, 0.0001, 1e-9, 1.5e-12].map((v) => render("{{ $value | humanize }}", v))).toEqual([
      "0",
      "1",
      "12",
      "123",
      "1.234k",
      "12.35k",
      "123.5k",
      "1.235M",
      "1G",
      "100m",
      "100u",
      "1n",
      "1.5p",
    ]);
  });
  it("humanize1024", () => {
    expect([0, 1, 1023, 1024, 1048576, 1.5 * 1024 ** 4, -2048].map((v) => render("{{ humanize1024 $value }}", v))).toEqual([
      "0",
      "1",
      "1023",
      "1ki",
      "1Mi",
      "1.5Ti",
      "-2ki",
    ]);
  });
  it("humanizeDuration", () => {
    expect([0, 0.1, 0.0001, 1, 59.5, 60, 3600, 86400, 90061, -90, 1.5].map((v) => render("{{ $value | humanizeDuration }}", v))).toEqual([
      "0s",
      "100ms",
      "100us",
      "1s",
      "59.5s",
      "1m 0s",
      "1h 0m 0s",
      "1d 0h 0m 0s",
      "1d 1h 1m 1s",
      "-1m 30s",
      "1.5s",
    ]);
  });
  it("humanizePercentage", () => {
    expect([0, 0.1234567, 0.5, 1, 2 / 3].map((v) => render("{{ $value | humanizePercentage }}", v))).toEqual(["0%", "12.35%", "50%", "100%", "66.67%"]);
  });
  // The upstream table rows themselves (float inputs), rendered through our compiler.
  it("upstream rows: humanize, humanize1024, humanizeDuration", () => {
    const row = (fn: string, xs: number[]) => xs.map((v) => render(`{{ ${fn} $value }}`, v)).join(":") + ":";
    expect(row("humanize", [0.0, 1.0, 1234567.0, 0.12])).toBe("0:1:1.235M:120m:");
    expect(row("humanize1024", [0.0, 1.0, 1048576.0, 0.12])).toBe("0:1:1Mi:0.12:");
    expect(row("humanizeDuration", [0, 1, 60, 3600, 86400, 86400 + 3600, -(86400 * 2 + 3600 * 3 + 60 * 4 + 5), 899.99])).toBe(
      "0s:1s:1m 0s:1h 0m 0s:1d 0h 0m 0s:1d 1h 0m 0s:-2d 3h 4m 5s:14m 59s:",
    );
    expect(row("humanizeDuration", [0.1, 0.0001, 0.12345, 60.1, 60.5, 1.2345, 12.345])).toBe("100ms:100us:123.5ms:1m 0s:1m 0s:1.234s:12.35s:");
  });

  it("printf, literals, labels and pipelines", () => {
    expect(render('{{ printf "%.2f" $value }} {{ $labels.name | printf "%s!" }} {{ "x" | toUpper }} {{ .Labels.name }}', 2 / 3, { name: "db" })).toBe(
      "0.67 db! X db",
    );
    expect(sprintf("%5.1f|%-4s|%03d|%v|%g|%%", [3.14159, "ab", 7, 0.5, 1e21])).toBe("  3.1|ab  |007|0.5|1e+21|%");
  });
  it("refuses what it cannot render as Prometheus does", () => {
    expect(() => compileTemplate("{{ $value | nope }}")).toThrow(/function "nope" is not supported/);
    expect(() => compileTemplate("{{ $oldest }}")).toThrow(/\$oldest is not defined/);
    expect(() => compileTemplate("{{ if $value }}x{{ end }}")).toThrow();
  });
});
