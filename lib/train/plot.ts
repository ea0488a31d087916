// Loss and accuracy curves: an SVG line chart rendered to PNG by sharp (real text through
// fontconfig; no canvas build, no browser). Axes: epoch across, the metric up.
import { renameSync } from "node:fs";

export interface Series {
  label: string;
  values: number[];
  color: string;
}

const W = 720;
const H = 440;
const M = { left: 70, right: 24, top: 48, bottom: 56 };

function niceStep(range: number, ticks: number): number {
  const raw = range / Math.max(1, ticks);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const f = raw / mag;
  return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** An SVG line chart of per-epoch series (epoch 1 … n on the x axis). */
export function lineChartSvg(title: string, yLabel: string, series: Series[]): string {
  const n = Math.max(...series.map((s) => s.values.length), 1);
  const all = series.flatMap((s) => s.values).filter(Number.isFinite);
  let lo = all.length ? Math.min(...all) : 0;
  let hi = all.length ? Math.max(...all) : 1;
  if (hi - lo < 1e-9) [lo, hi] = [lo - 0.5, hi + 0.5];
  const step = niceStep(hi - lo, 5);
  lo = Math.floor(lo / step) * step;
  hi = Math.ceil(hi / step) * step;
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const x = (epoch: number) => M.left + (n === 1 ? pw / 2 : ((epoch - 1) / (n - 1)) * pw);
  const y = (v: number) => M.top + ph - ((v - lo) / (hi - lo)) * ph;
  const parts: string[] = [];
  parts.push(`<rect width="${W}" height="${H}" fill="white"/>`);
  parts.push(`<text x="${W / 2}" y="28" text-anchor="middle" font-size="18" font-family="DejaVu Sans, sans-serif">${esc(title)}</text>`);
  const digits = Math.max(0, -Math.floor(Math.log10(step)));
  for (let v = lo; v <= hi + step / 2; v += step) {
    parts.push(`<line x1="${M.left}" x2="${W - M.right}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${M.left - 8}" y="${y(v) + 4}" text-anchor="end" font-size="12" font-family="DejaVu Sans, sans-serif">${v.toFixed(digits)}</text>`);
  }
  const xStep = Math.max(1, Math.ceil(n / 10));
  for (let e = 1; e <= n; e += xStep) {
    parts.push(`<line x1="${x(e)}" x2="${x(e)}" y1="${M.top + ph}" y2="${M.top + ph + 5}" stroke="black"/>`);
    parts.push(`<text x="${x(e)}" y="${M.top + ph + 20}" text-anchor="middle" font-size="12" font-family="DejaVu Sans, sans-serif">${e}</text>`);
  }
  parts.push(`<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="black"/>`);
  parts.push(`<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle" font-size="14" font-family="DejaVu Sans, sans-serif">epoch</text>`);
  parts.push(`<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle" font-size="14" font-family="DejaVu Sans, sans-serif">${esc(yLabel)}</text>`);
  series.forEach((s, i) => {
    const pts = s.values.map((v, k) => `${x(k + 1)},${y(v)}`).join(" ");
    parts.push(`<polyline points="${pts}" fill="none" stroke="${s.color}" stroke-width="2.5"/>`);
    for (const [k, v] of s.values.entries()) parts.push(`<circle cx="${x(k + 1)}" cy="${y(v)}" r="3.5" fill="${s.color}"/>`);
    const ly = M.top + 16 + i * 20;
    parts.push(`<line x1="${W - M.right - 150}" x2="${W - M.right - 124}" y1="${ly}" y2="${ly}" stroke="${s.color}" stroke-width="2.5"/>`);
    parts.push(`<text x="${W - M.right - 118}" y="${ly + 4}" font-size="13" font-family="DejaVu Sans, sans-serif">${esc(s.label)}</text>`);
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${parts.join("")}</svg>`;
}

/** Renders the chart to a PNG file, atomically (temp file, then rename). */
export async function writeLineChart(file: string, title: string, yLabel: string, series: Series[]): Promise<void> {
  const sharp = (await import("sharp")).default;
  const tmp = `${file}.tmp-${process.pid}`;
  await sharp(Buffer.from(lineChartSvg(title, yLabel, series))).png().toFile(tmp);
  renameSync(tmp, file);
}
