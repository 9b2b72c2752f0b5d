/**
 * Pano's layering, checked in `npm test` (scripts/check-structure.sh): README "How it is built".
 *   common/              shared by every wing; imports no wing
 *   common/definitions/  browser-safe: imports nothing outside itself and no Node module
 *   etl/ reports/ scheduler/ portal/server/ portal/server/semantic/   wings, each entered through its index.ts
 *   portal/server/pano.ts   the composition root: the one file that wires wings together
 *   portal/web/          the browser: imports only itself and common/definitions/
 * Tests may reach inside any wing.
 */
const WINGS = ['etl', 'reports', 'scheduler', 'portal/server/semantic', 'portal/server'];

/** From outside a wing, only its index.ts (and, for the server, the composition root). */
const entryRules = WINGS.map((wing) => {
  const inner = WINGS.filter((w) => w !== wing && w.startsWith(`${wing}/`));
  const allowed = wing === 'portal/server' ? '(index|pano)\\.ts' : 'index\\.ts';
  return {
    name: `enter-${wing.replace(/\//g, '-')}-through-its-index`,
    comment: `Import ${wing}/ only through ${wing}/index.ts from outside it`,
    severity: 'error',
    from: { path: '^(bin|common|etl|reports|scheduler|portal|scripts)/', pathNot: [`^${wing}/`, '^tests/'] },
    to: { path: `^${wing}/`, pathNot: [`^${wing}/${allowed}$`, ...inner.map((w) => `^${w}/`)] },
  };
});

module.exports = {
  forbidden: [
    ...entryRules,
    {
      name: 'common-imports-no-wing',
      comment: 'common/ is shared by every wing and depends on none',
      severity: 'error',
      from: { path: '^common/' },
      to: { path: '^(etl|reports|scheduler|portal|bin)/' },
    },
    {
      name: 'server-never-imports-etl',
      comment: 'The API server reads the warehouse through its contract (common/warehouse/), never the ETL',
      severity: 'error',
      from: { path: '^portal/server/' },
      to: { path: '^etl/' },
    },
    {
      name: 'wings-do-not-wire-wings',
      comment: 'Only the composition root (portal/server/pano.ts) and bin/ put wings together',
      severity: 'error',
      from: { path: '^(etl|reports|scheduler)/' },
      to: { path: '^(etl|reports|scheduler|portal)/', pathNot: ['^$1/'] },
    },
    {
      name: 'browser-imports-only-browser-safe-code',
      comment: 'portal/web runs in the browser: only itself, common/definitions/ and npm packages',
      severity: 'error',
      from: { path: '^portal/web/src/' },
      to: { pathNot: ['^portal/web/', '^common/definitions/', '^node_modules/'] },
    },
    {
      name: 'browser-imports-no-node-module',
      severity: 'error',
      from: { path: '^(portal/web/src|common/definitions)/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'definitions-stay-browser-safe',
      comment: 'common/definitions/ is read by the browser: nothing outside itself but npm packages',
      severity: 'error',
      from: { path: '^common/definitions/' },
      to: { pathNot: ['^common/definitions/', '^node_modules/'] },
    },
    {
      name: 'no-circular',
      comment: 'Modules that import each other (also through type imports) cannot be read one at a time',
      severity: 'error',
      from: { pathNot: '^tests/' },
      to: { circular: true },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      from: {},
      to: { couldNotResolve: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|bench-results|\\.scratch)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.json'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
