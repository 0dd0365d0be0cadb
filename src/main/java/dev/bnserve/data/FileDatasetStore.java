package dev.bnserve.data;

import dev.bnserve.io.DurableFiles;
import dev.bnserve.io.StorageQuota;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.json.JsonMapper;

/**
 * Durable dataset repository. Thread-safe. A stored dataset's columns are memory-mapped from its file
 * ({@link DatasetCodec#map}), so they take no heap: the heap holds its names, levels and summaries. A delete
 * unlinks the files; whoever still holds the dataset (a training job copying its rows) reads on safely, since Linux
 * keeps an unlinked file's pages until the last mapping is dropped, while the store no longer lists or serves it.
 *
 * <p>Layout: {@code <dataDir>/datasets/<id>/data.bin} ({@link DatasetCodec}) and {@code meta.json} (a small
 * human-readable summary). A dataset is written into {@code <id>.tmp/}, every file and the directory are
 * fsynced, and the directory is renamed into place atomically, so a crash never leaves a half-visible dataset.
 * {@link #load()} deletes leftover {@code *.tmp} directories and skips (and logs) corrupt entries. Ids are
 * checked against {@link DatasetIds#isValid(String)} before any path is built.
 */
public class FileDatasetStore implements DatasetStore {

    private static final Logger log = LoggerFactory.getLogger(FileDatasetStore.class);
    static final String DATA_FILE = "data.bin";
    static final String META_FILE = "meta.json";
    static final String TMP_SUFFIX = ".tmp";

    private final Path root;
    private final StorageQuota quota;
    private final JsonMapper json = JsonMapper.builder().build();
    private final Map<String, Dataset> datasets = new ConcurrentHashMap<>();

    /** Creates the store rooted at {@code <dataDir>/datasets}; call {@link #load()} to read existing data. */
    public FileDatasetStore(Path dataDir) {
        this(dataDir, StorageQuota.NONE);
    }

    /** As {@link #FileDatasetStore(Path)}, a save refused when it would take the stored bytes past {@code quota}. */
    public FileDatasetStore(Path dataDir, StorageQuota quota) {
        this.root = dataDir.resolve("datasets").toAbsolutePath().normalize();
        this.quota = quota;
    }

    @Override
    public long storageQuota() {
        return quota.max();
    }

    @Override
    public long storageRemaining() {
        return quota.remaining();
    }

    /**
     * Creates the directory if needed, removes leftover temporary directories and loads every valid dataset
     * (replacing what is in memory).
     *
     * @return number of datasets loaded
     * @throws UncheckedIOException if the directory cannot be created or listed
     */
    public int load() {
        try {
            Files.createDirectories(root);
            Map<String, Dataset> loaded = new ConcurrentHashMap<>();
            try (DirectoryStream<Path> entries = Files.newDirectoryStream(root)) {
                for (Path entry : entries) {
                    String name = entry.getFileName().toString();
                    if (name.endsWith(TMP_SUFFIX)) {
                        log.info("Removing leftover temporary entry {}", entry);
                        deleteRecursively(entry);
                    } else if (!DatasetIds.isValid(name) || !Files.isDirectory(entry)) {
                        log.warn("Ignoring unexpected entry {}", entry);
                    } else {
                        readEntry(entry, name).ifPresent(d -> loaded.put(d.id(), d));
                    }
                }
            }
            datasets.clear();
            datasets.putAll(loaded);
            log.info("Loaded {} dataset(s) from {}", loaded.size(), root);
            return loaded.size();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot load datasets from " + root, e);
        }
    }

    /**
     * Persists a dataset atomically and makes it available.
     *
     * @throws IllegalStateException if a dataset with the same id exists
     * @throws UncheckedIOException  if writing fails or the storage quota would be exceeded (its cause a
     *     {@link dev.bnserve.problem.StorageProblems.QuotaExceeded}); nothing is left behind
     */
    public Dataset save(Dataset dataset) {
        String id = dataset.id();
        Path finalDir = directory(id);
        Path tmpDir = root.resolve(id + TMP_SUFFIX);
        if (datasets.containsKey(id) || Files.exists(finalDir)) {
            throw new IllegalStateException("dataset " + id + " already exists");
        }
        try {
            Files.createDirectories(root);
            Files.createDirectory(tmpDir);
            DurableFiles.writeSynced(tmpDir.resolve(DATA_FILE), out -> DatasetCodec.write(dataset, out));
            DurableFiles.writeSynced(
                    tmpDir.resolve(META_FILE), out -> out.write(json.writeValueAsBytes(DatasetMeta.of(dataset))));
            syncDirectory(tmpDir);
            long bytes = Files.size(tmpDir.resolve(DATA_FILE)) + Files.size(tmpDir.resolve(META_FILE));
            quota.commit(bytes, 0, () -> commit(tmpDir, finalDir)); // over the quota: nothing committed
            syncDirectory(root);
        } catch (IOException | RuntimeException e) {
            deleteQuietly(tmpDir);
            if (e instanceof IOException io) {
                throw new UncheckedIOException("cannot save dataset " + id, io);
            }
            throw (RuntimeException) e;
        }
        // Served from the file from now on: the parsed arrays become garbage, the mapping takes no heap.
        Dataset stored = dataset;
        try {
            stored = DatasetCodec.map(finalDir.resolve(DATA_FILE));
        } catch (IOException | RuntimeException e) {
            log.warn("Dataset {} is saved but cannot be mapped ({}); it stays in memory", id, e.toString());
        }
        datasets.put(id, stored);
        return stored;
    }

