package dev.bnserve.web;

import dev.bnserve.config.BnserveProperties;
import dev.bnserve.predict.Column;
import dev.bnserve.predict.PredictionService;
import dev.bnserve.predict.Predictions;
import dev.bnserve.prep.ColumnEncoding;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.boot.info.BuildProperties;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * The Open Inference Protocol (KServe v2) over REST: server health and metadata, model metadata and readiness, and
 * {@code infer} with either the encoded rows as one {@code input} tensor or one tensor per raw input column. Every
 * error on these paths is the protocol's {@code {"error": "…"}} (rendered by {@link ProblemWriter}); the numbers are
 * {@code /predict}'s, computed by the same {@link PredictionService}.
 */
@RestController
class OpenInferenceController {
    static final String PLATFORM = "bnserve";
    /** The name of the one tensor holding encoded rows. */
    static final String ENCODED = "input";

    private final PredictionService predictions;
    private final JsonMapper mapper;
    private final ApplicationAvailability availability;
    private final String version;
    private final int maxInstances;

    OpenInferenceController(
            PredictionService predictions,
            JsonMapper mapper,
            ApplicationAvailability availability,
            ObjectProvider<BuildProperties> build,
            BnserveProperties properties) {
        this.predictions = predictions;
        this.mapper = mapper;
        this.availability = availability;
        BuildProperties b = build.getIfAvailable();
        this.version = b != null ? b.getVersion() : "development";
        this.maxInstances = properties.limits().maxInstances();
    }

    /**
     * The model a protocol path names: the one place a {@code {ref}} (and its optional {@code versions/{v}}) becomes
     * what {@link PredictionService} looks up. A version is written as the reference {@code ref@v}.
     */
    private static String resolve(String ref, String version) {
        return version == null ? ref : ref + "@" + version;
    }

    /** 200 with no body, as the protocol's document has it (a liveness probe). */
    @GetMapping("/v2/health/live")
    ResponseEntity<Void> live() {
        return ResponseEntity.ok().build();
    }

    /** 200 while the application accepts traffic (Spring Boot's readiness state), with or without models; else 503. */
    @GetMapping("/v2/health/ready")
    ResponseEntity<Void> ready() {
        boolean ready = availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC;
        return ResponseEntity.status(ready ? 200 : 503).build();
    }

