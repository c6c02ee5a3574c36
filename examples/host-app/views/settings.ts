import { html, type SafeHtml } from './html';

/** One provider's sandbox credentials, ready to paste into the widget. */
export interface CredentialGroup {
  /** The provider choice in the widget. */
  title: string;
  /** Label and value pairs, in the order the widget asks for them. */
  fields: Array<[string, string]>;
}

/** What the Settings page shows. */
export interface SettingsView {
  /** Where the module's router is mounted. */
  apiBase: string;
  csrfToken: string;
  canManageSettings: boolean;
  /** The sandbox's credentials when it runs beside the app. */
  sandbox?: CredentialGroup[];
}

/** The Settings page: the module's web component inside the host's layout. */
export function renderSettings(view: SettingsView): SafeHtml {
  if (!view.canManageSettings) {
    return html`<section class="card"><h2>Automation › OneRoster</h2><p>You need the <strong>Manage Settings</strong> permission to configure OneRoster. Sign in as <code>admin</code> to try it.</p></section>`;
  }
  return html`${view.sandbox ? renderSandbox(view.sandbox) : ''}
<section class="card widget-host">
  <oneroster-settings api-base="${view.apiBase}" csrf-token="${view.csrfToken}">
    <p class="muted">Loading the OneRoster settings… If this stays, the widget has not been built: run <code>npm run build:widget</code>.</p>
  </oneroster-settings>
</section>`;
}

/** The `<script>` tag that loads the widget from the module's router. */
export function widgetScript(apiBase: string): SafeHtml {
  return html`<script type="module" src="${apiBase}/widget/oneroster-settings.js"></script>`;
}

function renderSandbox(groups: CredentialGroup[]): SafeHtml {
  return html`<details class="card sandbox" open>
  <summary>Sandbox provider credentials (for trying things out)</summary>
  <p class="muted">A synthetic district runs beside this app. Pick one of these providers below and paste its values.</p>
  <div class="credential-groups">
    ${groups.map(
      (group) => html`<div class="credentials">
      <h3>${group.title}</h3>
      <dl>${group.fields.map(([label, value]) => html`<dt>${label}</dt><dd><code>${value}</code></dd>`)}</dl>
    </div>`,
    )}
  </div>
</details>`;
}
