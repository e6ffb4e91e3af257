// Turning results files into what people read: console tables, markdown, an SVG chart.
// Pure functions over the JSON the runtime entries write (bench/results/<runtime>.json).

export function sizeLabel(size) {
  if (size >= 1024 * 1024) return `${size / (1024 * 1024)} MB`;
  if (size >= 1024) return `${size / 1024} KB`;
  return `${size} B`;
}

export function fmtTime(ns) {
  if (ns >= 1e6) return `${(ns / 1e6).toFixed(2)} ms`;
  if (ns >= 1e3) return `${(ns / 1e3).toFixed(2)} µs`;
  return `${ns.toFixed(0)} ns`;
}

/** MB/s with MB = 10^6 bytes. */
export function mbps(size, ns) {
  return (size / ns) * 1e3;
}

export function fmtRatio(r) {
  if (r === undefined || !Number.isFinite(r)) return "–";
  return r >= 10 ? `${r.toFixed(1)}x` : `${r.toFixed(2)}x`;
}

/** [{ peer, peerLabel, hp, hpLabel, bySize: {size: ratio} }]: peer median / hookproof median. */
export function ratios(results) {
  const byId = new Map(results.rows.map((r) => [r.id, r]));
  const out = [];
  for (const row of results.rows) {
    if (row.group !== "peer" || !row.hp || !byId.has(row.hp)) continue;
    const hp = byId.get(row.hp);
    const bySize = {};
    for (const size of results.sizes) {
      const a = row.sizes[size]?.medianNs;
      const b = hp.sizes[size]?.medianNs;
      if (a && b) bySize[size] = a / b;
    }
    out.push({ peer: row.id, peerLabel: row.label, hp: hp.id, hpLabel: hp.label, bySize });
  }
  return out;
}

/** A markdown table: the first column left-aligned, the others right-aligned. */
export function table(head, rows) {
  const lines = [`| ${head.join(" | ")} |`, `| ${head.map((_, i) => (i === 0 ? "---" : "---:")).join(" | ")} |`];
  for (const r of rows) lines.push(`| ${r.join(" | ")} |`);
  return lines.join("\n");
}

/** Text broken into lines of at most `width` characters, at spaces (for markdown prose). */
export function wrap(text, width = 100) {
  const lines = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n");
}

/** How the ratio tables pair the contenders. */
export const RATIO_NOTE =
  "Like for like: peers that return the parsed event (standardwebhooks, svix, stripe) are compared with " +
  "`Webhook.verify` (verify + JSON.parse); peers that only check the MAC (octokit, node:crypto, WebCrypto) " +
  "with `verifySignature`. Each pair uses the same scheme, so the same bytes are hashed.";

/** One runtime's ratios hookproof / peer per size, as a markdown table. */
export function ratioTable(results) {
  return table(
    ["peer (vs hookproof …)", ...results.sizes.map(sizeLabel)],
    ratios(results).map((r) => [
      `${r.peerLabel} (vs ${r.hpLabel.replace(/^hookproof /, "")})`,
      ...results.sizes.map((s) => fmtRatio(r.bySize[s])),
    ]),
  );
}

/** The markdown section for one runtime's results. */
export function markdown(results, { chart } = {}) {
  const sizes = results.sizes;
  const head = ["", ...sizes.map(sizeLabel)];
  const parts = [];
  parts.push(`## ${results.runtime} ${results.runtimeVersion}`);
  parts.push(
    [
      `Date: ${results.date}${results.quick ? " (**--quick smoke run: numbers are not meaningful**)" : ""}. ` +
        `Machine: ${results.machine ?? "?"}.`,
      `Method: ${results.method}`,
    ].join("\n\n"),
  );
  parts.push(
    "### Ratio hookproof / peer (peer median latency ÷ hookproof median latency; > 1 = hookproof faster)\n\n" +
      RATIO_NOTE +
      "\n\n" +
      ratioTable(results),
  );
  if (chart) parts.push(`![ratio chart](${chart})`);
  parts.push(
    "### Median latency per verify (± relative margin of error of the mean at 95 %)\n\n" +
      table(
        head,
        results.rows.map((r) => [
          r.label,
          ...sizes.map((s) => {
            const m = r.sizes[s];
            return m ? `${fmtTime(m.medianNs)}${m.rme !== undefined ? ` ±${m.rme.toFixed(1)}%` : ""}` : "–";
          }),
        ]),
      ),
  );
  parts.push(
    "### Throughput (MB/s of body, MB = 10^6 bytes, from the median)\n\n" +
      table(
        head,
        results.rows.map((r) => [
          r.label,
          ...sizes.map((s) => (r.sizes[s] ? mbps(s, r.sizes[s].medianNs).toFixed(1) : "–")),
        ]),
      ),
  );
  parts.push(
    "### Spread: p99 latency and samples (each sample times `batch` verifies)\n\n" +
      table(
        head,
        results.rows.map((r) => [
          r.label,
          ...sizes.map((s) => {
            const m = r.sizes[s];
            return m ? `${fmtTime(m.p99Ns)} (n=${m.samples}×${m.batch})` : "–";
          }),
        ]),
      ),
  );
  return parts.join("\n\n") + "\n";
}

