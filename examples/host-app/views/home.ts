import { html, type SafeHtml } from './html';

/** What the home page shows. */
export interface HomeView {
  counts: { buildings: number; students: number; staff: number };
  oneRosterEnabled: boolean;
  canManageSettings: boolean;
  sandboxRunning: boolean;
}

/** The home page: roster counts, whether OneRoster is on, and the first steps. */
export function renderHome(view: HomeView): SafeHtml {
  const stat = (href: string, label: string, count: number) =>
    html`<a class="stat card" href="${href}"><span class="count">${count.toLocaleString('en-US')}</span><span>${label}</span></a>`;
  return html`<section class="stats">
  ${stat('/buildings', 'Buildings', view.counts.buildings)}
  ${stat('/students', 'Students', view.counts.students)}
  ${stat('/staff', 'Staff', view.counts.staff)}
</section>
<section class="card">
  <h2>Roster source</h2>
  ${
    view.oneRosterEnabled
      ? html`<p><span class="badge badge-on">OneRoster on</span> Buildings, students and staff come from OneRoster. Manual changes and CSV imports are locked.</p>`
      : html`<p><span class="badge">Manual</span> Buildings are added by hand and people come from CSV imports. Configure OneRoster in Settings to sync them instead.</p>`
  }
</section>
<section class="card">
  <h2>Try it</h2>
  <ol>
    <li>${view.canManageSettings ? html`Open <a href="/settings">Settings</a>` : 'Sign in as admin and open Settings'} and pick a provider.</li>
    <li>${view.sandboxRunning ? 'Paste the sandbox credentials shown there (also printed in the terminal), then' : 'Enter your provider\'s details, then'} <em>Test Configuration</em> and <em>Save</em>.</li>
    <li><em>Sync Buildings</em>, then <em>Sync Users</em>, and look at <a href="/buildings">Buildings</a>, <a href="/students">Students</a> and <a href="/staff">Staff</a>.</li>
  </ol>
</section>`;
}
