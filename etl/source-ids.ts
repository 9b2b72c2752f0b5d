/**
 * Every source's id, in one place: the registry (etl/index.ts), the pipelines, the marts (which build when their
 * sources are in the snapshot), the run log and `--source` on the command line all use these.
 */
export const SOURCE_IDS = {
  glpi: 'glpi',
  glpiAssets: 'glpi_assets',
  snipeit: 'snipeit',
  telecomLines: 'telecom_lines',
  telecomOperatorDetails: 'telecom_operator_details',
  telecomInvoices: 'telecom_invoices',
  backupVeeam: 'backup_veeam',
  backupBareos: 'backup_bareos',
  hrPersonnel: 'hr_personnel',
  hrTrainings: 'hr_trainings',
  hrLeaves: 'hr_leaves',
} as const;

type SourceId = (typeof SOURCE_IDS)[keyof typeof SOURCE_IDS];
