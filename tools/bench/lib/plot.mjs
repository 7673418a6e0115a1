// The saturation plot: pay -> CONFIRMED latency (p50, p99; log scale) against the offered
// arrival rate, with the confirmed rate written at each point. Plain SVG, no dependencies.

const WIDTH = 640;
const HEIGHT = 360;
const MARGIN = { left: 70, right: 20, top: 30, bottom: 50 };
const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** `points`: [{ rate, confirmedPerSecond, p50, p99 }] (ms); returns the SVG text. */
export function saturationSvg(points, title) {
  const shown = points.filter((point) => point.p50 > 0 && point.p99 > 0).sort((a, b) => a.rate - b.rate);
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const maxRate = Math.max(1, ...shown.map((point) => point.rate));
  const lowDecade = Math.floor(Math.log10(Math.min(...shown.map((point) => point.p50), 10)));
  const highDecade = Math.ceil(Math.log10(Math.max(...shown.map((point) => point.p99), 100)));
  const x = (rate) => MARGIN.left + (rate / maxRate) * plotWidth;
  const y = (ms) => MARGIN.top + plotHeight - ((Math.log10(ms) - lowDecade) / (highDecade - lowDecade)) * plotHeight;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="18" text-anchor="middle" font-size="14">${escape(title)}</text>`,
  ];
  for (let decade = lowDecade; decade <= highDecade; decade += 1) {
    const ms = 10 ** decade;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(ms)}" y2="${y(ms)}" stroke="#ddd"/>`,
      `<text x="${MARGIN.left - 6}" y="${y(ms) + 4}" text-anchor="end">${ms >= 1000 ? `${ms / 1000} s` : `${ms} ms`}</text>`,
    );
  }
  for (const point of shown) {
    parts.push(
      `<line x1="${x(point.rate)}" x2="${x(point.rate)}" y1="${MARGIN.top}" y2="${MARGIN.top + plotHeight}" stroke="#eee"/>`,
      `<text x="${x(point.rate)}" y="${HEIGHT - MARGIN.bottom + 16}" text-anchor="middle">${point.rate}/s</text>`,
      `<text x="${x(point.rate)}" y="${y(point.p99) - 8}" text-anchor="middle" fill="#555">${point.confirmedPerSecond}/s</text>`,
    );
  }
  parts.push(
    `<text x="${MARGIN.left + plotWidth / 2}" y="${HEIGHT - 10}" text-anchor="middle">offered orders/s (label above p99: confirmed orders/s)</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight / 2}) rotate(-90)" text-anchor="middle">pay -&gt; CONFIRMED committed</text>`,
  );
  const line = (key, colour) => {
    const path = shown.map((point) => `${x(point.rate).toFixed(1)},${y(point[key]).toFixed(1)}`).join(' ');
    const dots = shown.map((point) => `<circle cx="${x(point.rate).toFixed(1)}" cy="${y(point[key]).toFixed(1)}" r="3" fill="${colour}"/>`);
    return [`<polyline points="${path}" fill="none" stroke="${colour}" stroke-width="2"/>`, ...dots];
  };
  parts.push(...line('p50', '#1f77b4'), ...line('p99', '#d62728'));
  parts.push(
    `<text x="${WIDTH - MARGIN.right - 80}" y="${MARGIN.top + 14}" fill="#1f77b4">p50</text>`,
    `<text x="${WIDTH - MARGIN.right - 40}" y="${MARGIN.top + 14}" fill="#d62728">p99</text>`,
    '</svg>',
  );
  return `${parts.join('\n')}\n`;
}
