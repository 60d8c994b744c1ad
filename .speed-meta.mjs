import * as esbuild from 'esbuild';
const r = await esbuild.build({ entryPoints: ['client/extension.ts'], bundle: true, write: false, platform: 'node', format: 'cjs', external: ['vscode', '*.node', 'cpu-features', 'esbuild'], metafile: true, logLevel: 'silent', outfile: '/tmp/x.js' });
const inputs = r.metafile.inputs;
const parent = new Map(); const q = ['client/extension.ts']; parent.set(q[0], null);
while (q.length) { const f = q.shift(); for (const imp of inputs[f]?.imports ?? []) { if (imp.kind !== 'import-statement' && imp.kind !== 'require-call') continue; if (!parent.has(imp.path)) { parent.set(imp.path, f); q.push(imp.path); } } }
for (const target of Object.keys(inputs).filter(k => k.includes('node_modules/typescript/lib/typescript.js'))) { let p = target; const chain = []; if (!parent.has(p)) console.log('typescript not statically reachable'); while (p) { chain.push(p); p = parent.get(p); } console.log(chain.reverse().join('\n  -> ')); }
const big = Object.entries(inputs).filter(([k]) => parent.has(k)).sort((a,b)=>b[1].bytes-a[1].bytes).slice(0,8).map(([k,v])=>`${(v.bytes/1e6).toFixed(2)}MB ${k}`); console.log(big.join('\n'));
