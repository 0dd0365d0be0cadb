package dev.bnserve.model;

import dev.bnserve.io.DurableFiles;
import dev.bnserve.io.StorageQuota;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.exc.JacksonIOException;

/**
 * Models on disk, one {@link ModelJson} document per model under {@code <dataDir>/models/<id>.json},
 * and in memory. Every write goes to a temporary file that is fsynced and then atomically renamed
 * over the old one, so a crash leaves either the previous or the new document, never a torn one.
 * On start-up a model that was queued or training when the process died is marked failed.
 */
public class FileModelStore implements ModelStore {
    private static final Logger log = LoggerFactory.getLogger(FileModelStore.class);

    private final Path dir;
    private final ModelJson json;
    private final StorageQuota quota;
    private final Map<String, ModelRecord> models = new ConcurrentHashMap<>();
    private final List<Consumer<ModelRecord>> onSaved = new CopyOnWriteArrayList<>();
    private final List<Consumer<String>> onDeleted = new CopyOnWriteArrayList<>();

    public FileModelStore(Path dataDir, ModelJson json) {
        this(dataDir, json, StorageQuota.NONE);
    }

    /**
     * As {@link #FileModelStore(Path, ModelJson)}, a write that would take the stored bytes past {@code quota} refused
     * (nothing written). A failed or cancelled model's record is written regardless: it is what tells why a job
     * ended, a few kilobytes of history and no weights.
     */
    public FileModelStore(Path dataDir, ModelJson json, StorageQuota quota) {
        this.dir = dataDir.resolve("models");
        this.json = json;
        this.quota = quota;
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create model directory " + dir, e);
        }
    }

    /** Reads every saved model; returns how many were loaded. Interrupted jobs become failed. */
    public int load() {
        int loaded = 0;
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
            for (Path f : files) {
                String name = f.getFileName().toString();
                if (name.endsWith(".tmp")) {
                    Files.deleteIfExists(f);
                    continue;
                }
                String fileId = name.endsWith(".json") ? name.substring(0, name.length() - 5) : "";
                if (!ModelIds.isValid(fileId)) continue;
                try {
                    ModelRecord m;
                    try (InputStream in = Files.newInputStream(f)) {
                        m = json.read(in);
                    }
                    // The name is the id that get and delete use: a file claiming another is not this store's.
                    if (!fileId.equals(m.id())) {
                        log.warn("skipping model file {}: it holds id '{}'", name, m.id());
                        continue;
                    }
                    if (!m.status().isTerminal()) {
                        m = m.withStatus(
                                ModelStatus.FAILED,
                                "interrupted: the service stopped while this model was "
                                        + m.status().id() + "; train it again",
                                Instant.now());
                        try {
                            write(m);
                        } catch (UncheckedIOException e) { // a read-only data dir: failed in memory all the same
                            log.warn(
                                    "cannot record model {} as failed: {}",
                                    m.id(),
                                    e.getCause().getMessage());
                        }
                    }
                    models.put(m.id(), m);
                    loaded++;
                } catch (RuntimeException | IOException e) {
                    log.warn("skipping unreadable model file {}: {}", name, e.getMessage());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        return loaded;
    }

    /** Called with every model saved from now on, and once for each already in the store. */
    public void onSaved(Consumer<ModelRecord> listener) {
        onSaved.add(listener);
        models.values().forEach(listener);
    }

    public void onDeleted(Consumer<String> listener) {
        onDeleted.add(listener);
    }

    /**
     * Persists and publishes {@code m} (durable when this returns). Listeners hear of it before readers of
     * {@link #get} and {@link #list} see it, so whoever sees a model ready can already predict with it.
     */
    public ModelRecord save(ModelRecord m) {
        write(m);
        onSaved.forEach(l -> l.accept(m));
        models.put(m.id(), m);
        return m;
    }

    /** Updates the in-memory view only (progress while training); {@link #save} makes it durable. */
    public void update(ModelRecord m) {
        models.put(m.id(), m);
    }

    public Optional<ModelRecord> get(String id) {
        return ModelIds.isValid(id) ? Optional.ofNullable(models.get(id)) : Optional.empty();
    }

    /** Newest first. */
    public List<ModelRecord> list() {
        List<ModelRecord> all = new ArrayList<>(models.values());
        all.sort(Comparator.comparing(ModelRecord::created)
                .thenComparing(ModelRecord::id)
                .reversed());
        return all;
    }

    /**
     * Removes the file first: if that fails (a read-only data dir), nothing changed, neither the listing nor the
     * serving index, and the model is still there after a restart.
     */
    public boolean delete(String id) {
        if (!ModelIds.isValid(id) || !models.containsKey(id)) return false;
        try {
            Files.deleteIfExists(dir.resolve(id + ".json"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete model " + id, e);
        }
        if (models.remove(id) == null) return false;
        onDeleted.forEach(l -> l.accept(id));
        return true;
    }

    private void write(ModelRecord m) {
        if (!ModelIds.isValid(m.id())) throw new IllegalArgumentException("invalid model id");
        Path target = dir.resolve(m.id() + ".json");
        Path tmp = dir.resolve(m.id() + "." + Thread.currentThread().getId() + ".tmp");
        try {
            Files.deleteIfExists(tmp); // a leftover of an earlier failure of this thread
            DurableFiles.writeSynced(tmp, out -> {
                try {
                    json.write(m, out); // streamed: no copy of the document in memory
                } catch (JacksonIOException e) {
                    throw e.getCause();
                }
            });
            StorageQuota.Commit rename =
                    () -> Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            if (m.status() == ModelStatus.FAILED || m.status() == ModelStatus.CANCELLED) rename.run();
            else quota.commit(Files.size(tmp), Files.exists(target) ? Files.size(target) : 0, rename);
            DurableFiles.syncDirectory(dir); // best effort: the rename itself is atomic
        } catch (IOException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw new UncheckedIOException("cannot save model " + m.id(), e);
        }
    }
}
