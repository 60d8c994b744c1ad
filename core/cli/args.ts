import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './io';

/** node:util parseArgs with errors turned into one actionable line. */
export function parseCli<T extends ParseArgsConfig['options']>(argv: string[], options: T, usage: string) {
  try {
    return parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\n${usage}`, 2);
  }
}

export function numberArg(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new CliError(`--${name} must be a number, got '${value}'.`, 2);
  return n;
}

/** `--timeout MS` of the model server (generate and the LLM judges): one request's whole reply, never retried on expiry. */
export function timeoutArg(value: string | undefined): number | undefined {
  const ms = numberArg('timeout', value);
  if (ms !== undefined && !(ms > 0)) throw new CliError('--timeout is in milliseconds and must be > 0.', 2);
  return ms;
}

/** `--param period=20 --param useStop=false` → { period: 20, useStop: false }. */
export function paramArgs(values: string[] | undefined): Record<string, number | boolean> | undefined {
  if (!values?.length) return undefined;
  const out: Record<string, number | boolean> = {};
  for (const v of values) {
    const m = /^([A-Za-z_$][\w$]*)=(.+)$/.exec(v);
    if (!m) throw new CliError(`--param expects name=value (e.g. --param period=20), got '${v}'.`, 2);
    const raw = m[2];
    if (raw === 'true' || raw === 'false') out[m[1]] = raw === 'true';
    else if (Number.isFinite(Number(raw))) out[m[1]] = Number(raw);
    else throw new CliError(`--param ${m[1]} must be a number or true/false, got '${raw}'.`, 2);
  }
  return out;
}
