package dev.bnserve.model;

import static org.assertj.core.api.Assertions.assertThat;

import dev.bnserve.TestPostgres;
import dev.bnserve.store.pg.PostgresModelStore;
import dev.bnserve.store.pg.PostgresNameStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import tools.jackson.databind.json.JsonMapper;

/**
 * The name store's contract (versions never reused, aliases durable and published), on the filesystem store and on
 * the PostgreSQL store (a database of the test's own), where several replicas also never issue the same version.
 */
class NameStoreTest {
    final JsonMapper mapper = JsonMapper.builder().build();
    final ModelJson json = new ModelJson(mapper);

    @TempDir
    Path dataDir;

    enum Backend {
        FILESYSTEM,
        POSTGRES
    }

    private TestPostgres.Db pg;

    @AfterEach
    void closeDatabase() {
        if (pg != null) pg.close();
    }

    NameStore names(Backend backend) {
        if (backend == Backend.FILESYSTEM) return new FileNameStore(dataDir, mapper);
        if (pg == null) pg = TestPostgres.open("names");
        return new PostgresNameStore(pg.db());
    }

    ModelStore models(Backend backend) {
        if (backend == Backend.FILESYSTEM) return new FileModelStore(dataDir, json);
        if (pg == null) pg = TestPostgres.open("names");
        return new PostgresModelStore(pg.db(), json);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void versionsAreIssuedInOrderAndNeverReusedAcrossRestarts(Backend backend) {
        NameStore names = names(backend);
        assertThat(names.issueVersion("penguins", 1)).isEqualTo(1);
        assertThat(names.issueVersion("penguins", 1)).isEqualTo(2);
        assertThat(names.issueVersion("cars", 1)).isEqualTo(1);
        assertThat(names.issueVersion("penguins", 7)).isEqualTo(7); // the model store knew of more
        NameStore reopened = names(backend);
        assertThat(reopened.issueVersion("penguins", 1)).isEqualTo(8);
        assertThat(reopened.issueVersion("cars", 1)).isEqualTo(2);
    }

    @ParameterizedTest
    @EnumSource(Backend.class)
    void aliasesAreDurableAndEveryChangeIsPublished(Backend backend) {
        ModelStore models = models(backend);
        ModelRecord v1 = models.save(ModelJsonTest.sample(ModelIds.newId()).withVersion("penguins", 1));
        ModelRecord v2 = models.save(ModelJsonTest.sample(ModelIds.newId()).withVersion("penguins", 2));
        NameStore names = names(backend);
        List<String> heard = new ArrayList<>();
        names.onAliasesChanged(heard::add);
        names.putAlias("penguins", "production", v1.id());
        names.putAlias("penguins", "staging", v2.id());
        assertThat(names.aliases("penguins")).isEqualTo(Map.of("production", v1.id(), "staging", v2.id()));
        names.putAlias("penguins", "production", v2.id());
        assertThat(names.aliases("penguins")).containsEntry("production", v2.id());
        assertThat(names.deleteAlias("penguins", "staging")).isTrue();
        assertThat(names.deleteAlias("penguins", "staging")).isFalse();
        assertThat(names.aliases("cars")).isEmpty();
        assertThat(heard).containsExactly("penguins", "penguins", "penguins", "penguins");

        NameStore reopened = names(backend);
        assertThat(reopened.aliases("penguins")).isEqualTo(Map.of("production", v2.id()));
    }

    /** Two replicas issuing versions of one name at once: every number once, none skipped. */
    @Test
    void replicasNeverIssueTheSameVersion() throws Exception {
        NameStore a = names(Backend.POSTGRES);
        NameStore b = names(Backend.POSTGRES);
        Set<Integer> issued = ConcurrentHashMap.newKeySet();
        ExecutorService pool = Executors.newFixedThreadPool(6);
        try {
            List<Future<Integer>> futures = new ArrayList<>();
            for (int i = 0; i < 60; i++) {
                NameStore s = i % 2 == 0 ? a : b;
                futures.add(pool.submit(() -> s.issueVersion("shared", 1)));
            }
            for (Future<Integer> f : futures) assertThat(issued.add(f.get())).isTrue();
        } finally {
            pool.shutdownNow();
        }
        Set<Integer> expected = new HashSet<>();
        for (int i = 1; i <= 60; i++) expected.add(i);
        assertThat(issued).isEqualTo(expected);
    }
}
