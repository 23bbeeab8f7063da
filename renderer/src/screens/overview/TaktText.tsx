import { formatTaktS } from '../../display.ts';

/** The number carries the meaning from across the room; the unit is drawn smaller but stays in the text. */
export function TaktText({ seconds }: { seconds: number | null }) {
  const text = formatTaktS(seconds);
  const unitAt = text.lastIndexOf(' s');
  if (unitAt < 0) return <>{text}</>;
  return (
    <>
      {text.slice(0, unitAt)}
      <span className="takt-unit"> s</span>
    </>
  );
}
