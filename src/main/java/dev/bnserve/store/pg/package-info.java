/**
 * The PostgreSQL store ({@code bnserve.store=postgres}): datasets, models, names and training jobs in one database that
 * any number of replicas share. Each replica keeps its in-memory view (and so its compiled plans) and learns of the
 * others' changes through {@code LISTEN/NOTIFY}, with a poll for notifications it missed. Sits above training and
 * predict, whose store and job-queue interfaces it implements; no HTTP.
 */
package dev.bnserve.store.pg;
