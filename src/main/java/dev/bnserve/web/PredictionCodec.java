package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.model.Task;
import dev.bnserve.nn.LayerKind;
import dev.bnserve.nn.Trace;
import dev.bnserve.predict.PredictRequest;
import dev.bnserve.predict.PredictRequest.Row;
import dev.bnserve.predict.PredictionService;
import dev.bnserve.predict.Predictions;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.springframework.stereotype.Component;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonGenerator;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON of prediction, both ways, in one streaming pass each (no tree, no boxed numbers): reads a
 * {@code {"features": …}} or {@code {"instances": […]}} body into a {@link PredictRequest} and writes
 * {@link Predictions} as the answer. {@link #answer} is the whole endpoint, so the fast path and the controller
 * cannot answer differently.
 */
@Component
final class PredictionCodec {
    private final PredictionService predictions;
    private final JsonMapper mapper;
    private final int maxInstances;
    /** {@code bnserve.limits.max-request-values}: values (and feature names) one request may hold. */
    private final long maxRequestValues;
    /**
     * One timer per outcome (and, for answers, per model name), each registered once: the fast path looks one up, it
     * never builds tags per request. Refusals and failures are not told apart by model, which may not exist.
     */
    private final Map<String, Timer> succeeded = new ConcurrentHashMap<>();

    private final MeterRegistry meters;
    private final Timer refused;
    private final Timer failed;

    /** The {@code model} tag of answers from unnamed models: not a valid model name, so it cannot clash with one. */
    static final String UNNAMED = "_unnamed";

    PredictionCodec(
            PredictionService predictions, JsonMapper mapper, BnserveProperties properties, MeterRegistry meters) {
        this.predictions = predictions;
        this.mapper = mapper;
        this.maxInstances = properties.limits().maxInstances();
        this.maxRequestValues = properties.limits().maxRequestValues();
        this.meters = meters;
        this.refused = predictTimer(meters, "client_error", "_none");
        this.failed = predictTimer(meters, "server_error", "_none");
    }

    /** The answer to a prediction body: with model {@code id}, else the body's model, else the latest ready one. */
    byte[] answer(String id, byte[] body) {
        long start = System.nanoTime();
        Timer outcome = failed;
        try {
            if (body.length == 0) throw Problem.malformed(JsonErrors.MISSING_BODY); // as @RequestBody says
            Predictions p = predictions.predict(id, read(body));
            byte[] answer = write(p);
            String name = p.name() == null ? UNNAMED : p.name();
            outcome = succeeded.computeIfAbsent(name, n -> predictTimer(meters, "success", n));
            return answer;
        } catch (Problem p) {
            outcome = p.kind().clientError() ? refused : failed;
            throw p;
        } finally {
            outcome.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
        }
    }

    private static Timer predictTimer(MeterRegistry meters, String outcome, String model) {
        return Timer.builder("bnserve.predict")
                .description("Prediction requests, parsing to answer, by outcome and model name")
                .tag("outcome", outcome)
                .tag("model", model)
                .register(meters);
    }

    /** The answer to a trace body ({@code {"features": …}}): the prediction, then every step through the layers. */
    byte[] trace(String id, byte[] body) {
        if (body.length == 0) throw Problem.malformed(JsonErrors.MISSING_BODY);
        PredictionService.Traced t = predictions.trace(id, read(body));
        Predictions a = t.answer();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(4096);
        try (JsonGenerator g = mapper.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringProperty("model", a.model());
            version(a, g);
            answer(a, 0, g);
            warnings(a, 0, g);
            g.writeArrayPropertyStart("steps");
            if (t.encoded() != null) {
                g.writeStartObject();
                g.writeStringProperty("type", "preprocess");
                numbers(g, "output", t.encoded());
                g.writeEndObject();
            }
            for (Trace.Step step : t.trace().steps()) {
                g.writeStartObject();
                g.writeStringProperty("type", step.kind().id());
                if (step.kind() == LayerKind.BATCHNORM) {
                    numbers(g, "input", step.input());
                    numbers(g, "mean", step.mean());
                    numbers(g, "var", step.var());
                    g.writeNumberProperty("eps", step.eps());
                    numbers(g, "normalized", step.normalized());
                    numbers(g, "gamma", step.gamma());
                    numbers(g, "beta", step.beta());
                }
                numbers(g, "output", step.output());
                g.writeEndObject();
            }
            g.writeStartObject();
            g.writeStringProperty("type", "output");
            double[] y = t.trace().output().clone();
            if (a.task() == Task.REGRESSION) {
                g.writeNumberProperty("prediction", y[0]);
            } else {
                double max = Double.NEGATIVE_INFINITY;
                for (double v : y) max = Math.max(max, v);
                double sum = 0;
                for (int j = 0; j < y.length; j++) sum += y[j] = Math.exp(y[j] - max);
                g.writeObjectPropertyStart("probabilities");
                for (int j = 0; j < y.length; j++)
                    g.writeNumberProperty(a.classes().get(j), y[j] / sum);
                g.writeEndObject();
            }
            g.writeEndObject();
            g.writeEndArray();
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    /** The answer to an encode body ({@code {"features": …}}): {@code {"model", "encoded": […], "warnings"}}. */
    byte[] encode(String id, byte[] body) {
        if (body.length == 0) throw Problem.malformed(JsonErrors.MISSING_BODY);
        PredictionService.Encoded e = predictions.encode(id, read(body));
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try (JsonGenerator g = mapper.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringProperty("model", e.model());
            numbers(g, "encoded", e.encoded());
            if (!e.warnings().isEmpty()) {
                g.writeArrayPropertyStart("warnings");
                for (String w : e.warnings()) g.writeString(w);
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    private static void numbers(JsonGenerator g, String name, double[] v) {
        g.writeArrayPropertyStart(name);
        for (double d : v) g.writeNumber(d);
        g.writeEndArray();
    }

    /** The request body in one exact-size array when its length is declared (readAllBytes would start with 16 KB). */
    static byte[] body(HttpServletRequest request) throws IOException {
        int length = request.getContentLength();
        InputStream in = request.getInputStream();
        if (length < 0) return in.readAllBytes();
        byte[] body = new byte[length];
        int n = in.readNBytes(body, 0, length);
        return n == length ? body : Arrays.copyOf(body, n);
    }

    PredictRequest read(byte[] body) {
        try (JsonParser p = mapper.createParser(body)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                throw bad("The request body must be a JSON object with 'features' or 'instances'.", "$");
            }
            String model = null;
            List<Row> rows = null;
            boolean single = false;
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                String name = p.currentName();
                JsonToken t = p.nextToken();
                switch (name) {
                    case "model" -> {
                        if (t == JsonToken.VALUE_STRING) model = p.getString();
                        else if (t != JsonToken.VALUE_NULL) throw bad("'model' must be a model id string.", "model");
                    }
                    case "features", "instances" -> {
                        if (rows != null) {
                            throw bad("Send exactly one of 'features' (one row) or 'instances' (many rows).", name);
                        }
                        single = name.equals("features");
                        rows = single ? List.of(row(p, -1, new long[1])) : instances(p);
                    }
                    default -> p.skipChildren();
                }
            }
            if (p.nextToken() != null) throw bad("Unexpected content after the JSON object.", "$");
            if (rows == null) {
                throw bad("Send exactly one of 'features' (one row) or 'instances' (many rows).", "features");
            }
            return new PredictRequest(model, single, rows);
        } catch (JacksonException e) {
            throw Problem.malformed(
                    "The request body is not valid JSON: " + JsonErrors.readable(e.getOriginalMessage()) + ".",
                    Violation.field("$", "malformed JSON"));
        }
    }

    byte[] write(Predictions a) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(128 + 160 * a.rows());
        try (JsonGenerator g = mapper.createGenerator(bytes)) {
            g.writeStartObject();
            g.writeStringProperty("model", a.model());
            version(a, g);
            if (a.single()) {
                answer(a, 0, g);
                warnings(a, 0, g);
            } else {
                if (a.notice() != null) {
                    g.writeArrayPropertyStart("warnings");
                    g.writeString(a.notice());
                    g.writeEndArray();
                }
                g.writeName("predictions");
                g.writeStartArray();
                for (int r = 0; r < a.rows(); r++) {
                    g.writeStartObject();
                    answer(a, r, g);
                    warnings(a, r, g);
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        }
        return bytes.toByteArray();
    }

    /** The answering model's {@code name} and {@code version}, when it is a named model. */
    private static void version(Predictions a, JsonGenerator g) {
        if (a.name() == null) return;
        g.writeStringProperty("name", a.name());
        g.writeNumberProperty("version", a.version());
    }

    /** Row {@code r}'s {@code warnings}, when it has any. */
    private static void warnings(Predictions a, int r, JsonGenerator g) {
        List<String> row = a.warnings() == null ? null : a.warnings()[r];
        String notice = a.single() ? a.notice() : null; // a batch carries it once, beside "predictions"
        if (row == null && notice == null) return;
        g.writeArrayPropertyStart("warnings");
        if (notice != null) g.writeString(notice);
        if (row != null) for (String w : row) g.writeString(w);
        g.writeEndArray();
    }

    /** Row {@code r}'s {@code prediction} (and {@code probabilities}). */
    private static void answer(Predictions a, int r, JsonGenerator g) {
        int k = a.width();
        double[] y = a.outputs();
        if (a.task() == Task.REGRESSION) {
            g.writeNumberProperty("prediction", y[r]);
            return;
        }
        g.writeStringProperty("prediction", a.classes().get(a.best()[r]));
        g.writeName("probabilities");
        g.writeStartObject();
        for (int j = 0; j < k; j++) g.writeNumberProperty(a.classes().get(j), y[r * k + j]);
        g.writeEndObject();
    }

    private List<Row> instances(JsonParser p) {
        if (p.currentToken() != JsonToken.START_ARRAY) throw bad("'instances' must be an array of rows.", "instances");
        List<Row> rows = new ArrayList<>();
        long[] values = new long[1];
        while (p.nextToken() != JsonToken.END_ARRAY) {
            if (rows.size() == maxInstances) {
                throw Problem.tooLarge(
                        "More than " + maxInstances + " instances in one request (bnserve.limits.max-instances).",
                        Violation.field("instances", "at most " + maxInstances + " rows"));
            }
            rows.add(row(p, rows.size(), values));
        }
        if (rows.isEmpty()) {
            throw PredictionService.invalid(
                    "'instances' is empty.", List.of(Violation.field("instances", "must hold at least one row")));
        }
        return rows;
    }

    /**
     * One row; {@code count} holds the values read so far in this request, refused past
     * {@code bnserve.limits.max-request-values} as they are read, so a body of millions of names never sits in memory
     * (issue 16, bug 8: 3M unknown names in 38 MB ran the heap out).
     */
    private Row row(JsonParser p, int index, long[] count) {
        JsonToken t = p.currentToken();
        if (t == JsonToken.START_ARRAY) {
            Values v = new Values();
            while (p.nextToken() != JsonToken.END_ARRAY) {
                countValue(count);
                v.add(p, index, v.n, null);
            }
            return new Row(index, null, v.values(), v.texts());
        }
        if (t == JsonToken.START_OBJECT) {
            List<String> names = new ArrayList<>();
            Values v = new Values();
            while (p.nextToken() == JsonToken.PROPERTY_NAME) {
                countValue(count);
                String name = p.currentName();
                p.nextToken();
                v.add(p, index, -1, name);
                names.add(name);
            }
            return new Row(index, names.toArray(String[]::new), v.values(), v.texts());
        }
        throw bad(
                "A row must be an array of values or an object of feature names to values.",
                PredictRequest.pathOf(index));
    }

    private void countValue(long[] count) {
        if (++count[0] > maxRequestValues) {
            throw Problem.tooLarge(
                    "More than " + maxRequestValues
                            + " values in one prediction request (bnserve.limits.max-request-values); send fewer rows"
                            + " or fewer features per row.",
                    Violation.field("instances", "at most " + maxRequestValues + " values"));
        }
    }

    /** A row's values as they are read: numbers, strings (allocated on the first), nulls as NaN without text. */
    private static final class Values {
        double[] numbers = new double[16];
        String[] texts;
        int n;

        /** The current value: a finite number, a string or null; {@code position} in a positional row. */
        void add(JsonParser p, int row, int position, String feature) {
            if (n == numbers.length) {
                numbers = Arrays.copyOf(numbers, n * 2);
                if (texts != null) texts = Arrays.copyOf(texts, n * 2);
            }
            JsonToken t = p.currentToken();
            if (t == JsonToken.VALUE_NUMBER_INT || t == JsonToken.VALUE_NUMBER_FLOAT) {
                double d = p.getValueAsDouble();
                if (!Double.isFinite(d)) {
                    throw PredictionService.invalid(
                            what(feature) + " must be a finite number.",
                            List.of(Violation.field(valuePath(row, position, feature), "must be finite")));
                }
                numbers[n++] = d;
            } else if (t == JsonToken.VALUE_STRING) {
                if (texts == null) texts = new String[numbers.length];
                texts[n] = p.getString();
                numbers[n++] = Double.NaN;
            } else if (t == JsonToken.VALUE_NULL) {
                numbers[n++] = Double.NaN;
            } else {
                if (t == JsonToken.START_ARRAY || t == JsonToken.START_OBJECT) p.skipChildren();
                throw PredictionService.invalid(
                        what(feature) + " must be a number, a string or null, got " + kind(t) + ".",
                        List.of(Violation.field(
                                valuePath(row, position, feature), "must be a number, a string or null")));
            }
        }

        double[] values() {
            return Arrays.copyOf(numbers, n);
        }

        String[] texts() {
            return texts == null ? null : Arrays.copyOf(texts, n);
        }
    }

    private static String what(String feature) {
        return feature == null ? "Every value" : "Feature '" + feature + "'";
    }

    private static String valuePath(int row, int position, String feature) {
        return PredictRequest.pathOf(row) + (feature == null ? "[" + position + "]" : "." + feature);
    }

    private static String kind(JsonToken t) {
        return switch (t) {
            case VALUE_STRING -> "a string";
            case VALUE_TRUE, VALUE_FALSE -> "a boolean";
            case VALUE_NULL -> "null";
            case START_ARRAY -> "an array";
            case START_OBJECT -> "an object";
            default -> "something else";
        };
    }

    private static Problem bad(String detail, String field) {
        return Problem.malformed(detail, Violation.field(field, detail));
    }
}
