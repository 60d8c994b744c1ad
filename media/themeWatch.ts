/**
 * Calls back when VS Code switches the theme: it changes the body's class (vscode-light, vscode-dark,
 * vscode-high-contrast) and the --vscode-* variables in the <html> style attribute. Canvases do not follow
 * CSS, so the charts re-read the colours then.
 */
export function watchTheme(onChange: () => void): () => void {
  let frame = 0;
  const observer = new MutationObserver(() => { cancelAnimationFrame(frame); frame = requestAnimationFrame(onChange); });
  observer.observe(document.body, { attributes: true, attributeFilter: ['class', 'style', 'data-vscode-theme-kind'] });
  observer.observe(document.documentElement, { attributes: true, attributeFilter: ['class', 'style'] });
  return () => observer.disconnect();
}
