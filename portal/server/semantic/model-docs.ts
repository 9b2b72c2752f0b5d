/**
 * The KPI catalogue (KPI kataloğu): every measure of every public view with its Turkish and English title, the
 * formula in words, the source system and the regulation clause it serves. Built from /meta alone, so the portal's
 * copy (GET /api/model/catalogue) shows exactly what the caller's role may query, and `pano model docs` writes the
 * admin's full copy as Markdown. Pure code, no I/O.
 */

import type { CatalogueMeasure, CatalogueView, KpiCatalogue } from '../../../common/definitions/kpi/catalogue.js';

type Json = Record<string, any>;

export type { KpiCatalogue };

/** Turkish (English) labels of Pano's measure formats. */
export const FORMAT_LABELS: Record<string, string> = {
  number: 'sayı (number)',
  decimal: 'ondalık sayı (decimal)',
  percent: 'yüzde (percent)',
  money: 'tutar, ₺ (money)',
  hours: 'saat (hours)',
  days: 'gün (days)',
  bytes: 'bayt (bytes)',
};

/**
 * Splits a measure description "formula. Kaynak: source. Madde 11(3)-II e." into its parts. `Kaynak:` and the
 * trailing `Madde …` clause are the model's convention (model/README.md); meta.source / meta.article win when set.
 */
export function splitDescription(description: string): { formula: string; source: string | null; article: string | null } {
  const text = (description ?? '').replace(/\s+/g, ' ').trim();
  const at = text.search(/\bKaynak:/);
  const head = at >= 0 ? text.slice(0, at) : text;
  const tail = at >= 0 ? text.slice(at + 'Kaynak:'.length) : '';
  // The article is the last "Madde …" clause: "Madde 11(3)-II e", "Madde 11(3)-II e, f", "Madde 12(3)".
  const articleIn = (s: string) => {
    const all = [...s.matchAll(/\bMadde\s+(\d+(?:\(\d+\))?(?:-[IVX]+)?(?:\s+[a-zçğıöşü](?![\wçğıöşü])(?:\s*(?:,|ve)\s*[a-zçğıöşü](?![\wçğıöşü]))*)?)/g)];
    const last = all[all.length - 1];
    return last ? { text: last[1].trim(), index: last.index!, end: last.index! + last[0].length } : null;
  };
  const inTail = articleIn(tail);
  const article = inTail ?? articleIn(head);
  const source = at >= 0 ? (inTail ? tail.slice(0, inTail.index) : tail).trim().replace(/[.;,\s]+$/, '') || null : null;
  // A description without "Kaynak:" may still end in its article: keep it out of the formula.
  const trailing = !inTail && article && /^[\s).]*$/.test(head.slice(article.end));
  const formula = (trailing ? head.slice(0, article!.index).replace(/[\s(]+$/, '') : head).trim();
  return { formula, source, article: article?.text ?? null };
}

/** The catalogue of the views in a /meta answer (CubeQueryService.meta), in view-name order, measures as defined. */
export function buildCatalogue(meta: { cubes?: Json[] } | Json): KpiCatalogue {
  const views = ((meta.cubes ?? []) as Json[])
    .filter((c) => c.type === 'view')
    .map((v): CatalogueView => {
      const prefix = `${v.name}.`;
      return {
        name: v.name,
        title: v.title ?? v.name,
        title_en: v.meta?.title_en ?? null,
        description: (v.description ?? '').replace(/\s+/g, ' ').trim(),
        measures: (v.measures ?? []).map((m: Json): CatalogueMeasure => {
          const description = (m.description ?? '').replace(/\s+/g, ' ').trim();
          const parts = splitDescription(description);
          return {
            name: m.name,
            member: String(m.name).startsWith(prefix) ? String(m.name).slice(prefix.length) : m.name,
            title: m.shortTitle ?? m.title ?? m.name,
            title_en: m.meta?.title_en ?? null,
            formula: parts.formula,
            description,
            source: nonEmpty(m.meta?.source) ?? parts.source,
            article: nonEmpty(m.meta?.article) ?? parts.article,
            format: m.meta?.format ?? m.format ?? null,
            agg: m.aggType ?? m.type ?? null,
          };
        }),
      };
    })
    .filter((v) => v.measures.length > 0)
    .sort((a, b) => a.name.localeCompare(b.name));
  return { views };
}

