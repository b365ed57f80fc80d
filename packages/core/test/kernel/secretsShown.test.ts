/**
 * Secrets never leave through the kernel: a credential inside a resource name, a describe() detail,
 * a leak report, a plugin event or a shutdown reason is redacted in events$, snapshot(), history(),
 * the shutdown report and the errors it carries. Each secret is planted distinct, then grepped for.
 */
import { describe, expect, it, onTestFinished } from "vitest";
import { definePlugin, REDACTED, type Kernel } from "../../src/index.js";
import { createTestKernel } from "../../src/testing.js";

const SECRETS = ["NameSecret1", "DetailPw2", "DetailTok3", "LeakName4", "PluginTok5", "ReasonPw6", "FailName7", "HangName8", "UserOnly9", "AtPart10"];

/** Everything a value shows when printed, errors included (message, cause, aggregated errors). */
function dump(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => {
    if (v instanceof AggregateError) return { message: v.message, errors: v.errors, cause: v.cause };
    if (v instanceof Error) return { name: v.name, message: v.message, stack: v.stack, cause: v.cause };
    return v;
  });
}

const leaked = (text: string): string[] => SECRETS.filter((s) => text.includes(s));

const things = definePlugin({
  name: "things",
  apply(kernel: Kernel) {
    kernel.registerType("thing", {
      create: (spec: { mode?: string }) => ({ mode: spec.mode ?? "ok" }),
      describe: () => ({ dsn: "postgres://u:DetailPw2@h/x", token: "DetailTok3", size: 3 }),
      release: (v: { mode: string }) => {
        if (v.mode === "fail") throw new Error("release refused by postgres://u:CauseMsg11@db");
        if (v.mode === "hang") return new Promise<void>(() => {});
      },
      timeoutMs: 1_000,
    });
  },
});

describe("the kernel shows no secret", () => {
  it("redacts names, details, leak reports, plugin events and reasons in events$, snapshot(), history() and the shutdown report", async () => {
    const t = await createTestKernel({ plugins: [things], config: { tracking: { leakThreshold: "1s", captureStacks: true } } });
    onTestFinished(async () => void (await t.close()));
    const { kernel, clock } = t;

    const named = await kernel.acquire({ type: "thing", name: "postgres://app:NameSecret1@db/x" });
    await kernel.acquire({ type: "thing", name: "pool password=FailName7", mode: "fail" });
    await kernel.acquire({ type: "thing", name: "https://ghp_UserOnly9@api.example/hang", mode: "hang" });
    await kernel.acquire({ type: "thing", name: "mysql://root:p@AtPart10@db" });
    kernel.reportLeak({ id: named.id, type: "thing", name: "redis://:LeakName4@cache", reason: "garbage-collected", data: { apiKey: "LeakName4" } });
    kernel.emitPluginEvent("things", "thing:opened", { url: "amqp://u:PluginTok5@mq", secret: "PluginTok5" });
    await clock.advance(2_000); // past leakThreshold: held-too-long for each
    const snapshot = kernel.snapshot();
    expect(snapshot).toHaveLength(4);
    expect(snapshot[0].name).toBe(`postgres://app:${REDACTED}@db/x`);
    expect(snapshot[0].details).toEqual({ dsn: `postgres://u:${REDACTED}@h/x`, token: REDACTED, size: 3 });
    // The caller's own handle keeps the name it chose.
    expect(named.name).toBe("postgres://app:NameSecret1@db/x");
    await named.release();
    const history = kernel.history();
    const report = await t.close();

    expect(report?.ok).toBe(false);
    expect(t.events.some((e) => e.type === "resource:leak-suspected" && e.reason === "held-too-long")).toBe(true);
    expect(t.events.some((e) => e.type === "resource:released" && e.outcome === "abandoned")).toBe(true);
    expect(leaked(dump(t.events))).toEqual([]);
    expect(leaked(dump(snapshot))).toEqual([]);
    expect(leaked(dump(history))).toEqual([]);
    expect(leaked(dump(report))).toEqual([]);
  });

  it("quotes a release error's message redacted; the original error stays the cause, unchanged", async () => {
    const t = await createTestKernel({ plugins: [things] });
    onTestFinished(async () => void (await t.close()));
    const h = await t.kernel.acquire({ type: "thing", mode: "fail" });
    const outcome = await h.release();
    expect(outcome.outcome).toBe("failed");
    const error = outcome.error as Error & { code: string; cause: Error };
    expect(error.code).toBe("ERR_RELEASE_FAILED");
    expect(error.message).toContain(`postgres://u:${REDACTED}@db`);
    expect(error.message).not.toContain("CauseMsg11");
    expect(error.cause.message).toContain("CauseMsg11");
  });

  it("redacts the shutdown reason and a spec quoted in an error message", async () => {
    const t = await createTestKernel({ plugins: [things] });
    onTestFinished(async () => void (await t.close()));
    const bad = await t.kernel.acquire({ type: "nope", name: "x", password: "ReasonPw6" } as never).catch((e: unknown) => e);
    expect(leaked(dump(bad))).toEqual([]);
    const report = t.kernel.shutdown("operator said password=ReasonPw6");
    await t.clock.advance(1);
    expect(leaked(dump(await report))).toEqual([]);
    expect(leaked(dump(t.events))).toEqual([]);
  });
});
