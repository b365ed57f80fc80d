// Type-level tests of core's public surface (issue 16): `Kernel` is an interface (the class stays
// internal), plugin options given in code reach apply() typed, and internal helpers are not exported.
import type * as core from "@custodian/core";
import { createKernel, definePlugin, type Kernel, type PluginDescriptor, type ResourceHandle, type Scope, type ShutdownReport } from "@custodian/core";
import { describe, expectTypeOf, it } from "vitest";

describe("public types", () => {
  it("createKernel resolves to the Kernel interface", () => {
    expectTypeOf(createKernel).returns.resolves.toEqualTypeOf<Kernel>();
    expectTypeOf<Kernel["shutdown"]>().returns.resolves.toEqualTypeOf<ShutdownReport>();
    expectTypeOf<Kernel["scope"]>().returns.toEqualTypeOf<Scope>();
    expectTypeOf<ReturnType<Kernel["adopt"]>>().toEqualTypeOf<ResourceHandle<unknown>>();
  });

  it("a handle carries the adopted value's type", () => {
    const adopt = (kernel: Kernel) => kernel.adopt(42, { type: "n", release: () => {} });
    expectTypeOf(adopt).returns.toEqualTypeOf<ResourceHandle<number>>();
    expectTypeOf<ResourceHandle<number>["value"]>().toEqualTypeOf<number>();
  });

  it("the kernel's implementation and internal helpers are not exported", () => {
    // Only types named Kernel: the value export is gone, so `new Kernel()` and instanceof are impossible.
    expectTypeOf<"Kernel" extends keyof typeof core ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<"didYouMean" extends keyof typeof core ? true : false>().toEqualTypeOf<false>();
    expectTypeOf<"normalizePluginEntry" extends keyof typeof core ? true : false>().toEqualTypeOf<false>();
  });

  it("definePlugin<Options> types the options apply() receives", () => {
    const plugin = definePlugin<{ dir: string; limit?: number }>({
      name: "files",
      apply(kernel, options) {
        expectTypeOf(kernel).toEqualTypeOf<Kernel>();
        expectTypeOf(options).toEqualTypeOf<{ dir: string; limit?: number }>();
      },
    });
    expectTypeOf(plugin).toEqualTypeOf<PluginDescriptor<{ dir: string; limit?: number }>>();
    // @ts-expect-error apply() must not declare options the descriptor does not have
    definePlugin<{ dir: string }>({ name: "bad", apply: (_kernel, options: { port: number }) => void options });
  });
});
