import { html, nothing, type PropertyValues, type TemplateResult } from 'lit';
import { property, state } from 'lit/decorators.js';
import type { AuthMode, ConfigInput, ConfigView, OneRosterVersion, ProviderKind, TestResult } from '../server/domain/contract';
import { ApiError, type ApiClient } from './api-client';
import type { ConfirmFn } from './confirm-dialog';
import { defineOnce } from './define';
import { versionUrlMismatch } from './provider-hints';
import { formatDateTime, formatNumber } from './format';
import { describeCode, describeError, fieldErrors, STEP_LABELS } from './messages';
import { PanelElement } from './panel-element';

/** What the form holds; only the fields of the chosen provider are sent. */
interface Draft {
  provider: ProviderKind;
  tenantId: string;
  version: OneRosterVersion;
  auth: AuthMode;
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

/** The providers in the order the admin sees them. */
const PROVIDERS: Array<{ kind: ProviderKind; label: string }> = [
  { kind: 'classlink', label: 'ClassLink' },
  { kind: 'infinitecampus', label: 'Infinite Campus' },
  { kind: 'oneroster', label: 'Other OneRoster provider' },
];

/** The label of a provider kind. */
export function providerLabel(kind: ProviderKind | undefined): string {
  return PROVIDERS.find((p) => p.kind === kind)?.label ?? 'the previous provider';
}

/**
 * Provider choice, its fields, Test Configuration and Save. Save is enabled only once the values
 * in the form passed a test; editing any field afterwards disables it again.
 *
 * @event oneroster-config-saved - the configuration was saved; `detail` is the new `ConfigView`
 */
export class OneRosterProviderPanel extends PanelElement {
  /** The API client. */
  @property({ attribute: false }) client!: ApiClient;
  /** The current configuration. */
  @property({ attribute: false }) config!: ConfigView;
  /** Asks the admin to confirm. */
  @property({ attribute: false }) confirm!: ConfirmFn;
  @state() private draft: Draft = emptyDraft();
  @state() private testing: boolean = false;
  @state() private testResult: TestResult | null = null;
  @state() private testedKey: string | null = null;
  @state() private saving: boolean = false;
  @state() private errorText: string = '';
  @state() private errors: Record<string, string> = {};
  @state() private savedText: string = '';
  private dirty = false;

  protected override willUpdate(changed: PropertyValues<this>): void {
    // Fill the form from the saved configuration until the admin starts typing.
    if (changed.has('config') && this.config && !this.dirty) this.draft = draftFrom(this.config);
  }

  private get currentKey(): string {
    return JSON.stringify(toInput(this.draft));
  }

  private get canSave(): boolean {
    return !!this.testResult?.ok && this.testedKey === this.currentKey && !this.saving && !this.testing;
  }

  private setField<K extends keyof Draft>(key: K, value: Draft[K]): void {
    this.dirty = true;
    this.draft = { ...this.draft, [key]: value };
    this.savedText = '';
    if (this.errors[key]) {
      const { [key]: _removed, ...rest } = this.errors;
      this.errors = rest;
    }
  }

  private async runTest(): Promise<void> {
    this.testing = true;
    this.errorText = '';
    this.savedText = '';
    this.errors = {};
    const key = this.currentKey;
    try {
      const result = await this.client.testConfig(toInput(this.draft));
      this.testResult = result;
      this.testedKey = result.ok ? key : null;
    } catch (err) {
      this.testResult = null;
      this.testedKey = null;
      this.errors = fieldErrors(err);
      this.errorText = describeError(err);
    } finally {
      this.testing = false;
    }
    await this.updateComplete;
    this.focusFirst(['[aria-invalid="true"]', '#or-test-result', '#or-provider-error']);
  }

