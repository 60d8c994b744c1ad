/**
 * The strategy source reader (class name, static config, declared params), loaded at first use: it can fall back to
 * the TypeScript compiler, which must stay out of the extension's activation (test/client/startupImports.test.ts).
 */
export const strategyReader = () => import('../core/strategy/config');
