/**
 * The print page's contract with the PDF renderer: `data-pano-ready="true"` on <html> once every query has
 * resolved and the charts are drawn, `data-pano-error="<message>"` on any failure (never both).
 */
const root = () => document.documentElement;

export function clearMarkers(): void {
  delete root().dataset.panoReady;
  delete root().dataset.panoError;
}

export function markError(message: string): void {
  delete root().dataset.panoReady;
  root().dataset.panoError = message || 'error';
}

export function markReady(): void {
  if (root().dataset.panoError) return;
  root().dataset.panoReady = 'true';
}

const frame = () => new Promise<void>((resolve) => requestAnimationFrame(() => resolve()));

/** Every Recharts container under `el` has drawn its SVG (Tremor shows no container at all for empty data). */
function chartsDrawn(el: ParentNode): boolean {
  return [...el.querySelectorAll('.recharts-responsive-container')].every((c) => c.querySelector('svg.recharts-surface'));
}

/**
 * Resolve once fonts are loaded and the charts are on screen: a couple of animation frames after the data,
 * then until every chart has its SVG (bounded, so a chart that never draws cannot hang the renderer).
 */
export async function waitForRender(el: ParentNode, maxFrames = 120): Promise<void> {
  await document.fonts.ready;
  await frame();
  await frame();
  for (let i = 0; i < maxFrames && !chartsDrawn(el); i++) await frame();
  await frame();
}
