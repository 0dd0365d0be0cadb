package dev.bnserve.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.bnserve.TestPostgres;
import dev.bnserve.store.pg.PostgresDatasetStore;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The dataset store's contract, on both implementations (the parameterized tests: the filesystem store and the
 * PostgreSQL store on a database of the test's own), and the filesystem store's layout on disk.
 */
class DatasetStoreTest {

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

    /** A store over the test's data: a new instance on the same directory or database each time ("a restart"). */
    DatasetStore open(Backend backend) {
        if (backend == Backend.FILESYSTEM) return new FileDatasetStore(dataDir);
        if (pg == null) pg = TestPostgres.open("datasets");
        return new PostgresDatasetStore(pg.db());
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void savedDatasetsSurviveARestartBitForBit(Backend backend) throws IOException {
        DatasetStore store = open(backend);
        assertThat(store.load()).isZero();
        Dataset iris = store.save(iris());
        Dataset odd = store.save(oddValues());

        DatasetStore reopened = open(backend);
        assertThat(reopened.load()).isEqualTo(2);
        assertThat(reopened.list()).extracting(Dataset::id).containsExactlyInAnyOrder(iris.id(), odd.id());
        assertSameContent(reopened.get(iris.id()).orElseThrow(), iris);
        assertSameContent(reopened.get(odd.id()).orElseThrow(), odd);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void dateColumnsAndTheDelimiterSurviveARestart(Backend backend) throws IOException {
        Dataset dated = new Dataset(
                DatasetIds.newId(),
                "dated",
                Instant.now(),
                List.of(
                        Column.date("day", new double[] {0, Double.NaN, 1_325_376_000}, false),
                        Column.date("at", new double[] {-0.5, 1_325_422_800.25, Double.NaN}, true),
                        Column.numeric("x", new double[] {1, Double.NaN, 3})),
                ';');
        DatasetStore store = open(backend);
        store.save(dated);
        if (store instanceof FileDatasetStore files) {
            Path meta = files.root().resolve(dated.id()).resolve("meta.json");
            assertThat(Files.readString(meta)).contains("\"formatVersion\":2", "\"type\":\"date\"");
        }

        DatasetStore reopened = open(backend);
        assertThat(reopened.load()).isEqualTo(1);
        Dataset back = reopened.get(dated.id()).orElseThrow();
        assertSameContent(back, dated);
        assertThat(back.delimiter()).isEqualTo(';');
        assertThat(back.dateColumn("day").hasTime()).isFalse();
        assertThat(back.dateColumn("at").hasTime()).isTrue();
    }

    @Test
    void formatVersion1FilesStillLoad() throws IOException {
        Dataset old = oddValues();
        Path dir = Files.createDirectories(dataDir.resolve("datasets").resolve(old.id()));
        try (OutputStream out = Files.newOutputStream(dir.resolve("data.bin"))) {
            writeVersion1(old, out);
        }
        Files.writeString(
                dir.resolve("meta.json"),
                "{\"formatVersion\":1,\"id\":\"" + old.id() + "\",\"name\":\"odd\",\"created\":\""
                        + old.created() + "\",\"rows\":" + old.rows()
                        + ",\"columns\":[{\"name\":\"x\",\"type\":\"numeric\"},"
                        + "{\"name\":\"label \\\"quoted\\\"\",\"type\":\"categorical\"}]}");

        FileDatasetStore store = new FileDatasetStore(dataDir);
        assertThat(store.load()).isEqualTo(1);
        Dataset back = store.get(old.id()).orElseThrow();
        assertSameContent(back, old);
        assertThat(back.delimiter()).isEqualTo(',');
        assertMapped(back); // read in place, as version 2 files are: nothing to migrate
    }

    /**
     * Issue 16: a stored dataset's columns are read-only views of its memory-mapped file, not heap arrays, whether it
     * was just saved (the parsed arrays are dropped) or loaded at start-up.
     */
    @Test
    void storedDatasetsAreReadThroughMemoryMappedColumns() throws IOException {
        FileDatasetStore store = new FileDatasetStore(dataDir);
        Dataset parsed = iris();
        assertThat(((NumericColumn) parsed.columns().get(0)).values().isDirect())
                .isFalse();
        Dataset saved = store.save(parsed);
        assertMapped(saved);
        assertMapped(store.get(saved.id()).orElseThrow());
        assertSameContent(saved, parsed);
        FileDatasetStore reopened = new FileDatasetStore(dataDir);
        reopened.load();
        assertMapped(reopened.get(saved.id()).orElseThrow());
    }

    /**
     * A delete while someone still reads the dataset (a training job copying its rows): the store no longer lists or
     * serves it, its files are gone, a restart does not bring it back, and the holder reads on unharmed (Linux keeps an
     * unlinked file's pages while it is mapped).
     */
    @Test
    void aDeletedDatasetIsNoLongerServedWhileAHolderReadsOn() throws IOException {
        FileDatasetStore store = new FileDatasetStore(dataDir);
        Dataset parsed = iris();
        Dataset held = store.save(parsed);
        double[] expected = parsed.matrix(List.of("sepal_length", "petal_width"));
        assertThat(store.delete(held.id())).isTrue();
        assertThat(store.get(held.id())).isEmpty();
        assertThat(store.list()).isEmpty();
        assertThat(names(store.root())).isEmpty();
        assertThat(held.matrix(List.of("sepal_length", "petal_width"))).isEqualTo(expected);
        assertThat(held.categoricalColumn("species").value(149))
                .isEqualTo(parsed.categoricalColumn("species").value(149));
        assertThat(new FileDatasetStore(dataDir).load()).isZero();
    }

    /** Once nobody holds a deleted dataset, its mapping goes too (the delete asks for the collection that unmaps). */
    @Test
    void aDeletedDatasetsMappingIsReleased() throws Exception {
        FileDatasetStore store = new FileDatasetStore(dataDir);
        String id = store.save(iris()).id();
        assertThat(mappings(id)).isNotEmpty();
        assertThat(store.delete(id)).isTrue();
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!mappings(id).isEmpty() && System.nanoTime() < deadline) Thread.sleep(20);
        assertThat(mappings(id)).as("mappings of the deleted dataset's file").isEmpty();
    }

    /** Lines of this process's memory map that name a file of dataset {@code id}. */
    private static List<String> mappings(String id) throws IOException {
        try (Stream<String> lines = Files.lines(Path.of("/proc/self/maps"))) {
            return lines.filter(l -> l.contains(id)).toList();
        }
    }

    private static void assertMapped(Dataset d) {
        for (Column c : d.columns()) {
            java.nio.Buffer b = c instanceof NumericColumn n
                    ? n.values()
                    : c instanceof DateColumn t ? t.values() : ((CategoricalColumn) c).rawCodes();
            assertThat(b.isDirect()).as(c.name() + " mapped").isTrue();
            assertThat(b.isReadOnly()).as(c.name() + " read-only").isTrue();
        }
    }

    @Test
    void savedDirectoryHoldsExactlyTheDataAndMetaFiles() throws IOException {
        FileDatasetStore store = new FileDatasetStore(dataDir);
        Dataset d = store.save(iris());
        assertThat(names(store.root())).containsExactly(d.id());
        assertThat(names(store.root().resolve(d.id()))).containsExactlyInAnyOrder("data.bin", "meta.json");
        String meta = Files.readString(store.root().resolve(d.id()).resolve("meta.json"));
        assertThat(meta).contains("\"id\":\"" + d.id() + "\"", "\"rows\":150", "\"type\":\"categorical\"");
    }

    @Test
    void failedCommitLeavesNothingBehind() throws IOException {
        List<String> seenInTemp = new ArrayList<>();
        FileDatasetStore store = new FileDatasetStore(dataDir) {
            @Override
            void commit(Path tmpDir, Path finalDir) throws IOException {
                seenInTemp.addAll(names(tmpDir));
                throw new IOException("disk on fire");
            }
        };
        Dataset d = iris();
        assertThatThrownBy(() -> store.save(d)).isInstanceOf(UncheckedIOException.class);
        assertThat(seenInTemp).containsExactlyInAnyOrder("data.bin", "meta.json");
        assertThat(store.get(d.id())).isEmpty();
        assertThat(names(store.root())).isEmpty();
        assertThat(new FileDatasetStore(dataDir).load()).isZero();
    }

    @Test
    void loadRemovesLeftoverTemporaryDirectories() throws IOException {
        FileDatasetStore store = new FileDatasetStore(dataDir);
        Dataset kept = store.save(iris());
        Path leftover = Files.createDirectories(store.root().resolve(DatasetIds.newId() + ".tmp"));
        Files.write(leftover.resolve("data.bin"), new byte[] {1, 2, 3});
        Path deleting = Files.createDirectories(store.root().resolve(DatasetIds.newId() + ".del.tmp"));

        FileDatasetStore reopened = new FileDatasetStore(dataDir);
        assertThat(reopened.load()).isEqualTo(1);
        assertThat(leftover).doesNotExist();
        assertThat(deleting).doesNotExist();
        assertThat(reopened.get(kept.id())).isPresent();
    }

    @Test
    void corruptOrIncompleteEntriesAreSkipped() throws IOException {
        FileDatasetStore store = new FileDatasetStore(dataDir);
        Dataset good = store.save(iris());
        Dataset flipped = store.save(iris());
        Dataset truncated = store.save(iris());
        Dataset noMeta = store.save(iris());
        Dataset badMeta = store.save(iris());

        Path flippedFile = store.root().resolve(flipped.id()).resolve("data.bin");
        byte[] bytes = Files.readAllBytes(flippedFile);
        bytes[bytes.length / 2] ^= 0x10;
        Files.write(flippedFile, bytes);
        Path truncatedFile = store.root().resolve(truncated.id()).resolve("data.bin");
        byte[] whole = Files.readAllBytes(truncatedFile);
        Files.write(truncatedFile, java.util.Arrays.copyOf(whole, whole.length - 9));
        Files.delete(store.root().resolve(noMeta.id()).resolve("meta.json"));
        Files.writeString(store.root().resolve(badMeta.id()).resolve("meta.json"), "{not json", StandardCharsets.UTF_8);
        Files.writeString(store.root().resolve("README.txt"), "stray file");

        FileDatasetStore reopened = new FileDatasetStore(dataDir);
        assertThat(reopened.load()).isEqualTo(1);
        assertThat(reopened.list()).extracting(Dataset::id).containsExactly(good.id());
        assertThat(store.root().resolve(flipped.id())).exists(); // kept for inspection, only skipped
    }

    @Test
    void malformedIdsNeverReachTheFilesystem() throws IOException {
        FileDatasetStore store = new FileDatasetStore(dataDir);
        store.load();
        Path outside = Files.writeString(dataDir.resolve("x"), "precious");
        for (String id : List.of(
                "../x",
                "..",
                "d-../../x",
                "D-01ARZ3NDEKTSV4RRFFQ69G5FAV",
                "d-01arz3ndektsv4rrffq69g5fa",
                "d-01arz3ndektsv4rrffq69g5fav/..",
                "",
                "d-01arz3ndektsv4rrffq69g5fau")) {
            assertThat(store.get(id)).as(id).isEmpty();
            assertThat(store.delete(id)).as(id).isFalse();
            if (!DatasetIds.isValid(id)) {
                assertThatThrownBy(() -> store.directory(id)).as(id).isInstanceOf(IllegalArgumentException.class);
            }
        }
        assertThat(store.get(null)).isEmpty();
        assertThat(outside).hasContent("precious");
        assertThat(DatasetIds.isValid(DatasetIds.newId())).isTrue();
    }

    @Test
    void deleteRemovesFromMemoryAndDisk() throws IOException {
        FileDatasetStore store = new FileDatasetStore(dataDir);
        Dataset d = store.save(iris());
        assertThat(store.delete(d.id())).isTrue();
        assertThat(store.get(d.id())).isEmpty();
        assertThat(names(store.root())).isEmpty();
        assertThat(store.delete(d.id())).isFalse();
        assertThat(new FileDatasetStore(dataDir).load()).isZero();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void savingTheSameIdTwiceIsRejected(Backend backend) throws IOException {
        DatasetStore store = open(backend);
        Dataset d = store.save(iris());
        assertThatThrownBy(() -> store.save(d)).isInstanceOf(IllegalStateException.class);
        // also by a second instance (another replica) that has not seen it yet
        DatasetStore other = open(backend);
        if (backend == Backend.POSTGRES)
            assertThatThrownBy(() -> other.save(d)).isInstanceOf(IllegalStateException.class);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void deletedDatasetsStayDeletedAfterARestart(Backend backend) throws IOException {
        DatasetStore store = open(backend);
        Dataset kept = store.save(iris());
        Dataset gone = store.save(oddValues());
        assertThat(store.delete(gone.id())).isTrue();
        assertThat(store.get(gone.id())).isEmpty();
        assertThat(store.delete(gone.id())).isFalse();
        DatasetStore reopened = open(backend);
        assertThat(reopened.load()).isEqualTo(1);
        assertThat(reopened.list()).extracting(Dataset::id).containsExactly(kept.id());
        assertThat(reopened.get(gone.id())).isEmpty();
        for (String id : List.of("../x", "", "d-01arz3ndektsv4rrffq69g5fau", "D-01ARZ3NDEKTSV4RRFFQ69G5FAV")) {
            assertThat(reopened.get(id)).as(id).isEmpty();
            assertThat(reopened.delete(id)).as(id).isFalse();
        }
        assertThat(reopened.get(null)).isEmpty();
    }

    /** Large datasets go to the database as chunks of at most 1 MiB, never one giant value, and come back whole. */
    @Test
    void aLargeDatasetIsStoredInChunksAndReadBackBitForBit() {
        int rows = 400_000; // 2 numeric columns: 6.4 MB encoded
        double[] x = new double[rows];
        double[] y = new double[rows];
        java.util.Random r = new java.util.Random(7);
        for (int i = 0; i < rows; i++) {
            x[i] = r.nextGaussian();
            y[i] = i % 97 == 0 ? Double.NaN : Double.longBitsToDouble(r.nextLong() & 0x7fefffffffffffffL);
        }
        Dataset big = new Dataset(
                DatasetIds.newId(), "big", Instant.now(), List.of(Column.numeric("x", x), Column.numeric("y", y)));
        DatasetStore store = open(Backend.POSTGRES);
        store.save(big);
        long chunks = pg.scalar("SELECT count(*) FROM dataset_chunks");
        long largest = pg.scalar("SELECT max(length(data)) FROM dataset_chunks");
        assertThat(chunks).isGreaterThanOrEqualTo(7);
        assertThat(largest).isLessThanOrEqualTo(1 << 20);
        assertThat(pg.scalar("SELECT chunks FROM datasets")).isEqualTo(chunks);
        DatasetStore reopened = open(Backend.POSTGRES);
        assertThat(reopened.load()).isEqualTo(1);
        Dataset back = reopened.get(big.id()).orElseThrow();
        assertThat(back.rows()).isEqualTo(rows);
        // whole-array equality (AssertJ's element-wise containsExactly takes minutes on 400,000 values)
        assertThat(java.util.Arrays.equals(bits(back.numeric("x")), bits(x))).isTrue();
        assertThat(java.util.Arrays.equals(bits(back.numeric("y")), bits(y))).isTrue();
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void concurrentSavesAreAllKept(Backend backend) throws Exception {
        DatasetStore store = open(backend);
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<Dataset>> futures = new ArrayList<>();
            for (int i = 0; i < 32; i++) {
                futures.add(pool.submit(() -> store.save(oddValues())));
            }
            for (Future<Dataset> f : futures) {
                f.get();
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.list()).hasSize(32);
        assertThat(open(backend).load()).isEqualTo(32);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void listIsOrderedByCreationTime(Backend backend) {
        DatasetStore store = open(backend);
        Dataset late = new Dataset(
                DatasetIds.newId(),
                "late",
                Instant.parse("2030-01-01T00:00:00Z"),
                List.of(Column.numeric("x", new double[] {1})));
        Dataset early = new Dataset(
                DatasetIds.newId(),
                "early",
                Instant.parse("2020-01-01T00:00:00Z"),
                List.of(Column.numeric("x", new double[] {1})));
        store.save(late);
        store.save(early);
        assertThat(store.list()).extracting(Dataset::name).containsExactly("early", "late");
        DatasetStore reopened = open(backend);
        reopened.load();
        assertThat(reopened.list()).extracting(Dataset::name).containsExactly("early", "late");
    }

    // ---------------------------------------------------------------- helpers

    private static Dataset iris() throws IOException {
        try (InputStream in = DatasetStoreTest.class.getResourceAsStream("/data/iris.csv")) {
            return new CsvParser(CsvLimits.unlimited()).parse(in, StandardCharsets.UTF_8, "iris");
        }
    }

    /** Values whose bits are easy to lose: signed zero, subnormals, extremes, missing cells, odd text. */
    private static Dataset oddValues() {
        double[] x = {
            0.1 + 0.2, -0.0, Double.MIN_VALUE, Double.MAX_VALUE, -Double.MAX_VALUE, Double.NaN, 1e-310, Math.PI
        };
        int[] codes = {0, -1, 1, 2, 0, 1, -1, 2};
        return new Dataset(
                DatasetIds.newId(),
                "odd ünïcödé name",
                Instant.now(),
                List.of(
                        Column.numeric("x", x),
                        Column.categorical("label \"quoted\"", codes, List.of("", "é", "a,b"))));
    }

    private static void assertSameContent(Dataset actual, Dataset expected) {
        assertThat(actual.id()).isEqualTo(expected.id());
        assertThat(actual.name()).isEqualTo(expected.name());
        assertThat(actual.created()).isEqualTo(expected.created());
        assertThat(actual.rows()).isEqualTo(expected.rows());
        assertThat(actual.columnNames()).isEqualTo(expected.columnNames());
        assertThat(actual.delimiter()).isEqualTo(expected.delimiter());
        for (Column c : expected.columns()) {
            assertThat(actual.requireColumn(c.name()).type()).isEqualTo(c.type());
            if (c instanceof NumericColumn n) {
                assertThat(bits(actual.numeric(c.name()))).as(c.name()).containsExactly(bits(n.toArray()));
            } else if (c instanceof DateColumn t) {
                assertThat(bits(actual.dates(c.name()))).as(c.name()).containsExactly(bits(t.epochSeconds()));
                assertThat(actual.dateColumn(c.name()).hasTime()).isEqualTo(t.hasTime());
            } else {
                assertThat(actual.codes(c.name())).isEqualTo(expected.codes(c.name()));
                assertThat(actual.levels(c.name())).isEqualTo(expected.levels(c.name()));
            }
        }
    }

    /**
     * The format-1 writer as it was before date columns and delimiters (a frozen copy: it must never change), to
     * check that files written by earlier versions still load.
     */
    private static void writeVersion1(Dataset d, OutputStream out) throws IOException {
        CheckedOutputStream checked = new CheckedOutputStream(out, new CRC32());
        DataOutputStream data = new DataOutputStream(checked);
        data.writeInt(0x424E4453);
        data.writeInt(1);
        writeString(data, d.id());
        writeString(data, d.name());
        data.writeLong(d.created().getEpochSecond());
        data.writeInt(d.created().getNano());
        data.writeInt(d.rows());
        data.writeInt(d.columns().size());
        for (Column c : d.columns()) {
            writeString(data, c.name());
            if (c instanceof NumericColumn n) {
                data.writeByte(0);
                for (double v : n.toArray()) {
                    data.writeLong(Double.doubleToRawLongBits(v));
                }
            } else {
                CategoricalColumn k = (CategoricalColumn) c;
                data.writeByte(1);
                data.writeInt(k.distinct());
                for (String level : k.levels()) {
                    writeString(data, level);
                }
                for (int code : k.codes()) {
                    data.writeInt(code);
                }
            }
        }
        data.flush();
        new DataOutputStream(out).writeInt((int) checked.getChecksum().getValue());
        out.flush();
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(bytes.length);
        out.write(bytes);
    }

    private static long[] bits(double[] values) {
        long[] out = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            out[i] = Double.doubleToRawLongBits(values[i]);
        }
        return out;
    }

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
