import { Alert } from '@/components/ui/alert';
import { formatNumber } from '@/lib/format';
import type { PostureDashboard } from '@/lib/posture/dashboard-types';
import { COVERAGE_LABELS, type TrailHealth } from '@/lib/posture/trail-health';
import { utcText } from './dashboard-view';
import { FigureFrame } from './figure-frame';
import { FigureGate, FigureSource, LogsGate, SnapshotSource, Stat } from './provenance';

const yesNo = (v: boolean | null) => (v === null ? 'unknown' : v ? 'yes' : 'no');
const when = (iso: string | null) => (iso ? `${utcText(iso)} UTC` : '—');

/** Per trail: logging, log file validation, data events, multi-Region, last delivery and digest; gaps in the window. */
export function TrailPanelView({ d }: { d: PostureDashboard }) {
  const t = d.trails;
  const v = t.verdict;
  return (
    <div className="flex flex-col gap-4">
      {t.unavailable ? (
        <Alert tone="warning" title="The trails' configuration could not be read">
          {t.unavailable}
        </Alert>
      ) : null}
      {v ? (
        <>
          <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
            <Stat label="Trails logging" value={`${v.trails.filter((x) => x.logging === true).length} of ${v.trails.length}`} detail={v.validatedLogging ? 'one validates its files and records KMS events' : 'none validates its files and records KMS events'} />
            <Stat label="S3 data events of the archive" value={COVERAGE_LABELS[v.s3DataEvents]} detail={d.settings.archiveBucket} />
            <Stat label="HealthImaging data events" value={COVERAGE_LABELS[v.imagingDataEvents]} detail="image set and frame reads" />
            <Stat label="Coverage gaps" value={formatNumber(t.gaps.length)} detail={`${formatNumber(t.gapHours)} hours without CloudTrail events`} />
          </dl>
          {v.problems.length > 0 ? (
            <Alert tone="warning" title="What the trails leave out">
              <ul className="list-disc pl-5">
                {v.problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </Alert>
          ) : (
            <Alert tone="success" title="Every requirement met">
              A trail is logging with log file validation and KMS events, and the archive&rsquo;s S3 reads and HealthImaging data events are recorded.
            </Alert>
          )}
          <TrailTable d={d} trails={v.trails} />
        </>
      ) : !t.unavailable ? (
        <p className="text-sm text-slate-600">The trails&rsquo; configuration was not recorded in this refresh.</p>
      ) : null}
      <FigureGate figure={d.figures['trails.coverage']}>
        <LogsGate figure={d.figures['trails.coverage']} sources={['cloudtrail']}>
          <Gaps d={d} />
        </LogsGate>
      </FigureGate>
      <div className="rounded-md border border-slate-200 bg-slate-50 px-3 py-2 text-xs text-slate-700">
        <p className="font-semibold text-slate-800">Digest validation</p>
        <p className="mt-1">{d.digestValidation.note}</p>
      </div>
    </div>
  );
}

function TrailTable({ d, trails }: { d: PostureDashboard; trails: TrailHealth[] }) {
  return (
    <FigureFrame
      title="Trails"
      description="As CloudTrail describes them (DescribeTrails, GetTrailStatus, GetEventSelectors)."
      table={{
        columns: [
          { key: 'name', label: 'Trail' },
          { key: 'homeRegion', label: 'Home Region' },
          { key: 'logging', label: 'Logging' },
          { key: 'validation', label: 'Log file validation' },
          { key: 's3', label: 'S3 data events' },
          { key: 'imaging', label: 'HealthImaging data events' },
          { key: 'kms', label: 'KMS events' },
          { key: 'multiRegion', label: 'Multi-Region' },
          { key: 'lastDelivery', label: 'Last delivery' },
          { key: 'lastDigest', label: 'Last digest' },
          { key: 'problems', label: 'Problems' },
        ],
        rows: trails.map((x) => ({
          name: x.organization ? `${x.name} (organization)` : x.name,
          homeRegion: x.homeRegion,
          logging: yesNo(x.logging),
          validation: yesNo(x.logFileValidation),
          s3: COVERAGE_LABELS[x.s3DataEvents],
          imaging: COVERAGE_LABELS[x.imagingDataEvents],
          kms: yesNo(x.kmsEvents),
          multiRegion: yesNo(x.multiRegion),
          lastDelivery: when(x.lastDelivery),
          lastDigest: when(x.lastDigest),
          problems: x.problems.length ? x.problems.join(' ') : 'none',
        })),
      }}
      csvName={`trails-${d.window.to}`}
      source={<SnapshotSource snapshot={d.snapshots.trails} what="trail configuration" />}
    />
  );
}

function Gaps({ d }: { d: PostureDashboard }) {
  const t = d.trails;
  return (
    <FigureFrame
      title="Hours without CloudTrail events"
      description={t.gaps.length ? `${t.gaps.length} gap${t.gaps.length === 1 ? '' : 's'} in the window, ${formatNumber(t.gapHours)} hours in all.` : 'Every hour of the window has CloudTrail events in every Region.'}
      table={{
        columns: [
          { key: 'region', label: 'Region' },
          { key: 'start', label: 'From (UTC)' },
          { key: 'end', label: 'To (UTC)' },
          { key: 'hours', label: 'Hours', kind: 'number' },
        ],
        rows: t.gaps.map((g) => ({ region: g.region, start: utcText(g.start), end: utcText(g.end), hours: g.hours })),
      }}
      csvName={`trail-gaps-${d.window.from}-${d.window.to}`}
      source={<FigureSource figure={d.figures['trails.coverage']} />}
    />
  );
}
