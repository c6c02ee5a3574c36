import { CSRF_FIELD } from '../csrf';
import { html } from './html';
import { renderDocument } from './layout';

/** What the sign-in page shows. */
export interface LoginView {
  csrfToken: string;
  /** Why the last attempt failed, if it did. */
  error?: string;
  /** Where to go after signing in (a local path). */
  next?: string;
  /** The demo sign-ins to show (outside production). */
  demoLogins: Array<{ username: string; password: string; canManageSettings: boolean }>;
}

/** The sign-in page. */
export function renderLogin(view: LoginView): string {
  return renderDocument(
    'Sign in',
    html`<main class="login">
  <h1>Manage1to1 <span>example host</span></h1>
  <form method="post" action="/login" class="card">
    <h2>Sign in</h2>
    ${view.error ? html`<p class="flash flash-error" role="alert">${view.error}</p>` : ''}
    <input type="hidden" name="${CSRF_FIELD}" value="${view.csrfToken}">
    ${view.next ? html`<input type="hidden" name="next" value="${view.next}">` : ''}
    <label>User name <input name="username" autocomplete="username" required autofocus></label>
    <label>Password <input name="password" type="password" autocomplete="current-password" required></label>
    <button type="submit" class="primary">Sign in</button>
  </form>
  ${
    view.demoLogins.length > 0
      ? html`<aside class="card hint">
    <h2>Demo users</h2>
    <ul>${view.demoLogins.map(
      (login) =>
        html`<li><code>${login.username}</code> / <code>${login.password}</code> — ${
          login.canManageSettings ? 'has Manage Settings (can configure OneRoster)' : 'no Manage Settings'
        }</li>`,
    )}</ul>
  </aside>`
      : ''
  }
</main>`,
  );
}