/** The catalogue as Markdown: one section per view, one table row per measure, and an index by article. */
export function renderCatalogueMarkdown(catalogue: KpiCatalogue): string {
  const lines: string[] = [];
  const total = catalogue.views.reduce((n, v) => n + v.measures.length, 0);
  lines.push('# KPI kataloğu (KPI catalogue)');
  lines.push('');
  lines.push(
    '> Bu dosya `model/` klasöründen `pano model docs` ile üretilir; elle düzenlemeyin. Portal aynı kataloğu rolünüzün görebildiği ölçülerle `GET /api/model/catalogue` üzerinden gösterir.',
  );
  lines.push(
    "> Generated from `model/` by `pano model docs` — do not edit by hand. The portal serves the same catalogue, filtered to the caller's role, at `GET /api/model/catalogue`.",
  );
  lines.push('');
  lines.push(`${catalogue.views.length} görünüm (views), ${total} ölçü (measures).`);
  lines.push('');
  for (const v of catalogue.views)
    lines.push(`- [${v.title}${v.title_en ? ` — ${v.title_en}` : ''}](#${anchor(v)}) (\`${v.name}\`, ${v.measures.length} ölçü)`);
  for (const v of catalogue.views) {
    lines.push('');
    lines.push(`<a id="${anchor(v)}"></a>`);
    lines.push('');
    lines.push(`## ${v.title}${v.title_en ? ` — ${v.title_en}` : ''} (\`${v.name}\`)`);
    lines.push('');
    if (v.description) {
      lines.push(cellText(v.description));
      lines.push('');
    }
    lines.push('| Ölçü (measure) | Başlık (title) | Formül (formula) | Kaynak (source) | Madde (article) | Biçim (format) |');
    lines.push('|---|---|---|---|---|---|');
    for (const m of v.measures) {
      lines.push(
        `| \`${m.member}\` | ${cell(m.title)}${m.title_en ? `<br>*${cell(m.title_en)}*` : ''} | ${cell(m.formula)} | ${cell(m.source ?? '–')} | ${cell(m.article ?? '–')} | ${cell(m.format ? (FORMAT_LABELS[m.format] ?? m.format) : '–')} |`,
      );
    }
  }
  const byArticle = new Map<string, string[]>();
  for (const v of catalogue.views) {
    for (const m of v.measures) {
      const key = m.article ?? '–';
      byArticle.set(key, [...(byArticle.get(key) ?? []), `\`${m.name}\``]);
    }
  }
  lines.push('');
  lines.push('## Maddelere göre (by regulation article)');
  lines.push('');
  lines.push(
    'Madde 11(3)-II: e = üst yönetime raporlar (top-management reports), f = doğruluk ve kalite (correctness and quality), b = birimlere raporlar (reports for units), d = yetkiler (permissions).',
  );
  lines.push('');
  lines.push('| Madde (article) | Ölçü sayısı (measures) | Ölçüler (measures) |');
  lines.push('|---|---|---|');
  for (const [article, names] of [...byArticle].sort(([a], [b]) => a.localeCompare(b)))
    lines.push(`| ${cell(article)} | ${names.length} | ${names.join(', ')} |`);
  lines.push('');
  return lines.join('\n');
}

function anchor(v: CatalogueView): string {
  return `view-${v.name.replace(/_/g, '-')}`;
}

function nonEmpty(v: unknown): string | null {
  return typeof v === 'string' && v.trim() ? v.trim() : null;
}

function cellText(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Text safe inside a Markdown table cell. */
function cell(s: string): string {
  return cellText(s).replace(/\\/g, '\\\\').replace(/\|/g, '\\|').replace(/</g, '&lt;');
}
