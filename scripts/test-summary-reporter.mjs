// Node test-runner reporter: prints one closing line "N passed, N failed, N skipped"
// and fails the run in CI when anything was skipped or left as todo.
export default async function* summary(source) {
  let passed = 0, failed = 0, skipped = 0, todo = 0;
  const skippedNames = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const d = event.data;
    // Count leaf tests only: suites report with details.type === 'suite'.
    if (d.details?.type === 'suite') continue;
    if (d.skip) { skipped++; skippedNames.push(`${d.name} (${d.file ?? ''}): ${d.skip === true ? 'skipped' : d.skip}`); }
    else if (d.todo) { todo++; skippedNames.push(`${d.name}: todo`); }
    else if (event.type === 'test:pass') passed++;
    else failed++;
  }
  if (skippedNames.length) yield `\nSkipped or todo:\n${skippedNames.map((n) => `  - ${n}`).join('\n')}\n`;
  yield `\n${passed} passed, ${failed} failed, ${skipped + todo} skipped\n`;
  // scripts/test.mjs adds up several runs (unit tests, then the real-VS-Code e2e) into one closing line.
  if (process.env.STRATEGY_LAB_SUMMARY_FILE) {
    const { appendFileSync } = await import('node:fs');
    appendFileSync(process.env.STRATEGY_LAB_SUMMARY_FILE, `${JSON.stringify({ passed, failed, skipped: skipped + todo })}\n`);
  }
  if (process.env.CI === 'true' && skipped + todo > 0) {
    yield 'CI does not allow skipped tests: every test must run here.\n';
    process.exitCode = 1;
  }
}
