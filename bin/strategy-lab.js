#!/usr/bin/env node
// The `strategy-lab` command: the bundled CLI in dist/ (built by `npm run build`).
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  process.stderr.write(`strategy-lab is not built yet: run \`npm run build\` in ${join(__dirname, '..')} first.\n`);
  process.exit(1);
}
require(cli);
