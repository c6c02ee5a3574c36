/**
 * Measures how many users per second one sandbox process serves at limit=1000.
 * `npx tsx examples/oneroster-sandbox/measure.ts [people=1000000] [concurrency=1,2,4]`
 * The sandbox runs in a child process so the client does not share its event loop.
 */
import { fork } from 'node:child_process';
import http from 'node:http';
import { startSandbox } from './index';

interface Ready {
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
}

async function serve(people: number): Promise<void> {
  const sandbox = await startSandbox({ students: Math.round(people * 0.9), staff: Math.round(people * 0.04), guardians: people - Math.round(people * 0.9) - Math.round(people * 0.04), schools: 300 });
  const { baseUrl, tokenUrl, clientId, clientSecret } = sandbox.credentials.oneroster12;
  process.send!({ baseUrl, tokenUrl, clientId, clientSecret } satisfies Ready);
  process.on('message', (message) => {
    if (message === 'cpu') {
      const { user, system } = process.cpuUsage();
      process.send!({ cpuSeconds: (user + system) / 1e6 });
      return;
    }
    if (message !== 'stop') return;
    console.log(`sandbox process peak RSS: ${Math.round(process.resourceUsage().maxRSS / 1024)} MB`);
    sandbox.close().then(() => process.exit(0));
  });
}

/** One page over a keep-alive agent; `parse` also runs JSON.parse like a real client would. */
function getPage(agent: http.Agent, url: string, token: string, parse: boolean): Promise<{ users: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent, headers: { authorization: `Bearer ${token}` } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        if (res.statusCode !== 200) return reject(new Error(`HTTP ${res.statusCode}`));
        // Without parsing, the caller counts min(limit, total - offset) rows per page.
        const users = parse ? (JSON.parse(body.toString('utf8')) as { users: unknown[] }).users.length : -1;
        resolve({ users, bytes: body.length });
      });
    }).on('error', reject);
  });
}

async function pull(ready: Ready, token: string, total: number, concurrency: number, parse: boolean): Promise<{ users: number; seconds: number; bytes: number }> {
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  let nextOffset = 0;
  let users = 0;
  let bytes = 0;
  const started = process.hrtime.bigint();
  const worker = async (): Promise<void> => {
    for (;;) {
      const offset = nextOffset;
      if (offset >= total) return;
      nextOffset += 1000;
      const page = await getPage(agent, `${ready.baseUrl}/users?limit=1000&offset=${offset}`, token, parse);
      bytes += page.bytes;
      users += parse ? page.users : Math.min(1000, total - offset);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  agent.destroy();
  return { users, bytes, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

async function measure(people: number, concurrencies: number[]): Promise<void> {
  const child = fork(__filename, ['--serve', String(people)], { execArgv: process.execArgv });
  const ready = await new Promise<Ready>((resolve) => child.once('message', (m) => resolve(m as Ready)));
  const form = `grant_type=client_credentials&client_id=${ready.clientId}&client_secret=${ready.clientSecret}`;
  const token = ((await (await fetch(ready.tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form })).json()) as { access_token: string }).access_token;
  const serverCpu = (): Promise<number> => new Promise((resolve) => {
    child.once('message', (m) => resolve((m as { cpuSeconds: number }).cpuSeconds));
    child.send('cpu');
  });
  for (const parse of [false, true]) {
    for (const concurrency of concurrencies) {
      const cpuBefore = await serverCpu();
      const result = await pull(ready, token, people, concurrency, parse);
      const cpu = (await serverCpu()) - cpuBefore;
      const client = parse ? 'client parses JSON' : 'client reads bytes only';
      console.log(
        `${people} users, limit=1000, ${concurrency} concurrent, ${client}: ${result.seconds.toFixed(2)} s = ` +
        `${Math.round(result.users / result.seconds)} users/s wall, ${(result.bytes / result.seconds / 1e6).toFixed(1)} MB/s; ` +
        `server CPU ${cpu.toFixed(1)} s = ${Math.round(result.users / cpu)} users per server CPU-second`,
      );
    }
  }
  child.send('stop');
}

if (process.argv[2] === '--serve') {
  void serve(Number(process.argv[3]));
} else {
  const people = Number(process.argv[2] ?? 1_000_000);
  const concurrencies = (process.argv[3] ?? '1,2,4').split(',').map(Number);
  void measure(people, concurrencies);
}
