/** "Yalnızca Fen İşleri Müdürlüğü kayıtları gösterilmektedir." for users the server limits to their unit. */
export function ScopeNotice({ text }: { text: string | null }) {
  if (!text) return null;
  return (
    <p
      data-testid="scope-notice"
      className="pano-block flex items-center gap-2 rounded-tremor-small border border-blue-200 bg-blue-50 px-3 py-2 text-tremor-default text-blue-900"
    >
      <svg aria-hidden="true" viewBox="0 0 20 20" className="h-4 w-4 flex-none fill-blue-600">
        <path d="M10 2a8 8 0 1 0 0 16 8 8 0 0 0 0-16Zm.75 12h-1.5V9h1.5v5Zm0-6.5h-1.5V6h1.5v1.5Z" />
      </svg>
      {text}
    </p>
  );
}
