/**
 * Cube's compiler speaks of the cubes behind a view (`Can't find join path to join 'genders', 'units'`); the API's
 * callers know only the views, and the private cube names are not theirs to learn. This rewrites such a message in
 * the names of the view members the query used.
 */
import { filterLeaves } from './query-validation.js';

type Json = Record<string, any>;

/** Every member a query names, "view.member" (a granularity suffix dropped). */
export function membersOfQueries(queries: Json[]): string[] {
  const out = new Set<string>();
  const add = (m: unknown) => {
    if (typeof m === 'string') out.add(m.split('.').slice(0, 2).join('.'));
  };
  for (const q of queries) {
    for (const key of ['measures', 'dimensions', 'segments']) for (const m of Array.isArray(q[key]) ? q[key] : []) add(m);
    for (const td of Array.isArray(q.timeDimensions) ? q.timeDimensions : []) add(td?.dimension);
    for (const f of filterLeaves(q.filters)) add(f.member ?? f.dimension);
    const order = q.order;
    if (Array.isArray(order)) for (const o of order) add(Array.isArray(o) ? o[0] : undefined);
    else if (order && typeof order === 'object') for (const k of Object.keys(order)) add(k);
  }
  return [...out];
}

interface ModelNames {
  privateCubes: Set<string>;
  /** "cube.member" → the view members that expose it. */
  viewMembersOf: Map<string, string[]>;
  /** "view.member" → "cube.member" behind it. */
  aliasOf: Map<string, string>;
}

const namesCache = new WeakMap<Json[], ModelNames>();
function modelNames(metaCubes: Json[]): ModelNames {
  let names = namesCache.get(metaCubes);
  if (names) return names;
  names = { privateCubes: new Set(), viewMembersOf: new Map(), aliasOf: new Map() };
  for (const c of metaCubes) {
    const config = c.config ?? c;
    if (config.public === false) names.privateCubes.add(config.name);
    for (const m of [...(config.measures ?? []), ...(config.dimensions ?? []), ...(config.segments ?? [])]) {
      if (typeof m.aliasMember !== 'string') continue;
      names.aliasOf.set(m.name, m.aliasMember);
      const list = names.viewMembersOf.get(m.aliasMember) ?? [];
      list.push(m.name);
      names.viewMembersOf.set(m.aliasMember, list);
    }
  }
  namesCache.set(metaCubes, names);
  return names;
}

/** The message with private cube and member names replaced by the view members of the query. */
export function viewLanguage(message: string, queries: Json[], metaCubes: Json[]): string {
  const names = modelNames(metaCubes);
  if (!names.privateCubes.size) return message;
  const used = membersOfQueries(queries);
  // The query's members grouped by the cube behind them.
  const byCube = new Map<string, string[]>();
  for (const m of used) {
    const alias = names.aliasOf.get(m);
    if (!alias) continue;
    const cube = alias.split('.')[0];
    byCube.set(cube, [...(byCube.get(cube) ?? []), m]);
  }

  const viewNameOf = (cube: string, member?: string): string => {
    const exposed = member ? names.viewMembersOf.get(`${cube}.${member}`) : undefined;
    if (exposed?.length) return exposed.find((e) => used.includes(e)) ?? exposed[0];
    const inQuery = byCube.get(cube);
    return inQuery?.length ? inQuery.join(', ') : 'a member of the model';
  };
  let out = message;
  for (const cube of names.privateCubes) {
    const esc = cube.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    out = out
      .replace(new RegExp(`\\b${esc}(?:\\.|__)(\\w+)`, 'g'), (_m, member: string) => viewNameOf(cube, member))
      .replace(new RegExp(`(['"\`])${esc}\\1`, 'g'), (_m, q: string) => `${q}${viewNameOf(cube)}${q}`);
  }
  return out;
}
