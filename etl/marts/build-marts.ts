import type { DuckDBConnection } from '@duckdb/node-api';
import { buildConformedDimensions } from './conformed.js';
import { helpdeskMarts } from './helpdesk.js';
import type { MartBuilder, MartContext } from './mart-builder.js';
import { hrMarts } from './hr.js';
import { inventoryMarts } from './inventory.js';
import { backupMarts } from './backup.js';
import { telecomMarts } from './telecom.js';
import { executiveMarts } from './executive.js';

/**
 * Builds the marts the semantic layer (model/) reads, from the raw tables of this snapshot: the conformed
 * dimensions, then each domain whose sources are in it. Marts are rebuilt whole in every snapshot: they are small
 * next to raw and this keeps them always consistent. `ctx` carries the run's configuration (the business time zone).
 */
export async function buildMarts(conn: DuckDBConnection, present: ReadonlySet<string>, ctx: MartContext): Promise<void> {
  await conn.run('CREATE SCHEMA IF NOT EXISTS marts');
  await buildConformedDimensions(conn);
  for (const mart of DOMAIN_MARTS) {
    if (mart.requires.every((id) => present.has(id))) await mart.build(conn, present, ctx);
  }
}

export type { MartBuilder, MartContext } from './mart-builder.js';

/** Every domain's marts, one file each; the executive summary last: it reads the other domains' marts. */
export const DOMAIN_MARTS: MartBuilder[] = [helpdeskMarts, inventoryMarts, telecomMarts, backupMarts, hrMarts, executiveMarts];
