import { helpdeskWeekly } from './helpdesk-weekly.js';
import type { ReportDefinition } from '../blocks.js';

export type { ReportDefinition, Block } from '../blocks.js';

/** Every report Pano can render, by id. */
export const REPORTS: Record<string, ReportDefinition> = {
  [helpdeskWeekly.id]: helpdeskWeekly,
};

export function getReport(id: string): ReportDefinition | undefined {
  return Object.prototype.hasOwnProperty.call(REPORTS, id) ? REPORTS[id] : undefined;
}
