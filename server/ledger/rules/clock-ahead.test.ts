import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { latestEffectiveFrom, TEST_CLOCK_VARIABLE } from '../../testing/test-clock';

/**
 * The rule-dependent tests, run again with the application's clock one day past the latest
 * `effectiveFrom` in the rule catalogs: a test that passes today and would fail once a published version
 * takes over (transfer-fee v2 on 2027-01-01 did exactly that) fails here today. PostgreSQL keeps its own
 * clock; only the registry's injected clock moves.
 */

const ROOT = path.resolve(__dirname, '../../..');
const SELF = path.relative(ROOT, __filename);
/** What makes a test depend on the rules in force: it configures, suspends or judges by them, or reads their versions. */
const RULE_DEPENDENT = /ruleVersions|CONFIGURE_RULE|SUSPEND_RULE|runCompliance|versionInForce|runRulesPhase/;
/** Tests that judge against a catalog of their own, or no clock at all: the moved clock changes nothing for them. */
const CLOCK_FREE = new Set(['server/ledger/rules/built-in.test.ts', 'server/ledger/rules/published.test.ts', 'server/ledger/rules/rule-versions.test.ts']);

function testFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = path.join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'generated' ? [] : testFiles(relative);
    return entry.name.endsWith('.test.ts') ? [relative] : [];
  });
}

const ruleDependent = [...testFiles('server'), ...testFiles('scripts')]
  .filter((file) => file !== SELF && RULE_DEPENDENT.test(readFileSync(path.join(ROOT, file), 'utf8')))
  .sort();

describe('the rule-dependent tests with the clock past every published version', () => {
  it('finds the rule-dependent tests, and each takes its clock from the test clock or is known to need none', () => {
    expect(ruleDependent).toContain('scripts/bench/rules-phase.test.ts');
    expect(ruleDependent).toContain('server/ledger/rules/rules.test.ts');
    const unclocked = ruleDependent.filter((file) => !CLOCK_FREE.has(file) && !readFileSync(path.join(ROOT, file), 'utf8').includes('testClockStart('));
    expect(unclocked, 'these rule-dependent tests read a clock the moved clock cannot reach').toEqual([]);
  });

  it('pass one day after the latest effectiveFrom in the rule catalogs', { timeout: 600_000 }, () => {
    const ahead = new Date(Date.parse(latestEffectiveFrom()) + 24 * 3_600_000).toISOString();
    const files = ruleDependent.filter((file) => !CLOCK_FREE.has(file));
    const vitest = path.join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
    const run = spawnSync(process.execPath, [vitest, 'run', '--reporter=dot', ...files], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, [TEST_CLOCK_VARIABLE]: ahead }, maxBuffer: 64 * 1024 * 1024 });
    const output = `${run.stdout}\n${run.stderr}`;
    expect(run.status, `with ${TEST_CLOCK_VARIABLE}=${ahead}:\n${output.slice(-8000)}`).toBe(0);
    expect(output).toMatch(new RegExp(`Test Files\\s+.*${files.length} passed`));
  });
});
