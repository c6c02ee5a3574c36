import { html, LitElement, nothing } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { ConfigView, ConsoleStatus, RunView } from '../server/domain/contract';
import { ApiClient } from './api-client';
import './automation-panel';
import { OneRosterConfirmDialog, type ConfirmOptions } from './confirm-dialog';
import { defineOnce } from './define';
import { formatDateTime } from './format';
import './history-panel';
import { describeError, isAccessError } from './messages';
import './provider-panel';
import { providerLabel } from './provider-panel';
import { settingsStyles } from './styles';
import './status-header';
import './sync-panel';
import './building-matching';
import './automation-status';

/** How often the status is read again while a sync runs, and while none does. */
const STATUS_POLL_ACTIVE_MS = 2000;
const STATUS_POLL_IDLE_MS = 30_000;

/** The events `<oneroster-settings>` sends to the host page (all bubble and are composed). */
export interface OneRosterSettingsEventMap {
  /** The configuration was saved. */
  'oneroster-config-saved': CustomEvent<ConfigView>;
  /** OneRoster was turned off. */
  'oneroster-config-disabled': CustomEvent<ConfigView>;
  /** A sync watched on this page ended. */
  'oneroster-sync-finished': CustomEvent<RunView>;
  /** What needs attention changed (a run started or ended, a plan is waiting): build a navigation badge from it. */
  'oneroster-status-changed': CustomEvent<ConsoleStatus>;
}

type TabId = 'oneroster' | 'automation' | 'status' | 'history';

const TABS: Array<{ id: TabId; label: string }> = [
  { id: 'oneroster', label: 'OneRoster' },
  { id: 'automation', label: 'Automation' },
  { id: 'status', label: 'Automation Status' },
  { id: 'history', label: 'History' },
];

/** The mount path the product documents, used when the page gives no `api-base`. */
const DEFAULT_API_BASE = '/settings/automation/oneroster';

/**
 * `<oneroster-settings api-base="/settings/automation/oneroster">`: the OneRoster admin settings
 * of Manage1to1 — provider, connection test, save, syncs with live progress, daily automation and
 * the run history. Self-contained; talks only to the router mounted at `api-base`.
 *
 * @attr api-base - where the OneRoster router is mounted. Defaults to `/settings/automation/oneroster`.
 * @attr csrf-token - the host's CSRF token, sent on every state-changing request (also the `csrfToken` property)
 * @attr csrf-header - the header the token travels in. Defaults to `X-CSRF-Token`.
 *
 * @event oneroster-config-saved - the configuration was saved; `detail` is the `ConfigView`
 * @event oneroster-config-disabled - OneRoster was turned off; `detail` is the `ConfigView`
 * @event oneroster-sync-finished - a sync watched on this page ended; `detail` is the `RunView`
 * @event oneroster-status-changed - what needs attention changed; `detail` is the `ConsoleStatus` (for a navigation badge)
 *
 * @csspart status-header - the status at the top: running sync, held plan, last run, stale warning
 * @csspart tabs - the tab list
 * @csspart tab - each tab; the selected one also has `tab-selected`
 * @csspart panel - each tab panel
 * @csspart section - the boxed sections inside panels
 * @csspart banner - the "OneRoster is the roster source" banner
 * @csspart button - every button; primary ones also have `button-primary`, destructive ones `button-danger`
 * @csspart progress - the live progress of a running sync
 * @csspart held-plan - the plan of a run held for approval
 * @csspart dialog - the confirmation dialog
 * @csspart error - the full-size error shown when the settings cannot be used
 *
 * @cssprop --oneroster-accent - accent colour of tabs, primary buttons, focus rings and the progress bar. Defaults to #1d4ed8.
 * @cssprop --oneroster-accent-contrast - text on the accent colour. Defaults to #ffffff.
 * @cssprop --oneroster-font - font family. Defaults to the system UI font.
 * @cssprop --oneroster-font-size - base font size. Defaults to 14px.
 * @cssprop --oneroster-radius - corner radius of fields, buttons and boxes. Defaults to 6px.
 * @cssprop --oneroster-text - text colour. Defaults to #1f2937.
 * @cssprop --oneroster-muted - secondary text colour. Defaults to #4b5563.
 * @cssprop --oneroster-border - border colour. Defaults to #d1d5db.
 * @cssprop --oneroster-surface - background of boxes and fields. Defaults to #ffffff.
 * @cssprop --oneroster-surface-alt - background of table heads and banners. Defaults to #f8fafc.
 * @cssprop --oneroster-danger - error colour. Defaults to #b42318.
 * @cssprop --oneroster-success - success colour. Defaults to #067647.
 * @cssprop --oneroster-spacing - space between sections. Defaults to 16px.
 * @cssprop --oneroster-max-width - widest the forms and the status grow (the History table uses the full width). Defaults to 960px.
 */
