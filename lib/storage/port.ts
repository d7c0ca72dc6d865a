// The result-store port: a run's rows, kept beside the portal database, with the SHA-256 the ledger records.
import type { Cell, EngineColumn } from '@/lib/engine/port';

export type StoredResult = { columns: EngineColumn[]; rowCount: number; sha256: string; bytes: number };

export type ResultWriter = {
  write(batch: Cell[][]): Promise<void>;
  finish(): Promise<StoredResult>;
  abort(): Promise<void>;
};

export type ResultPage = { columns: EngineColumn[]; rows: Cell[][]; total: number };

export type ResultDiff = { added: number; removed: number; addedSample: Cell[][]; removedSample: Cell[][] };

export type PageRequest = { offset: number; limit: number; sort?: { column: string; direction: 'asc' | 'desc' } };

export type ResultStore = {
  exists(runId: string): boolean;
  createWriter(runId: string, columns: EngineColumn[]): Promise<ResultWriter>;
  columns(runId: string): Promise<EngineColumn[]>;
  /** Rows in stored order, streamed (bounded memory whatever the result size). */
  rows(runId: string): AsyncGenerator<Cell[]>;
  /** The same rows in stored order, a batch at a time (about a megabyte of rows each): cheaper per row for long streams. */
  rowBatches(runId: string): AsyncGenerator<Cell[][]>;
  /** The same rows as their stored lines, a block of whole lines at a time: canonical JSON arrays, one per line (result-lines.ts). */
  rowLineBlocks(runId: string): AsyncGenerator<Buffer>;
  /** One page, optionally sorted by one column (typed comparison; NULLs last). */
  page(runId: string, request: PageRequest): Promise<ResultPage>;
  /** Rows in one result and not the other, as multisets. */
  diff(before: string, after: string, sampleSize?: number): Promise<ResultDiff>;
  /** Recomputes the stored result's SHA-256 and row count from its rows (what an export checks against the ledger). */
  verify(runId: string): Promise<StoredResult>;
  remove(runId: string): Promise<void>;
};
