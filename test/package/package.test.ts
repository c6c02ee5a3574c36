import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { Sequelize } from 'sequelize';
import { createScratchDatabase, testDatabases, type ScratchDatabase } from '../helpers/databases';
import { TEST_ENCRYPTION_KEY } from '../helpers/app';
import { EXPECTED_RUNTIME_EXPORTS, EXPECTED_TYPE_EXPORTS } from './expected-public-api';
import { ensureWidgetBuilt } from '../widget/build-widget';
import { declarationErrors, readExportedNames } from './public-names';
import { createScratchApp, MOUNT, PACKAGE_NAME, ROOT, startScratchHost, stopScratchHost, type ScratchHostReady } from './scratch-app';

// Builds the package once, packs it, installs the tarball (offline) into two scratch host apps
// and runs them the way the monolith would: CommonJS + Express 4, and ESM + Express 5.

function npm(args: string[]): string {
  return execFileSync('npm', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_loglevel: 'error' } });
}

interface PackedFile {
  path: string;
  mode: number;
}

let workDir: string;
let tarball: string;
let packedFiles: PackedFile[];

beforeAll(() => {
  npm(['run', 'build:server']);
  npm(['run', 'build:esm']);
  // `npm test` builds the widget before jest; this builds it only when missing or stale.
  ensureWidgetBuilt();

  const dryRun = JSON.parse(npm(['pack', '--dry-run', '--json', '--ignore-scripts'])) as Array<{ files: PackedFile[] }>;
  packedFiles = dryRun[0]!.files;
  workDir = mkdtempSync(path.join(tmpdir(), 'oneroster-pack-'));
  const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', workDir])) as Array<{ filename: string }>;
  tarball = path.join(workDir, packed[0]!.filename);
}, 240_000);

