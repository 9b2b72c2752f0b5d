/**
 * The KPI catalogue's shape: what GET /api/model/catalogue answers and `pano model docs` writes. Shared by the
 * server (portal/server/semantic/model-docs.ts builds it) and the portal (the KPI Kataloğu page reads it).
 */

export interface CatalogueMeasure {
  /** Full member name as queried, e.g. `yardim_masasi.ticket_count`. */
  name: string;
  /** Member name inside its view, e.g. `ticket_count`. */
  member: string;
  title: string;
  title_en: string | null;
  /** The description without its `Kaynak:` and `Madde` parts: the formula in words. */
  formula: string;
  description: string;
  source: string | null;
  article: string | null;
  /** Pano's display format (meta.format), e.g. `percent`, `money`. */
  format: string | null;
  /** Cube's aggregation, e.g. `count`, `sum`, `number`. */
  agg: string | null;
}

export interface CatalogueView {
  name: string;
  title: string;
  title_en: string | null;
  description: string;
  measures: CatalogueMeasure[];
}

export interface KpiCatalogue {
  views: CatalogueView[];
}
