package dev.bnserve.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bnserve.TestPostgres;
import dev.bnserve.store.pg.PostgresModelStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

/**
 * The model store's contract on both implementations (the parameterized tests: the filesystem store, and the
 * PostgreSQL store on a database of the test's own), and the filesystem store's own guarantees: durable atomic saves,
 * recovery of interrupted jobs, and ids that never escape the directory.
 */
class ModelStoreTest {

    final ModelJson json = new ModelJson(JsonMapper.builder().build());

    @TempDir
    Path dataDir;

    /** Which implementation a contract test runs on. */
    enum Backend {
        FILESYSTEM,
        POSTGRES
    }

    private TestPostgres.Db pg;

    @AfterEach
    void closeDatabase() {
        if (pg != null) pg.close();
    }

    /** A store over the test's models: a new instance on the same directory or database each time. */
    ModelStore open(Backend backend) {
        if (backend == Backend.FILESYSTEM) return newStore();
        if (pg == null) pg = TestPostgres.open("models");
        ModelStore store = new PostgresModelStore(pg.db(), json);
        store.load();
        return store;
    }

    Path models() {
        return dataDir.resolve("models");
    }

    ModelStore newStore() {
        return new FileModelStore(dataDir, json);
    }

    @Test
    void createsTheModelDirectory() {
        newStore();
        assertThat(models()).isDirectory();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void saveGetListDelete(Backend backend) throws IOException {
        ModelStore store = open(backend);
        ModelRecord a = ModelJsonTest.sample(ModelIds.newId());
        ModelRecord b = ModelJsonTest.sample(ModelIds.newId())
                .withIdentity(ModelIds.newId(), null, a.created().plusSeconds(1));
        assertThat(store.save(a)).isSameAs(a);
        store.save(b);
        assertThat(store.get(a.id())).containsSame(a);
        assertThat(store.list()).extracting(ModelRecord::id).containsExactly(b.id(), a.id()); // newest first
        if (backend == Backend.FILESYSTEM) {
            assertThat(models().resolve(a.id() + ".json")).isRegularFile();
            assertThat(json.read(Files.readString(models().resolve(a.id() + ".json")))
                            .layers())
                    .isEqualTo(a.layers());
        }

        List<String> deleted = new ArrayList<>();
        store.onDeleted(deleted::add);
        assertThat(store.delete(a.id())).isTrue();
        assertThat(deleted).containsExactly(a.id());
        assertThat(store.get(a.id())).isEmpty();
        if (backend == Backend.FILESYSTEM)
            assertThat(models().resolve(a.id() + ".json")).doesNotExist();
        assertThat(store.delete(a.id())).isFalse();
        assertThat(store.list()).extracting(ModelRecord::id).containsExactly(b.id());
        ModelStore reopened = open(backend);
        reopened.load();
        assertThat(reopened.list()).extracting(ModelRecord::id).containsExactly(b.id());
    }

    /** Another replica's store learns of saves and deletes (here on load; NOTIFY and the poll call the same sync). */
    @Test
    void anotherReplicaCatchesUpWithSavesAndDeletes() {
        ModelStore a = open(Backend.POSTGRES);
        ModelStore b = open(Backend.POSTGRES);
        List<String> saved = new ArrayList<>();
        List<String> deleted = new ArrayList<>();
        b.onSaved(m -> saved.add(m.id() + " " + m.status().id()));
        b.onDeleted(deleted::add);
        ModelRecord m = ModelJsonTest.sample(ModelIds.newId());
        a.save(m.withStatus(ModelStatus.TRAINING, null, null));
        assertThat(b.get(m.id()).orElseThrow().status()).isEqualTo(ModelStatus.TRAINING); // read through on a miss
        a.save(m);
        b.load();
        assertThat(b.get(m.id()).orElseThrow().status()).isEqualTo(ModelStatus.READY);
        ModelJsonTest.assertLayersBitIdentical(b.get(m.id()).orElseThrow().layers(), m.layers());
        assertThat(saved).containsExactly(m.id() + " training", m.id() + " ready");
        a.delete(m.id());
        b.load();
        assertThat(b.get(m.id())).isEmpty();
        assertThat(deleted).containsExactly(m.id());
        // a queued model gets its job row in the same transaction
        ModelRecord queued = ModelJsonTest.sample(ModelIds.newId()).withStatus(ModelStatus.QUEUED, null, null);
        a.save(queued);
        assertThat(pg.scalar("SELECT count(*) FROM jobs WHERE state = 'queued' AND model_id = '" + queued.id() + "'"))
                .isEqualTo(1);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void listenersHearOfASaveBeforeReadersSeeIt(Backend backend) {
        // a prediction service building its serving copy in the listener must have it before GET shows the model
        ModelStore store = open(backend);
        List<String> seenByListener = new ArrayList<>();
        store.onSaved(m ->
                seenByListener.add(store.get(m.id()).map(r -> r.status().id()).orElse("absent")));
        ModelRecord m = ModelJsonTest.sample(ModelIds.newId());
        store.save(m.withStatus(ModelStatus.TRAINING, null, null));
        store.save(m.withStatus(ModelStatus.READY, null, Instant.ofEpochSecond(1)));
        assertThat(seenByListener).containsExactly("absent", "training");
        assertThat(store.get(m.id()).orElseThrow().status()).isEqualTo(ModelStatus.READY);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void saveThenLoadInAFreshStoreIsBitIdentical(Backend backend) {
        ModelStore store = open(backend);
        ModelRecord m = ModelJsonTest.sample(ModelIds.newId());
        store.save(m);

        ModelStore reopened = backend == Backend.FILESYSTEM ? newStore() : open(backend);
        assertThat(reopened.load()).isEqualTo(1);
        ModelRecord back = reopened.get(m.id()).orElseThrow();
        assertThat(back.status()).isEqualTo(ModelStatus.READY);
        assertThat(back.layers()).isEqualTo(m.layers());
        ModelJsonTest.assertLayersBitIdentical(back.layers(), m.layers());
        assertThat(json.writeString(back)).isEqualTo(json.writeString(m));
    }

    @Test
    void atomicWritesLeaveNoTemporaryFiles() throws Exception {
        ModelStore store = newStore();
        ModelRecord m = ModelJsonTest.sample(ModelIds.newId());
        for (int i = 0; i < 5; i++) store.save(m.withStatus(ModelStatus.READY, null, Instant.ofEpochSecond(i)));
        // concurrent saves of the same and of different models
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<?>> futures = new ArrayList<>();
            for (int i = 0; i < 40; i++) {
                ModelRecord r = i % 2 == 0
                        ? m.withStatus(ModelStatus.READY, null, Instant.ofEpochSecond(100 + i))
                        : ModelJsonTest.sample(ModelIds.newId());
                futures.add(pool.submit(() -> store.save(r)));
            }
            for (Future<?> f : futures) f.get();
        } finally {
            pool.shutdown();
        }
        try (Stream<Path> files = Files.list(models())) {
            List<String> names = files.map(p -> p.getFileName().toString()).toList();
            assertThat(names)
                    .noneMatch(n -> n.endsWith(".tmp"))
                    .allMatch(n -> n.endsWith(".json"))
                    .hasSize(21);
        }
        // every file is a complete document
        ModelStore reopened = newStore();
        assertThat(reopened.load()).isEqualTo(21);
        assertThat(reopened.get(m.id()).orElseThrow().layers()).isEqualTo(m.layers());
    }

    @Test
    void leftoverTemporaryFilesAreRemovedOnLoad() throws IOException {
        ModelStore store = newStore();
        ModelRecord m = ModelJsonTest.sample(ModelIds.newId());
        store.save(m);
        Path torn = models().resolve(m.id() + ".17.tmp");
        Files.writeString(torn, "{\"format\": \"bnserve-model\", \"layers\": [");
        ModelStore reopened = newStore();
        assertThat(reopened.load()).isEqualTo(1);
        assertThat(torn).doesNotExist();
        assertThat(reopened.get(m.id()).orElseThrow().layers()).isEqualTo(m.layers());
    }

    @Test
    void interruptedJobsComeBackFailed() throws IOException {
        ModelStore store = newStore();
        ModelRecord ready = ModelJsonTest.sample(ModelIds.newId());
        ModelRecord queued = new ModelRecord(
                ModelIds.newId(),
                ModelStatus.QUEUED,
                null,
                Instant.now(),
                null,
                "d-x",
                "y",
                Task.REGRESSION,
                List.of("a"),
                null,
                null,
                0,
                30,
                List.of(),
                null,
                null,
                null);
        ModelRecord training = ModelJsonTest.sample(ModelIds.newId()).withStatus(ModelStatus.TRAINING, null, null);
        ModelRecord cancelled = queued.withIdentity(ModelIds.newId(), null, Instant.now())
                .withStatus(ModelStatus.CANCELLED, "cancelled", Instant.now());
        for (ModelRecord r : List.of(ready, queued, training, cancelled)) store.save(r);

        ModelStore reopened = newStore();
        assertThat(reopened.load()).isEqualTo(4);
        for (ModelRecord r : List.of(queued, training)) {
            ModelRecord back = reopened.get(r.id()).orElseThrow();
            assertThat(back.status()).isEqualTo(ModelStatus.FAILED);
            assertThat(back.error()).contains("interrupted", r.status().id());
            assertThat(back.finished()).isNotNull();
            // and the recovery is persisted
            assertThat(json.read(Files.readString(models().resolve(r.id() + ".json")))
                            .status())
                    .isEqualTo(ModelStatus.FAILED);
        }
        assertThat(reopened.get(ready.id()).orElseThrow().status()).isEqualTo(ModelStatus.READY);
        assertThat(reopened.get(cancelled.id()).orElseThrow().status()).isEqualTo(ModelStatus.CANCELLED);
        assertThat(reopened.get(cancelled.id()).orElseThrow().error()).isEqualTo("cancelled");
    }

    @Test
    void unreadableAndForeignFilesAreSkipped() throws IOException {
        ModelStore store = newStore();
        ModelRecord m = ModelJsonTest.sample(ModelIds.newId());
        store.save(m);
        Files.writeString(models().resolve(ModelIds.newId() + ".json"), "{ not json");
        Files.writeString(models().resolve(ModelIds.newId() + ".json"), "");
        ObjectNode noLayers = (ObjectNode)
                JsonMapper.builder().build().readTree(json.writeBytes(ModelJsonTest.sample(ModelIds.newId())));
        noLayers.remove("layers");
        Files.writeString(models().resolve(noLayers.get("id").asString() + ".json"), noLayers.toString());
        Files.write(models().resolve(ModelIds.newId() + ".json"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1});
        Files.writeString(models().resolve("notes.txt"), "hello");
        Files.writeString(models().resolve("not-an-id.json"), json.writeString(ModelJsonTest.sample(ModelIds.newId())));
        Files.createDirectories(models().resolve(ModelIds.newId() + ".json"));

        ModelStore reopened = newStore();
        assertThat(reopened.load()).isEqualTo(1);
        assertThat(reopened.list()).extracting(ModelRecord::id).containsExactly(m.id());
        assertThat(models().resolve("notes.txt")).exists();
    }

    /**
     * The file name is the id: a file claiming another id (or a path such as {@code ../../evil}) would be listed and
     * served under an id that delete cannot reach, or come back after its delete (issue 16, bug 10).
     */
    @Test
    void aFileWhoseIdDiffersFromItsNameIsSkipped() throws IOException {
        ModelStore store = newStore();
        ModelRecord m = ModelJsonTest.sample(ModelIds.newId());
        store.save(m);
        ObjectNode evil = (ObjectNode) JsonMapper.builder().build().readTree(json.writeBytes(m));
        evil.put("id", "../../evil");
        Files.writeString(models().resolve(ModelIds.newId() + ".json"), evil.toString());
        ObjectNode other = (ObjectNode) JsonMapper.builder().build().readTree(json.writeBytes(m));
        other.put("id", ModelIds.newId());
        Files.writeString(models().resolve(ModelIds.newId() + ".json"), other.toString());

        ModelStore reopened = newStore();
        assertThat(reopened.load()).isEqualTo(1);
        assertThat(reopened.list()).extracting(ModelRecord::id).containsExactly(m.id());
    }

    @Test
    void invalidIdsAreRejectedWithoutTouchingTheFileSystem() throws IOException {
        ModelStore store = newStore();
        Files.writeString(dataDir.resolve("secret.json"), json.writeString(ModelJsonTest.sample(ModelIds.newId())));
        Files.writeString(models().resolve("secret.json"), json.writeString(ModelJsonTest.sample(ModelIds.newId())));
        for (String id : new String[] {
            null,
            "",
            "secret",
            "../secret",
            "..",
            "m-",
            "M-0000000000000000000000",
            "m-000000000000aaaaaaaaaa/../../secret",
            "m-000000000000aaaaaaaaaaa",
            "m-000000000000aaaaaaaaa",
            "m-000000000000aaaaaaaaaw",
            "m-00000000000Gaaaaaaaaaa",
            "m-000000000000aaaaaaaaaa\n",
            "m-000000000000aaaaaaaaaa\u0000"
        }) {
            assertThat(store.get(id)).as(String.valueOf(id)).isEmpty();
            assertThat(store.delete(id)).as(String.valueOf(id)).isFalse();
        }
        assertThat(dataDir.resolve("secret.json")).exists();
        assertThat(models().resolve("secret.json")).exists();

        for (String id : new String[] {"../secret", "secret", "m-000000000000aaaaaaaaaa/../../x"}) {
            ModelRecord bad = ModelJsonTest.sample(id);
            assertThatThrownBy(() -> store.save(bad)).isInstanceOf(IllegalArgumentException.class);
        }
        try (Stream<Path> files = Files.list(models())) {
            assertThat(files.map(p -> p.getFileName().toString())).containsExactly("secret.json");
        }
        assertThat(ModelIds.isValid(ModelIds.newId())).isTrue();
        assertThat(ModelIds.newId()).matches("m-[0-9a-f]{12}[0-9a-v]{10}");
    }

    @Test
    void updateIsInMemoryOnly() throws IOException {
        ModelStore store = newStore();
        ModelRecord queued = new ModelRecord(
                ModelIds.newId(),
                ModelStatus.TRAINING,
                null,
                Instant.now(),
                null,
                "d-x",
                "y",
                Task.REGRESSION,
                List.of("a"),
                null,
                null,
                0,
                30,
                List.of(),
                null,
                null,
                null);
        store.save(queued);
        String onDisk = Files.readString(models().resolve(queued.id() + ".json"), StandardCharsets.UTF_8);
        ModelRecord progressed =
                queued.withProgress(List.of(new dev.bnserve.nn.EpochStats(1, 30, 0.5, 0.4, Double.NaN, 0.3, 10, 0.1)));
        store.update(progressed);
        assertThat(store.get(queued.id()).orElseThrow().epoch()).isEqualTo(1);
        assertThat(Files.readString(models().resolve(queued.id() + ".json"), StandardCharsets.UTF_8))
                .isEqualTo(onDisk);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void onSavedReplaysExistingModelsThenFollowsSaves(Backend backend) {
        ModelStore store = open(backend);
        ModelRecord a = ModelJsonTest.sample(ModelIds.newId());
        store.save(a);
        List<String> seen = new ArrayList<>();
        store.onSaved(m -> seen.add(m.id()));
        assertThat(seen).containsExactly(a.id());
        ModelRecord b = ModelJsonTest.sample(ModelIds.newId());
        store.save(b);
        assertThat(seen).containsExactly(a.id(), b.id());
    }
}
