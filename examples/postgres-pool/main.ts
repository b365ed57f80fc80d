/**
 * A `pg` pool managed by Custodian (plugin-pool's shipped "pg" factory) doing real queries: a temp
 * table is created, filled and read back on one pooled client, then the kernel shuts the pool down
 * and reports it. The database is DATABASE_URL, else 127.0.0.1:5432 (database "test", user
 * "postgres"). With no database reachable it says so and exits 0.
 *
 *   node examples/dist/postgres-pool/main.js
 *   DATABASE_URL=postgres://user:secret@db.example:5432/app node examples/dist/postgres-pool/main.js
 */
import { connect } from "node:net";
import { createKernel } from "@custodian/core";
import { poolPlugin, type Pool } from "@custodian/plugin-pool";

/** The part of pg.Client this example uses. */
interface PgClient {
  query<R>(text: string, values?: unknown[]): Promise<{ rows: R[] }>;
}

const url = process.env.DATABASE_URL;
const connection: Record<string, unknown> =
  url !== undefined && url !== "" ? { connectionString: url } : { host: "127.0.0.1", port: 5432, database: "test", user: "postgres" };
// Where we connect, without the credentials a URL may carry.
const target = url !== undefined && url !== "" ? `DATABASE_URL (host ${safeHost(url)})` : "127.0.0.1:5432 (database test, user postgres)";

function safeHost(u: string): string {
  try {
    return new URL(u).host || "(none)";
  } catch {
    return "(unparsable URL)";
  }
}

/** Whether a TCP server answers at host:port within 2 s: "no database here" is told apart from a failing one. */
function probe(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const socket = connect({ host, port });
    socket.setTimeout(2_000, () => socket.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    socket.once("connect", () => {
      socket.end();
      resolve(undefined);
    });
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  });
}

const endpoint = ((): { host: string; port: number } | undefined => {
  if (url === undefined || url === "") return { host: "127.0.0.1", port: 5432 };
  try {
    const u = new URL(url);
    return u.hostname === "" ? undefined : { host: u.hostname, port: u.port === "" ? 5432 : Number(u.port) };
  } catch {
    return undefined; // let pg report it
  }
})();
const absent = endpoint === undefined ? undefined : await probe(endpoint.host, endpoint.port);
if (absent !== undefined) {
  console.log(`No PostgreSQL reachable at ${target} (${absent}); nothing to do. Start one, or set DATABASE_URL.`);
  process.exit(0);
}

const kernel = await createKernel({
  plugins: [poolPlugin],
  config: {
    shutdown: { deadline: "5s" },
    resources: {
      db: {
        type: "pool",
        factory: "pg",
        options: { ...connection, application_name: "custodian-example", connectionTimeoutMillis: 2_000 },
        min: 0,
        max: 4,
        acquireTimeout: "5s",
        createBreakerThreshold: 0,
      },
    },
  },
});

let exitCode = 1;
try {
  const pool = (await kernel.acquire<Pool<PgClient>>("db")).value;
  // A temp table lives in one session: every statement runs on the same pooled client.
  const { inserted, rows, total } = await pool.use(async (client) => {
    await client.query("CREATE TEMP TABLE custodian_example (id serial PRIMARY KEY, fruit text NOT NULL, qty int NOT NULL)");
    const ins = await client.query<{ id: number }>("INSERT INTO custodian_example (fruit, qty) VALUES ($1, $2), ($3, $4), ($5, $6) RETURNING id", [
      "apples",
      3,
      "pears",
      5,
      "plums",
      7,
    ]);
    const sel = await client.query<{ fruit: string; qty: number }>("SELECT fruit, qty FROM custodian_example ORDER BY qty DESC");
    const sum = await client.query<{ total: number }>("SELECT sum(qty)::int AS total FROM custodian_example");
    return { inserted: ins.rows.length, rows: sel.rows, total: sum.rows[0].total };
  });
  console.log(`connected to ${target}`);
  console.log(`inserted ${inserted} rows into a temp table`);
  for (const r of rows) console.log(`  ${r.fruit.padEnd(8)} ${r.qty}`);
  console.log(`total quantity: ${total}`);
} finally {
  const report = await kernel.shutdown("example finished");
  for (const o of report.outcomes) console.log(`shutdown: ${o.name} ${o.outcome} in ${Math.round(o.elapsedMs)}ms`);
  exitCode = report.ok ? 0 : 1;
}
process.exitCode = exitCode;
