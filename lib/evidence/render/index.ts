export { BODY, bullets, heading, keyValueBlock, lines, MONO, MUTED, paragraph, space, type KeyValue } from './blocks';
export { formatCell, formatNumber } from './cells';
export { drawCoverPage, type CoverOptions } from './cover';
export { createReportDocument, KIND_LABEL, type Box, type DocumentMeta, type Orientation, type ReportDocument } from './document';
export { renderPatientAccessReport } from './patient-access';
export { renderQueryRunReport } from './query-run';
export { describeGap, describeHours, describeProblem, drawScopeSection, integrityStatement } from './scope';
export { drawTable, type TableColumn, type TableOptions, type TableResult } from './table';
export type * from './types';
