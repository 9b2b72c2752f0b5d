import { TR_FOLD, turkishFold } from '../../common/definitions/text.js';
import type { DemoRandom } from './demo-random.js';

/**
 * Common Turkish given names and surnames for demo people. A fixed list (rather than a faker
 * locale) keeps names ordinary and the output stable across library upgrades.
 */
export const FEMALE_NAMES = [
  'Ayşe',
  'Fatma',
  'Emine',
  'Hatice',
  'Zeynep',
  'Elif',
  'Merve',
  'Esra',
  'Özlem',
  'Sevgi',
  'Büşra',
  'Kübra',
  'Tuğba',
  'Gülsüm',
  'Sibel',
  'Derya',
  'Aslı',
  'Ebru',
  'Dilek',
  'Hülya',
  'Nur',
  'Songül',
  'Yasemin',
  'Seda',
  'Gamze',
  'Filiz',
  'Şeyma',
  'Rabia',
  'İrem',
  'Ceren',
  'Betül',
  'Hacer',
  'Meryem',
  'Sümeyye',
  'Nurcan',
  'Gizem',
  'Pınar',
  'Burcu',
  'Serap',
  'Arzu',
];

export const MALE_NAMES = [
  'Mehmet',
  'Mustafa',
  'Ahmet',
  'Ali',
  'Hüseyin',
  'Hasan',
  'İbrahim',
  'İsmail',
  'Osman',
  'Yusuf',
  'Murat',
  'Ömer',
  'Ramazan',
  'Halil',
  'Süleyman',
  'Abdullah',
  'Mahmut',
  'Recep',
  'Fatih',
  'Kadir',
  'Emre',
  'Burak',
  'Serkan',
  'Onur',
  'Volkan',
  'Hakan',
  'Erkan',
  'Gökhan',
  'Tolga',
  'Uğur',
  'Kemal',
  'Salih',
  'Yasin',
  'Furkan',
  'Enes',
  'Eren',
  'Selim',
  'Cem',
  'Tuncay',
  'Orhan',
];

export const SURNAMES = [
  'Yılmaz',
  'Kaya',
  'Demir',
  'Şahin',
  'Çelik',
  'Yıldız',
  'Yıldırım',
  'Öztürk',
  'Aydın',
  'Özdemir',
  'Arslan',
  'Doğan',
  'Kılıç',
  'Aslan',
  'Çetin',
  'Kara',
  'Koç',
  'Kurt',
  'Özkan',
  'Şimşek',
  'Polat',
  'Özcan',
  'Korkmaz',
  'Çakır',
  'Erdoğan',
  'Yavuz',
  'Can',
  'Acar',
  'Şen',
  'Aktaş',
  'Güler',
  'Yalçın',
  'Güneş',
  'Bozkurt',
  'Bulut',
  'Keskin',
  'Ünal',
  'Turan',
  'Gül',
  'Özer',
  'Işık',
  'Kaplan',
  'Avcı',
  'Sarı',
  'Tekin',
  'Taş',
  'Köse',
  'Yüksel',
  'Ateş',
  'Aksoy',
  'Karaca',
  'Uçar',
  'Tunç',
  'Altun',
  'Erdem',
  'Bayram',
  'Demirci',
  'Karakaya',
  'Sönmez',
  'Akın',
];

export interface DemoPerson {
  firstname: string;
  realname: string;
  /** Login, ASCII-folded 'ayse.yilmaz', unique within one generator run. */
  login: string;
}

/** Creates people with unique logins (a numeric suffix on collisions). */
export class PersonFactory {
  private readonly logins = new Set<string>();
  constructor(private readonly rng: DemoRandom) {}

  person(): DemoPerson {
    const firstname = this.rng.chance(0.5) ? this.rng.pick(FEMALE_NAMES) : this.rng.pick(MALE_NAMES);
    const realname = this.rng.pick(SURNAMES);
    const base = `${asciiFold(firstname)}.${asciiFold(realname)}`;
    let login = base;
    for (let n = 2; this.logins.has(login); n++) login = `${base}${n}`;
    this.logins.add(login);
    return { firstname, realname, login };
  }
}

/** 'Gülsüm' → 'gulsum', 'Işık' → 'isik' (logins and e-mail local parts). TR_FOLD.login in common/definitions/text.ts. */
export function asciiFold(s: string): string {
  return turkishFold(s, TR_FOLD.login);
}
