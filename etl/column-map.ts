import { ConfigError, errorMessage } from '../common/errors.js';

/** What a site's column map looks like (PANO_VEEAM_COLUMN_MAP, PANO_HR_COLUMN_MAP; the source READMEs). */
export const COLUMN_MAP_SHAPE = '{"columns": {"<header>": "<Pano field>"}, "values": {"<Pano field>": {"<word>": "<Pano word>"}}}';

/**
 * The checks every column map gets before its source reads the entries: JSON, an object, only `columns` and
 * `values`. `fail` throws one ConfigError naming the key, the file and every problem; `problems` collects the
 * entries' problems so that a file with several mistakes is named once, whole.
 */
export function readColumnMapJson(text: string, file: string, envName: string, title: string) {
  const fail = (lines: string[]): never => {
    throw new ConfigError(`${envName} ${file}: invalid ${title} column map:\n${lines.map((l) => `  ${l}`).join('\n')}`);
  };
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (e) {
    return fail([`not JSON: ${errorMessage(e)}`]);
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return fail([`must be a JSON object ${COLUMN_MAP_SHAPE}`]);
  const map = json as Record<string, unknown>;
  const problems: string[] = [];
  for (const k of Object.keys(map)) if (k !== 'columns' && k !== 'values') problems.push(`"${k}": unknown key (a column map has "columns" and "values")`);
  if (map.columns === undefined && map.values === undefined) problems.push(`has neither "columns" nor "values": ${COLUMN_MAP_SHAPE}`);
  return { json: map, problems, fail };
}
