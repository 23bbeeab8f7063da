// The tables the input adapters keep their state in (issue 12), as one step of the store's MIGRATIONS
// (main/core/store/db.ts lists it at its end, with its number). What an adapter must remember across a
// restart so that a redelivered sample is a duplicate and the next one neither doubles nor loses units:
// the last sample per source, the edge nodes' sessions (bdSeq, the 0–255 seq), and their birth certificates.
import type { Db } from '../../store/db.ts';

export const INPUTS_MIGRATION = {
  description: 'input adapters: last sample per source, Sparkplug edge node sessions and births',
  up: (db: Db) =>
    db.exec(`
      -- One row per mapped source of an input (Sparkplug group/node/device, or a tag stream's node/group): the
      -- derived events' boot and next seq, the last reading of each counter, the state last emitted (JSON).
      -- Written in the same transaction as the events derived from a sample, so they never disagree.
      CREATE TABLE input_sources (
        input      TEXT    NOT NULL,
        source     TEXT    NOT NULL,
        state      TEXT    NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (input, source)
      ) WITHOUT ROWID;
      -- One row per Sparkplug edge node: its session (bdSeq, last seq, online, birth and death times; JSON).
      CREATE TABLE input_nodes (
        input      TEXT    NOT NULL,
        node       TEXT    NOT NULL,
        state      TEXT    NOT NULL,
        updated_at INTEGER NOT NULL,
        PRIMARY KEY (input, node)
      ) WITHOUT ROWID;
      -- The newest birth certificate of an edge node (device '') or of one of its devices: metric names,
      -- aliases and datatypes (JSON), so that NDATA/DDATA by alias still decode after a restart.
      CREATE TABLE input_births (
        input      TEXT    NOT NULL,
        node       TEXT    NOT NULL,
        device     TEXT    NOT NULL,
        metrics    TEXT    NOT NULL,
        born_at    INTEGER NOT NULL,
        PRIMARY KEY (input, node, device)
      ) WITHOUT ROWID;
    `),
};
