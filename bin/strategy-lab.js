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
const launch = join(__dirname, '..', 'dist', 'launch.js');
if (!existsSync(cli) || !existsSync(launch)) {
  process.stderr.write(`strategy-lab is not built yet: run \`npm run build\` in ${join(__dirname, '..')} first.\n`);
  process.exit(1);
}
// A run on a large data file re-runs itself once with transparent huge pages (core/cli/relaunch.ts), and the bundle
// is compiled with V8's code cache of an earlier run (core/cli/codeCache.ts); dist/launch.js loads no dependency,
// so deciding costs a stat of the data file.
const { runRelaunchedIfLarge, loadBundle } = require(launch);
runRelaunchedIfLarge(argv, __filename, () => loadBundle(cli, argv));
