import type { CSSProperties } from 'react';

/** A grey placeholder while data loads (aria-hidden; the surrounding block says "Yükleniyor"). */
export function Skeleton({ className = '', style }: { className?: string; style?: CSSProperties }) {
  return <div aria-hidden="true" style={style} className={`pano-skeleton animate-pulse rounded-tremor-small bg-tremor-background-subtle ${className}`} />;
}
