#!/usr/bin/env node
/** The `oneroster` executable: wires the process to `runCli`. All logic lives in run-cli.ts. */
import { runCli } from './run-cli';

runCli(process.argv.slice(2), { env: process.env, stdout: process.stdout, stderr: process.stderr }).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`oneroster: ${String(err)}\n`);
    process.exitCode = 1;
  },
);
