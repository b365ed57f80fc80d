/**
 * The bad-config corpus: each case is a config file and the exact issues it must produce
 * (`line:col path: message fragment`). `${FIXTURES}` is the fixture plugins' folder.
 */
export interface BadCase {
  name: string;
  /** File text; a function for generated files. */
  text: string | (() => string);
  /** Expected issues in order: "line:col path: fragment of the message". */
  expect: string[];
  /** File name inside the temp folder (default resource.config.yaml). */
  file?: string;
}

const P = "plugins:\n  - ${FIXTURES}/fake-pool.mjs\n";

export const badCases: BadCase[] = [
  // --- YAML syntax and safety
  {
    name: "unclosed flow sequence",
    text: "shutdown:\n  signals: [SIGTERM\n",
    expect: ["3:1 (root): YAML syntax error: Flow sequence in block collection must be sufficiently indented and end with a ]"],
  },
  {
    name: "bad indentation",
    text: "shutdown:\n    deadline: 5s\n  reserve: 1s\n",
    expect: ["3:1 (root): YAML syntax error: All mapping items must start at the same column"],
  },
  { name: "tab indentation", text: "shutdown:\n\tdeadline: 5s\n", expect: ["2:1 (root): YAML syntax error: Tabs are not allowed as indentation"] },
  { name: "duplicate top-level key", text: "shutdown:\n  deadline: 5s\nshutdown:\n  deadline: 1s\n", expect: ['3:1 (root): duplicate key "shutdown"'] },
  { name: "duplicate key in a resource", text: "resources:\n  db:\n    type: pool\n    type: cache\n", expect: ['4:5 (root): duplicate key "type"'] },
  { name: "%YAML 1.1 directive", text: "%YAML 1.1\n---\nfeatures:\n  deadlineCleanup: yes\n", expect: ["1:1 (root): %YAML 1.1 directive is not supported"] },
  {
    name: "unresolved tag",
    text: "shutdown:\n  deadline: !!js/function 'x'\n",
    expect: ["2:13 (root): YAML error: Unresolved tag: tag:yaml.org,2002:js/function"],
  },
  {
    name: "two documents",
    text: "shutdown: {}\n---\nrelease: {}\n",
    expect: ["2:1 (root): resource.config.yaml holds 2 YAML documents (separated by ---); Custodian reads one"],
  },
  {
    name: "alias bomb",
    text: "alerts:\n  a: &a [x, x, x, x, x, x, x, x, x]\n  b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]\n  c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]\n  d: [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n",
    expect: ["3:10 (root): too many alias expansions (more than 50)"],
  },
  { name: "empty file", text: "", expect: ["1:1 (root): config file is empty"] },
  { name: "only comments", text: "# nothing here yet\n", expect: ["1:1 (root): config must be a mapping of sections", "nothing (only comments?)"] },
  {
    name: "file is a list",
    text: "- shutdown\n- resources\n",
    expect: ["1:1 (root): config must be a mapping of sections (shutdown, release, features, tracking, resources, plugins, alerts); the file holds a list"],
  },
  {
    name: "file is a scalar",
    text: "hello\n",
    expect: ["1:1 (root): config must be a mapping of sections (shutdown, release, features, tracking, resources, plugins, alerts); the file holds a string"],
  },
  {
    name: "10 MB file",
    text: () => "alerts:\n" + `  k: "${"x".repeat(10 * 1024 * 1024)}"\n`,
    expect: ["1:1 (root): config file is 10.5 MB; the limit is 1 MiB"],
  },
  {
    name: "merge key is just an unknown key",
    text: "base: &b {deadline: 5s}\nshutdown:\n  <<: *b\n",
    expect: ['1:1 base: unknown key "base"', '3:3 shutdown["<<"]: unknown key "<<"'],
  },
  { name: "cosmiconfig's $import is not honoured", text: "$import: ../../etc/other.yaml\n", expect: ['1:1 $import: unknown key "$import"'] },
  { name: "__proto__ at the top level", text: "__proto__:\n  polluted: true\n", expect: ['1:1 __proto__: unknown key "__proto__"'] },

  // --- unknown keys
  {
    name: "unknown top-level key with suggestion",
    text: "resource:\n  db: {type: pool}\n",
    expect: ['1:1 resource: unknown key "resource"; did you mean "resources"?'],
  },
  {
    name: "unknown top-level key without suggestion",
    text: "database: {}\n",
    expect: ['1:1 database: unknown key "database"; allowed keys: shutdown, release, features, tracking, resources, plugins, alerts'],
  },
  { name: "unknown key in shutdown", text: "shutdown:\n  dedline: 5s\n", expect: ['2:3 shutdown.dedline: unknown key "dedline"; did you mean "deadline"?'] },
  {
    name: "unknown key in tracking",
    text: "tracking:\n  historySise: 10\n",
    expect: ['2:3 tracking.historySise: unknown key "historySise"; did you mean "historySize"?'],
  },
  { name: "unknown key in release", text: "release:\n  timeout: 1s\n", expect: ['2:3 release.timeout: unknown key "timeout"; allowed keys: defaultTimeout'] },

  // --- wrong types and ranges
  { name: "shutdown is a list", text: "shutdown:\n  - deadline: 5s\n", expect: ["1:1 shutdown: must be a mapping; received a list"] },
  {
    name: "historySize is a string",
    text: "tracking:\n  historySize: many\n",
    expect: ['2:3 tracking.historySize: must be an integer; received a string ("many")'],
  },
  { name: "historySize is 0", text: "tracking:\n  historySize: 0\n", expect: ["2:3 tracking.historySize: must be >= 1"] },
  {
    name: "historySize is fractional",
    text: "tracking:\n  historySize: 1.5\n",
    expect: ["2:3 tracking.historySize: must be an integer; received a number (1.5)"],
  },
  { name: "captureStacks out of range", text: "tracking:\n  captureStacks: 2\n", expect: ["2:3 tracking.captureStacks: must be <= 1"] },
  { name: "features is a list", text: "features:\n  - deadlineCleanup\n", expect: ["1:1 features: must be a mapping; received a list"] },
  { name: "alerts is a string", text: "alerts: none\n", expect: ['1:1 alerts: must be a mapping; received a string ("none")'] },
  { name: "signals is not a list", text: "shutdown:\n  signals: SIGTERM\n", expect: ['2:3 shutdown.signals: must be a list; received a string ("SIGTERM")'] },
  {
    name: "unknown signal",
    text: "shutdown:\n  signals: [SIGTREM]\n",
    expect: ['2:13 shutdown.signals[0]: must be one of "SIGTERM", "SIGINT", "SIGHUP", "SIGQUIT", "SIGUSR1", "SIGUSR2", "SIGBREAK"; did you mean "SIGTERM"?'],
  },

  // --- durations
  {
    name: "negative duration number",
    text: "shutdown:\n  deadline: -5\n",
    expect: ['2:3 shutdown.deadline: must be a duration like "250ms", "5s", "2m", "1h" or a number of milliseconds >= 0; received a number (-5)'],
  },
  {
    name: "negative duration string",
    text: "release:\n  defaultTimeout: -1s\n",
    expect: ['2:3 release.defaultTimeout: must be a duration like "250ms", "5s", "2m", "1h" or a number of milliseconds >= 0; received a string ("-1s")'],
  },
  {
    name: "malformed duration",
    text: "shutdown:\n  deadline: 5 seconds\n",
    expect: ['2:3 shutdown.deadline: must be a duration like "250ms"', 'received a string ("5 seconds")'],
  },
  {
    name: "unknown duration unit",
    text: "tracking:\n  leakThreshold: 2w\n",
    expect: ['2:3 tracking.leakThreshold: must be a duration like "250ms"', 'received a string ("2w")'],
  },
  { name: "duration as a boolean", text: "shutdown:\n  deadline: true\n", expect: ["2:3 shutdown.deadline: must be a duration", "received a boolean (true)"] },
  {
    name: "reserve exceeds deadline",
    text: "shutdown:\n  deadline: 1s\n  reserve: 2s\n",
    expect: ["3:3 shutdown.reserve: reserve (2000ms) must not exceed shutdown.deadline (1000ms)"],
  },

  // --- resources
  { name: "resources is a list", text: "resources:\n  - db\n", expect: ["1:1 resources: must be a mapping; received a list"] },
  { name: "resource without type", text: "resources:\n  db:\n    max: 3\n", expect: ['2:3 resources.db.type: missing required key "type"'] },
  { name: "resource type is a number", text: "resources:\n  db:\n    type: 5\n", expect: ["3:5 resources.db.type: must be a string; received a number (5)"] },
  {
    name: "uppercase resource name",
    text: "resources:\n  DB:\n    type: pool\n",
    expect: [
      '2:3 resources.DB: invalid resource name "DB": names must match ^[a-z][a-z0-9-]*$',
      '3:5 resources.DB.type: unknown resource type "pool"; registered types: (none)',
    ],
  },
  {
    name: "__proto__ as a resource name",
    text: "resources:\n  __proto__:\n    type: pool\n",
    expect: [
      '2:3 resources.__proto__: invalid resource name "__proto__"',
      '3:5 resources.__proto__.type: unknown resource type "pool"; registered types: (none)',
    ],
  },
  {
    name: "underscore in a resource name",
    text: "resources:\n  my_db:\n    type: pool\n",
    expect: ['2:3 resources.my_db: invalid resource name "my_db"', '3:5 resources.my_db.type: unknown resource type "pool"; registered types: (none)'],
  },
  {
    name: "dependsOn an undeclared resource",
    text: "resources:\n  db:\n    type: pool\n  api:\n    type: pool\n    dependsOn: [bd]\n",
    expect: [
      '3:5 resources.db.type: unknown resource type "pool"; registered types: (none)',
      '5:5 resources.api.type: unknown resource type "pool"; registered types: (none)',
      '6:17 resources.api.dependsOn[0]: depends on "bd", which is not declared; did you mean "db"?; declared resources: db, api',
    ],
  },
  {
    name: "dependsOn cycle",
    text: "resources:\n  a:\n    type: pool\n    dependsOn: [b]\n  b:\n    type: pool\n    dependsOn: [a]\n",
    expect: [
      '3:5 resources.a.type: unknown resource type "pool"; registered types: (none)',
      '6:5 resources.b.type: unknown resource type "pool"; registered types: (none)',
      "7:17 resources.b.dependsOn[0]: dependency cycle: a -> b -> a",
    ],
  },
  {
    name: "dependsOn itself",
    text: "resources:\n  a:\n    type: pool\n    dependsOn:\n      - a\n",
    expect: ['3:5 resources.a.type: unknown resource type "pool"; registered types: (none)', "5:9 resources.a.dependsOn[0]: dependency cycle: a -> a"],
  },
  {
    name: "three-resource cycle",
    text: "resources:\n  a: {type: pool, dependsOn: [b]}\n  b: {type: pool, dependsOn: [c]}\n  c: {type: pool, dependsOn: [a]}\n",
    expect: [
      '2:7 resources.a.type: unknown resource type "pool"; registered types: (none)',
      '3:7 resources.b.type: unknown resource type "pool"; registered types: (none)',
      '4:7 resources.c.type: unknown resource type "pool"; registered types: (none)',
      "4:31 resources.c.dependsOn[0]: dependency cycle: a -> b -> c -> a",
    ],
  },
  {
    name: "dependsOn is a string",
    text: "resources:\n  a:\n    type: pool\n    dependsOn: b\n",
    expect: [
      '3:5 resources.a.type: unknown resource type "pool"; registered types: (none)',
      '4:5 resources.a.dependsOn: must be a list; received a string ("b")',
    ],
  },
  {
    name: "malformed resource timeout",
    text: "resources:\n  a:\n    type: pool\n    timeout: soon\n",
    expect: ['3:5 resources.a.type: unknown resource type "pool"; registered types: (none)', '4:5 resources.a.timeout: must be a duration like "250ms"'],
  },
  {
    name: "unknown resource type",
    text: P + "resources:\n  db:\n    type: poool\n",
    expect: ['5:5 resources.db.type: unknown resource type "poool"; did you mean "pool"?; registered types: cache, pool'],
  },
  { name: "pool option out of range", text: P + "resources:\n  db:\n    type: pool\n    max: 0\n", expect: ["6:5 resources.db.max: must be >= 1"] },
  {
    name: "unknown pool option",
    text: P + "resources:\n  db:\n    type: pool\n    maxx: 3\n",
    expect: ['6:5 resources.db.maxx: unknown key "maxx"; did you mean "max"?'],
  },
  {
    name: "malformed pool duration",
    text: P + "resources:\n  db:\n    type: pool\n    acquireTimeout: -2s\n",
    expect: ['6:5 resources.db.acquireTimeout: must be a duration like "250ms"'],
  },

  // --- features
  {
    name: "unknown feature flag",
    text: "features:\n  deadlineCleanp: on\n",
    expect: ['2:3 features.deadlineCleanp: unknown feature flag "deadlineCleanp"; did you mean "deadlineCleanup"?; declared flags: deadlineCleanup'],
  },
  {
    name: "flag of a plugin that is not loaded",
    text: "features:\n  poolFastPath: on\n",
    expect: ['2:3 features.poolFastPath: unknown feature flag "poolFastPath"; declared flags: deadlineCleanup'],
  },
  {
    name: "feature value is not on/off",
    text: "features:\n  deadlineCleanup: maybe\n",
    expect: ['2:3 features.deadlineCleanup: must be boolean or "on" | "off"; received a string ("maybe")'],
  },

  // --- plugins
  { name: "unknown plugin module", text: "plugins:\n  - ./plugins/missing.mjs\n", expect: ['2:5 plugins[0]: plugin module "./plugins/missing.mjs" not found'] },
  {
    name: "unknown plugin package",
    text: 'plugins:\n  - "@custodian/plugin-nope"\n',
    expect: ['2:5 plugins[0]: plugin module "@custodian/plugin-nope" not found'],
  },
  {
    name: "module that is not a plugin",
    text: "plugins:\n  - ${FIXTURES}/not-a-plugin.mjs\n",
    expect: ["2:5 plugins[0]: plugin module", "does not export a plugin"],
  },
  {
    name: "plugin module that throws on import",
    text: "plugins:\n  - ${FIXTURES}/throws-on-import.mjs\n",
    expect: ["2:5 plugins[0]: plugin module", "failed to load: boom at import"],
  },
  {
    name: "plugin listed twice",
    text: P + "  - ${FIXTURES}/fake-pool-copy.mjs\n",
    expect: ['3:5 plugins[1]: plugin "fake-pool" is listed twice (also plugins[0])'],
  },
  {
    name: "plugin dependency missing",
    text: "plugins:\n  - ${FIXTURES}/needs-pool.mjs\n",
    expect: ['2:5 plugins[0]: plugin "needs-pool" depends on "fake-pool", which is not listed before it'],
  },
  {
    name: "plugin entry with a typo",
    text: "plugins:\n  - modul: ./x.mjs\n",
    expect: ['2:5 plugins[0].module: missing required key "module"', '2:5 plugins[0].modul: unknown key "modul"; did you mean "module"?'],
  },
  {
    name: "plugin options rejected by its schema",
    text: "plugins:\n  - module: ${FIXTURES}/fake-pool.mjs\n    options:\n      metrix: true\n",
    expect: ['4:7 plugins[0].options.metrix: unknown key "metrix"; did you mean "metrics"?'],
  },
  {
    name: "plugin whose option schema ajv rejects",
    text: "plugins:\n  - ${FIXTURES}/bad-schema.mjs\n",
    expect: ['2:5 plugins[0]: plugin "bad-schema" has an option schema that ajv (strict mode) rejects: strict mode: unknown keyword: "frobnicate"'],
  },
  {
    name: "malformed size",
    text: P + "resources:\n  c:\n    type: cache\n    maxBytes: 10 megs\n",
    expect: ['6:5 resources.c.maxBytes: must be a size like "10MB", "512KiB" or a number of bytes >= 0; received a string ("10 megs")'],
  },
  { name: "plugins is a mapping", text: "plugins:\n  pool: x\n", expect: ["1:1 plugins: must be a list; received a mapping"] },

  // --- interpolation
  {
    name: "missing environment variable",
    text: "resources:\n  db:\n    type: pool\n    url: postgres://${DB_HOST}/app\n",
    expect: ["4:10 resources.db.url: environment variable DB_HOST is not set and has no default"],
  },
  { name: "variables in keys are not interpolated", text: "${SECTION}:\n  deadline: 5s\n", expect: ['1:1 ["${SECTION}"]: unknown key "${SECTION}"'] },

  // --- several problems at once
  {
    name: "every error is reported at once",
    text: "shutdown:\n  deadline: -1\n  dedline: 5s\ntracking:\n  historySize: 0\nresources:\n  Bad:\n    type: pool\n",
    expect: [
      "2:3 shutdown.deadline: must be a duration",
      '3:3 shutdown.dedline: unknown key "dedline"',
      "5:3 tracking.historySize: must be >= 1",
      '7:3 resources.Bad: invalid resource name "Bad"',
      '8:5 resources.Bad.type: unknown resource type "pool"; registered types: (none)',
    ],
  },
];
