import { spawn } from 'node:child_process';
import path from 'node:path';
import { parseArguments } from '../../examples/oneroster-sandbox/cli';
import { request } from './helpers';

describe('the sandbox CLI', () => {
  it('parses flags and faults', () => {
    expect(parseArguments(['--port', '0', '--students', '20000', '--seed', '7', '--fault', '503:count=2', '--fault', 'emptyFeed'])).toEqual({
      options: { port: 0, students: 20000, seed: 7 },
      faults: [{ kind: 'serverError', status: 503, count: 2 }, { kind: 'emptyFeed' }],
    });
    expect(() => parseArguments(['--colour', 'red'])).toThrow(/unknown option/);
  });

  it('starts, prints working URLs and credentials, and stops on SIGTERM', async () => {
    const root = path.resolve(__dirname, '../..');
    const child = spawn(path.join(root, 'node_modules/.bin/tsx'), ['examples/oneroster-sandbox/cli.ts', '--port', '0', '--students', '50', '--fault', '429:count=1'], { cwd: root });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      for (let i = 0; i < 100 && !output.includes('Ctrl-C'); i++) await new Promise((resolve) => setTimeout(resolve, 100));
      expect(output).toMatch(/Faults on: .*rateLimit/);
      const applications = /curl -s -H 'Authorization: Bearer (\w+)' '(http[^']+\/applications)'/.exec(output)!;
      expect((await request(applications[2], { authorization: `Bearer ${applications[1]}` })).status).toBe(429);
      expect((await request(applications[2], { authorization: `Bearer ${applications[1]}` })).status).toBe(200);
      const signed = /curl -s -H 'Authorization: (OAuth [^']+)' '([^']+)'/.exec(output)!;
      expect((await request(signed[2], { authorization: signed[1] })).body.orgs.length).toBe(5);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
