import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

/** The repository root. */
export const ROOT = path.resolve(__dirname, '../..');
/** The package name hosts install. */
export const PACKAGE_NAME = '@manage1to1/oneroster';
/** Where hosts mount the router. */
export const MOUNT = '/settings/automation/oneroster';

/** Which flavour of host a scratch app imitates. */
export interface ScratchAppKind {
  /** `require` (no "type") or `import` ("type": "module"). */
  moduleSystem: 'commonjs' | 'module';
  /** Express major version the host runs. */
  express: 4 | 5;
}

/**
 * Makes a host app folder with the packed tarball extracted as node_modules/@manage1to1/oneroster
 * and every other dependency linked from the repository's node_modules: an offline stand-in for
 * `npm install <tarball>` (Express 5 is linked from the `express5` alias as `express`).
 */
export function createScratchApp(dir: string, tarball: string, kind: ScratchAppKind): void {
  const modules = path.join(dir, 'node_modules');
  const packageDir = path.join(modules, ...PACKAGE_NAME.split('/'));
  mkdirSync(packageDir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', packageDir, '--strip-components=1']);

  const repoModules = path.join(ROOT, 'node_modules');
  for (const entry of readdirSync(repoModules)) {
    if (entry.startsWith('.') || entry === 'express' || entry === 'express5' || entry === '@manage1to1') continue;
    symlinkSync(path.join(repoModules, entry), path.join(modules, entry), 'dir');
  }
  symlinkSync(path.join(repoModules, kind.express === 5 ? 'express5' : 'express'), path.join(modules, 'express'), 'dir');

  const manifest: Record<string, unknown> = { name: `scratch-host-${kind.moduleSystem}`, private: true, version: '1.0.0' };
  if (kind.moduleSystem === 'module') manifest.type = 'module';
  writeFileSync(path.join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(path.join(dir, 'server.js'), kind.moduleSystem === 'module' ? ESM_SERVER : COMMONJS_SERVER);
  writeFileSync(path.join(dir, 'consumer.ts'), TYPESCRIPT_CONSUMER);
  writeFileSync(
    path.join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        module: 'node16',
        moduleResolution: 'node16',
        target: 'ES2022',
        strict: true,
        esModuleInterop: true,
        noEmit: true,
        skipLibCheck: true,
        types: ['node'],
      },
      files: ['consumer.ts'],
    }),
  );
}

/** What the running scratch host says when it is ready. */
export interface ScratchHostReady {
  /** Its port on 127.0.0.1. */
  port: number;
  /** The Express version the host app loaded. */
  hostExpress: string;
  /** The Express version the installed package resolves (must be the host's: a peer dependency). */
  packageExpress: string;
  /** The widget file path the exports map gives for `@manage1to1/oneroster/widget`. */
  widgetPath: string;
}

