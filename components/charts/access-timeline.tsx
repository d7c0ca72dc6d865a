'use client';

import { Bar, BarChart, CartesianGrid, Legend, ResponsiveContainer, Tooltip, XAxis, YAxis } from 'recharts';

export type TimelinePoint = { day: string; healthimaging: number; s3: number; denied: number };

/** Accesses per day (UTC): HealthImaging and S3 reads stacked, refusals on top in red. */
export function AccessTimeline({ data, label }: { data: TimelinePoint[]; label: string }) {
  return (
    <figure aria-label={label} className="h-64 w-full">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={data} margin={{ top: 8, right: 16, bottom: 8, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" vertical={false} />
          <XAxis dataKey="day" tickFormatter={(d: string) => d.slice(5)} fontSize={11} minTickGap={12} />
          <YAxis allowDecimals={false} fontSize={11} width={32} />
          <Tooltip />
          <Legend />
          <Bar dataKey="healthimaging" name="HealthImaging" stackId="a" fill="#1f6f66" isAnimationActive={false} />
          <Bar dataKey="s3" name="S3" stackId="a" fill="#5b8def" isAnimationActive={false} />
          <Bar dataKey="denied" name="Refused" stackId="a" fill="#dc2626" isAnimationActive={false} />
        </BarChart>
      </ResponsiveContainer>
      <figcaption className="sr-only">{label}</figcaption>
    </figure>
  );
}
