import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it, onTestFinished } from "vitest";
import { createKernel } from "@custodian/core";
import { httpPlugin, type HttpAgent } from "../src/index.js";
import { startServer } from "./helpers/servers.js";

const writeConfig = (text: string): string => {
  const dir = mkdtempSync(join(tmpdir(), "custodian-http-"));
  onTestFinished(() => rmSync(dir, { recursive: true, force: true }));
  const path = join(dir, "resource.config.yaml");
  writeFileSync(path, text);
  return path;
};

describe("http.agent declared in resource.config.yaml", () => {
  it("is validated by the type's schema, created with its durations, and usable with fetch", async () => {
    const srv = await startServer((_req, res) => res.end("from yaml"));
    const path = writeConfig(`
shutdown:
  deadline: 2s
resources:
  archive-http:
    type: http.agent
    origin: "${srv.url}"
    connections: 4
    keepAliveTimeout: 2s
    headersTimeout: 5s
    bodyTimeout: 5s
    breaker:
      failureThreshold: 5
      resetTimeout: 10s
    timeout: 1s
`);
    const kernel = await createKernel({ env: {}, config: path, plugins: [httpPlugin] });
    onTestFinished(() => kernel.shutdown().then(() => undefined));
    const api = await kernel.acquire<HttpAgent>("archive-http");
    const res = await fetch(`${srv.url}/`, { dispatcher: api.value } as unknown as RequestInit);
    expect(await res.text()).toBe("from yaml");
    const report = await kernel.shutdown();
    expect(report.ok).toBe(true);
  });

  it("a bad field is reported with its position", async () => {
    const path = writeConfig(`
resources:
  api:
    type: http.agent
    keepAliveTimeout: soon
    bogus: 1
`);
    const error = await createKernel({ env: {}, config: path, plugins: [httpPlugin] }).then(
      () => undefined,
      (e: unknown) => e as { code: string; message: string },
    );
    expect(error?.code).toBe("ERR_CONFIG_INVALID");
    expect(error?.message).toContain("keepAliveTimeout");
    expect(error?.message).toContain("bogus");
    expect(error?.message).toMatch(/resource\.config\.yaml:5:\d+/);
  });
});

describe('plugins: ["@custodian/plugin-http"] in YAML', () => {
  it("loads the plugin by package name and shuts a stalled request down on time", async () => {
    const srv = await startServer(() => {
      /* never answers */
    });
    const port = new URL(srv.url).port;
    const kernel = await createKernel({ env: { ARCHIVE_PORT: port }, config: new URL("./fixtures/resource.config.yaml", import.meta.url).pathname });
    onTestFinished(() => kernel.shutdown().then(() => undefined));
    const api = await kernel.acquire<HttpAgent>("archive-http");
    const stalled = fetch(`${srv.url}/`, { dispatcher: api.value } as unknown as RequestInit).then(
      () => "resolved",
      (e: { cause?: { code?: string } }) => e.cause?.code,
    );
    await new Promise((resolve) => setTimeout(resolve, 30));
    const started = performance.now();
    const report = await kernel.shutdown();
    expect(performance.now() - started).toBeLessThan(1_000 + 250);
    expect(report.outcomes[0].outcome).toBe("forced");
    expect(await stalled).toBe("ERR_HTTP_REQUEST_ABORTED");
    await srv.allClosed();
  });
});
