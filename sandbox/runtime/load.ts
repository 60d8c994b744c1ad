/**
 * Evaluates compiled strategy code inside the sandbox. Same contract as
 * core/strategy/load.ts, but through vm.compileFunction: that works with
 * string code generation disabled and gives the code no `import()` hook.
 */
import { compileFunction } from 'node:vm';
import { sdkModule, strategyClassFrom, type StrategyClass } from './sdk-modules';

export function loadSandboxedStrategy(js: string, fileName: string): StrategyClass {
  const module = { exports: {} as Record<string, unknown> };
  const factory = compileFunction(js, ['module', 'exports', 'require'], { filename: fileName.replace(/[\r\n]/g, '') });
  factory.call(undefined, module, module.exports, (name: string) => sdkModule(name, fileName));
  return strategyClassFrom(module.exports, fileName);
}
