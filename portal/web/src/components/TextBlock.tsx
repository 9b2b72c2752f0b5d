import type { Block } from '../../../../common/definitions/reports/index.js';

type TextBlockDef = Extract<Block, { kind: 'text' }>;

/** A paragraph of a report (plain text; blank lines separate paragraphs). */
export function TextBlock({ block }: { block: TextBlockDef }) {
  return (
    <div data-testid={`block-${block.id}`} className="pano-block space-y-2 text-tremor-default text-tremor-content-emphasis">
      {block.text.split(/\n{2,}/).map((p, i) => (
        <p key={i}>{p}</p>
      ))}
    </div>
  );
}