export class OneRosterSettings extends LitElement {
  static override styles = settingsStyles;

  /** Where the OneRoster router is mounted. */
  @property({ type: String, attribute: 'api-base' }) apiBase: string = DEFAULT_API_BASE;
  /** The host's CSRF token. */
  @property({ type: String, attribute: 'csrf-token' }) csrfToken: string | null = null;
  /** The header carrying the CSRF token. */
  @property({ type: String, attribute: 'csrf-header' }) csrfHeader: string = 'X-CSRF-Token';
  @state() private tab: TabId = 'oneroster';
  @state() private config: ConfigView | null = null;
  @state() private loadError: string = '';
  @state() private accessDenied: boolean = false;
  @state() private bannerError: string = '';
  @state() private disabling: boolean = false;
  @state() private openRunId: number | null = null;
  @state() private consoleStatus: ConsoleStatus | null = null;
  private readonly client: ApiClient;
  private statusTimer: ReturnType<typeof setTimeout> | null = null;

  constructor() {
    super();
    // A getter, not a snapshot: attribute changes after start-up apply to the next request.
    this.client = new ApiClient(() => ({
      apiBase: this.apiBase || DEFAULT_API_BASE,
      csrfToken: this.csrfToken,
      csrfHeader: this.csrfHeader || 'X-CSRF-Token',
    }));
  }

  override connectedCallback(): void {
    super.connectedCallback();
    if (!this.config) void this.loadConfig();
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    if (this.statusTimer) clearTimeout(this.statusTimer);
    this.statusTimer = null;
  }

  /** What needs attention now (the running sync, the plan waiting for approval, the last run, a stale daily sync), or null before it loaded. */
  status(): ConsoleStatus | null {
    return this.consoleStatus;
  }

  /** Takes a new status; tells the host page when what needs attention changed. */
  private setStatus(next: ConsoleStatus): void {
    const key = (s: ConsoleStatus | null) =>
      s ? JSON.stringify([s.activeRun?.id, s.activeRun?.status, s.heldRun?.id, s.lastRun?.id, s.lastRun?.status, s.dailyStale]) : '';
    const changed = key(next) !== key(this.consoleStatus);
    this.consoleStatus = next;
    if (changed) this.dispatchEvent(new CustomEvent('oneroster-status-changed', { detail: next, bubbles: true, composed: true }));
    this.scheduleStatus();
  }

  private scheduleStatus(): void {
    if (this.statusTimer) clearTimeout(this.statusTimer);
    if (!this.isConnected) return;
    const wait = this.consoleStatus?.activeRun ? STATUS_POLL_ACTIVE_MS : STATUS_POLL_IDLE_MS;
    this.statusTimer = setTimeout(() => void this.refreshStatus(), wait);
  }

  private async refreshStatus(): Promise<void> {
    try {
      this.setStatus(await this.client.getStatus());
    } catch {
      this.scheduleStatus(); // the shell reports access problems; try again later
    }
  }

