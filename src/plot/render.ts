// Renders a Vega-Lite specification to SVG in Node, without a browser (Vega's headless renderer).
import { parse, View } from 'vega';
import { compile } from 'vega-lite';

export async function renderSvg(spec: Record<string, unknown>): Promise<string> {
  const view = new View(parse(compile(spec as never).spec), { renderer: 'none' });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}
