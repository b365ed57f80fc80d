/**
 * The shipped `pg` factory: pooled `pg.Client`s (optional peer dependency `pg`). A client whose
 * backend dies emits `error`; the factory swallows it (an unhandled `error` would crash the
 * process), marks the client broken, and validation then replaces it.
 */
import { PoolDriverMissingError } from "./errors.js";
import type { PoolCallContext } from "./poolOptions.js";

/** The part of pg.Client the factory uses. */
interface PgClient {
  connect(): Promise<unknown>;
  query(text: string): Promise<unknown>;
  end(): Promise<void>;
  on(event: "error", listener: (err: Error) => void): unknown;
}

const broken = new WeakSet<object>();

async function loadPg(): Promise<{ Client: new (options: Record<string, unknown>) => PgClient }> {
  let mod: { default?: { Client: new (o: Record<string, unknown>) => PgClient }; Client?: new (o: Record<string, unknown>) => PgClient };
  try {
    mod = (await import("pg")) as unknown as typeof mod;
  } catch (cause) {
    throw new PoolDriverMissingError("pg", "pg", "it could not be loaded", { cause });
  }
  const Client = mod.Client ?? mod.default?.Client;
  if (Client === undefined) throw new PoolDriverMissingError("pg", "pg", "the loaded module has no Client export");
  return { Client };
}

/** Factory for PostgreSQL clients; `options` are pg.Client options (host, port, database, user, application_name, ...). */
export const pgFactory = {
  async create(options: Record<string, unknown>, ctx: PoolCallContext): Promise<PgClient> {
    const { Client } = await loadPg();
    const client = new Client({ ...options });
    client.on("error", () => broken.add(client));
    const onAbort = (): void => void client.end().catch(() => {});
    ctx.signal.addEventListener("abort", onAbort, { once: true });
    try {
      await client.connect();
    } catch (error) {
      await client.end().catch(() => {});
      throw error;
    } finally {
      ctx.signal.removeEventListener("abort", onAbort);
    }
    return client;
  },
  async validate(client: PgClient): Promise<boolean> {
    if (broken.has(client)) return false;
    await client.query("SELECT 1");
    return true;
  },
  async destroy(client: PgClient): Promise<void> {
    await client.end();
  },
};
