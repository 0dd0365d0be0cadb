package dev.bnserve.model;

import dev.bnserve.io.DurableFiles;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.core.JacksonException;
import tools.jackson.core.StreamWriteFeature;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.json.JsonMapper;

/**
 * Names in one small document, {@code <dataDir>/names.json}
 * ({@code {"penguins": {"lastVersion": 3, "aliases": {"production": "m-…"}}}}), replaced atomically on every change
 * (a synced temporary file renamed over it) and held in memory as an immutable snapshot that readers take without
 * locking.
 */
public final class FileNameStore implements NameStore {
    private static final Logger log = LoggerFactory.getLogger(FileNameStore.class);

    /** One name's entry in the document. */
    record Entry(int lastVersion, Map<String, String> aliases) {
        Entry {
            aliases = aliases == null ? Map.of() : Map.copyOf(aliases);
        }
    }

    private static final TypeReference<TreeMap<String, Entry>> SHAPE = new TypeReference<>() {};

    private final Path file;
    private final JsonMapper mapper;
    private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    private volatile Map<String, Entry> snapshot = Map.of();

    public FileNameStore(Path dataDir, JsonMapper mapper) {
        this.file = dataDir.resolve("names.json");
        this.mapper = mapper;
        if (!Files.exists(file)) return;
        try {
            Map<String, Entry> read = new TreeMap<>();
            mapper.readValue(file.toFile(), SHAPE).forEach((name, e) -> {
                if (!ModelRef.isName(name) || e == null) return;
                Map<String, String> valid = new TreeMap<>();
                e.aliases().forEach((a, id) -> {
                    if (ModelRef.isAlias(a) && ModelIds.isValid(id)) valid.put(a, id);
                });
                read.put(name, new Entry(Math.max(0, e.lastVersion()), valid));
            });
            snapshot = Map.copyOf(read);
        } catch (JacksonException e) {
            // The models keep their names and versions; only aliases would be lost, and the log says so.
            log.warn("ignoring unreadable name file {} (its aliases are lost): {}", file, e.getOriginalMessage());
        }
    }

    @Override
    public Map<String, String> aliases(String name) {
        Entry e = snapshot.get(name);
        return e == null ? Map.of() : e.aliases();
    }

    @Override
    public void putAlias(String name, String alias, String modelId) {
        synchronized (this) {
            Entry e = snapshot.getOrDefault(name, new Entry(0, Map.of()));
            Map<String, String> aliases = new TreeMap<>(e.aliases());
            aliases.put(alias, modelId);
            replace(name, new Entry(e.lastVersion(), aliases));
        }
        listeners.forEach(l -> l.accept(name));
    }

    @Override
    public boolean deleteAlias(String name, String alias) {
        synchronized (this) {
            Entry e = snapshot.get(name);
            if (e == null || !e.aliases().containsKey(alias)) return false;
            Map<String, String> aliases = new TreeMap<>(e.aliases());
            aliases.remove(alias);
            replace(name, new Entry(e.lastVersion(), aliases));
        }
        listeners.forEach(l -> l.accept(name));
        return true;
    }

    @Override
    public synchronized int issueVersion(String name, int atLeast) {
        Entry e = snapshot.getOrDefault(name, new Entry(0, Map.of()));
        int v = Math.max(e.lastVersion() + 1, atLeast);
        replace(name, new Entry(v, e.aliases()));
        return v;
    }

    @Override
    public void onAliasesChanged(Consumer<String> listener) {
        listeners.add(listener);
    }

    /** Writes the document with {@code name}'s entry replaced, then publishes it; on failure nothing changes. */
    private void replace(String name, Entry entry) {
        Map<String, Entry> next = new TreeMap<>(snapshot);
        next.put(name, entry);
        Path tmp = file.resolveSibling("names.json.tmp");
        try {
            Files.deleteIfExists(tmp);
            Map<String, Object> doc = new TreeMap<>();
            next.forEach((n, e) ->
                    doc.put(n, Map.of("lastVersion", e.lastVersion(), "aliases", new TreeMap<>(e.aliases()))));
            DurableFiles.writeSynced(
                    tmp,
                    out -> mapper.writer()
                            .without(StreamWriteFeature.AUTO_CLOSE_TARGET)
                            .writeValue(out, doc));
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            DurableFiles.syncDirectory(file.getParent());
        } catch (IOException | JacksonException e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // best effort
            }
            throw new UncheckedIOException(
                    "cannot save " + file, e instanceof IOException io ? io : new IOException(e.getMessage(), e));
        }
        snapshot = Map.copyOf(next);
    }
}
