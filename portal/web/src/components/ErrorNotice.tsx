/** A failure in Turkish, naming what failed: "Sorgu başarısız: <the server's text>". */
export function ErrorNotice({ title, message, className = '' }: { title: string; message: string; className?: string }) {
  return (
    <div role="alert" className={`rounded-tremor-small border border-red-200 bg-red-50 px-3 py-2 text-tremor-default text-red-800 ${className}`}>
      <span className="font-semibold">{title}:</span> <span className="break-words">{message}</span>
    </div>
  );
}