  /** Loads (or reloads) the configuration; access problems replace the whole UI with the reason. */
  async loadConfig(): Promise<void> {
    this.loadError = '';
    try {
      this.config = await this.client.getConfig();
      this.accessDenied = false;
      this.setStatus(this.config);
    } catch (err) {
      this.accessDenied = isAccessError(err);
      if (this.accessDenied) this.config = null;
      this.loadError = describeError(err);
    }
  }

  private readonly confirm = (options: ConfirmOptions): Promise<boolean> => {
    const dialog = this.renderRoot.querySelector('oneroster-confirm-dialog');
    return dialog instanceof OneRosterConfirmDialog ? dialog.ask(options) : Promise.resolve(window.confirm(options.title));
  };

  private selectTab(tab: TabId, focus = false): void {
    this.tab = tab;
    if (focus) void this.updateComplete.then(() => this.renderRoot.querySelector<HTMLElement>(`#or-tab-${tab}`)?.focus());
  }

  private onTabKey(event: KeyboardEvent): void {
    const index = TABS.findIndex((t) => t.id === this.tab);
    const moves: Record<string, number> = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: TABS.length - 1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    const next = (moves[event.key]! + TABS.length) % TABS.length;
    this.selectTab(TABS[next]!.id, true);
  }

  private async turnOff(): Promise<void> {
    const go = await this.confirm({
      title: 'Turn off OneRoster?',
      body:
        'Daily syncs stop and buildings, students and staff can be managed by hand again (CSV import, adding and removing buildings). ' +
        'Everything already synced and the sync history are kept. You can turn OneRoster on again by saving the configuration.',
      confirmLabel: 'Turn off OneRoster',
      cancelLabel: 'Keep OneRoster on',
      danger: true,
    });
    if (!go) return;
    this.disabling = true;
    this.bannerError = '';
    try {
      this.config = await this.client.disable();
      this.dispatchEvent(new CustomEvent('oneroster-config-disabled', { detail: this.config, bubbles: true, composed: true }));
    } catch (err) {
      this.bannerError = describeError(err);
    } finally {
      this.disabling = false;
    }
    await this.updateComplete;
    this.renderRoot.querySelector<HTMLElement>('#or-banner')?.focus();
  }

  private onConfigSaved(event: CustomEvent<ConfigView>): void {
    this.config = event.detail;
  }

  private onSyncFinished(_event: CustomEvent<RunView>): void {
    // buildingsSynced and the last-sync times changed: refresh quietly, keeping the UI if it fails.
    this.client.getConfig().then(
      (view) => {
        this.config = view;
        this.setStatus(view);
      },
      () => undefined,
    );
  }

  private onOpenRun(event: CustomEvent<number>): void {
    this.openRunId = event.detail;
    this.selectTab('history');
  }