/** Starts `node server.js` in the scratch app and waits for its ready line. */
export function startScratchHost(dir: string, env: Record<string, string>): Promise<{ child: ChildProcess; ready: ScratchHostReady; stderr: () => string }> {
  const child = spawn(process.execPath, ['server.js'], { cwd: dir, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scratch host did not start: ${err}`)), 30_000);
    child.stdout!.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      const line = out.split('\n').find((l) => l.startsWith('READY '));
      if (line) {
        clearTimeout(timer);
        resolve({ child, ready: JSON.parse(line.slice('READY '.length)) as ScratchHostReady, stderr: () => err });
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`scratch host exited with ${code}: ${err}`));
    });
  });
}

/** Stops a scratch host it started and waits for it to exit. */
export function stopScratchHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

// The two host apps below are what a monolith engineer writes: create, migrate, mount, guard.
// A header stands in for the host's session so the test can be "signed in" or not.

const COMMONJS_SERVER = `'use strict';
const path = require('node:path');
const { createRequire } = require('node:module');
const express = require('express');
const { Sequelize } = require('sequelize');
const { createOneRoster, MIGRATION_TABLE } = require('@manage1to1/oneroster');

async function main() {
  const sequelize = openDatabase(process.env.DATABASE_URL);
  const oneroster = createOneRoster({ sequelize, encryptionKey: process.env.ONEROSTER_ENCRYPTION_KEY });
  await oneroster.migrate();

  const app = express();
  app.use(signedInByHeader);
  app.use('/settings/automation/oneroster', oneroster.router);
  app.post('/buildings', oneroster.rosterManagedGuard, (_req, res) => res.status(201).json({ created: true }));
  const widgetPath = require.resolve('@manage1to1/oneroster/widget');
  app.get('/assets/oneroster-settings.js', (_req, res) => res.type('text/javascript').sendFile(widgetPath));

  const server = app.listen(0, '127.0.0.1', () => {
    const packageRequire = createRequire(require.resolve('@manage1to1/oneroster'));
    const ready = {
      port: server.address().port,
      hostExpress: require('express/package.json').version,
      packageExpress: packageRequire('express/package.json').version,
      widgetPath,
      migrationTable: MIGRATION_TABLE,
    };
    process.stdout.write('READY ' + JSON.stringify(ready) + '\\n');
  });
  process.on('SIGTERM', () => {
    server.close();
    oneroster.close().then(() => sequelize.close()).then(() => process.exit(0));
  });
}

function signedInByHeader(req, _res, next) {
  if (req.get('x-user') === 'admin') req.user = { id: 1, name: 'Ada Admin', permissions: ['manage_settings'] };
  next();
}

function openDatabase(url) {
  if (url.startsWith('sqlite:')) return new Sequelize({ dialect: 'sqlite', storage: url.slice(7), logging: false });
  return new Sequelize(url, { logging: false });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
`;

const ESM_SERVER = `import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import express from 'express';
import { Sequelize } from 'sequelize';
import { createOneRoster, MIGRATION_TABLE } from '@manage1to1/oneroster';

const require = createRequire(import.meta.url);
const url = process.env.DATABASE_URL;
const sequelize = url.startsWith('sqlite:')
  ? new Sequelize({ dialect: 'sqlite', storage: url.slice(7), logging: false })
  : new Sequelize(url, { logging: false });
const oneroster = createOneRoster({ sequelize, encryptionKey: process.env.ONEROSTER_ENCRYPTION_KEY });
await oneroster.migrate();

const app = express();
app.use((req, _res, next) => {
  if (req.get('x-user') === 'admin') req.user = { id: 1, name: 'Ada Admin', permissions: ['manage_settings'] };
  next();
});
app.use('/settings/automation/oneroster', oneroster.router);
app.post('/buildings', oneroster.rosterManagedGuard, (_req, res) => res.status(201).json({ created: true }));
const widgetPath = fileURLToPath(import.meta.resolve('@manage1to1/oneroster/widget'));
app.get('/assets/oneroster-settings.js', (_req, res) => res.type('text/javascript').sendFile(widgetPath));

const server = app.listen(0, '127.0.0.1', () => {
  const packageRequire = createRequire(require.resolve('@manage1to1/oneroster'));
  const ready = {
    port: server.address().port,
    hostExpress: require('express/package.json').version,
    packageExpress: packageRequire('express/package.json').version,
    widgetPath,
    migrationTable: MIGRATION_TABLE,
  };
  process.stdout.write('READY ' + JSON.stringify(ready) + '\\n');
});
process.on('SIGTERM', async () => {
  server.close();
  await oneroster.close();
  await sequelize.close();
  process.exit(0);
});
`;

/** Compiled with the package's own declarations: wrong types must be errors, not silently any. */
const TYPESCRIPT_CONSUMER = `import express from 'express';
import { Sequelize } from 'sequelize';
import {
  createOneRoster,
  OneRosterError,
  MIGRATION_TABLE,
  type OneRoster,
  type OneRosterOptions,
  type OneRosterUser,
  type RunView,
  type ConfigView,
  type AutomationView,
} from '@manage1to1/oneroster';

const sequelize = new Sequelize('sqlite::memory:');
const options: OneRosterOptions = {
  sequelize,
  encryptionKey: '6f6e65726f737465722d747970652d636865636b2d6f6e6c792d6b65792d3031',
  currentUser: (req) => (req.header('x-user') ? { id: 7, name: 'Ada' } : null),
  canManageSettings: (user: OneRosterUser) => user.id === 7,
  network: { allowHttp: 'never' },
};
const oneroster: OneRoster = createOneRoster(options);
const app = express();
app.use('/settings/automation/oneroster', oneroster.router);
app.post('/buildings', oneroster.rosterManagedGuard, (_req, res) => {
  res.sendStatus(201);
});

export async function exercise(): Promise<string[]> {
  await oneroster.migrate();
  const run: RunView = await oneroster.sync.startBuildingSync({ trigger: 'manual', user: null });
  const view: ConfigView = await oneroster.status();
  const enabled: boolean = await oneroster.isEnabled();
  const error = new OneRosterError(409, 'sync_in_progress', 'busy');
  const automation: AutomationView | null = null;
  return [run.status, String(view.configured), String(enabled), error.code, MIGRATION_TABLE, String(automation)];
}

// @ts-expect-error the handle's sync is a facade: the service's internals (leases, recovery) stay inside
void oneroster.sync.whileNoSyncRuns;
// @ts-expect-error the scheduler's test hooks are internal
void oneroster.scheduler.runSlot;
// @ts-expect-error the route table is internal: not part of the package's surface
export { routeTable } from '@manage1to1/oneroster';

// @ts-expect-error encryptionKey is a string
createOneRoster({ sequelize, encryptionKey: 42 });
// @ts-expect-error a misspelt option is a type error, as it is a TypeError at runtime
createOneRoster({ sequelize, encryptionKey: 'k', timeZone: 'UTC' });
// @ts-expect-error allowHttp takes never, loopback or always
createOneRoster({ sequelize, encryptionKey: 'k', network: { allowHttp: 'yes' } });
`;
