import { describe, expect, it } from "vitest";
import { createHostAllowList, isLoopbackHost } from "../../src/index.js";

describe("createHostAllowList", () => {
  const hosts = createHostAllowList({ port: 9464, allowedHosts: ["metrics.internal", "scrape.example:8443"] });

  it("answers the loopback names with the endpoint's own port", () => {
    for (const h of ["localhost:9464", "127.0.0.1:9464", "[::1]:9464", "LOCALHOST:9464"]) expect(hosts.allows(h), h).toBe(true);
  });

  it("refuses a rebinding name, another port, a missing or malformed Host", () => {
    for (const h of ["attacker.example:9464", "localhost:80", "localhost", "127.0.0.1:9465", "", "a:b:c", "localhost:9464@evil"])
      expect(hosts.allows(h), h).toBe(false);
    expect(hosts.allows(undefined)).toBe(false);
  });

  it("answers configured names: a bare name on any port, name:port on that port only", () => {
    expect(hosts.allows("metrics.internal:9464")).toBe(true);
    expect(hosts.allows("metrics.internal")).toBe(true);
    expect(hosts.allows("scrape.example:8443")).toBe(true);
    expect(hosts.allows("scrape.example:9464")).toBe(false);
  });

  it("answers the bound IP literal (the host of the printed URL), not a name it is bound to", () => {
    expect(createHostAllowList({ port: 80, bindHost: "10.1.2.3" }).allows("10.1.2.3")).toBe(true);
    expect(createHostAllowList({ port: 80, bindHost: "0.0.0.0" }).allows("0.0.0.0:80")).toBe(true);
    expect(createHostAllowList({ port: 80, bindHost: "0.0.0.0" }).allows("10.1.2.3:80")).toBe(false);
    expect(createHostAllowList({ port: 80, bindHost: "myhost.example" }).allows("myhost.example:80")).toBe(false);
    expect(createHostAllowList({ port: 81, bindHost: "fd00::1" }).allows("[fd00::1]:81")).toBe(true);
  });
});

describe("isLoopbackHost", () => {
  it("knows 127/8, ::1 and localhost", () => {
    for (const h of ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"]) expect(isLoopbackHost(h), h).toBe(true);
    for (const h of ["0.0.0.0", "::", "10.0.0.1", "localhost.example", "128.0.0.1"]) expect(isLoopbackHost(h), h).toBe(false);
  });
});
