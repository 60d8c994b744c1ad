import { readFile } from 'node:fs/promises';
import { parseCli } from '../args';
import { CliError, type CliIo } from '../io';
import { RULES, validateStrategySource, type RuleCode, type StrategyDiagnostic, type ValidationResult } from '../../validate/index';

const USAGE = 'usage: strategy-lab validate <file.strategy.ts> [--json]';

/**
 * `strategy-lab validate <file> [--json]`: prints every diagnostic (or a JSON
 * report) and returns 1 when there is at least one error, 0 otherwise, 2 on
 * bad usage or an unreadable file.
 */
export async function runValidateCommand(argv: string[], io: Pick<CliIo, 'stdout' | 'stderr'>): Promise<number> {
  let file: string;
  let json: boolean;
  try {
    const { values, positionals } = parseCli(argv, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, USAGE);
    if (values.help) {
      io.stdout(`${USAGE}\n`);
      return 0;
    }
    if (positionals.length !== 1) throw new CliError(`Expected exactly one strategy file.\n${USAGE}`, 2);
    file = positionals[0];
    json = !!values.json;
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`${err.message}\n`);
      return err.code;
    }
    throw err;
  }
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (err) {
    io.stderr(`Cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}. Check the path.\n`);
    return 2;
  }
  const result = validateStrategySource(source, file);
  io.stdout(json ? `${JSON.stringify(toJson(result), null, 2)}\n` : formatText(result));
  return result.errorCount > 0 ? 1 : 0;
}

/** The `--json` report: stable field names, 1-based lines and columns for humans and tools alike. */
export function toJson(result: ValidationResult) {
  return {
    file: result.fileName,
    ok: result.errorCount === 0,
    errors: result.errorCount,
    warnings: result.warningCount,
    diagnostics: result.diagnostics.map((d) => ({
      code: d.code,
      severity: d.severity,
      title: RULES[d.code as RuleCode]?.title,
      message: d.message,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      endLine: d.range.end.line + 1,
      endColumn: d.range.end.character + 1,
      fixes: d.fixes.map((f) => f.title),
    })),
  };
}

function formatText(result: ValidationResult): string {
  const lines = result.diagnostics.map((d: StrategyDiagnostic) => `${result.fileName}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code} ${d.message}`);
  const hints = result.diagnostics.length - result.errorCount - result.warningCount;
  lines.push(
    result.errorCount === 0 && result.warningCount === 0
      ? `${result.fileName}: no problems${hints ? ` (${hints} hint${hints === 1 ? '' : 's'})` : ''}.`
      : `${result.fileName}: ${result.errorCount} error${result.errorCount === 1 ? '' : 's'}, ${result.warningCount} warning${result.warningCount === 1 ? '' : 's'}.`,
  );
  return `${lines.join('\n')}\n`;
}
