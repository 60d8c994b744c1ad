/**
 * What bin/strategy-lab.js loads before the CLI bundle (dist/launch.js, Node built-ins only): the relaunch of a
 * large run with huge pages, and the bundle's load with V8's code cache.
 */
export { runRelaunchedIfLarge } from './relaunch';
export { loadBundle } from './codeCache';
