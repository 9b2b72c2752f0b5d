import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import colors from 'tailwindcss/colors';
import defaultTheme from 'tailwindcss/defaultTheme';
import plugin from 'tailwindcss/plugin';

/**
 * Tailwind 3 set up the way Tremor 3 documents it (npm.tremor.so → Installation): Tremor's sources in `content`,
 * the `tremor` / `dark-tremor` colour tokens, box shadows, radii and font sizes, and a safelist for the colour
 * classes Tremor's charts build at run time (fill-*, stroke-*, bg-*, text-*, border-*, ring-*).
 * Noto Sans is the one font, on screen and in print (Turkish ğ ü ş ı ö ç İ).
 */
const webRoot = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(webRoot, '../..');

const shades = '(?:50|100|200|300|400|500|600|700|800|900|950)';
const palette = '(?:slate|gray|zinc|neutral|stone|red|orange|amber|yellow|lime|green|emerald|teal|cyan|sky|blue|indigo|violet|purple|fuchsia|pink|rose)';

/** The `ui-*` variants of @headlessui/tailwindcss (Tremor's selects and tabs use `ui-selected:`), without the extra package. */
const headlessUiVariants = plugin(({ addVariant }) => {
  for (const state of ['open', 'checked', 'selected', 'active', 'disabled', 'focus']) {
    addVariant(`ui-${state}`, [`&[data-headlessui-state~="${state}"]`, `:where([data-headlessui-state~="${state}"]) &`]);
    addVariant(`ui-not-${state}`, [
      `&[data-headlessui-state]:not([data-headlessui-state~="${state}"])`,
      `:where([data-headlessui-state]:not([data-headlessui-state~="${state}"])) &:not([data-headlessui-state])`,
    ]);
  }
});

/** @type {import('tailwindcss').Config} */
export default {
  // Light only for now: Tremor's dark: classes apply under a .dark class, never because the OS (or the
  // headless browser that prints PDFs) prefers dark.
  darkMode: 'class',
  content: [resolve(webRoot, 'index.html'), resolve(webRoot, 'src/**/*.{js,ts,jsx,tsx}'), resolve(repoRoot, 'node_modules/@tremor/**/*.{js,ts,jsx,tsx}')],
  theme: {
    transparent: 'transparent',
    current: 'currentColor',
    extend: {
      fontFamily: {
        sans: ['"Noto Sans"', ...defaultTheme.fontFamily.sans],
      },
      colors: {
        // light mode
        tremor: {
          brand: {
            faint: colors.blue[50],
            muted: colors.blue[200],
            subtle: colors.blue[400],
            DEFAULT: colors.blue[500],
            emphasis: colors.blue[700],
            inverted: colors.white,
          },
          background: {
            muted: colors.gray[50],
            subtle: colors.gray[100],
            DEFAULT: colors.white,
            emphasis: colors.gray[700],
          },
          border: {
            DEFAULT: colors.gray[200],
          },
          ring: {
            DEFAULT: colors.gray[200],
          },
          content: {
            subtle: colors.gray[400],
            DEFAULT: colors.gray[500],
            emphasis: colors.gray[700],
            strong: colors.gray[900],
            inverted: colors.white,
          },
        },
        // dark mode (Tremor's tokens; Pano ships light only for now)
        'dark-tremor': {
          brand: {
            faint: '#0B1229',
            muted: colors.blue[950],
            subtle: colors.blue[800],
            DEFAULT: colors.blue[500],
            emphasis: colors.blue[400],
            inverted: colors.blue[950],
          },
          background: {
            muted: '#131A2B',
            subtle: colors.gray[800],
            DEFAULT: colors.gray[900],
            emphasis: colors.gray[300],
          },
          border: {
            DEFAULT: colors.gray[800],
          },
          ring: {
            DEFAULT: colors.gray[800],
          },
          content: {
            subtle: colors.gray[600],
            DEFAULT: colors.gray[500],
            emphasis: colors.gray[200],
            strong: colors.gray[50],
            inverted: colors.gray[950],
          },
        },
      },
      boxShadow: {
        // light
        'tremor-input': '0 1px 2px 0 rgb(0 0 0 / 0.05)',
        'tremor-card': '0 1px 3px 0 rgb(0 0 0 / 0.1), 0 1px 2px -1px rgb(0 0 0 / 0.1)',
        'tremor-dropdown': '0 4px 6px -1px rgb(0 0 0 / 0.1), 0 2px 4px -2px rgb(0 0 0 / 0.1)',
        // dark
        'dark-tremor-input': '0 1px 2px 0 rgb(0 0 0 / 0.05)',
        'dark-tremor-card': '0 1px 3px 0 rgb(0 0 0 / 0.1), 0 1px 2px -1px rgb(0 0 0 / 0.1)',
        'dark-tremor-dropdown': '0 4px 6px -1px rgb(0 0 0 / 0.1), 0 2px 4px -2px rgb(0 0 0 / 0.1)',
      },
      borderRadius: {
        'tremor-small': '0.375rem',
        'tremor-default': '0.5rem',
        'tremor-full': '9999px',
      },
      fontSize: {
        'tremor-label': ['0.75rem', { lineHeight: '1rem' }],
        'tremor-default': ['0.875rem', { lineHeight: '1.25rem' }],
        'tremor-title': ['1.125rem', { lineHeight: '1.75rem' }],
        'tremor-metric': ['1.875rem', { lineHeight: '2.25rem' }],
      },
    },
  },
  // Tremor's documented safelist also adds `hover:` and `ui-selected:` variants of bg/text/border; those serve
  // interactive pickers and tabs Pano does not use and would nearly treble the CSS (≈450 kB → ≈165 kB without).
  // Add them back here if a Select, Tab or clickable BarList with a custom colour arrives.
  safelist: [
    { pattern: new RegExp(`^(bg-${palette}-${shades})$`) },
    { pattern: new RegExp(`^(text-${palette}-${shades})$`) },
    { pattern: new RegExp(`^(border-${palette}-${shades})$`) },
    { pattern: new RegExp(`^(ring-${palette}-${shades})$`) },
    { pattern: new RegExp(`^(stroke-${palette}-${shades})$`) },
    { pattern: new RegExp(`^(fill-${palette}-${shades})$`) },
  ],
  plugins: [headlessUiVariants],
};