/** A plain-text summary for the terminal: ratios, then hookproof's MB/s. */
export function consoleSummary(results) {
  const sizes = results.sizes;
  const w = 12;
  const pad = (s, n = w) => String(s).padStart(n);
  const lines = [];
  lines.push(`\n${results.runtime} ${results.runtimeVersion}: ratio hookproof/peer (>1 = hookproof faster)`);
  lines.push("".padEnd(46) + sizes.map((s) => pad(sizeLabel(s))).join(""));
  for (const r of ratios(results)) {
    lines.push(r.peerLabel.slice(0, 45).padEnd(46) + sizes.map((s) => pad(fmtRatio(r.bySize[s]))).join(""));
  }
  lines.push(`${results.runtime}: median latency (MB/s)`);
  for (const row of results.rows) {
    lines.push(
      row.label.slice(0, 45).padEnd(46) +
        sizes.map((s) => (row.sizes[s] ? pad(`${fmtTime(row.sizes[s].medianNs)}`) : pad("–"))).join(""),
    );
  }
  return lines.join("\n");
}

const COLORS = ["#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7", "#9c755f"];

function esc(s) {
  return String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/**
 * A grouped bar chart of ratios: one group per body size, one bar per series, log2 y
 * axis with a line at 1x. `series`: [{ label, bySize }]. Self-contained SVG text.
 */
export function svgChart({ title, sizes, series }) {
  const W = 960;
  const H = 440;
  const M = { top: 48, right: 20, bottom: 56, left: 78 };
  const legendH = 18 * Math.ceil(series.length / 2);
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom - legendH;
  const values = series.flatMap((s) => Object.values(s.bySize)).filter((v) => v > 0 && Number.isFinite(v));
  let lo = Math.floor(Math.log2(Math.min(0.5, ...values)));
  let hi = Math.ceil(Math.log2(Math.max(2, ...values)));
  if (hi - lo < 2) hi = lo + 2;
  const y = (v) => M.top + plotH - ((Math.log2(v) - lo) / (hi - lo)) * plotH;
  const groupW = plotW / sizes.length;
  const barW = Math.min(28, (groupW * 0.8) / Math.max(1, series.length));
  const out = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
  );
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="24" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`);
  for (let e = lo; e <= hi; e++) {
    const v = 2 ** e;
    const yy = y(v).toFixed(1);
    out.push(
      `<line x1="${M.left}" x2="${W - M.right}" y1="${yy}" y2="${yy}" stroke="${e === 0 ? "#000" : "#ddd"}" stroke-width="${e === 0 ? 1.5 : 1}"/>`,
    );
    out.push(
      `<text x="${M.left - 6}" y="${yy}" dy="4" text-anchor="end">${v >= 1 ? v : v.toFixed(e >= -2 ? 2 : 3)}x</text>`,
    );
  }
  out.push(
    `<text transform="translate(14 ${M.top + plotH / 2}) rotate(-90)" text-anchor="middle">hookproof / peer (log scale, &gt;1 = hookproof faster)</text>`,
  );
  sizes.forEach((size, gi) => {
    const gx = M.left + gi * groupW + (groupW - barW * series.length) / 2;
    series.forEach((s, si) => {
      const v = s.bySize[size];
      if (!(v > 0) || !Number.isFinite(v)) return;
      const x = gx + si * barW;
      const y0 = y(1);
      const y1 = y(v);
      const top = Math.min(y0, y1);
      const h = Math.max(1, Math.abs(y1 - y0));
      out.push(
        `<rect x="${x.toFixed(1)}" y="${top.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${COLORS[si % COLORS.length]}"><title>${esc(`${s.label} @ ${sizeLabel(size)}: ${v.toFixed(2)}x`)}</title></rect>`,
      );
      if (barW >= 18) {
        const ty = v >= 1 ? top - 3 : top + h + 10;
        out.push(
          `<text x="${(x + (barW - 2) / 2).toFixed(1)}" y="${ty.toFixed(1)}" text-anchor="middle" font-size="8">${v >= 10 ? v.toFixed(0) : v.toFixed(1)}</text>`,
        );
      }
    });
    out.push(
      `<text x="${(M.left + gi * groupW + groupW / 2).toFixed(1)}" y="${M.top + plotH + 18}" text-anchor="middle" font-weight="bold">${sizeLabel(size)}</text>`,
    );
  });
  series.forEach((s, si) => {
    const lx = M.left + (si % 2) * (plotW / 2);
    const ly = M.top + plotH + 36 + Math.floor(si / 2) * 18;
    out.push(`<rect x="${lx}" y="${ly}" width="12" height="12" fill="${COLORS[si % COLORS.length]}"/>`);
    out.push(`<text x="${lx + 18}" y="${ly + 10}">${esc(s.label)}</text>`);
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** The chart series of every ratio of every runtime given: label "peer (runtime)". */
export function chartSeries(resultsList) {
  const many = resultsList.length > 1;
  return resultsList.flatMap((res) =>
    ratios(res).map((r) => ({ label: many ? `${r.peerLabel} [${res.runtime}]` : r.peerLabel, bySize: r.bySize })),
  );
}
