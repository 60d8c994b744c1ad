/**
 * TypeScript server plugin: makes `import … from 'strategy-lab'` (and `strategy-lab/indicators`) resolve in
 * VS Code's built-in TypeScript, without writing anything into the user's workspace.
 *
 * How: the SDK declarations (dist/sdk/strategy-lab.d.ts, one `declare module` block per SDK module) are added
 * as one more root file of a project — only of a project that has a strategy in it (a `*.strategy.ts` file, or
 * an open file importing the SDK). Every other project is left exactly as TypeScript built it.
 *
 * Loaded by tsserver as the global plugin `strategy-lab-ts-plugin` (package.json `typescriptServerPlugins`),
 * found at `<extension>/node_modules/strategy-lab-ts-plugin/`, whose package.json points at this bundle
 * (dist/ts-plugin/index.js); see ts-plugin/build.mjs. Only `import type` from typescript: tsserver hands us
 * its own module at run time.
 */
import type * as ts from 'typescript/lib/tsserverlibrary';
import * as path from 'node:path';
import { importsSdk, projectUsesSdk, type ProjectFile } from './detect';

/** From dist/ts-plugin/index.js to dist/sdk/strategy-lab.d.ts (the same in the repo and in the installed extension). */
// Forward slashes: tsserver's file names use them on every platform.
const SDK_DTS = path.resolve(__dirname, '..', 'sdk', 'strategy-lab.d.ts').replace(/\\/g, '/');

function init(modules: { typescript: typeof ts }): ts.server.PluginModule {
  const tsm = modules.typescript;

  function create(info: ts.server.PluginCreateInfo): ts.LanguageService {
    const project = info.project;
    const log = (m: string) => project.projectService.logger.info(`[strategy-lab-ts-plugin] ${m}`);
    if (!tsm.sys.fileExists(SDK_DTS)) {
      log(`SDK declarations not found at ${SDK_DTS}: 'strategy-lab' imports stay unresolved (rebuild the extension).`);
      return info.languageService;
    }
    const host = info.languageServiceHost;
    const original = host.getScriptFileNames.bind(host);
    // Memo per open file version: the check runs on every request, it must stay cheap.
    const memo = new Map<string, { version: string; imports: boolean }>();
    const fileOf = (name: string): ProjectFile => ({
      name,
      isOpen: () => project.projectService.getScriptInfo(name)?.isScriptOpen() ?? false,
      importsSdk: () => {
        const version = host.getScriptVersion(name);
        const hit = memo.get(name);
        if (hit && hit.version === version) return hit.imports;
        const snap = host.getScriptSnapshot(name);
        const imports = snap ? importsSdk(snap.getText(0, snap.getLength())) : false;
        memo.set(name, { version, imports });
        return imports;
      },
    });
    let announced = false;
    host.getScriptFileNames = () => {
      const names = original();
      if (names.includes(SDK_DTS) || !projectUsesSdk(names.map(fileOf))) return names;
      if (!announced) { announced = true; log(`project ${project.getProjectName()} has strategies: adding ${SDK_DTS}`); }
      return [...names, SDK_DTS];
    };
    log(`loaded for ${project.getProjectName()}`);
    return info.languageService;
  }

  return { create };
}

export = init;
