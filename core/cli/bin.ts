// Entry of the bundled CLI (dist/cli.js).
import { runCli } from './main';

runCli();
