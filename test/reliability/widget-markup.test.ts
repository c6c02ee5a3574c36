import { createServer, type Server } from 'node:http';
import type { BrowserContext, Page } from 'playwright-core';
import { HTML_NAME, type Sandbox } from '../../examples/oneroster-sandbox';
import { MOUNT, type TestHost } from '../helpers/app';
import { describeEachDatabase } from '../helpers/databases';
import { assertRosterInvariants } from '../helpers/invariants';
import { useChromium } from '../widget/browser';
import { SettingsPage } from '../widget/page';
import { createReliabilityHost, providerInput, resetDatabase, saveConfig, startSmallDistrict, syncNow } from './kit';

/**
 * Roster data and provider text are markup here: in real Chromium, with the real module and the
 * sandbox, the widget must show every one of them as text and run none of them.
 */

jest.setTimeout(60_000);

/** Names a district's SIS could hold; each would set `window.__xss` (or open a dialog) if it ran. */
const MARKUP_NAMES = [
  '<img src=x onerror="window.__xss=\'img\'">',
  '<svg onload="window.__xss=\'svg\'"></svg>',
  '<script>window.__xss=\'script\'</script>',
  '"><img src=x onerror="window.__xss=\'attribute\'">',
  '<iframe srcdoc="<script>parent.__xss=\'iframe\'</script>"></iframe>',
  '${window.__xss=\'template\'}',
  '<a href="javascript:window.__xss=\'href\'">link</a>',
];
/** A school name that is markup: the connection test lists schools. */
const MARKUP_SCHOOL = '<img src=x onerror="window.__xss=\'school\'"> Academy';
/** What a hostile provider says when it refuses: the module quotes it in its error message. */
const MARKUP_PROVIDER_TEXT = '<img src=x onerror="window.__xss=\'provider\'">';

/** Attributes that run script, on any element in the page or any shadow root inside it. */
async function scriptableElements(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [];
    const visit = (root: Document | ShadowRoot) => {
      for (const el of Array.from(root.querySelectorAll('*'))) {
        const tag = el.tagName.toLowerCase();
        if (['img', 'iframe', 'svg', 'object', 'embed'].includes(tag) || (tag === 'script' && root !== document)) found.push(tag);
        for (const attr of Array.from(el.attributes)) if (/^on/i.test(attr.name) || /^\s*javascript:/i.test(attr.value)) found.push(`${tag}[${attr.name}]`);
        if (el.shadowRoot) visit(el.shadowRoot);
      }
    };
    visit(document);
    return found;
  });
}

/** The widget page a host serves: the module's script and the element, nothing else. */
function hostPage(): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Settings</title>
<script type="module" src="${MOUNT}/widget/oneroster-settings.js"></script></head>
<body><main><oneroster-settings api-base="${MOUNT}" csrf-token="t"></oneroster-settings></main></body></html>`;
}

const browser = useChromium();

describeEachDatabase('roster and provider markup never runs in the widget', (db) => {
  let sandbox: Sandbox;
  let host: TestHost;
  let hostile: Server;
  let hostileUrl: string;
  let server: Server;
  let baseUrl: string;
  let context: BrowserContext;
  let page: Page;
  const problems: string[] = [];
  let heldRunId: number;

  beforeAll(async () => {
    sandbox = await startSmallDistrict();
    host = await createReliabilityHost(db(), sandbox);
    await resetDatabase(db().sequelize);
    host.app.get('/', (_req, res) => void res.type('html').send(hostPage()));
    server = host.app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;

    // A provider that refuses everything and says so in markup.
    hostile = createServer((_req, res) => {
      res.writeHead(401, { 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'invalid_client', error_description: MARKUP_PROVIDER_TEXT }));
    });
    await new Promise<void>((resolve) => hostile.listen(0, '127.0.0.1', resolve));
    hostileUrl = `http://127.0.0.1:${(hostile.address() as { port: number }).port}`;

    // The names with the lowest sourcedIds become markup, so the held run's samples show them.
    const school = sandbox.district.schools().find((s) => s.status === 'active')!;
    sandbox.district.updateSchool(school.sourcedId, { name: MARKUP_SCHOOL });
    const schoolIds = new Set(sandbox.district.schools().filter((s) => s.status === 'active').map((s) => s.sourcedId));
    const students = [...sandbox.district.people()]
      .filter((p) => p.role === 'student' && p.status === 'active' && p.givenName?.trim() && p.familyName?.trim() && p.givenName !== HTML_NAME && schoolIds.has(p.orgs[0]!))
      .sort((a, b) => a.sourcedId.localeCompare(b.sourcedId));
    MARKUP_NAMES.forEach((name, i) => sandbox.district.updatePerson(students[i]!.sourcedId, { givenName: name, familyName: MARKUP_NAMES[(i + 1) % MARKUP_NAMES.length]! }));

    await saveConfig(host, providerInput(sandbox, 'oneroster12'));
    expect((await syncNow(host, 'buildings')).status).toBe('succeeded');
    expect((await syncNow(host, 'users')).status).toBe('succeeded');
    // A quarter of the students leave at once, the markup ones first: the safeguard holds the run.
    for (const person of students.slice(0, 30)) sandbox.district.removePerson(person.sourcedId);
    const held = await syncNow(host, 'users');
    expect(held.status).toBe('held');
    expect(held.plan?.samples.students?.map((s) => s.name).join(' ')).toContain(MARKUP_NAMES[0]);
    heldRunId = held.id;

    context = await browser().newContext({ extraHTTPHeaders: { 'x-test-user': 'admin' }, viewport: { width: 1100, height: 900 }, locale: 'en-US' });
    page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
  }, 120_000);

  afterAll(async () => {
    await context?.close();
    await new Promise((resolve) => server?.close(resolve));
    await new Promise((resolve) => hostile?.close(resolve));
    await host?.oneroster.close();
    await sandbox?.close();
  });

  afterEach(async () => {
    expect(problems).toEqual([]);
    expect(await page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss)).toBeUndefined();
    expect(await scriptableElements(page)).toEqual([]);
  });

  test('the connection test shows a markup school name as text', async () => {
    const settings = new SettingsPage(page);
    await settings.open(`${baseUrl}/`);
    await settings.tab('OneRoster').click();
    expect(await settings.runTest()).toBe(true);
    expect(await settings.testResult.textContent()).toContain(MARKUP_SCHOOL);
  });

  test('a provider refusing in markup is quoted as text', async () => {
    const settings = new SettingsPage(page);
    await settings.configureInfiniteCampus({ baseUrl: `${hostileUrl}/ims/oneroster/rostering/v1p2`, tokenUrl: `${hostileUrl}/token`, clientId: 'id', clientSecret: 'secret' });
    expect(await settings.runTest()).toBe(false);
    expect(await settings.testResult.textContent()).toContain(MARKUP_PROVIDER_TEXT);
  });

  test('a held run shows the markup names of the people it would deactivate as text', async () => {
    const settings = new SettingsPage(page);
    await settings.open(`${baseUrl}/`);
    await settings.openHistory();
    const detail = await settings.openRun(heldRunId);
    const text = (await detail.textContent()) ?? '';
    for (const name of MARKUP_NAMES) expect(text).toContain(name);
  });

  test('the history and a finished run with issues show as text', async () => {
    const settings = new SettingsPage(page);
    await settings.open(`${baseUrl}/`);
    await settings.openHistory();
    const detail = await settings.openRun(heldRunId - 1);
    expect(await detail.textContent()).toContain('Succeeded');
    await assertRosterInvariants(db().sequelize);
  });
});
