// The soak's verdict on memory (least-squares slope) and its outputs: a per-minute markdown
// table and an SVG plot drawn here (no dependency).

/** Least-squares slope of `points` ([x, y]); undefined below 3 points. */
export function slope(points) {
  if (points.length < 3) return undefined;
  const n = points.length;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? undefined : covariance / variance;
}

/**
 * Memory growth per process over the last half of the run, in MiB/min, on the samples of the
 * process's current life only (a killed and restarted process starts again from a low RSS) and
 * not in its first `warmupMin` minutes (JIT, pools filling). A series shorter than `minSpanMin`
 * minutes is reported, not judged.
 */
export function memorySlopes(samples, names, { warmupMin, minSpanMin }) {
  const end = samples.at(-1)?.tMin ?? 0;
  const halfway = end / 2;
  return names.map((name) => {
    const series = samples.filter((sample) => sample.apps[name]).map((sample) => ({ tMin: sample.tMin, ...sample.apps[name] }));
    const lastPid = series.at(-1)?.pid;
    const life = series.filter((point) => point.pid === lastPid);
    const bornAt = life[0]?.tMin ?? end;
    const restarted = life.length < series.length;
    const from = Math.max(halfway, restarted ? bornAt + warmupMin : bornAt);
    const window = life.filter((point) => point.tMin >= from);
    const live = window.filter((point) => Number.isFinite(point.liveMiB));
    const span = window.length ? window.at(-1).tMin - window[0].tMin : 0;
    return {
      name,
      from,
      points: window.length,
      judged: span >= minSpanMin,
      rss: slope(window.map((point) => [point.tMin, point.rssMiB])),
      // Heap growth is judged on the live heap (after a full collection): heap used at a random
      // moment swings with the garbage between collections, minutes apart at a steady load.
      heap: slope(live.map((point) => [point.tMin, point.liveMiB])),
      heapUsed: slope(window.map((point) => [point.tMin, point.heapMiB])),
      peakRss: Math.max(...series.map((point) => point.rssMiB)),
    };
  });
}

