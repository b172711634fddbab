/** The few SVG pieces the panel's charts are drawn with. */
export const SVG = 'http://www.w3.org/2000/svg';

export function shape(name: string, attrs: Record<string, string | number>): SVGElement {
  const element = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) element.setAttribute(k, String(v));
  return element;
}

export function text(x: number, y: number, content: string, cls: string): SVGElement {
  const element = shape('text', { x, y, class: cls });
  element.textContent = content;
  return element;
}

/** A tooltip, as SVG gives one: a title child. */
export function titled<E extends SVGElement>(element: E, title: string): E {
  const tip = document.createElementNS(SVG, 'title');
  tip.textContent = title;
  element.append(tip);
  return element;
}

/** An empty chart of this size, described for a screen reader. */
export function chartFrame(width: number, height: number, label: string, cls: string): SVGSVGElement {
  const svg = document.createElementNS(SVG, 'svg');
  svg.setAttribute('viewBox', `0 0 ${width} ${height}`);
  svg.setAttribute('class', cls);
  svg.setAttribute('role', 'img');
  svg.setAttribute('aria-label', label);
  return svg;
}