afterAll(() => {
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

describe('the packed package', () => {
  it('holds the entry points, the types, the widget, the migrations and the CLI', () => {
    const paths = packedFiles.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'package.json',
        'README.md',
        'dist/server/index.js',
        'dist/server/index.d.ts',
        'dist/esm/index.mjs',
        'dist/esm/index.d.mts',
        'dist/widget/oneroster-settings.js',
        'dist/widget/oneroster-settings.d.ts',
        'dist/migrations/index.js',
        'dist/cli/main.js',
      ]),
    );
  });

  it('holds nothing else: no tests, examples, sandbox, sources or stray files', () => {
    const paths = packedFiles.map((file) => file.path);
    const outside = paths.filter((p) => !/^(package\.json|README\.md|dist\/(server|migrations|esm|widget|cli)\/.+)$/.test(p));
    expect(outside).toEqual([]);
    expect(paths.filter((p) => /(^|\/)(test|tests|examples|bench|oneroster-sandbox|node_modules)\//.test(p))).toEqual([]);
    expect(paths.filter((p) => /\.(ts|tsx|mts|cts)$/.test(p) && !/\.d\.(ts|mts|cts)$/.test(p))).toEqual([]);
    expect(paths.filter((p) => /\.(sqlite|db|key|env|log|tgz)$/.test(p))).toEqual([]);
  });

  it('points main, types, exports and bin at files it holds', () => {
    const manifest = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
    const paths = new Set(packedFiles.map((file) => file.path));
    const targets: string[] = [manifest.main, manifest.types, ...Object.values(manifest.bin as Record<string, string>)];
    const collect = (value: unknown): void => {
      if (typeof value === 'string') targets.push(value);
      else if (value && typeof value === 'object') Object.values(value).forEach(collect);
    };
    collect(manifest.exports);
    expect(targets.length).toBeGreaterThan(8);
    for (const target of targets) expect([target, paths.has(target.replace(/^\.\//, ''))]).toEqual([target, true]);
    expect(manifest.peerDependencies.express).toMatch(/\^4.*\^5/);
  });

  it('declares exactly the public API in dist/server/index.d.ts', () => {
    const names = readExportedNames(path.join(ROOT, 'dist/server/index.d.ts'));
    expect(names.values).toEqual([...EXPECTED_RUNTIME_EXPORTS].sort());
    expect(names.types).toEqual([...EXPECTED_TYPE_EXPORTS].sort());
  });

  it('ships declarations without type errors, for both entry points', () => {
    const entries = [path.join(ROOT, 'dist/server/index.d.ts'), path.join(ROOT, 'dist/esm/index.d.mts'), path.join(ROOT, 'dist/widget/oneroster-settings.d.ts')];
    expect(declarationErrors(entries, path.join(ROOT, 'dist'))).toEqual([]);
  });

  it('starts its CLI with a shebang, executable once installed', () => {
    const main = readFileSync(path.join(ROOT, 'dist/cli/main.js'), 'utf8');
    expect(main.startsWith('#!/usr/bin/env node\n')).toBe(true);
  });
});

interface HostCase {
  title: string;
  moduleSystem: 'commonjs' | 'module';
  express: 4 | 5;
  database: 'sqlite' | 'mariadb';
  typesEntry: RegExp;
}

const hostCases: HostCase[] = [
  { title: 'CommonJS host on Express 4 and SQLite', moduleSystem: 'commonjs', express: 4, database: 'sqlite', typesEntry: /dist\/server\/index\.d\.ts/ },
  {
    title: `ES module host on Express 5 and ${testDatabases().includes('mariadb') ? 'MariaDB' : 'SQLite'}`,
    moduleSystem: 'module',
    express: 5,
    database: testDatabases().includes('mariadb') ? 'mariadb' : 'sqlite',
    typesEntry: /dist\/esm\/index\.d\.mts/,
  },
];

describe.each(hostCases)('installed in a $title', ({ moduleSystem, express, database, typesEntry }) => {
  let appDir: string;
  let scratchDb: ScratchDatabase | undefined;
  let host: { child: ChildProcess; ready: ScratchHostReady; stderr: () => string };
  let base: string;

  beforeAll(async () => {
    appDir = path.join(workDir, `host-${moduleSystem}`);
    createScratchApp(appDir, tarball, { moduleSystem, express });
    const databaseUrl =
      database === 'mariadb' ? (scratchDb = await createScratchDatabase('mariadb')).url : `sqlite:${path.join(appDir, 'host.sqlite')}`;
    host = await startScratchHost(appDir, { DATABASE_URL: databaseUrl, ONEROSTER_ENCRYPTION_KEY: TEST_ENCRYPTION_KEY });
    base = `http://127.0.0.1:${host.ready.port}`;
  }, 60_000);

  afterAll(async () => {
    if (host) await stopScratchHost(host.child);
    await scratchDb?.drop();
  });

  it(`runs on Express ${express}, and the package uses the host's Express (a peer dependency)`, () => {
    expect(host.ready.hostExpress.split('.')[0]).toBe(String(express));
    expect(host.ready.packageExpress).toBe(host.ready.hostExpress);
  });

  it('migrated into its own table', async () => {
    const sequelize = scratchDb?.sequelize ?? new Sequelize({ dialect: 'sqlite', storage: path.join(appDir, 'host.sqlite'), logging: false });
    try {
      const tables = (await sequelize.getQueryInterface().showAllTables()).map((t) =>
        typeof t === 'string' ? t : (t as { tableName: string }).tableName,
      );
      expect(tables).toEqual(expect.arrayContaining(['oneroster_migrations', 'oneroster_buildings', 'oneroster_students', 'oneroster_staff']));
    } finally {
      if (!scratchDb) await sequelize.close();
    }
  });

  it('guards the mounted routes: 401 for nobody, 200 for a signed-in admin', async () => {
    const anonymous = await fetch(`${base}${MOUNT}/automation`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toEqual({ error: { code: 'unauthenticated', message: expect.any(String) } });

    const admin = await fetch(`${base}${MOUNT}/automation`, { headers: { 'x-user': 'admin' } });
    expect(admin.status).toBe(200);
    expect(await admin.json()).toHaveProperty('dailyTime');
  });

  it('answers 415 to a state-changing request that is not JSON, and 404 JSON for an unknown path', async () => {
    const form = await fetch(`${base}${MOUNT}/sync/buildings`, {
      method: 'POST',
      headers: { 'x-user': 'admin', 'content-type': 'application/x-www-form-urlencoded' },
      body: 'a=1',
    });
    expect(form.status).toBe(415);
    expect((await form.json()).error.code).toBe('unsupported_media_type');

    const unknown = await fetch(`${base}${MOUNT}/no-such-thing`, { headers: { 'x-user': 'admin' } });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).error.code).toBe('not_found');
  });

  it('serves the widget from the router, and the exports map lets the host serve it itself', async () => {
    // The installed copy: what the host's router must serve (the repository's may be rebuilt meanwhile).
    const built = readFileSync(host.ready.widgetPath);
    expect(built.length).toBeGreaterThan(10_000);
    expect(built.toString('utf8')).toContain('oneroster-settings');
    const fromRouter = await fetch(`${base}${MOUNT}/widget/oneroster-settings.js`);
    expect(fromRouter.status).toBe(200);
    expect(fromRouter.headers.get('content-type')).toMatch(/javascript/);
    expect(Buffer.from(await fromRouter.arrayBuffer()).equals(built)).toBe(true);

    expect(host.ready.widgetPath).toBe(path.join(appDir, 'node_modules', PACKAGE_NAME, 'dist/widget/oneroster-settings.js'));
    const fromHost = await fetch(`${base}/assets/oneroster-settings.js`);
    expect(fromHost.status).toBe(200);
    expect(Buffer.from(await fromHost.arrayBuffer()).equals(built)).toBe(true);
  });

  it("lets the host put rosterManagedGuard on its own routes (passes while OneRoster is off)", async () => {
    const res = await fetch(`${base}/buildings`, { method: 'POST' });
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({ created: true });
  });

  it('type-checks a TypeScript consumer against the installed declarations (node16 resolution)', () => {
    const tsc = path.join(ROOT, 'node_modules/typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--explainFiles'], { cwd: appDir, encoding: 'utf8' });
    const errors = result.stdout.split('\n').filter((line) => /error TS\d+/.test(line));
    expect(errors).toEqual([]);
    expect(result.status).toBe(0);
    // The exports map chose the declarations for this host's module system.
    expect(result.stdout).toMatch(new RegExp(`node_modules/@manage1to1/oneroster/${typesEntry.source}`));
  });

  it('runs the installed CLI: help (0), a usage error (2), migrate (0)', () => {
    const main = path.join(appDir, 'node_modules', PACKAGE_NAME, 'dist/cli/main.js');
    const cli = (args: string[], env: Record<string, string> = {}) =>
      spawnSync(process.execPath, [main, ...args], { cwd: appDir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '', ...env } });

    const help = cli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('Usage: oneroster <command>');

    const wrong = cli(['sync', 'everything']);
    expect(wrong.status).toBe(2);
    expect(wrong.stderr).toContain('Unknown sync "everything"');

    const migrate = cli(['migrate'], { DATABASE_URL: `sqlite:${path.join(appDir, 'cli.sqlite')}` });
    expect(migrate.stderr).toBe('');
    expect(migrate.status).toBe(0);
    expect(migrate.stdout).toMatch(/Migrations: \d+ applied, up to date\./);
  });
});
