import { Line, LineChart, ReferenceLine, ResponsiveContainer, YAxis } from 'recharts';
import { CHART } from '../../palette.ts';

interface Props {
  values: (number | null)[];
  targetS: number | null;
  colour: string;
  label: string;
}

/** The last half hour at a glance: gaps stay gaps (a minute without two units is not a zero). */
export function Sparkline({ values, targetS, colour, label }: Props) {
  const data = values.map((v, i) => ({ i, v }));
  return (
    <div className="sparkline" role="img" aria-label={label}>
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 4, right: 2, bottom: 4, left: 2 }}>
          <YAxis hide domain={['auto', 'auto']} />
          {targetS !== null ? <ReferenceLine y={targetS} stroke={CHART.target} strokeDasharray="4 3" ifOverflow="extendDomain" /> : null}
          <Line type="monotone" dataKey="v" stroke={colour} strokeWidth={2} dot={false} isAnimationActive={false} connectNulls={false} />
        </LineChart>
      </ResponsiveContainer>
    </div>
  );
}
