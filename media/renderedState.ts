/**
 * Says when the page has settled after a render, a resize or a theme switch, so whoever drives the panel (the
 * real-VS-Code e2e, a screenshot script) waits on a state instead of a pause: `<html data-rendered="1200 light 3">`
 * (the viewport's width in CSS px: the webview's, the theme kind, a counter). The attribute is removed the moment something changes
 * and set again once the charts have had their frames: lightweight-charts resizes on its own ResizeObserver,
 * the results charts fit the whole period on the next frame and place the markers on the one after.
 */
export const RENDERED_ATTRIBUTE = 'data-rendered';
/** Animation frames after a change before the page counts as painted (resize → fit → markers → paint). */
const SETTLE_FRAMES = 4;

/** The VS Code theme kind from the body's class (an exported report has none: it follows the light defaults). */
export function themeKind(body: Element = document.body): 'light' | 'dark' | 'high-contrast' | 'high-contrast-light' {
  const c = body.classList;
  if (c.contains('vscode-high-contrast-light')) return 'high-contrast-light';
  if (c.contains('vscode-high-contrast')) return 'high-contrast';
  return c.contains('vscode-dark') ? 'dark' : 'light';
}

export interface RenderedState {
  /** Something changed (a render, a theme): the page is unsettled until the frames have passed. */
  touch(): void;
  dispose(): void;
}

export function watchRendered(root: HTMLElement = document.documentElement): RenderedState {
  let generation = 0;
  let count = 0;
  const touch = () => {
    const mine = ++generation;
    root.removeAttribute(RENDERED_ATTRIBUTE);
    let frames = 0;
    const step = () => {
      if (mine !== generation) return; // a newer change restarted the wait
      if (++frames < SETTLE_FRAMES) return void requestAnimationFrame(step);
      // the viewport's width (the webview's), scroll bar included
      root.setAttribute(RENDERED_ATTRIBUTE, `${window.innerWidth} ${themeKind()} ${++count}`);
    };
    requestAnimationFrame(step);
  };
  const resize = new ResizeObserver(touch);
  resize.observe(root);
  return { touch, dispose: () => resize.disconnect() };
}
