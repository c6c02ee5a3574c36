import express from 'express';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Sequelize } from 'sequelize';
import request from 'supertest';
import { createOneRoster, type OneRoster } from '../../server';
import { createWidgetAssets } from '../../server/http/widget-assets';
import { createMemoryLogger, MOUNT, TEST_ENCRYPTION_KEY } from '../helpers/app';
import { ensureWidgetBuilt, WIDGET_SCRIPT } from './build-widget';

/** The router serves the built web component to anyone, with caching headers and 304s. */

const SCRIPT_PATH = `${MOUNT}/widget/oneroster-settings.js`;

let sequelize: Sequelize;
let oneroster: OneRoster;
let app: express.Express;

beforeAll(() => {
  ensureWidgetBuilt();
  // Serving the script touches no table, so an empty in-memory database is enough.
  sequelize = new Sequelize({ dialect: 'sqlite', storage: ':memory:', logging: false });
  oneroster = createOneRoster({ sequelize, encryptionKey: TEST_ENCRYPTION_KEY, logger: createMemoryLogger() });
  app = express();
  app.use(MOUNT, oneroster.router);
}, 120_000);

afterAll(async () => {
  await oneroster.close();
  await sequelize.close();
});

test('serves the built script without a signed-in user, with an ETag and a Cache-Control', async () => {
  const response = await request(app).get(SCRIPT_PATH).expect(200);
  expect(response.headers['content-type']).toMatch(/^application\/javascript/);
  expect(response.headers.etag).toMatch(/^"[A-Za-z0-9_-]{20,}"$/);
  expect(response.headers['cache-control']).toBe('public, max-age=300, must-revalidate');
  expect(Buffer.from(response.text)).toEqual(readFileSync(WIDGET_SCRIPT));
  // Every other route needs a signed-in admin.
  await request(app).get(`${MOUNT}/config`).expect(401);
});

test('the script is one self-contained ES module that registers its elements behind a guard', async () => {
  const { text } = await request(app).get(SCRIPT_PATH).expect(200);
  expect(text).not.toMatch(/^\s*import\s/m);
  expect(text).not.toMatch(/\bimport\s*\(/);
  expect(text).not.toMatch(/from\s*["'][^"']+["']/);
  expect(text).toMatch(/customElements\.get\(/);
  expect(text).toContain('oneroster-settings');
  expect(text).not.toContain('unsafeHTML');
});

test('answers 304 with no body to a matching If-None-Match, and 200 to a stale one', async () => {
  const first = await request(app).get(SCRIPT_PATH).expect(200);
  const etag = first.headers.etag as string;
  const notModified = await request(app).get(SCRIPT_PATH).set('If-None-Match', etag).expect(304);
  expect(notModified.text).toBe('');
  expect(notModified.headers.etag).toBe(etag);
  expect(notModified.headers['cache-control']).toBe('public, max-age=300, must-revalidate');
  await request(app).get(SCRIPT_PATH).set('If-None-Match', `"stale", W/${etag}`).expect(304);
  const changed = await request(app).get(SCRIPT_PATH).set('If-None-Match', '"something-else"').expect(200);
  expect(changed.text.length).toBeGreaterThan(1000);
});

describe('createWidgetAssets', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'oneroster-widget-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test('answers null while the script is not built, then serves it once it is', async () => {
    const file = path.join(dir, 'oneroster-settings.js');
    const assets = createWidgetAssets({ scriptPath: file });
    expect(await assets.script()).toBeNull();
    writeFileSync(file, 'export const built = 1;\n');
    const script = await assets.script();
    expect(script?.content.toString()).toBe('export const built = 1;\n');
  });

  test('keeps a strong ETag per content, and changes it when the file is rebuilt', async () => {
    const file = path.join(dir, 'oneroster-settings.js');
    writeFileSync(file, 'export const version = 1;\n');
    const assets = createWidgetAssets({ scriptPath: file });
    const first = await assets.script();
    expect(first?.etag).toMatch(/^"[^W]/);
    expect((await assets.script())?.etag).toBe(first?.etag);
    writeFileSync(file, 'export const version = 22;\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const second = await assets.script();
    expect(second?.content.toString()).toBe('export const version = 22;\n');
    expect(second?.etag).not.toBe(first?.etag);
  });

  test('finds dist/widget in the package root by default', async () => {
    const script = await createWidgetAssets().script();
    expect(script?.content).toEqual(readFileSync(WIDGET_SCRIPT));
  });
});
