-- bnserve.store=postgres: datasets, models, names and training jobs shared by every replica.
-- Every change bumps a row's revision (one sequence for all), so a replica that missed a notification finds it by
-- comparing revisions on its next poll.
CREATE SEQUENCE revisions;

-- A dataset is its binary column encoding (DatasetCodec, version 2) cut into chunks of at most 1 MiB.
CREATE TABLE datasets (
    id       text PRIMARY KEY,
    name     text NOT NULL,
    created  timestamptz NOT NULL,
    rows     integer NOT NULL,
    bytes    bigint NOT NULL,
    chunks   integer NOT NULL,
    revision bigint NOT NULL DEFAULT nextval('revisions')
);
CREATE TABLE dataset_chunks (
    dataset_id text NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
    seq        integer NOT NULL,
    data       bytea NOT NULL,
    PRIMARY KEY (dataset_id, seq)
);

-- A model is its versioned JSON document (ModelJson, the format export writes), likewise in chunks.
CREATE TABLE models (
    id       text PRIMARY KEY,
    name     text,
    version  integer,
    status   text NOT NULL,
    created  timestamptz NOT NULL,
    bytes    bigint NOT NULL,
    chunks   integer NOT NULL,
    revision bigint NOT NULL DEFAULT nextval('revisions')
);
CREATE TABLE model_chunks (
    model_id text NOT NULL REFERENCES models (id) ON DELETE CASCADE,
    seq      integer NOT NULL,
    data     bytea NOT NULL,
    PRIMARY KEY (model_id, seq)
);

-- Per model name: the last version issued (never reused) and its aliases.
CREATE TABLE names (
    name         text PRIMARY KEY,
    last_version integer NOT NULL DEFAULT 0,
    revision     bigint NOT NULL DEFAULT nextval('revisions')
);
CREATE TABLE aliases (
    name     text NOT NULL REFERENCES names (name),
    alias    text NOT NULL,
    model_id text NOT NULL,
    PRIMARY KEY (name, alias)
);

-- Training jobs: queued -> running (claimed by one replica, which renews its lease) -> done.
CREATE TABLE jobs (
    model_id         text PRIMARY KEY,
    state            text NOT NULL CHECK (state IN ('queued', 'running', 'done')),
    submitted        timestamptz NOT NULL DEFAULT clock_timestamp(),
    seq              bigserial NOT NULL,
    claimed_by       text,
    claimed_at       timestamptz,
    lease_until      timestamptz,
    cancel_requested boolean NOT NULL DEFAULT false
);
CREATE INDEX jobs_queued ON jobs (seq) WHERE state = 'queued';
CREATE INDEX jobs_running ON jobs (lease_until) WHERE state = 'running';
