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
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { UserIdStyle } from '../examples/oneroster-sandbox/ids';
import { runBench, type BenchOptions, type DatabaseName, type Scenario } from './harness';
import { missedTargets, presentMarkdown } from './present';

const SCENARIOS: Scenario[] = ['initial', 'resync', 'delta', 'baselines', 'latency'];
const ID_STYLES: UserIdStyle[] = ['short', 'uuid'];
const DATABASES: DatabaseName[] = ['mariadb', 'sqlite'];

/** The command line as benchmark options plus output files. */
export function parseArguments(argv: string[]): BenchOptions & { json?: string; markdown?: string } {
  const parsed: BenchOptions & { json?: string; markdown?: string } = { users: [10_000, 100_000], databases: DATABASES, scenarios: SCENARIOS };
  let million = false;
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i]!;
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${flag} needs a value`);
      return next;
    };
    const list = () => value().split(',').map((s) => s.trim()).filter(Boolean);
    switch (flag) {
      case '--users':
        parsed.users = list().map((s) => {
          const count = Number(s.replace(/_/g, ''));
          if (!Number.isInteger(count) || count < 1) throw new Error(`--users: not a count: ${s}`);
          return count;
        });
        break;
      case '--million':
        million = true;
        break;
      case '--db':
        parsed.databases = list().map((s) => {
          if (!DATABASES.includes(s as DatabaseName)) throw new Error(`--db: unknown database ${s} (mariadb, sqlite)`);
          return s as DatabaseName;
        });
        break;
      case '--scenarios':
        parsed.scenarios = list().map((s) => {
          if (!SCENARIOS.includes(s as Scenario)) throw new Error(`--scenarios: unknown scenario ${s} (${SCENARIOS.join(', ')})`);
          return s as Scenario;
        });
        break;
      case '--ids':
        parsed.idStyles = list().map((s) => {
          if (!ID_STYLES.includes(s as UserIdStyle)) throw new Error(`--ids: unknown id style ${s} (${ID_STYLES.join(', ')})`);
          return s as UserIdStyle;
        });
        break;
      case '--repeat': {
        const text = value();
        parsed.repeat = Number(text);
        if (!Number.isInteger(parsed.repeat) || parsed.repeat < 1) throw new Error(`--repeat: not a count: ${text}`);
        break;
      }
      case '--json':
        parsed.json = value();
        break;
      case '--markdown':
        parsed.markdown = value();
        break;
      case '--cpu-prof':
        parsed.cpuProfileDir = value();
        break;
      default:
        throw new Error(`unknown option ${flag}`);
    }
  }
  if (million && !parsed.users.includes(1_000_000)) parsed.users.push(1_000_000);
  parsed.users.sort((a, b) => a - b);
  return parsed;
}

/** Where results go unless a file is named: bench/results/ (gitignored). */
const RESULTS_DIR = path.join(__dirname, 'results');

async function main(): Promise<void> {
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