    @GetMapping(
            path = {"/v2", "/v2/"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    Map<String, Object> server() {
        return Map.of("name", PLATFORM, "version", version, "extensions", List.of());
    }

    /**
     * Name, platform, inputs (one tensor per raw column) and outputs: exactly the document's fields, so strict clients
     * read it. The alternative encoded input ({@code input}, {@code [N, encodedInputs.length]}) is the model
     * resource's {@code encodedInputs}.
     */
    @GetMapping(
            path = {"/v2/models/{ref}", "/v2/models/{ref}/versions/{version}"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> metadata(@PathVariable String ref, @PathVariable(required = false) String version) {
        PredictionService.Signature s = predictions.signature(resolve(ref, version));
        return json(InferenceCodec.metadata(mapper, ref, s));
    }

    /**
     * 200 (no body, as the document has it) for a ready model; 404 for none, 409 for one that is not ready (as
     * {@code /predict} answers).
     */
    @GetMapping(path = {"/v2/models/{ref}/ready", "/v2/models/{ref}/versions/{version}/ready"})
    ResponseEntity<Void> modelReady(@PathVariable String ref, @PathVariable(required = false) String version) {
        predictions.signature(resolve(ref, version));
        return ResponseEntity.ok().build();
    }

    @PostMapping(
            path = {"/v2/models/{ref}/infer", "/v2/models/{ref}/versions/{version}/infer"},
            produces = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<byte[]> infer(
            @PathVariable String ref, @PathVariable(required = false) String version, HttpServletRequest request)
            throws IOException {
        if (request.getHeader("Inference-Header-Content-Length") != null) {
            throw InferenceCodec.bad(
                    "Binary tensor data (Inference-Header-Content-Length) is not supported; send the tensors as JSON.",
                    "Inference-Header-Content-Length");
        }
        String model = resolve(ref, version);
        InferenceCodec.Request req = InferenceCodec.read(mapper, PredictionCodec.body(request), maxElements());
        PredictionService.Signature s = predictions.signature(model);
        List<String> outputs = outputs(s, req.outputs());
        Predictions answer = isEncoded(s, req.inputs())
                ? encoded(model, s, req.inputs().get(0))
                : predictions.predictColumns(model, columns(s, req.inputs()));
        return json(InferenceCodec.write(mapper, ref, version, req.id(), answer, outputs));
    }

    /** Elements a tensor may hold: rows as many as {@code /predict} takes, of at most 100,000 values each. */
    private int maxElements() {
        return (int) Math.min(Integer.MAX_VALUE - 8, (long) maxInstances * 100_000);
    }

    /** Whether the request is the one tensor of encoded rows (a raw input of that name would be a column). */
    private static boolean isEncoded(PredictionService.Signature s, List<InferenceCodec.Tensor> inputs) {
        return inputs.size() == 1
                && inputs.get(0).name().equals(ENCODED)
                && s.inputs().stream().noneMatch(in -> in.name().equals(ENCODED));
    }

    private Predictions encoded(String model, PredictionService.Signature s, InferenceCodec.Tensor t) {
        int width = s.encodedInputs().size();
        long[] shape = t.shape();
        if (!t.datatype().equals(InferenceCodec.FP64)) {
            throw tensor(t, "has datatype " + t.datatype() + "; encoded rows are " + InferenceCodec.FP64 + ".");
        }
        if (shape.length != 2 || shape[1] != width) {
            throw tensor(
                    t,
                    "has shape " + shown(shape) + "; encoded rows have shape [N, " + width + "] (the model's " + width
                            + " encoded inputs " + s.encodedInputs() + ").");
        }
        int n = rows(t, shape[0]);
        elements(t);
        if (t.data().strings() > 0 || t.data().nulls() > 0) {
            throw tensor(t, "holds " + (t.data().strings() > 0 ? "strings" : "nulls") + "; FP64 data are numbers.");
        }
        nonFinite(t);
        return predictions.predictEncoded(model, n, t.data().values());
    }

    /** The tensors as the model's raw input columns: every input exactly once, each of shape [N] and its datatype. */
    private List<Column> columns(PredictionService.Signature s, List<InferenceCodec.Tensor> inputs) {
        Map<String, PredictionService.Input> byName = new HashMap<>();
        for (PredictionService.Input in : s.inputs()) byName.put(in.name(), in);
        Map<String, InferenceCodec.Tensor> given = new HashMap<>();
        long n = -1;
        for (InferenceCodec.Tensor t : inputs) {
            PredictionService.Input in = byName.get(t.name());
            if (in == null) {
                throw tensor(
                        t,
                        "is not an input of this model: send one tensor per input " + names(s)
                                + ", or the encoded rows as one tensor '" + ENCODED + "'.");
            }
            if (given.put(t.name(), t) != null) throw tensor(t, "is given twice.");
            String datatype = datatype(in.type());
            if (!t.datatype().equals(datatype)) {
                throw tensor(
                        t,
                        "has datatype " + t.datatype() + "; the " + in.type().id() + " input '" + in.name() + "' takes "
                                + datatype + ".");
            }
            if (t.shape().length != 1) {
                throw tensor(t, "has shape " + shown(t.shape()) + "; an input column has shape [N].");
            }
            if (n >= 0 && t.shape()[0] != n) {
                throw tensor(
                        t,
                        "has shape " + shown(t.shape()) + ", but the other inputs have " + n + " rows (shape [" + n
                                + "]).");
            }
            n = t.shape()[0];
            rows(t, n);
            elements(t);
            if (datatype.equals(InferenceCodec.FP64)) {
                if (t.data().strings() > 0) throw tensor(t, "holds strings; FP64 data are numbers.");
                nonFinite(t);
            } else if (t.data().strings() + t.data().nulls() != t.data().count()) {
                throw tensor(t, "holds numbers; BYTES data are strings.");
            }
        }
        List<String> missing = new ArrayList<>();
        for (PredictionService.Input in : s.inputs()) if (!given.containsKey(in.name())) missing.add(in.name());
        if (!missing.isEmpty()) {
            throw Problem.malformed(
                    "Missing input tensor" + (missing.size() > 1 ? "s " : " ") + missing
                            + ": send one tensor per input " + names(s) + ", or the encoded rows as one tensor '"
                            + ENCODED + "'.",
                    Violation.field("inputs", "missing " + missing));
        }
        List<Column> columns = new ArrayList<>(inputs.size());
        for (InferenceCodec.Tensor t : inputs)
            columns.add(new Column(t.name(), t.data().values(), t.data().texts()));
        return columns;
    }

    /** The requested output names, checked and without repeats; every output when none is asked for. */
    private static List<String> outputs(PredictionService.Signature s, List<String> requested) {
        List<String> available = InferenceCodec.outputNames(s.task());
        if (requested == null || requested.isEmpty()) return available;
        for (String name : requested) {
            if (!available.contains(name)) {
                throw Problem.malformed(
                        "Unknown output '" + Problem.shown(name) + "'; this model's outputs are " + available + ".",
                        Violation.field("outputs", "unknown output"));
            }
        }
        return List.copyOf(new LinkedHashSet<>(requested));
    }

    /** The datatype of a raw input's tensor. */
    static String datatype(ColumnEncoding.InputType type) {
        return type == ColumnEncoding.InputType.NUMERIC ? InferenceCodec.FP64 : InferenceCodec.BYTES;
    }

    /** Checks the row count {@code n} of {@code t} (1 to max-instances) and returns it. */
    private int rows(InferenceCodec.Tensor t, long n) {
        if (n < 1) throw tensor(t, "has shape " + shown(t.shape()) + "; send at least one row.");
        if (n > maxInstances) {
            throw Problem.tooLarge(
                    "Input tensor '" + Problem.shown(t.name()) + "' has " + n + " rows; at most " + maxInstances
                            + " fit in one request (bnserve.limits.max-instances).",
                    Violation.field("inputs", "at most " + maxInstances + " rows"));
        }
        return (int) n;
    }

    private static void elements(InferenceCodec.Tensor t) {
        if (t.elements() != t.data().count()) {
            throw tensor(
                    t,
                    "has shape " + shown(t.shape()) + " (" + t.elements() + " elements) but "
                            + t.data().count() + " data values.");
        }
    }

    private static void nonFinite(InferenceCodec.Tensor t) {
        double[] v = t.data().values();
        for (int i = 0; i < v.length; i++) {
            if (Double.isInfinite(v[i])) throw tensor(t, "holds a number out of range at element " + i + ".");
        }
    }

    private static String names(PredictionService.Signature s) {
        return s.inputs().stream().map(PredictionService.Input::name).toList().toString();
    }

    private static String shown(long[] shape) {
        return java.util.Arrays.toString(shape);
    }

    /** A 400 naming the tensor at fault. */
    private static Problem tensor(InferenceCodec.Tensor t, String what) {
        String name = Problem.shown(t.name());
        return Problem.malformed("Input tensor '" + name + "' " + what, Violation.field("inputs." + name, what));
    }

    private static ResponseEntity<byte[]> json(byte[] body) {
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(body);
    }
}
