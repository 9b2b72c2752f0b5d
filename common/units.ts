/**
 * The müdürlükler (units) of Sultanbeyli Belediyesi used by the demo sources and demo users.
 * `code` is the stable key everywhere (warehouse, security context, config); `staff` is the demo head-count.
 * A real site maps its own GLPI groups/entities to these codes (see etl/sources/helpdesk/README.md).
 */
export interface Unit {
  code: string;
  name: string;
  staff: number;
}

export const UNITS: readonly Unit[] = [
  { code: 'OZEL_KALEM', name: 'Özel Kalem Müdürlüğü', staff: 38 },
  { code: 'YAZI_ISLERI', name: 'Yazı İşleri Müdürlüğü', staff: 42 },
  { code: 'MALI_HIZMETLER', name: 'Mali Hizmetler Müdürlüğü', staff: 96 },
  { code: 'INSAN_KAYNAKLARI', name: 'İnsan Kaynakları ve Eğitim Müdürlüğü', staff: 35 },
  { code: 'BILGI_ISLEM', name: 'Bilgi İşlem Müdürlüğü', staff: 27 },
  { code: 'FEN_ISLERI', name: 'Fen İşleri Müdürlüğü', staff: 310 },
  { code: 'IMAR', name: 'İmar ve Şehircilik Müdürlüğü', staff: 74 },
  { code: 'PLAN_PROJE', name: 'Plan ve Proje Müdürlüğü', staff: 29 },
  { code: 'EMLAK', name: 'Emlak ve İstimlak Müdürlüğü', staff: 31 },
  { code: 'ZABITA', name: 'Zabıta Müdürlüğü', staff: 185 },
  { code: 'TEMIZLIK', name: 'Temizlik İşleri Müdürlüğü', staff: 420 },
  { code: 'PARK_BAHCE', name: 'Park ve Bahçeler Müdürlüğü', staff: 260 },
  { code: 'KULTUR', name: 'Kültür ve Sosyal İşler Müdürlüğü', staff: 88 },
  { code: 'SOSYAL_DESTEK', name: 'Sosyal Destek Hizmetleri Müdürlüğü', staff: 112 },
  { code: 'KADIN_AILE', name: 'Kadın ve Aile Hizmetleri Müdürlüğü', staff: 64 },
  { code: 'GENCLIK_SPOR', name: 'Gençlik ve Spor Hizmetleri Müdürlüğü', staff: 97 },
  { code: 'BASIN_YAYIN', name: 'Basın Yayın ve Halkla İlişkiler Müdürlüğü', staff: 46 },
  { code: 'DESTEK', name: 'Destek Hizmetleri Müdürlüğü', staff: 140 },
  { code: 'HUKUK', name: 'Hukuk İşleri Müdürlüğü', staff: 22 },
  { code: 'STRATEJI', name: 'Strateji Geliştirme Müdürlüğü', staff: 19 },
  { code: 'CEVRE', name: 'Çevre Koruma ve Kontrol Müdürlüğü', staff: 51 },
  { code: 'VETERINER', name: 'Veteriner İşleri Müdürlüğü', staff: 33 },
  { code: 'RUHSAT', name: 'Ruhsat ve Denetim Müdürlüğü', staff: 40 },
  { code: 'KENTSEL_DONUSUM', name: 'Kentsel Dönüşüm Müdürlüğü', staff: 26 },
  { code: 'ISLETME', name: 'İşletme ve İştirakler Müdürlüğü', staff: 58 },
  { code: 'SAGLIK', name: 'Sağlık İşleri Müdürlüğü', staff: 47 },
  { code: 'AFET', name: 'Afet İşleri Müdürlüğü', staff: 24 },
  { code: 'MUHTARLIK', name: 'Muhtarlık İşleri Müdürlüğü', staff: 18 },
  { code: 'TEFTIS', name: 'Teftiş Kurulu Müdürlüğü', staff: 12 },
  { code: 'IKLIM', name: 'İklim Değişikliği ve Sıfır Atık Müdürlüğü', staff: 21 },
];

export function unitByCode(code: string): Unit | undefined {
  return UNITS.find((u) => u.code === code);
}
