/**
 * Evaluator settings: package.json, docs/evaluate.md and the code agree (keys, defaults, ranges), and raw
 * values (VS Code's `strategyLab.evaluate.*`, the CLI's `--set`) become settings or a clear error.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import {
  DEFAULT_EVALUATE_SETTINGS,
  EVALUATE_SETTING_KEYS,
  EVALUATE_SETTING_SPECS,
  EvaluateSettingsError,
  evaluateSettingsFromFlat,
  evaluateSettingsSchema,
  resolveEvaluateSettings,
  settingValue,
} from '../../core/evaluate/settings';
import { repoRoot } from '../helpers/paths';

const contributed = (JSON.parse(readFileSync(resolve(repoRoot, 'package.json'), 'utf8')) as { contributes: { configuration: { properties: Record<string, Record<string, unknown>> } } })
  .contributes.configuration.properties;
const PREFIX = 'strategyLab.evaluate.';

describe('evaluator settings: package.json, docs and code agree', () => {
  it('package.json contributes every evaluator setting, and nothing else under strategyLab.evaluate but afterBacktest', () => {
    const keys = Object.keys(contributed).filter((k) => k.startsWith(PREFIX) && k !== `${PREFIX}afterBacktest`);
    assert.deepEqual(keys, EVALUATE_SETTING_KEYS.map((k) => PREFIX + k));
  });

  it('package.json defaults equal the code defaults (DEFAULT_EVALUATE_SETTINGS)', () => {
    for (const key of EVALUATE_SETTING_KEYS) {
      const expected = settingValue(DEFAULT_EVALUATE_SETTINGS, key);
      assert.equal(typeof expected, 'number', key);
      assert.equal(contributed[PREFIX + key]?.default, expected, `${PREFIX}${key}: package.json default`);
    }
  });

  it('each package.json entry is the schema the code builds: type, range and description', () => {
    const schema = evaluateSettingsSchema();
    for (const key of EVALUATE_SETTING_KEYS) {
      assert.deepEqual(contributed[PREFIX + key], schema[PREFIX + key], key);
      assert.ok(String(contributed[PREFIX + key].description).length > 20, `${key} has a description`);
    }
  });

  it('docs/evaluate.md lists every setting with the code default', () => {
    const docs = readFileSync(resolve(repoRoot, 'docs', 'evaluate.md'), 'utf8');
    const table = docs.slice(docs.indexOf('## Settings (`strategyLab.evaluate.*`)'));
    const rows = new Map([...table.matchAll(/^\| `([\w.]+)` \| ([^|]+) \|/gm)].map((m) => [m[1], Number(m[2].trim())]));
    for (const key of EVALUATE_SETTING_KEYS) {
      assert.ok(rows.has(key), `docs/evaluate.md has a row for ${key}`);
      assert.equal(rows.get(key), settingValue(DEFAULT_EVALUATE_SETTINGS, key), `docs default of ${key}`);
    }
    assert.deepEqual([...rows.keys()].filter((k) => k !== 'afterBacktest'), [...EVALUATE_SETTING_KEYS], 'same settings, same order');
  });

  it('the defaults pass their own validation', () => {
    assert.deepEqual(evaluateSettingsFromFlat({}), DEFAULT_EVALUATE_SETTINGS);
    assert.deepEqual(resolveEvaluateSettings(DEFAULT_EVALUATE_SETTINGS), DEFAULT_EVALUATE_SETTINGS);
  });
});

describe('evaluateSettingsFromFlat (VS Code values, --set pairs)', () => {
  it('overlays the values given on the defaults, with or without the strategyLab.evaluate. prefix', () => {
    const s = evaluateSettingsFromFlat({ 'weights.risk': 3, 'strategyLab.evaluate.risk.maxDrawdownPct': 20, 'lookahead.cutPoints': 2, concurrency: 1, 'weights.quality': undefined, 'risk.minTrades': null });
    assert.equal(s.weights.risk, 3);
    assert.equal(s.risk.maxDrawdownPct, 20);
    assert.equal(s.lookahead.cutPoints, 2);
    assert.equal(s.concurrency, 1);
    assert.equal(s.weights.quality, DEFAULT_EVALUATE_SETTINGS.weights.quality, 'undefined is the default');
    assert.equal(s.risk.minTrades, DEFAULT_EVALUATE_SETTINGS.risk.minTrades, 'null is the default');
    assert.equal(s.risk.maxLeverage, DEFAULT_EVALUATE_SETTINGS.risk.maxLeverage, 'untouched fields keep their default');
    assert.equal(evaluateSettingsFromFlat({ afterBacktest: false }).weights.risk, 1, 'the on/off switch is not an evaluator setting');
  });

  it('rejects bad values with the setting name and what is allowed, every problem at once', () => {
    const err = (raw: Record<string, unknown>) => {
      try {
        evaluateSettingsFromFlat(raw);
      } catch (e) {
        assert.ok(e instanceof EvaluateSettingsError);
        return e;
      }
      assert.fail(`accepted ${JSON.stringify(raw)}`);
    };
    const e = err({ 'risk.maxDrawdownPct': -30, 'lookahead.cutPoints': 2.5, 'weights.risk': 'heavy' });
    assert.deepEqual(e.problems, [
      'risk.maxDrawdownPct must be a number > 0 and ≤ 100, got -30',
      'lookahead.cutPoints must be a whole number ≥ 1 and ≤ 50, got 2.5',
      'weights.risk must be a number ≥ 0, got "heavy"',
    ]);
    assert.match(e.message, /^Invalid strategyLab\.evaluate settings: .*Fix them in your settings \(strategyLab\.evaluate\.\*, see docs\/evaluate\.md\)\.$/);
    assert.match(err({ 'robustness.outOfSampleFraction': 1 }).problems[0], /robustness\.outOfSampleFraction must be a number > 0 and < 1, got 1/);
    assert.match(err({ llmPassScore: Number.NaN }).problems[0], /llmPassScore must be a number ≥ 0 and ≤ 1, got NaN/);
    assert.match(err({ 'risk.maxDrawdown': 30 }).problems[0], /unknown setting 'risk\.maxDrawdown' \(known: weights\.validation, .*risk\.maxDrawdownPct/);
  });

  it('every bound in the schema is enforced: the bound itself (or just inside) passes, just outside fails', () => {
    for (const spec of EVALUATE_SETTING_SPECS) {
      const step = spec.type === 'integer' ? 1 : 1e-3;
      const check = (value: number, ok: boolean) => {
        const run = () => evaluateSettingsFromFlat({ [spec.key]: value });
        if (ok) assert.equal(settingValue(run(), spec.key), value, `${spec.key}=${value} is allowed`);
        else assert.throws(run, (e: unknown) => e instanceof EvaluateSettingsError && e.problems[0].startsWith(`${spec.key} must be`), `${spec.key}=${value} is refused`);
      };
      if (spec.minimum !== undefined) { check(spec.minimum, true); check(spec.minimum - step, false); }
      if (spec.exclusiveMinimum !== undefined) { check(spec.exclusiveMinimum + step, true); check(spec.exclusiveMinimum, false); }
      if (spec.maximum !== undefined) { check(spec.maximum, true); check(spec.maximum + step, false); }
      if (spec.exclusiveMaximum !== undefined) { check(spec.exclusiveMaximum - step, true); check(spec.exclusiveMaximum, false); }
      if (spec.type === 'integer') check(settingValue(DEFAULT_EVALUATE_SETTINGS, spec.key) as number + 0.5, false);
    }
  });
});
