import { ROLE_LABELS, type Role } from '../../../../common/definitions/roles.js';

export { type Role } from '../../../../common/definitions/roles.js';

export function roleLabel(role: string | null | undefined): string {
  return role && Object.prototype.hasOwnProperty.call(ROLE_LABELS, role) ? ROLE_LABELS[role as Role] : (role ?? '');
}

/**
 * Roles that a Cube view limits to the user's own unit (row-level access policy; the server enforces it,
 * the UI only says so). Mirrors `access_policy` in model/views/<view>.yml.
 */
export const UNIT_SCOPED_ROLES: Record<string, readonly Role[]> = {
  yardim_masasi: ['birim', 'ik'],
};

/** "Yalnızca Fen İşleri Müdürlüğü kayıtları gösterilmektedir." when any of the views is limited for this user, else null. */
export function unitScopeNotice(
  user: { role: string; unitName?: string | null; unitCode?: string | null } | null | undefined,
  views: readonly string[],
): string | null {
  if (!user) return null;
  const scoped = views.some((v) => (UNIT_SCOPED_ROLES[v] ?? ['birim']).includes(user.role as Role));
  if (!scoped) return null;
  const unit = user.unitName || user.unitCode || 'kendi biriminizin';
  return `Yalnızca ${unit} kayıtları gösterilmektedir.`;
}
