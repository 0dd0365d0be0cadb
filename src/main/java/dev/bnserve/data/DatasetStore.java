package dev.bnserve.data;

import dev.bnserve.problem.Problem;
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

    /**
     * The dataset a reference names: its id, else its name. Names need not be unique, so a name two datasets share
     * answers a conflict that lists their ids rather than picking one; empty when nothing matches.
     *
     * @throws Problem a conflict when the reference is a name that several datasets have
     */
    default Optional<Dataset> resolve(String reference) {
        Optional<Dataset> byId = get(reference);
        if (byId.isPresent() || reference == null) return byId;
        List<Dataset> named =
                list().stream().filter(d -> reference.equals(d.name())).toList();
        if (named.size() > 1) {
            throw Problem.conflict(
                    "ambiguous-dataset-name",
                    "Ambiguous dataset name",
                    named.size() + " datasets are named '" + Problem.shown(reference) + "' ("
                            + String.join(
                                    ", ",
                                    named.stream().limit(10).map(Dataset::id).toList())
                            + (named.size() > 10 ? ", …" : "")
                            + "); refer to one by its id, or delete the others.");
        }
        return named.stream().findFirst();
    }

    /** Removes a dataset; false if there was no such dataset (or the id is malformed). */
    boolean delete(String id);

    /**
     * The storage quota ({@code bnserve.limits.max-storage}) this store enforces, in bytes; 0 when it enforces none
     * (the PostgreSQL store: the database's own limits apply).
     */
    default long storageQuota() {
        return 0;
    }

    /** Bytes a new dataset may still take under {@link #storageQuota()}; {@link Long#MAX_VALUE} without a quota. */
    default long storageRemaining() {
        return Long.MAX_VALUE;
    }
}
