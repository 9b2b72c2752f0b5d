/** Pano's roles (the `roles` claim of a token) and their Turkish names. Pure: shared by the server and the portal. */
export const ROLES = ['yonetim', 'mudur', 'analist', 'birim', 'ik', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export const ROLE_LABELS: Record<Role, string> = {
  yonetim: 'Yönetim',
  mudur: 'Müdür',
  analist: 'Analist',
  birim: 'Birim kullanıcısı',
  ik: 'İnsan Kaynakları',
  admin: 'Yönetici',
};
