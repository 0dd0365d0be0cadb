package dev.bnserve.model;

import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Where models live, with listeners for every change. {@link FileModelStore} is the embedded default; the
 * PostgreSQL store ({@code bnserve.store=postgres}) also tells the listeners of changes made by other replicas.
 * A write leaves either the previous or the new document, never a torn one.
 */
public interface ModelStore {

    /** Reads every saved model; returns how many were loaded. */
    int load();

    /** Called with every model saved from now on, and once for each already in the store. */
    void onSaved(Consumer<ModelRecord> listener);

    void onDeleted(Consumer<String> listener);

    /**
     * Persists and publishes {@code m} (durable when this returns). Listeners hear of it before readers of
     * {@link #get} and {@link #list} see it, so whoever sees a model ready can already predict with it.
     */
    ModelRecord save(ModelRecord m);

    /** Updates the in-memory view only (progress while training); {@link #save} makes it durable. */
    void update(ModelRecord m);

    Optional<ModelRecord> get(String id);

    /** Newest first. */
    List<ModelRecord> list();

    boolean delete(String id);
}
