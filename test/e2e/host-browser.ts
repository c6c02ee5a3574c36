import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';

/** Where the end-to-end screenshots go (git-ignored). */
export const E2E_ARTIFACTS = path.resolve(__dirname, '..', '..', 'test-artifacts', 'e2e');

/** Where the example host app mounts the module (as the monolith does). */
export const MOUNT = '/settings/automation/oneroster';

/** A roster name that would run script if any page or view put it into the DOM as markup. */
export const XSS_NAME = '<img src=x onerror="window.__xss=1">';

/** One event the widget sent to the host page, as the page recorded it. */
export interface RecordedEvent {
  type: string;
  detail: any;
  composed: boolean;
}

/**
 * A browser tab on the example host app, as a district admin or a teacher uses it: the real login
 * page, the host's navigation, and the widget's events recorded the way a host would listen.
 */
export class HostTab {
  /** Page errors and dialogs (an `alert(1)` from a roster name would land here). */
  readonly problems: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly baseUrl: string,
    private readonly label: string,
  ) {}

  /**
   * Opens a fresh tab (its own cookies). The content security policy is bypassed on purpose:
   * the host's CSP would block an injected inline handler anyway, and these tests must prove
   * the pages and the widget never create markup from roster data in the first place.
   */
  static async open(browser: Browser, baseUrl: string, label: string): Promise<HostTab> {
    const context = await browser.newContext({
      viewport: { width: 1200, height: 900 },
      locale: 'en-US',
      timezoneId: 'America/Chicago',
      bypassCSP: true,
    });
    await context.addInitScript(() => {
      const events: Array<{ type: string; detail: unknown; composed: boolean }> = [];
      (window as unknown as { __events: typeof events }).__events = events;
      for (const name of ['oneroster-config-saved', 'oneroster-sync-finished', 'oneroster-config-disabled', 'oneroster-status-changed']) {
        document.addEventListener(name, (event) =>
          events.push({ type: name, detail: JSON.parse(JSON.stringify((event as CustomEvent).detail ?? null)), composed: event.composed }),
        );
      }
    });
    const page = await context.newPage();
    const tab = new HostTab(context, page, baseUrl, label);
    page.on('pageerror', (error) => tab.problems.push(`page error: ${error.message}`));
    page.on('dialog', (dialog) => {
      tab.problems.push(`dialog: ${dialog.message()}`);
      void dialog.dismiss();
    });
    return tab;
  }

  /** Goes to a host path (e.g. `/students?q=x`). */
  async goto(pathname: string): Promise<void> {
    await this.page.goto(`${this.baseUrl}${pathname}`);
  }

  /**
   * Signs in through the login page: opening `target` first sends the visitor to the login page,
   * which brings them back to `target` afterwards.
   */
  async signIn(username: 'admin' | 'teacher', target = '/settings'): Promise<void> {
    await this.goto(target);
    await this.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await this.page.getByLabel('User name').fill(username);
    await this.page.getByLabel('Password').fill(username);
    await this.page.getByRole('button', { name: 'Sign in' }).click();
    await this.page.waitForURL((url) => url.pathname === target.split('?')[0]);
  }

  /** Clicks Sign out in the top bar and waits for the login page. */
  async signOut(): Promise<void> {
    await this.page.getByRole('button', { name: 'Sign out' }).click();
    await this.page.getByRole('heading', { name: 'Sign in' }).waitFor();
  }

  /** The widget events the page recorded so far. */
  async events(type?: string): Promise<RecordedEvent[]> {
    const all = (await this.page.evaluate(() => (window as unknown as { __events?: RecordedEvent[] }).__events ?? [])) as RecordedEvent[];
    return type ? all.filter((event) => event.type === type) : all;
  }

  /** Waits until the widget announced that run `id` ended, and returns that run. */
  async waitForRunFinished(id: number, timeoutMs = 45_000): Promise<any> {
    await this.page.waitForFunction(
      (runId) =>
        ((window as unknown as { __events?: RecordedEvent[] }).__events ?? []).some(
          (event) => event.type === 'oneroster-sync-finished' && event.detail?.id === runId,
        ),
      id,
      { timeout: timeoutMs, polling: 100 },
    );
    return (await this.events('oneroster-sync-finished')).find((event) => event.detail?.id === id)!.detail;
  }

  /** Whether roster markup ran: `window.__xss` set by an injected handler. */
  async xssMarker(): Promise<unknown> {
    return this.page.evaluate(() => (window as unknown as { __xss?: unknown }).__xss);
  }

  /** Saves a full-page screenshot as test-artifacts/e2e/<label>-<name>.png. */
  async screenshot(name: string): Promise<void> {
    mkdirSync(E2E_ARTIFACTS, { recursive: true });
    await this.page.screenshot({ path: path.join(E2E_ARTIFACTS, `${this.label}-${name}.png`), fullPage: true });
  }

  async close(): Promise<void> {
    await this.context.close();
  }
}
