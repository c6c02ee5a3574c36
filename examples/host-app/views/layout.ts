import type { Flash } from '../flash';
import type { HostUser } from '../users';
import { CSRF_FIELD } from '../csrf';
import { html, type SafeHtml } from './html';

/** What every signed-in page's frame needs. */
export interface PageFrame {
  /** Shown in the tab and as the heading. */
  title: string;
  /** Which nav entry is current. */
  section: 'home' | 'buildings' | 'students' | 'staff' | 'import' | 'settings';
  user: HostUser;
  csrfToken: string;
  flash?: Flash;
  /** Extra tags for the end of `<head>` (the settings page loads the widget). */
  head?: SafeHtml;
}

const NAV: ReadonlyArray<{ section: PageFrame['section']; href: string; label: string }> = [
  { section: 'buildings', href: '/buildings', label: 'Buildings' },
  { section: 'students', href: '/students', label: 'Students' },
  { section: 'staff', href: '/staff', label: 'Staff' },
  { section: 'import', href: '/import', label: 'CSV import' },
  { section: 'settings', href: '/settings', label: 'Settings' },
];

/** A signed-in page: top bar with the nav and the user, the heading, a flash message, the content. */
export function renderPage(frame: PageFrame, content: SafeHtml): string {
  const nav = NAV.map(
    (item) => html`<a href="${item.href}"${item.section === frame.section ? html` aria-current="page"` : ''}>${item.label}</a>`,
  );
  return renderDocument(
    frame.title,
    html`<header class="topbar">
  <a class="brand" href="/">Manage1to1 <span>example host</span></a>
  <nav aria-label="Main">${nav}</nav>
  <div class="who">
    <span>Signed in as <strong>${frame.user.name}</strong> (${frame.user.username})</span>
    <form method="post" action="/logout"><input type="hidden" name="${CSRF_FIELD}" value="${frame.csrfToken}"><button class="link" type="submit">Sign out</button></form>
  </div>
</header>
<main>
  <h1>${frame.title}</h1>
  ${frame.flash ? renderFlash(frame.flash) : ''}
  ${content}
</main>`,
    frame.head,
  );
}

/** The HTML document around any body (the login page uses it without the top bar). */
export function renderDocument(title: string, body: SafeHtml, head?: SafeHtml): string {
  return `<!doctype html>\n${html`<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title} · Manage1to1</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/assets/host.css">
<script src="/assets/host.js" defer></script>
${head ?? ''}
</head>
<body>
${body}
</body>
</html>`}\n`;
}

/** A message box: green for ok, red for errors; announced to screen readers. */
export function renderFlash(flash: Flash): SafeHtml {
  return html`<p class="flash flash-${flash.kind}" role="${flash.kind === 'error' ? 'alert' : 'status'}">${flash.text}</p>`;
}
