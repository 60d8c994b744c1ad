#!/usr/bin/env node
// The `strategy-lab` command: the bundled CLI in dist/ (built by `npm run build`).
// `--version` is answered here, before the bundle is loaded: it is what scripts call to check the install, and it
// must cost no more than Node's own start.
const argv = process.argv.slice(2);
if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-v')) {
  process.stdout.write(`${require('../package.json').version}\n`);
  return;
}
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
const relaunch = join(__dirname, '..', 'dist', 'relaunch.js');
if (!existsSync(cli) || !existsSync(relaunch)) {
  process.stderr.write(`strategy-lab is not built yet: run \`npm run build\` in ${join(__dirname, '..')} first.\n`);
  process.exit(1);
}
// A run on a large data file re-runs itself once with transparent huge pages (core/cli/relaunch.ts); dist/relaunch.js
// loads no dependency, so deciding costs a stat of the data file.
require(relaunch).runRelaunchedIfLarge(argv, __filename, () => require(cli));