    /** The dataset with this id; empty for unknown or malformed ids. */
    public Optional<Dataset> get(String id) {
        return DatasetIds.isValid(id) ? Optional.ofNullable(datasets.get(id)) : Optional.empty();
    }

    /** All datasets, oldest first. */
    public List<Dataset> list() {
        List<Dataset> all = new ArrayList<>(datasets.values());
        all.sort(Comparator.comparing(Dataset::created).thenComparing(Dataset::id));
        return all;
    }

    /**
     * Removes a dataset from memory and disk.
     *
     * @return false if there was no such dataset (or the id is malformed)
     * @throws UncheckedIOException if the files cannot be removed (the dataset is gone from memory regardless)
     */
    /**
     * The rename out of the way is the commit point: if it fails (a read-only data dir), nothing changed and the
     * dataset is still listed and still there after a restart.
     */
    public boolean delete(String id) {
        if (!DatasetIds.isValid(id) || !datasets.containsKey(id)) {
            return false;
        }
        Path dir = directory(id);
        Path doomed = root.resolve(id + ".del" + TMP_SUFFIX);
        try {
            Files.move(dir, doomed, StandardCopyOption.ATOMIC_MOVE); // vanishes at once; cleanup may lag
        } catch (NoSuchFileException e) {
            log.warn("Dataset {} had no directory", id);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot delete dataset " + id, e);
        }
        if (datasets.remove(id) == null) return false;
        syncDirectory(root);
        try {
            deleteRecursively(doomed);
        } catch (IOException e) {
            log.warn("Dataset {} is deleted, but {} could not be cleaned up: {}", id, doomed, e.getMessage());
        }
        Unmapping.request();
        return true;
    }

    /** Root directory ({@code <dataDir>/datasets}). */
    public Path root() {
        return root;
    }

    /** The commit point: an atomic rename of the fully written temporary directory (a seam for tests). */
    void commit(Path tmpDir, Path finalDir) throws IOException {
        Files.move(tmpDir, finalDir, StandardCopyOption.ATOMIC_MOVE);
    }

    /** Directory of a dataset; the id must be valid. */
    Path directory(String id) {
        if (!DatasetIds.isValid(id)) {
            throw new IllegalArgumentException("invalid dataset id");
        }
        return root.resolve(id);
    }

    private Optional<Dataset> readEntry(Path dir, String id) {
        Path data = dir.resolve(DATA_FILE);
        Path meta = dir.resolve(META_FILE);
        try {
            if (!Files.isRegularFile(data) || !Files.isRegularFile(meta)) {
                log.warn("Skipping incomplete dataset directory {}", dir);
                return Optional.empty();
            }
            DatasetMeta m = json.readValue(Files.readAllBytes(meta), DatasetMeta.class);
            Dataset d = DatasetCodec.map(data);
            if (!id.equals(d.id()) || !id.equals(m.id()) || d.rows() != m.rows()) {
                log.warn("Skipping dataset directory {}: id or size does not match its content", dir);
                return Optional.empty();
            }
            return Optional.of(d);
        } catch (IOException | RuntimeException e) {
            log.warn("Skipping corrupt dataset directory {}: {}", dir, e.toString());
            return Optional.empty();
        }
    }

    private static void syncDirectory(Path dir) {
        if (!DurableFiles.syncDirectory(dir)) log.debug("Cannot fsync directory {}", dir);
    }

    private static void deleteQuietly(Path path) {
        try {
            deleteRecursively(path);
        } catch (IOException e) {
            log.warn("Cannot remove {}: {}", path, e.toString());
        }
    }

    private static void deleteRecursively(Path path) throws IOException {
        if (!Files.exists(path)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                if (exc != null) {
                    throw exc;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
