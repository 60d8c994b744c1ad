/**
 * The webview's link to the extension. Inside VS Code it is acquireVsCodeApi();
 * in an exported HTML report (or a plain browser) there is no extension: state
 * lives in memory and actions are not offered.
 */
import type { FromWebview } from './protocol';

export interface Host {
  /** false in an exported report: no buttons that need the extension. */
  readonly interactive: boolean;
  post(message: FromWebview): void;
  getState<T>(): T | undefined;
  setState<T>(state: T): void;
}

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

export function connectHost(): Host {
  if (typeof acquireVsCodeApi === 'function') {
    const api = acquireVsCodeApi();
    return {
      interactive: true,
      post: (message) => api.postMessage(message),
      getState: <T>() => (api.getState() ?? undefined) as T | undefined,
      setState: (state) => api.setState(state),
    };
  }
  let memory: unknown;
  return {
    interactive: false,
    post: () => undefined,
    getState: <T>() => memory as T | undefined,
    setState: (state) => { memory = state; },
  };
}
