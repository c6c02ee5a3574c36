/**
 * `npm run bench [-- options]`: the million-user benchmark. See bench/README.md.
 *   --users 10000,100000     district sizes (default 10000,100000)
 *   --million                adds 1,000,000
 *   --db mariadb,sqlite      databases (default both)
 *   --scenarios initial,resync,delta,baselines,latency   (default all)
 *   --ids short,uuid         user sourcedId styles, a round each (default short)
 *   --repeat <n>             rounds per size and database; each step reports its median (default 1)
 *   --json <file>            the full report as JSON (default bench/results/bench-<time>.json)
 *   --markdown <file>        the tables as markdown (default bench/results/bench-<time>.md)
 *   --cpu-prof <dir>         a V8 CPU profile of every measured sync worker
 *   --heap-limit <MB>        the workers' V8 heap limit (--max-old-space-size), as a host may set it
 *   --memory-log <dir>       a memory timeline (RSS, heap spaces, external) of every measured sync worker
 *   --fleet [...]            instead: many districts due in one minute over several processes (bench/fleet.ts)
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { UserIdStyle } from '../examples/oneroster-sandbox/ids';
import { runFleetBench } from './fleet';
import { runBench, type BenchOptions, type DatabaseName, type Scenario } from './harness';
import { missedTargets, presentMarkdown } from './present';

const SCENARIOS: Scenario[] = ['initial', 'resync', 'delta', 'baselines', 'latency'];
const ID_STYLES: UserIdStyle[] = ['short', 'uuid'];
const DATABASES: DatabaseName[] = ['mariadb', 'sqlite'];

/** The command line as benchmark options plus output files. */
export function parseArguments(argv: string[]): BenchOptions & { json?: string; markdown?: string } {
  let values: ReturnType<typeof readFlags>;
  try {
    values = readFlags(argv);
  } catch (error) {
    // parseArgs names the flag inside quotes: "Unknown option '--fast'", "Option '--users <value>' argument missing".
    const { code, message } = error as { code?: string; message: string };
    const flag = /'(-[^' ]*)/.exec(message)?.[1];
    if (code === 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE') throw new Error(`${flag} needs a value`);
    if (code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') throw new Error(`unknown option ${flag}`);
    throw error;
  }
  const list = (text: string) => text.split(',').map((s) => s.trim()).filter(Boolean);
  const parsed: BenchOptions & { json?: string; markdown?: string } = { users: [10_000, 100_000], databases: DATABASES, scenarios: SCENARIOS };
  if (values.users !== undefined) {
    parsed.users = list(values.users).map((s) => {
      const count = Number(s.replace(/_/g, ''));
      if (!Number.isInteger(count) || count < 1) throw new Error(`--users: not a count: ${s}`);
      return count;
    });
  }
  if (values.db !== undefined) {
    parsed.databases = list(values.db).map((s) => {
      if (!DATABASES.includes(s as DatabaseName)) throw new Error(`--db: unknown database ${s} (mariadb, sqlite)`);
      return s as DatabaseName;
    });
  }
  if (values.scenarios !== undefined) {
    parsed.scenarios = list(values.scenarios).map((s) => {
      if (!SCENARIOS.includes(s as Scenario)) throw new Error(`--scenarios: unknown scenario ${s} (${SCENARIOS.join(', ')})`);
      return s as Scenario;
    });
  }
  if (values.ids !== undefined) {
    parsed.idStyles = list(values.ids).map((s) => {
      if (!ID_STYLES.includes(s as UserIdStyle)) throw new Error(`--ids: unknown id style ${s} (${ID_STYLES.join(', ')})`);
      return s as UserIdStyle;
    });
  }
  if (values.repeat !== undefined) {
    parsed.repeat = Number(values.repeat);
    if (!Number.isInteger(parsed.repeat) || parsed.repeat < 1) throw new Error(`--repeat: not a count: ${values.repeat}`);
  }
  if (values.json !== undefined) parsed.json = values.json;
  if (values.markdown !== undefined) parsed.markdown = values.markdown;
  if (values['cpu-prof'] !== undefined) parsed.cpuProfileDir = values['cpu-prof'];
  if (values['memory-log'] !== undefined) parsed.memoryLogDir = values['memory-log'];
  if (values['heap-limit'] !== undefined) {
    parsed.heapLimitMb = Number(values['heap-limit']);
    if (!Number.isInteger(parsed.heapLimitMb) || parsed.heapLimitMb < 64) throw new Error(`--heap-limit: not a size in MB (64 or more): ${values['heap-limit']}`);
  }
  if (values.million && !parsed.users.includes(1_000_000)) parsed.users.push(1_000_000);
  parsed.users.sort((a, b) => a - b);
  return parsed;
}

/** The flags as node:util's parseArgs reads them (strict: an unknown flag or a missing value throws). */
function readFlags(argv: string[]) {
  const text = { type: 'string' } as const;
  return parseArgs({
    args: argv,
    strict: true,
    options: { users: text, million: { type: 'boolean' }, db: text, scenarios: text, ids: text, repeat: text, json: text, markdown: text, 'cpu-prof': text, 'heap-limit': text, 'memory-log': text },
  }).values;
}

/** Where results go unless a file is named: bench/results/ (gitignored). */
const RESULTS_DIR = path.join(__dirname, 'results');

async function main(): Promise<void> {
  if (process.argv.slice(2).includes('--fleet')) {
    await runFleetBench(process.argv.slice(2));
    return;
  }
  const { json, markdown, ...options } = parseArguments(process.argv.slice(2));
  const report = await runBench(options);
  const text = presentMarkdown(report);
  process.stdout.write(`${text}\n`);
  const stem = path.join(RESULTS_DIR, `bench-${report.date.replace(/[:.]/g, '-')}`);
  const jsonFile = json ?? `${stem}.json`;
  const markdownFile = markdown ?? `${stem}.md`;
  for (const file of [jsonFile, markdownFile]) mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  writeFileSync(jsonFile, `${JSON.stringify(report, null, 2)}\n`);
  writeFileSync(markdownFile, `${text}\n`);
  process.stdout.write(`\nWrote ${path.relative(process.cwd(), jsonFile)} and ${path.relative(process.cwd(), markdownFile)}.\n`);
  const missed = missedTargets(report);
  if (missed.length > 0) process.stdout.write(`\n${missed.length} MariaDB target(s) missed.\n`);
}

if (require.main === module) {
  main().catch((err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  });
}