  private async save(confirmProviderSwitch = false): Promise<void> {
    this.saving = true;
    this.errorText = '';
    this.savedText = '';
    this.errors = {};
    const input: ConfigInput = { ...toInput(this.draft), ...(confirmProviderSwitch ? { confirmProviderSwitch: true } : {}) };
    try {
      const view = await this.client.saveConfig(input);
      this.dirty = false;
      this.config = view;
      this.testedKey = null;
      this.savedText = view.enabled
        ? 'Saved. OneRoster is now the roster source: run Sync Buildings, then Sync Users.'
        : 'Saved.';
      this.emit('oneroster-config-saved', view, true);
    } catch (err) {
      this.saving = false;
      if (err instanceof ApiError && err.code === 'provider_switch_requires_confirmation' && !confirmProviderSwitch) {
        const from = providerLabel(this.config?.config?.provider);
        const to = providerLabel(this.draft.provider);
        const go = await this.confirm({
          title: `Switch from ${from} to ${to}?`,
          body:
            `Buildings and people were already synced from ${from}. After the switch, syncs match records by the ` +
            `IDs ${to} sends, and people it does not send may be deactivated by the next full sync. The switch is recorded in the audit log.`,
          confirmLabel: `Switch to ${to}`,
          cancelLabel: 'Keep the current provider',
        });
        if (go) return await this.save(true);
        this.errorText = 'Nothing was saved: the provider was not switched.';
        return;
      }
      this.handleSaveError(err);
    } finally {
      this.saving = false;
    }
    await this.updateComplete;
    this.focusFirst(['[aria-invalid="true"]', '#or-saved', '#or-test-result', '#or-provider-error']);
  }

  private handleSaveError(err: unknown): void {
    if (err instanceof ApiError && err.code === 'connection_test_failed' && isTestResult(err.details)) {
      this.testResult = err.details;
      this.testedKey = null;
    }
    this.errors = fieldErrors(err);
    this.errorText = describeError(err);
  }

  private focusFirst(selectors: string[]): void {
    for (const selector of selectors) {
      const target = this.querySelector<HTMLElement>(selector);
      if (target) {
        target.focus();
        return;
      }
    }
  }

  override render() {
    const draft = this.draft;
    const saved = this.config?.config ?? null;
    return html`
      <section class="section" part="section" aria-labelledby="or-provider-heading">
        <div class="section-head">
          <h2 id="or-provider-heading">Provider</h2>
          ${saved
            ? html`<span class="hint">Saved ${formatDateTime(saved.updatedAt)}${saved.updatedBy ? html` by ${saved.updatedBy}` : nothing}</span>`
            : nothing}
        </div>
        <fieldset>
          <legend>Where does your roster come from?</legend>
          <div class="choices">
            ${PROVIDERS.map(
              (p) => html`<label class="choice">
                <input type="radio" name="or-provider" .value=${p.kind} .checked=${draft.provider === p.kind}
                  @change=${() => this.setField('provider', p.kind)} />${p.label}
              </label>`,
            )}
          </div>
        </fieldset>
        ${draft.provider === 'classlink' && this.config && !this.config.classlinkAvailable
          ? html`<p class="warning">${describeCode('missing_api_key')}</p>`
          : nothing}
        <div class="fields">${this.renderFields()}</div>
        <div class="actions">
          <button type="button" class="button" part="button" ?disabled=${this.testing || this.saving} aria-busy=${this.testing ? 'true' : 'false'}
            @click=${() => this.runTest()}>${this.testing ? 'Testing…' : 'Test Configuration'}</button>
          <button type="button" class="button primary" part="button button-primary" ?disabled=${!this.canSave}
            aria-describedby="or-save-hint" @click=${() => this.save()}>${this.saving ? 'Saving…' : 'Save'}</button>
          <span id="or-save-hint" class="hint">${this.saveHint()}</span>
        </div>
        ${this.errorText ? html`<div id="or-provider-error" class="alert" role="alert" tabindex="-1">${this.errorText}</div>` : nothing}
        <div role="status" aria-live="polite">
          ${this.savedText ? html`<p id="or-saved" class="success" tabindex="-1">${this.savedText}</p>` : nothing}
        </div>
        ${this.renderTestResult()}
      </section>
    `;
  }

  private saveHint(): string {
    if (this.saving) return 'Saving re-tests the connection first.';
    if (this.testing) return '';
    if (this.canSave) return 'The test passed: you can save these settings.';
    if (!this.dirty && this.config?.configured) return 'These are the saved settings. Change a field and test it to save new ones.';
    if (this.testResult?.ok) return 'You changed a field after the test: test again before saving.';
    return 'Test the configuration before saving.';
  }

