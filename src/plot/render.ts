// Renders a Vega-Lite specification to SVG in Node, without a browser (Vega's headless renderer). Vega and
// Vega-Lite are optional peer dependencies (most of a library user's install otherwise): they are loaded here, on
// the first plot, and their absence is one clear line.

/** Installs hint when vega or vega-lite cannot be loaded. */
export const PLOT_PACKAGES_MISSING = 'plots need the optional packages vega and vega-lite: npm install vega vega-lite';

async function plotPackages(): Promise<{ vega: typeof import('vega'); vegaLite: typeof import('vega-lite') }> {
  try {
    return { vega: await import('vega'), vegaLite: await import('vega-lite') };
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_MODULE_NOT_FOUND') throw new Error(PLOT_PACKAGES_MISSING);
    throw e;
  }
}

/** Throws the one-line hint now when the plot packages are missing (before a run whose curves would be lost). */
export async function checkPlotPackages(): Promise<void> {
  await plotPackages();
}

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const { vega, vegaLite } = await plotPackages();
  const view = new vega.View(vega.parse(vegaLite.compile(spec as never).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
