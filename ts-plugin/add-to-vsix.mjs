// Adds extension/node_modules/strategy-lab-ts-plugin/package.json to a packaged .vsix. tsserver finds the
// plugin only under <extension>/node_modules, and `vsce package --no-dependencies` never packs node_modules/.
// The package.json points at dist/ts-plugin/index.js, which .vscodeignore keeps in the package.
// Usage (after vsce package):  node ts-plugin/add-to-vsix.mjs <file.vsix>
import { createWriteStream, renameSync } from 'node:fs';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { PLUGIN_NAME, pluginPackageJson } from './build.mjs';

const ENTRY = `extension/node_modules/${PLUGIN_NAME}/package.json`;

export async function addTsPluginToVsix(vsix) {
  const out = new yazl.ZipFile();
  const zip = await new Promise((resolve, reject) => yauzl.open(vsix, { lazyEntries: true }, (e, z) => (e ? reject(e) : resolve(z))));
  await new Promise((resolve, reject) => {
    zip.on('error', reject);
    zip.on('end', resolve);
    zip.on('entry', (entry) => {
      if (entry.fileName === ENTRY || entry.fileName.endsWith('/')) { zip.readEntry(); return; }
      zip.openReadStream(entry, (err, stream) => {
        if (err) { reject(err); return; }
        const chunks = [];
        stream.on('data', (c) => chunks.push(c));
        stream.on('end', () => { out.addBuffer(Buffer.concat(chunks), entry.fileName, { mtime: entry.getLastModDate() }); zip.readEntry(); });
        stream.on('error', reject);
      });
    });
    zip.readEntry();
  });
  zip.close();
  out.addBuffer(Buffer.from(pluginPackageJson()), ENTRY);
  out.end();
  const tmp = `${vsix}.tmp`;
  await new Promise((resolve, reject) => out.outputStream.pipe(createWriteStream(tmp)).on('close', resolve).on('error', reject));
  renameSync(tmp, vsix);
}

if (process.argv[2]) {
  await addTsPluginToVsix(process.argv[2]);
  console.log(`ts-plugin: added ${ENTRY} to ${process.argv[2]}`);
}