const fixed = (value, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
/** NaN (printed `-`) when no app answered that round. */
const sumOf = (values) => (values.some(Number.isFinite) ? values.filter(Number.isFinite).reduce((sum, value) => sum + value, 0) : NaN);
const maxOf = (values) => Math.max(...values.filter(Number.isFinite), -Infinity);

/** One row per minute (the last sample of each minute): totals over the apps, backlogs, the fault started in it. */
export function minuteTable(samples, faults) {
  const header = ['min', 'RSS MiB (sum)', 'heap used MiB (sum)', 'heap live MiB (sum)', 'loop p99 ms (max)', 'handles (sum)', 'pool in use / waiting', 'outbox pending', 'sagas running', 'orders open', 'orders done/s', 'fault'];
  const rows = [];
  let previous;
  for (let minute = 0; minute <= Math.floor(samples.at(-1)?.tMin ?? 0); minute++) {
    const inMinute = samples.filter((sample) => Math.floor(sample.tMin) === minute);
    const last = inMinute.at(-1);
    if (!last) continue;
    const apps = Object.values(last.apps).filter(Boolean);
    const rate = previous ? (last.backlog.done - previous.backlog.done) / ((last.tMin - previous.tMin) * 60) : undefined;
    const fault = faults.filter((entry) => Math.floor(entry.tMin) === minute).map((entry) => entry.name).join('; ');
    rows.push([
      String(minute),
      fixed(sumOf(apps.map((app) => app.rssMiB)), 0),
      fixed(sumOf(apps.map((app) => app.heapMiB)), 0),
      fixed(sumOf(apps.map((app) => app.liveMiB)), 0),
      fixed(maxOf(apps.map((app) => app.loopP99Ms))),
      fixed(sumOf(apps.map((app) => app.handles)), 0),
      `${fixed(sumOf(apps.map((app) => app.poolInUse)), 0)} / ${fixed(sumOf(apps.map((app) => app.poolWaiting)), 0)}`,
      String(last.backlog.outbox),
      String(last.backlog.sagas),
      String(last.backlog.open),
      rate === undefined ? '-' : fixed(rate),
      fault || '',
    ]);
    previous = last;
  }
  return [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i === header.length - 1 ? '---' : '---:')).join('|')}|`, ...rows.map((row) => `| ${row.join(' | ')} |`)].join('\n');
}

const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];
const escape = (text) => String(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A nice upper bound for an axis. */
function ceiling(value) {
  if (!(value > 0)) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
}

/**
 * Three panels over time: RSS per process, live heap per process, backlogs; faults as dashed
 * vertical lines numbered as in the table.
 */
export function svgPlot(samples, names, faults, title) {
  const width = 960;
  const panelHeight = 200;
  const left = 60;
  const right = 180;
  const top = 40;
  const gap = 50;
  const plotWidth = width - left - right;
  const endMin = Math.max(samples.at(-1)?.tMin ?? 1, 1 / 60);
  const x = (tMin) => left + (tMin / endMin) * plotWidth;
  const panels = [
    { label: 'RSS (MiB)', series: names.map((name) => ({ name, points: samples.filter((s) => s.apps[name]).map((s) => [s.tMin, s.apps[name].rssMiB]) })) },
    { label: 'heap live after a full collection (MiB)', series: names.map((name) => ({ name, points: samples.filter((s) => s.apps[name]).map((s) => [s.tMin, s.apps[name].liveMiB]) })) },
    {
      label: 'backlog (rows)',
      series: [
        { name: 'outbox pending', points: samples.map((s) => [s.tMin, s.backlog.outbox]) },
        { name: 'sagas running', points: samples.map((s) => [s.tMin, s.backlog.sagas]) },
        { name: 'orders open', points: samples.map((s) => [s.tMin, s.backlog.open]) },
      ],
    },
  ];
  const height = top + panels.length * (panelHeight + gap) + 10;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${left}" y="20" font-size="14">${escape(title)}</text>`,
  ];
  panels.forEach((panel, index) => {
    const y0 = top + index * (panelHeight + gap);
    const yMax = ceiling(maxOf(panel.series.flatMap((series) => series.points.map(([, value]) => value))));
    const y = (value) => y0 + panelHeight - (value / yMax) * panelHeight;
    parts.push(`<rect x="${left}" y="${y0}" width="${plotWidth}" height="${panelHeight}" fill="none" stroke="#999"/>`);
    parts.push(`<text x="${left}" y="${y0 - 6}">${escape(panel.label)}</text>`);
    for (const fraction of [0, 0.5, 1]) {
      parts.push(`<text x="${left - 6}" y="${y(yMax * fraction) + 4}" text-anchor="end">${fixed(yMax * fraction, 0)}</text>`);
    }
    for (let minute = 0; minute <= endMin; minute += endMin > 10 ? 5 : 1) {
      parts.push(`<line x1="${x(minute)}" y1="${y0 + panelHeight}" x2="${x(minute)}" y2="${y0 + panelHeight + 4}" stroke="#999"/>`);
      parts.push(`<text x="${x(minute)}" y="${y0 + panelHeight + 16}" text-anchor="middle">${minute} min</text>`);
    }
    faults.forEach((fault, number) => {
      parts.push(`<line x1="${x(fault.tMin)}" y1="${y0}" x2="${x(fault.tMin)}" y2="${y0 + panelHeight}" stroke="#c00" stroke-dasharray="4 3"/>`);
      parts.push(`<text x="${x(fault.tMin) + 3}" y="${y0 + 12}" fill="#c00">${number + 1}</text>`);
    });
    panel.series.forEach((series, seriesIndex) => {
      const color = COLORS[seriesIndex % COLORS.length];
      const path = series.points
        .filter(([, value]) => Number.isFinite(value))
        .map(([t, value], i, all) => `${i === 0 || t - all[i - 1][0] > 0.5 ? 'M' : 'L'}${x(t).toFixed(1)},${y(value).toFixed(1)}`)
        .join(' ');
      if (path) parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="1.5"/>`);
      parts.push(`<rect x="${left + plotWidth + 12}" y="${y0 + seriesIndex * 16 + 2}" width="10" height="10" fill="${color}"/>`);
      parts.push(`<text x="${left + plotWidth + 26}" y="${y0 + seriesIndex * 16 + 11}">${escape(series.name)}</text>`);
    });
  });
  const legendY = height - 4;
  parts.push(`<text x="${left}" y="${legendY}" fill="#c00">${escape(faults.map((fault, i) => `${i + 1} ${fault.name}`).join(' · '))}</text>`);
  parts.push('</svg>');
  return parts.join('\n');
}
