import { describe, expect, it } from "vitest";
import { redactSecrets } from "../src/index.js";

describe("redactSecrets", () => {
  it("redacts secret-looking keys, URL passwords and secret query parameters, and nothing else", () => {
    const input = {
      password: "p",
      dbPassword: "p",
      apiKey: "k",
      api_key: "k",
      token: 42,
      clientSecret: "s",
      credentials: "c",
      url: "postgres://user:pw@host:5432/db",
      amqp: "amqps://guest:guest@mq/vhost",
      plain: "http://host/x?token=abc&page=2",
      name: "db",
      passwordless: true,
      nested: [{ secret: "s", max: 3 }],
    };
    expect(redactSecrets(input)).toEqual({
      password: "[redacted]",
      dbPassword: "[redacted]",
      apiKey: "[redacted]",
      api_key: "[redacted]",
      token: "[redacted]",
      clientSecret: "[redacted]",
      credentials: "[redacted]",
      url: "postgres://user:[redacted]@host:5432/db",
      amqp: "amqps://guest:[redacted]@mq/vhost",
      plain: "http://host/x?token=[redacted]&page=2",
      name: "db",
      passwordless: true,
      nested: [{ secret: "[redacted]", max: 3 }],
    });
    expect(input.password).toBe("p");
  });
});
