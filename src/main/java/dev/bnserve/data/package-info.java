/**
 * Datasets: CSV ingest (streamed, typed columns, errors located by line and column), the immutable column-oriented
 * {@link dev.bnserve.data.Dataset}, and its durable binary store. Framework-free.
 */
package dev.bnserve.data;
