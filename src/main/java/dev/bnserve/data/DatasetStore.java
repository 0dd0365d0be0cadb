package dev.bnserve.data;

import java.util.List;
import java.util.Optional;

/**
 * Where datasets live. {@link FileDatasetStore} is the embedded default (one directory); the PostgreSQL store
 * ({@code bnserve.store=postgres}) shares datasets between replicas. Implementations are thread-safe and a
 * dataset is either wholly stored or not at all.
 */
public interface DatasetStore {

    /** (Re)reads what the store holds into memory; returns how many datasets it has. */
    int load();

    /**
     * Persists a dataset atomically and makes it available.
     *
     * @throws IllegalStateException if a dataset with the same id exists
     */
    Dataset save(Dataset dataset);

    /** The dataset with this id; empty for unknown or malformed ids. */
    Optional<Dataset> get(String id);

    /** All datasets, oldest first. */
    List<Dataset> list();

    /** Removes a dataset; false if there was no such dataset (or the id is malformed). */
    boolean delete(String id);
}
