/**
 * `npm start`: the example Manage1to1 host on an embedded SQLite file (or `DATABASE_URL`), with
 * the sandbox OneRoster provider beside it outside production. Prints where to go, who to sign in
 * as and what to paste into Settings; stops cleanly on Ctrl-C.
 */
import { loadHostConfig } from './config';
import { createConsoleLogger, createHostApp, type HostApp } from './create-host-app';
import { describeSandboxCredentials } from './sandbox-credentials';
import { demoLogins } from './users';

async function main(): Promise<void> {
  const config = loadHostConfig(process.env);
  for (const warning of config.warnings) console.warn(`warning: ${warning}`);

  let host: HostApp;
  try {
    host = await createHostApp({
      databaseUrl: config.databaseUrl,
      encryptionKey: config.encryptionKey,
      sessionSecret: config.sessionSecret,
      production: config.production,
      classlink: { apiKey: config.classlinkApiKey, proxyUrl: config.classlinkProxyUrl },
      sandbox: config.sandbox.enabled ? { port: config.sandbox.port, students: config.sandbox.students } : false,
      logger: createConsoleLogger(),
    });
  } catch (err) {
    const code = (err as { code?: string }).code;
    if (code === 'EADDRINUSE') {
      throw new Error(`port ${config.sandbox.port} is taken: set SANDBOX_PORT to a free port (or ONEROSTER_SANDBOX=false).`);
    }
    throw err;
  }

  let url: string;
  try {
    // Outside production only this machine may connect: the demo passwords are printed below.
    ({ url } = await host.start(config.port, process.env.HOST ?? (config.production ? undefined : '127.0.0.1')));
  } catch (err) {
    await host.close();
    if ((err as { code?: string }).code === 'EADDRINUSE') throw new Error(`port ${config.port} is taken: set PORT to a free port.`);
    throw err;
  }

  printBanner(host, url, config.databaseUrl);
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping (waiting for a running sync to finish its step)…`);
    host.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('could not stop cleanly:', err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

function printBanner(host: HostApp, url: string, databaseUrl: string): void {
  const lines = [
    '',
    `Manage1to1 example host: ${url}`,
    `Database: ${databaseUrl.replace(/\/\/([^:@/]+):[^@/]*@/, '//$1:***@')}`,
    '',
    'Sign in as:',
    ...demoLogins().map((login) => `  ${login.username} / ${login.password}${login.canManageSettings ? '   (Manage Settings: can configure OneRoster)' : '   (no Manage Settings)'}`),
  ];
  if (host.sandbox) {
    lines.push('', `Sandbox OneRoster provider: ${host.sandbox.url} (a synthetic district; these credentials are throwaway)`);
    lines.push(`Paste one of these into ${url}/settings:`);
    for (const group of describeSandboxCredentials(host.sandbox)) {
      lines.push(`  ${group.title}`);
      for (const [label, value] of group.fields) lines.push(`    ${label.padEnd(14)} ${value}`);
    }
  }
  lines.push('', 'Ctrl-C stops everything.', '');
  console.log(lines.join('\n'));
}

main().catch((err: unknown) => {
  console.error(`could not start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
