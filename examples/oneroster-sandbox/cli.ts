/**
 * `npm run sandbox -- --port 4100 --schools 20 --students 20000 --seed 7 [--fault 429:count=3 ...]`
 * Starts a sandbox and prints its URLs, credentials and ready-to-paste curl commands.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { Sandbox, SandboxFault, SandboxOptions, classLinkRoot, parseFaultSpec, signOAuth1, startSandbox } from './index';

/** The numeric flags and the sandbox option each sets. */
const NUMBER_FLAGS = {
  port: 'port', seed: 'seed', schools: 'schools', students: 'students', staff: 'staff',
  guardians: 'guardians', 'max-page-size': 'maxPageSize', 'token-ttl': 'tokenTtlSeconds', 'oauth1-window': 'oauth1WindowSeconds',
} as const satisfies Record<string, keyof SandboxOptions>;

const USAGE = `Usage: npm run sandbox -- [--port 4100] [--seed 1] [--schools 5] [--students 200] [--staff N] [--guardians N]
       [--max-page-size 10000] [--token-ttl 3600] [--oauth1-window 300] [--base-date ISO] [--fault SPEC]...
Fault SPEC: kind[:key=value,...]  kinds: 429 500 502 503 rateLimit serverError slow hang truncatedBody
  missingEnvelope bareArray nextOnLastPage emptyFeed tokenExpiresMidPull revoked shiftingData wrongTotalCount
  keys: path count from to status retryAfter ms after delta keep      e.g. --fault 429:retryAfter=2,count=3`;

/** Parsed command line. */
interface CliArguments {
  options: SandboxOptions;
  faults: SandboxFault[];
}

/** Reads argv (without node and script). Throws a TypeError with a readable message on bad input. */
export function parseArguments(argv: string[]): CliArguments {
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      args: argv,
      strict: true,
      options: {
        ...Object.fromEntries(Object.keys(NUMBER_FLAGS).map((flag) => [flag, { type: 'string' as const }])),
        'base-date': { type: 'string' },
        fault: { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    // parseArgs words it "Unknown option '--x'" or "Option '--port <value>' argument missing".
    const { code, message } = error as { code?: string; message: string };
    const reason = code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION' ? `unknown option ${/'(-[^' ]*)/.exec(message)?.[1]}` : message;
    throw new TypeError(`${reason}\n${USAGE}`);
  }
  if (values.help) throw new TypeError(USAGE);
  const options: SandboxOptions = { port: 4100 };
  for (const [flag, option] of Object.entries(NUMBER_FLAGS)) {
    const value = values[flag];
    if (typeof value === 'string') options[option] = Number(value);
  }
  if (typeof values['base-date'] === 'string') options.baseDate = values['base-date'];
  const faults = ((values.fault as string[] | undefined) ?? []).map(parseFaultSpec);
  return { options, faults };
}

/** The text printed at start. */
export function describeSandbox(sandbox: Sandbox): string {
  const { oneroster11, oneroster12, oneroster11oauth2, infinitecampus, classlink } = sandbox.credentials;
  const counts = sandbox.district.counts();
  const signedUrl = `${oneroster11.baseUrl}/schools`;
  const oauth1 = signOAuth1(signedUrl, oneroster11.clientId, oneroster11.clientSecret, Math.floor(Date.now() / 1000), randomBytes(8).toString('hex'));
  const applications = `curl -s -H 'Authorization: Bearer ${classlink.apiKey}' '${classlink.proxyUrl}/applications'`;
  const tokenCurl = (c: { tokenUrl: string; clientId: string; clientSecret: string }): string =>
    `TOKEN=$(curl -s -u '${c.clientId}:${c.clientSecret}' -d grant_type=client_credentials '${c.tokenUrl}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`;
  const tenant = classlink.tenantId;
  return [
    `OneRoster sandbox listening on ${sandbox.url}`,
    `District: ${counts.people} people (${Object.entries(counts.byRole).map(([r, n]) => `${n} ${r}`).join(', ')}), ${counts.schools} schools, seed ${sandbox.options.seed}`,
    '',
    'OneRoster 1.1, OAuth 1.0a HMAC-SHA256',
    `  base URL       ${oneroster11.baseUrl}`,
    `  consumer key   ${oneroster11.clientId}`,
    `  secret         ${oneroster11.clientSecret}`,
    `  curl (signed now, valid ${sandbox.options.oauth1WindowSeconds}s):`,
    `  curl -s -H 'Authorization: ${oauth1}' '${signedUrl}'`,
    '',
    'OneRoster 1.2, OAuth 2.0 client credentials',
    `  base URL       ${oneroster12.baseUrl}`,
    `  token URL      ${oneroster12.tokenUrl}`,
    `  client id      ${oneroster12.clientId}`,
    `  client secret  ${oneroster12.clientSecret}`,
    `  ${tokenCurl(oneroster12)}`,
    `  curl -s -H "Authorization: Bearer $TOKEN" '${oneroster12.baseUrl}/schools'`,
    '',
    'OneRoster 1.1, OAuth 2.0 client credentials',
    `  base URL       ${oneroster11oauth2.baseUrl}`,
    `  token URL      ${oneroster11oauth2.tokenUrl}`,
    `  client id      ${oneroster11oauth2.clientId}`,
    `  client secret  ${oneroster11oauth2.clientSecret}`,
    '',
    'Infinite Campus (OAuth 2.0)',
    `  base URL 1.2   ${infinitecampus.baseUrl}`,
    `  base URL 1.1   ${infinitecampus.baseUrl11}`,
    `  token URL      ${infinitecampus.tokenUrl}`,
    `  client id      ${infinitecampus.clientId}`,
    `  client secret  ${infinitecampus.clientSecret}`,
    `  ${tokenCurl(infinitecampus)}`,
    `  curl -s -H "Authorization: Bearer $TOKEN" '${infinitecampus.baseUrl}/schools'`,
    '',
    'ClassLink proxy imitation',
    `  proxy URL      ${classlink.proxyUrl}`,
    `  vendor API key ${classlink.apiKey}`,
    `  tenants        ${tenant} (enabled), ${classlink.disabledTenantId} (disabled), ${classlink.otherTenantIds.join(', ')}`,
    `  ${applications}`,
    ...classLinkCurl(sandbox),
    '',
    sandbox.faults.list().length ? `Faults on: ${sandbox.faults.list().map((f) => JSON.stringify(f)).join(' ')}` : 'No faults on.',
    'Ctrl-C stops it.',
  ].join('\n');
}

/** The data curl of the first enabled tenant, with its bearer and verbatim application id. */
function classLinkCurl(sandbox: Sandbox): string[] {
  const tenant = sandbox.credentials.classlink.tenants.find((t) => t.enabled)!;
  return [`  curl -s -H 'Authorization: Bearer ${tenant.bearer}' '${classLinkRoot(sandbox.url, tenant.onerosterApplicationId)}/schools'`];
}

async function main(): Promise<void> {
  let parsed: CliArguments;
  try {
    parsed = parseArguments(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
  const sandbox = await startSandbox(parsed.options);
  for (const fault of parsed.faults) sandbox.faults.set(fault);
  process.stdout.write(`${describeSandbox(sandbox)}\n`);
  const stop = (): void => {
    sandbox.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`sandbox failed to start: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