  private renderFields(): TemplateResult {
    const d = this.draft;
    if (d.provider === 'classlink') {
      return this.textField('tenantId', 'Tenant ID', 'The number ClassLink shows for your district in its Roster Server.', 'text');
    }
    return html`
      <div class="field">
        <label for="or-version">OneRoster version</label>
        <select id="or-version" .value=${d.version} @change=${(e: Event) => this.setField('version', (e.target as HTMLSelectElement).value as OneRosterVersion)}>
          <option value="1.2" ?selected=${d.version === '1.2'}>1.2</option>
          <option value="1.1" ?selected=${d.version === '1.1'}>1.1</option>
        </select>
      </div>
      ${d.provider === 'oneroster'
        ? html`<fieldset class="field">
            <legend>Authentication</legend>
            <div class="choices">
              <label class="choice"><input type="radio" name="or-auth" .checked=${d.auth === 'oauth2'} @change=${() => this.setField('auth', 'oauth2')} />OAuth 2.0</label>
              <label class="choice"><input type="radio" name="or-auth" .checked=${d.auth === 'oauth1'} @change=${() => this.setField('auth', 'oauth1')} />OAuth 1.0a</label>
            </div>
          </fieldset>`
        : nothing}
      ${this.textField('baseUrl', 'OneRoster base URL', 'The address ending in /ims/oneroster/…, from your provider.', 'url', true)}
      ${versionUrlMismatch(d.version, d.baseUrl)
        ? html`<p class="warning" id="or-version-mismatch" role="status">${versionUrlMismatch(d.version, d.baseUrl)}</p>`
        : nothing}
      ${d.provider === 'infinitecampus' || d.auth === 'oauth2'
        ? this.textField('tokenUrl', 'Token URL', 'Where OAuth 2.0 tokens are requested.', 'url', true)
        : nothing}
      ${this.textField('clientId', 'Client ID', d.provider === 'oneroster' ? 'Also called the consumer key.' : '', 'text')}
      ${this.secretField()}
    `;
  }

  private textField(key: 'tenantId' | 'baseUrl' | 'tokenUrl' | 'clientId', label: string, hint: string, type: 'text' | 'url', wide = false) {
    const id = `or-${key}`;
    const error = this.errors[key];
    const describedBy = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
    return html`<div class="field ${wide ? 'wide' : ''}">
      <label for=${id}>${label}</label>
      <input id=${id} type=${type} autocomplete="off" spellcheck="false" .value=${this.draft[key]}
        aria-invalid=${error ? 'true' : 'false'} aria-describedby=${describedBy || nothing}
        @input=${(e: Event) => this.setField(key, (e.target as HTMLInputElement).value)} />
      ${hint ? html`<span id="${id}-hint" class="hint">${hint}</span>` : nothing}
      ${error ? html`<span id="${id}-error" class="field-error">${error}</span>` : nothing}
    </div>`;
  }

  private secretField() {
    const saved = this.config?.config;
    const isSet = !!saved && saved.provider === this.draft.provider && saved.clientSecret?.set;
    const error = this.errors.clientSecret;
    const hint = isSet ? 'Set — leave blank to keep the saved secret (kept only while the client ID and server addresses stay the same).' : 'Stored encrypted; never shown again.';
    return html`<div class="field">
      <label for="or-clientSecret">Client secret</label>
      <input id="or-clientSecret" type="password" autocomplete="new-password" .value=${this.draft.clientSecret}
        placeholder=${isSet ? '••••••••' : ''} aria-invalid=${error ? 'true' : 'false'}
        aria-describedby="or-clientSecret-hint${error ? ' or-clientSecret-error' : ''}"
        @input=${(e: Event) => this.setField('clientSecret', (e.target as HTMLInputElement).value)} />
      <span id="or-clientSecret-hint" class="hint">${hint}</span>
      ${error ? html`<span id="or-clientSecret-error" class="field-error">${error}</span>` : nothing}
    </div>`;
  }

