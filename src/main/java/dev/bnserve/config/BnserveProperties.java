package dev.bnserve.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

/**
 * All service settings, bound from {@code bnserve.*}. Defaults live only in the {@code @DefaultValue}
 * annotations; {@link #defaults()} and {@link #of(Map)} build instances the same way for plain unit tests.
 *
 * @param dataDir  root of persisted state (bnserve.data-dir, default ./data)
 * @param limits   request and resource limits (bnserve.limits.*)
 * @param training training executor settings (bnserve.training.*)
 * @param security access control (bnserve.security.*)
 * @param events   server-sent event streams (bnserve.events.*)
 * @param store    where datasets, models and jobs live: filesystem (the default, data-dir) or
 *                 postgres (spring.datasource.*; any number of replicas share one database)
 * @param instanceName this process among the replicas (a model's trainedBy); empty: host name and port
 * @param postgres settings of the PostgreSQL store (bnserve.postgres.*)
 * @param warmup   the HTTP warm-up once the service is up (bnserve.warmup.*)
 */
@ConfigurationProperties(prefix = "bnserve")
public record BnserveProperties(
        @DefaultValue("./data") Path dataDir,
        @DefaultValue Limits limits,
        @DefaultValue Training training,
        @DefaultValue Security security,
        @DefaultValue Events events,
        @DefaultValue("filesystem") String store,
        @DefaultValue("") String instanceName,
        @DefaultValue Postgres postgres,
        @DefaultValue Warmup warmup) {

    public BnserveProperties {
        if (!store.equals("filesystem") && !store.equals("postgres")) {
            throw new IllegalArgumentException("bnserve.store must be 'filesystem' or 'postgres', not '" + store + "'");
        }
    }

    /** Whether the PostgreSQL store is configured. */
    public boolean postgresStore() {
        return store.equals("postgres");
    }

    /**
     * @param http         send the service's own port requests once it is up, so the JIT compiles the HTTP path
     *                     (Tomcat, filters, Jackson, the prediction codec) before users arrive
     * @param httpRequests how many: /ping, /actuator/health and a one-row /predict, in turn
     */
    public record Warmup(
            @DefaultValue("true") boolean http,
            @DefaultValue("3000") int httpRequests) {}

    /**
     * @param pollInterval how often each replica compares its view with the database, for changes whose notification
     *                     it missed (notifications themselves arrive at once), and fails jobs whose lease expired
     */
    public record Postgres(@DefaultValue("2s") Duration pollInterval) {}

    /**
     * @param maxUploadBytes    largest accepted dataset upload, e.g. 512MB or a plain byte count
     * @param maxRows           data rows per dataset
     * @param maxColumns        columns per dataset
     * @param maxHiddenWidth    units per hidden layer
     * @param maxHiddenLayers   hidden layers per network
     * @param maxEpochs         epochs per training request
     * @param maxTrainingBudget epochs x training rows per request
     * @param maxTrainingFlops  estimated floating-point operations of one training request: 6 per Linear weight, times
     *                          training rows, times epochs. The default, 1e13, is about an hour at the ~3 GFLOP/s this
     *                          service reaches with wide layers on two cores; hidden: [1024]*16, 10,000 epochs
     *                          on 150 rows (120 training rows) is 1.1e14 (it would hold the only slot for ~11 hours)
     * @param maxInstances      rows per prediction request
     * @param maxAnswerValues   rows × outputs (classes, or 1 for regression) of one JSON prediction answer, so that a
     *                          model with very many classes cannot turn a small request into a huge answer
     * @param maxPredictFlops   rows × floating-point operations per row of the model, for one prediction request
     *                          (checked before any work): 5e9 is about a second or two of one request thread; 1,000
     *                          rows on an 8.4M-parameter model (1.7e10) took 15.5 s
     * @param maxScoringFlops  rows × floating-point operations per row of the model, for one CSV scoring request
     *                          (POST /models/{id}/predict with text/csv), counted as the rows arrive: the default, 1e12,
     *                          is 6.7M rows of a 32→[256, 256]→5 model (more than the largest upload holds) and about
     *                          half a minute of the two cores; 60,000 rows of an 8.4M-parameter model
     * @param maxRequestValues  values (each with its feature name, in named rows) of one prediction request, refused
     *                          as they are read: 3M unknown names in a 38 MB body used to run a 1 GB heap out
     * @param maxRequestBytes   body size of every request other than a dataset upload or a model import (JSON: training,
     *                          predict)
     * @param maxTrainingRequestBytes body size of a training request (POST /models), read as a JSON tree: room
     *                          for 10,000 feature names of 100 characters; 36 MB of names used to become ~300 MB of tree
     * @param maxConnectionsPerAddress requests in progress at once from one client address; one more is a 503 at once
     *                          (slow bodies from one client cannot hold every request thread)
     * @param minBodyRate       bytes per second a request body must arrive at, on average over the time spent waiting
     *                          for it, once the grace period has passed; a slower body is a 408 naming this limit, its
     *                          connection closed and its request thread free at once. 0 turns the check off
     * @param bodyRateGrace     how long a request body may take before the minimum rate applies (a client that sends
     *                          nothing after its headers is a 408 after this long)
     * @param bodyTimeout       the longest the service waits for one request body, however fast it arrives (408
     *                          beyond); with the default a 512MB upload must average about 0.9 MB/s. 0 turns it off
     * @param maxImportBytes    body size of a model import (POST /models/import). Unset, it is derived from the
     *                          width and depth limits, so that every model this service can train can be imported back:
     *                          (maxHiddenLayers + 2) × maxHiddenWidth² × 25 bytes, i.e. room for the weight
     *                          matrices of the widest, deepest network (maxHiddenLayers + 1 of them, plus one for
     *                          an input or output side wider than a hidden layer) with every value at its longest
     *                          decimal form (24 characters and a comma); everything else in a document is small beside
     *                          that. With the defaults (4096, 16): 18 × 4096² × 25 = 7,549,747,200 bytes. The import
     *                          is streamed, so the body never sits in memory; the model it holds does (8 bytes a value).
     *                          Set it (e.g. 2GB) to cap imports lower or higher.
     * @param maxStorage        the storage quota: bytes the data dir's stored datasets and models may take together
     *                          (with the filesystem store). An upload, import or training result that would go past it
     *                          answers 507 (storage-full, naming this setting) and stores nothing; an upload is stopped
     *                          as soon as its columns alone would not fit. Deleting frees it. 0 (the default): no quota
     * @param heapBudget        share of the max heap (above 0, at most 1) that live objects (stored models and
     *                          datasets, the serving index) and the requests in progress may fill together. A request
     *                          that allocates in proportion to its input first reserves its estimate: a model import
     *                          24 bytes per parameter as its layer shapes are read (the arrays, the layers' copies
     *                          and the serving copy), an ONNX export 8 per parameter (16 folded), a dataset upload
     *                          over 1 MB twice its body, a JSON prediction over 1 MB twice its body but at most 32
     *                          per value that max-request-values allows. One that does not fit is a 503
     *                          heap-shortage with Retry-After, before it allocates, so it cannot run another request
     *                          out of memory
     */
    public record Limits(
            @DefaultValue("512MB") DataSize maxUploadBytes,
            @DefaultValue("5000000") int maxRows,
            @DefaultValue("10000") int maxColumns,
            @DefaultValue("4096") int maxHiddenWidth,
            @DefaultValue("16") int maxHiddenLayers,
            @DefaultValue("10000") int maxEpochs,
            @DefaultValue("2000000000") long maxTrainingBudget,
            @DefaultValue("10000000000000") long maxTrainingFlops,
            @DefaultValue("10000") int maxInstances,
            @DefaultValue("2000000") long maxAnswerValues,
            @DefaultValue("5000000000") long maxPredictFlops,
            @DefaultValue("1000000000000") long maxScoringFlops,
            @DefaultValue("1000000") long maxRequestValues,
            @DefaultValue("64MB") DataSize maxRequestBytes,
            @DefaultValue("2MB") DataSize maxTrainingRequestBytes,
            @DefaultValue("64") int maxConnectionsPerAddress,
            @DefaultValue("240B") DataSize minBodyRate,
            @DefaultValue("5s") Duration bodyRateGrace,
            @DefaultValue("10m") Duration bodyTimeout,
            DataSize maxImportBytes,
            @DefaultValue("0.8") double heapBudget,
            @DefaultValue("0") DataSize maxStorage) {

        /** Bytes a model document may take per weight value at most: 24 characters of a double and a comma. */
        public static final int MAX_BYTES_PER_VALUE = 25;

        public Limits {
            if (!(heapBudget > 0 && heapBudget <= 1))
                throw new IllegalArgumentException(
                        "bnserve.limits.heap-budget must be above 0 and at most 1, not " + heapBudget);
            if (maxImportBytes == null)
                maxImportBytes = DataSize.ofBytes(derivedMaxImportBytes(maxHiddenWidth, maxHiddenLayers));
            if (maxStorage == null) maxStorage = DataSize.ofBytes(0);
            if (maxStorage.isNegative())
                throw new IllegalArgumentException("bnserve.limits.max-storage must not be negative");
        }

        /** The default of {@code max-import-bytes}: {@code (maxHiddenLayers + 2) × maxHiddenWidth² × 25}. */
        public static long derivedMaxImportBytes(int maxHiddenWidth, int maxHiddenLayers) {
            return (maxHiddenLayers + 2L) * maxHiddenWidth * maxHiddenWidth * MAX_BYTES_PER_VALUE;
        }
    }

    /**
     * @param concurrency   trainings running at once
     * @param queueCapacity trainings waiting beyond those running; more are rejected
     * @param warmup        compile the numeric kernels at start-up (in the background) so the first job runs at full speed
     * @param lease         with the PostgreSQL store: how long a replica holds a job it trains without renewing (it
     *                      renews every third of it); a job whose lease runs out is failed by another replica
     * @param maxDuration   a job training longer than this ends failed, "time limit", and frees its slot
     */
    public record Training(
            @DefaultValue("1") int concurrency,
            @DefaultValue("16") int queueCapacity,
            @DefaultValue("true") boolean warmup,
            @DefaultValue("30s") Duration lease,
            @DefaultValue("4h") Duration maxDuration) {}

    /**
     * @param apiKey         when non-empty, state-changing requests need an 'Authorization: Bearer' header with the key;
     *                       empty (the default) leaves the service open
     * @param protectPredict when true (and an API key is set), prediction needs the key too
     */
    public record Security(
            @DefaultValue("") String apiKey,
            @DefaultValue("false") boolean protectPredict) {

        /** Whether an API key is configured (a blank one counts as none). */
        public boolean keySet() {
            return apiKey != null && !apiKey.isBlank();
        }

        /** Whether prediction is answered without the key: no key is set, or it does not protect prediction. */
        public boolean predictionOpen() {
            return !keySet() || !protectPredict;
        }

        /** Never print the key. */
        @Override
        public String toString() {
            return "Security[apiKey=" + (apiKey == null || apiKey.isEmpty() ? "<none>" : "<set>") + ", protectPredict="
                    + protectPredict + "]";
        }
    }

    /**
     * Server-sent event streams ({@code GET /models/{id}/events}). The training thread never writes to a socket: it
     * hands each subscriber the latest state, and a sender writes without blocking, coalescing the epochs a subscriber
     * is behind by into one event.
     *
     * @param maxSubscribers streams open at once over all models; one more is refused with 429 naming this limit
     * @param stallTimeout   a subscriber whose connection accepts nothing for this long is dropped
     * @param maxDuration    a stream ends after this long even if its job has not
     * @param senders        threads that write events (they never block)
     */
    public record Events(
            @DefaultValue("1000") int maxSubscribers,
            @DefaultValue("10s") Duration stallTimeout,
            @DefaultValue("30m") Duration maxDuration,
            @DefaultValue("2") int senders) {}

    /** Every setting at its default. */
    public static BnserveProperties defaults() {
        return of(Map.of());
    }

    /** Defaults overridden by relaxed property names below {@code bnserve}, e.g. {@code "limits.max-rows"}. */
    public static BnserveProperties of(Map<String, ?> overrides) {
        MapConfigurationPropertySource source = new MapConfigurationPropertySource();
        overrides.forEach((key, value) -> source.put("bnserve." + key, value));
        return new Binder(source).bindOrCreate("bnserve", BnserveProperties.class);
    }
}
