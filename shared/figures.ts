// Placeholder signature until the figures module lands (CONTRACT §2).
export interface Figures {
  plannedS: number;
  units: number;
  good: number;
  rejects: number;
  targetUnits: number | null;
  attainmentPct: number | null;
  meanTaktS: number | null;
  p50TaktS: number | null;
  p95TaktS: number | null;
  onTargetPct: number | null;
  downtimeS: number;
  availabilityPct: number | null;
  performancePct: number | null;
  qualityPct: number | null;
  oeePct: number | null;
  bottleneckStation: string | null;
}