  private renderTestResult() {
    const result = this.testResult ?? (this.dirty ? null : this.config?.lastTest ?? null);
    if (!result) return nothing;
    const at = 'at' in result ? (result as { at: string }).at : null;
    const stale = !this.testResult;
    return html`
      <div id="or-test-result" tabindex="-1" class=${result.ok ? 'success' : 'alert'} role=${result.ok ? 'status' : 'alert'}>
        <h3>${result.ok ? 'Connection works' : 'Connection test failed'}${stale && at ? html` <span class="hint">(last test, ${formatDateTime(at)})</span>` : nothing}</h3>
        ${result.error ? html`<p>${describeCode(result.error.code)}</p>` : nothing}
        <ul class="steps" aria-label="Test steps">
          ${result.steps.map(
            (step) => html`<li>
              <span class="mark ${step.ok ? 'ok' : 'fail'}" aria-hidden="true">${step.ok ? '✓' : '✗'}</span>
              <span><strong>${STEP_LABELS[step.name] ?? step.name}</strong>
                <span class="visually-hidden">${step.ok ? 'passed' : 'failed'}</span>
                <span class="ms">${formatNumber(Math.round(step.ms))} ms</span>
                ${step.message ? html` — ${step.message}` : nothing}</span>
            </li>`,
          )}
        </ul>
        ${result.error?.hints?.length
          ? html`<p class="label">What to check:</p><ul>${result.error.hints.map((hint) => html`<li>${hint}</li>`)}</ul>`
          : nothing}
        ${result.ok && result.schools
          ? html`<p><strong>${formatNumber(result.schools.count)}</strong> ${result.schools.count === 1 ? 'school' : 'schools'} found${result.schools.sample.length ? ', including:' : '.'}</p>
              <ul class="schools">
                ${result.schools.sample.map(
                  (school) => html`<li>${school.name}${school.identifier ? html` <span class="muted">(${school.identifier})</span>` : nothing}</li>`,
                )}
              </ul>`
          : nothing}
      </div>
    `;
  }
}

function emptyDraft(): Draft {
  return { provider: 'classlink', tenantId: '', version: '1.2', auth: 'oauth2', baseUrl: '', tokenUrl: '', clientId: '', clientSecret: '' };
}

/** The form's starting values from the saved configuration (secrets stay blank: they are write-only). */
function draftFrom(view: ConfigView): Draft {
  const saved = view.config;
  const draft = emptyDraft();
  if (!saved) {
    if (!view.classlinkAvailable) draft.provider = 'infinitecampus';
    return draft;
  }
  return {
    provider: saved.provider,
    tenantId: saved.tenantId ?? '',
    version: saved.version ?? (saved.provider === 'oneroster' ? '1.1' : '1.2'),
    auth: saved.auth ?? 'oauth2',
    baseUrl: saved.baseUrl ?? '',
    tokenUrl: saved.tokenUrl ?? '',
    clientId: saved.clientId ?? '',
    clientSecret: '',
  };
}

/** The request body for the chosen provider: only its own fields, trimmed; a blank secret is left out (keep). */
function toInput(draft: Draft): ConfigInput {
  const secret = draft.clientSecret ? { clientSecret: draft.clientSecret } : {};
  switch (draft.provider) {
    case 'classlink':
      return { provider: 'classlink', tenantId: draft.tenantId.trim() };
    case 'infinitecampus':
      return {
        provider: 'infinitecampus', version: draft.version, baseUrl: draft.baseUrl.trim(), tokenUrl: draft.tokenUrl.trim(),
        clientId: draft.clientId.trim(), ...secret,
      };
    case 'oneroster':
      return {
        provider: 'oneroster', version: draft.version, auth: draft.auth, baseUrl: draft.baseUrl.trim(),
        ...(draft.auth === 'oauth2' ? { tokenUrl: draft.tokenUrl.trim() } : {}),
        clientId: draft.clientId.trim(), ...secret,
      };
  }
}

function isTestResult(value: unknown): value is TestResult {
  return !!value && typeof value === 'object' && Array.isArray((value as TestResult).steps) && typeof (value as TestResult).ok === 'boolean';
}

defineOnce('oneroster-provider-panel', OneRosterProviderPanel);

declare global {
  interface HTMLElementTagNameMap {
    'oneroster-provider-panel': OneRosterProviderPanel;
  }
}
