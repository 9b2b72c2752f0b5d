import type { CubeQuery } from './kpi/helpdesk.js';

/**
 * A report definition is pure data: what to show. When and to whom lives in the app database (subscriptions).
 * The print page in the portal renders `blocks`; the renderer turns that page into an A4 PDF.
 */
export type Block =
  | {
      kind: 'kpi';
      id: string;
      title: string;
      query: string;
      measure: string;
      format: 'number' | 'percent' | 'hours' | 'money';
      compare?: boolean;
      hint?: string;
    }
  | { kind: 'line' | 'bar'; id: string; title: string; query: string; measures: string[]; x: string; format: 'number' | 'percent' | 'hours' | 'money' }
  | {
      kind: 'table';
      id: string;
      title: string;
      query: string;
      columns: Array<{ member: string; title: string; format?: 'number' | 'percent' | 'hours' | 'money' | 'text' }>;
    }
  | { kind: 'text'; id: string; text: string };

export interface ReportDefinition {
  id: string;
  title: { tr: string; en: string };
  description: { tr: string; en: string };
  /** Named Cube queries the blocks refer to, built for a given moment and timezone. */
  queries(now: Date, timezone: string): Record<string, CubeQuery>;
  blocks: Block[];
  page: { size: 'A4'; orientation: 'portrait' | 'landscape' };
}