  override render() {
    if (!this.config) {
      if (this.loadError) {
        return html`<div class="state error" part="error">
          <div class="alert" role="alert">${this.loadError}</div>
          ${this.accessDenied && /session/i.test(this.loadError)
            ? nothing
            : html`<button type="button" class="button" part="button" @click=${() => this.loadConfig()}>Try again</button>`}
        </div>`;
      }
      return html`<div class="state" role="status">Loading OneRoster settings…</div>`;
    }
    return html`
      <oneroster-status-header .status=${this.consoleStatus} @oneroster-open-run=${this.onOpenRun}></oneroster-status-header>
      ${this.renderBanner()}
      <div class="tabs" role="tablist" aria-label="OneRoster settings" part="tabs" @keydown=${this.onTabKey}>
        ${TABS.map(
          (t) => html`<button type="button" role="tab" class="tab" id="or-tab-${t.id}" part="tab ${this.tab === t.id ? 'tab-selected' : ''}"
            aria-selected=${this.tab === t.id ? 'true' : 'false'} aria-controls="or-panel-${t.id}" tabindex=${this.tab === t.id ? 0 : -1}
            @click=${() => this.selectTab(t.id)}>${t.label}</button>`,
        )}
      </div>
      <!-- The sync comes before the provider form: a configured district comes here to sync, so progress and results belong at the top. -->
      <div role="tabpanel" id="or-panel-oneroster" aria-labelledby="or-tab-oneroster" part="panel" ?hidden=${this.tab !== 'oneroster'}>
        ${this.config.configured && !this.config.buildingsSynced
          ? html`<oneroster-building-matching .client=${this.client}></oneroster-building-matching>`
          : nothing}
        <oneroster-sync-panel .client=${this.client} .config=${this.config}
          @oneroster-sync-finished=${this.onSyncFinished} @oneroster-open-run=${this.onOpenRun}
          @oneroster-run-started=${() => this.refreshStatus()}></oneroster-sync-panel>
        <oneroster-provider-panel .client=${this.client} .config=${this.config} .confirm=${this.confirm}
          @oneroster-config-saved=${this.onConfigSaved}></oneroster-provider-panel>
      </div>
      <div role="tabpanel" id="or-panel-automation" aria-labelledby="or-tab-automation" part="panel" ?hidden=${this.tab !== 'automation'}>
        <oneroster-automation-panel .client=${this.client}></oneroster-automation-panel>
      </div>
      <div role="tabpanel" id="or-panel-status" aria-labelledby="or-tab-status" part="panel" ?hidden=${this.tab !== 'status'}>
        <oneroster-automation-status .client=${this.client} .active=${this.tab === 'status'} @oneroster-open-run=${this.onOpenRun}></oneroster-automation-status>
      </div>
      <div role="tabpanel" id="or-panel-history" aria-labelledby="or-tab-history" part="panel" ?hidden=${this.tab !== 'history'}>
        <oneroster-history-panel .client=${this.client} .confirm=${this.confirm} .active=${this.tab === 'history'} .openRunId=${this.openRunId}
          @oneroster-history-closed-run=${() => (this.openRunId = null)} @oneroster-sync-finished=${this.onSyncFinished}
          @oneroster-run-changed=${() => this.refreshStatus()}></oneroster-history-panel>
      </div>
      <oneroster-confirm-dialog></oneroster-confirm-dialog>
    `;
  }

  private renderBanner() {
    const config = this.config!;
    if (!config.enabled) {
      if (!config.configured) return nothing;
      return html`<div class="banner" part="banner" id="or-banner" tabindex="-1" role="status">
        <span>OneRoster is off: buildings, students and staff are managed by hand. Save the configuration to turn it on again.</span>
      </div>`;
    }
    return html`<div class="banner" part="banner" id="or-banner" tabindex="-1">
      <span><strong>OneRoster is the roster source${config.config ? html` (${providerLabel(config.config.provider)})` : nothing}.</strong>
        Manual CSV imports and adding or removing buildings are turned off.
        ${config.lastSuccessfulSyncAt ? html`Last successful sync ${formatDateTime(config.lastSuccessfulSyncAt)}.` : nothing}</span>
      <button type="button" class="button danger" part="button button-danger" ?disabled=${this.disabling || !!this.consoleStatus?.activeRun}
        aria-describedby=${this.consoleStatus?.activeRun ? 'or-turn-off-reason' : nothing} @click=${() => this.turnOff()}>
        ${this.disabling ? 'Turning off…' : 'Turn off OneRoster'}</button>
      ${this.consoleStatus?.activeRun ? html`<span id="or-turn-off-reason" class="hint" style="flex-basis:100%">A sync is running: OneRoster can be turned off once it has finished.</span>` : nothing}
      ${this.bannerError ? html`<div class="alert" role="alert" style="flex-basis:100%;margin:0">${this.bannerError}</div>` : nothing}
    </div>`;
  }
}

defineOnce('oneroster-settings', OneRosterSettings);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-settings': OneRosterSettings;
  }
  /** The element's events, typed for `addEventListener` on any element they bubble to. */
  interface GlobalEventHandlersEventMap extends OneRosterSettingsEventMap {}
}
