package dev.bnserve;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.bnserve.config.BnserveProperties;
import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.ModelJson;
import dev.bnserve.store.pg.PgChanges;
import dev.bnserve.store.pg.PgDatabase;
import dev.bnserve.store.pg.PostgresDatasetStore;
import dev.bnserve.store.pg.PostgresJobQueue;
import dev.bnserve.store.pg.PostgresModelStore;
import dev.bnserve.store.pg.PostgresNameStore;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * {@code bnserve.store=postgres}: the stores, the job queue and the change listener on one PostgreSQL database
 * ({@code spring.datasource.url}, {@code username}, {@code password}), its schema migrated by Flyway
 * ({@code db/migration}) at start-up.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(prefix = "bnserve", name = "store", havingValue = "postgres")
class PostgresStoreConfiguration {

    /** Reported by the database health indicator while the database is away but ready models still predict. */
    static final Status DEGRADED = new Status("DEGRADED", "database unavailable: ready models predict, writes get 503");

    @Bean(destroyMethod = "close")
    HikariDataSource dataSource(
            @Value("${spring.datasource.url:}") String url,
            @Value("${spring.datasource.username:}") String user,
            @Value("${spring.datasource.password:}") String password) {
        if (url.isBlank()) {
            throw new IllegalStateException("bnserve.store=postgres needs spring.datasource.url"
                    + " (e.g. jdbc:postgresql://127.0.0.1:5432/bnserve)");
        }
        HikariConfig c = new HikariConfig();
        c.setJdbcUrl(url);
        if (!user.isEmpty()) c.setUsername(user);
        if (!password.isEmpty()) c.setPassword(password);
        c.setPoolName("bnserve");
        c.setMaximumPoolSize(8);
        c.setMinimumIdle(1);
        // fail fast while the database is away: a write answers 503 within ~2 s instead of hanging
        c.setConnectionTimeout(2000);
        c.setValidationTimeout(1000);
        c.setInitializationFailTimeout(-1);
        c.addDataSourceProperty("connectTimeout", "2");
        c.addDataSourceProperty("socketTimeout", "60");
        return new HikariDataSource(c);
    }

    @Bean
    PgDatabase pgDatabase(DataSource dataSource) {
        Flyway.configure()
                .dataSource(dataSource)
                .locations("classpath:db/migration")
                .connectRetries(30)
                .load()
                .migrate();
        return new PgDatabase(dataSource);
    }

    @Bean
    PostgresDatasetStore datasetStore(PgDatabase db) {
        PostgresDatasetStore store = new PostgresDatasetStore(db);
        store.load();
        return store;
    }

    @Bean
    PostgresModelStore modelStore(PgDatabase db, ModelJson json) {
        PostgresModelStore store = new PostgresModelStore(db, json);
        store.load();
        return store;
    }

    @Bean
    PostgresNameStore nameStore(PgDatabase db) {
        return new PostgresNameStore(db);
    }

    @Bean
    PostgresJobQueue jobQueue(PostgresModelStore models) {
        return new PostgresJobQueue(models);
    }

    @Bean(initMethod = "start", destroyMethod = "close")
    PgChanges pgChanges(
            PgDatabase db,
            BnserveProperties properties,
            @Value("${spring.datasource.url}") String url,
            @Value("${spring.datasource.username:}") String user,
            @Value("${spring.datasource.password:}") String password,
            PostgresDatasetStore datasets,
            PostgresModelStore models,
            PostgresNameStore names,
            PostgresJobQueue jobs,
            ModelCatalog catalog) {
        return new PgChanges(
                db, url, user, password, properties.postgres().pollInterval(), datasets, models, names, jobs);
    }

    /**
     * {@code database} in {@code /actuator/health} and the readiness group: UP while this replica listens and the
     * database answers; DEGRADED (still HTTP 200: ready models keep predicting) while it is away.
     */
    @Bean
    HealthIndicator database(PgChanges changes) {
        return () -> changes.reachable()
                ? Health.up().withDetail("store", "postgres").build()
                : Health.status(DEGRADED).withDetail("store", "postgres").build();
    }
}
