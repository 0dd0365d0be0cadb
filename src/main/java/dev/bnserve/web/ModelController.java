package dev.bnserve.web;

import dev.bnserve.export.OnnxExport;
import dev.bnserve.model.ModelCatalog;
import dev.bnserve.model.ModelFormatException;
import dev.bnserve.model.ModelIds;
import dev.bnserve.model.ModelJson;
import dev.bnserve.model.ModelProblems;
import dev.bnserve.model.ModelRecord;
import dev.bnserve.model.ModelRef;
import dev.bnserve.model.ModelStatus;
import dev.bnserve.model.ModelStore;
import dev.bnserve.model.TrainingSpecJson;
import dev.bnserve.problem.HeapBudget;
import dev.bnserve.problem.Problem;
import dev.bnserve.problem.Violation;
import dev.bnserve.training.BatchNormStatistics;
import dev.bnserve.training.TrainingService;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.io.PushbackInputStream;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.info.BuildProperties;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.http.converter.HttpMessageNotReadableException;
import org.springframework.http.server.ServletServerHttpRequest;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/** Train models as background jobs, inspect, stream progress, cancel, delete, export and import them. */
@RestController
@RequestMapping("/models")
class ModelController {
    private final TrainingService training;
    private final ModelStore store;
    private final ModelCatalog catalog;
    private final ModelJson json;
    private final ModelEvents events;
    private final HeapBudget budget;

    private final BatchNormStatistics bnStatistics;
    /** The build's version, written into ONNX exports. */
    private final String version;

    ModelController(
            TrainingService training,
            ModelCatalog catalog,
            ModelJson json,
            ModelEvents events,
            BatchNormStatistics bnStatistics,
            HeapBudget budget,
            ObjectProvider<BuildProperties> build) {
        this.budget = budget;
        this.training = training;
        this.store = catalog.models();
        this.catalog = catalog;
        this.json = json;
        this.events = events;
        this.bnStatistics = bnStatistics;
        BuildProperties b = build.getIfAvailable();
        this.version = b != null ? b.getVersion() : "development";
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ModelRecord> train(@RequestBody JsonNode body) {
        ModelRecord queued = training.submit(TrainingSpecJson.read(body));
        return ResponseEntity.accepted()
                .location(URI.create("/models/" + queued.id()))
                .body(queued);
    }

    /**
     * Summaries (no request, history or layers), each written from the record without touching its layers; newest
     * first, or with {@code ?name=} the versions of that name, newest first.
     */
    @GetMapping
    List<ObjectNode> list(@RequestParam(required = false) String name) {
        if (name == null) return store.list().stream().map(json::summary).toList();
        if (!ModelRef.isName(name)) throw ModelProblems.invalidName("name");
        return catalog.versions(name).stream().map(json::summary).toList();
    }

    /** The full document, streamed by {@link ModelDocumentConverter}. */
    @GetMapping("/{id}")
    ModelRecord get(@PathVariable String id) {
        return find(id);
    }

    /**
     * Cancels a queued or running job (the model stays, {@code cancelled}); removes a finished model, unless an alias
     * points to it (409).
     */
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id) {
        ModelRecord m = find(id);
        if (!training.cancel(m.id())) catalog.deleteUnlessAliased(m, () -> store.delete(m.id()));
        return ResponseEntity.noContent().build();
    }

    /** Server-sent events of the model's job; see {@link ModelEvents}. */
    @GetMapping(path = "/{ref}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    void events(@PathVariable String ref, HttpServletRequest request, HttpServletResponse response) throws IOException {
        events.stream(find(ref), request, response);
    }

    /**
     * The model as its JSON document ({@code format=json}, the default) or as ONNX ({@code format=onnx}, with
     * {@code fold=true} the folded graph that {@code /predict} runs; see {@link OnnxExport}).
     */
    @GetMapping("/{id}/export")
    ResponseEntity<?> export(
            @PathVariable String id,
            @RequestParam(required = false) String format,
            @RequestParam(required = false) String fold,
            HttpServletResponse response)
            throws IOException {
        boolean onnx;
        if (format == null || format.equals("json")) onnx = false;
        else if (format.equals("onnx")) onnx = true;
        else {
            throw Problem.invalid(
                    "invalid-export-request",
                    "Invalid export request",
                    "Unknown export format '" + Problem.shown(format) + "'; expected json or onnx.",
                    List.of(Violation.field("format", "expected json or onnx")));
        }
        boolean folded;
        if (fold == null || fold.equals("false")) folded = false;
        else if (fold.equals("true")) folded = true;
        else {
            throw Problem.invalid(
                    "invalid-export-request",
                    "Invalid export request",
                    "'fold' must be true or false, got '" + Problem.shown(fold) + "'.",
                    List.of(Violation.field("fold", "expected true or false")));
        }
        if (fold != null && !onnx) {
            throw Problem.invalid(
                    "invalid-export-request",
                    "Invalid export request",
                    "'fold' applies to format=onnx only.",
                    List.of(Violation.field("fold", "only with format=onnx")));
        }
        ModelRecord m = find(id);
        if (m.status() != ModelStatus.READY) {
            throw ModelProblems.notReady(m, "can be exported");
        }
        if (!onnx) {
            return ResponseEntity.ok()
                    .header(HttpHeaders.CONTENT_DISPOSITION, "attachment; filename=\"" + m.id() + ".json\"")
                    .body(m);
        }
        String prep = m.preprocessing() == null ? null : json.preprocessingJson(m.preprocessing());
        // the initializers' raw bytes (and, folded, the compiled plan) are held while the message is written
        try (HeapBudget.Reservation heap =
                budget.reserve("this ONNX export", (folded ? 2 : 1) * OnnxExport.parameterBytes(m))) {
            response.setStatus(200);
            response.setContentType(MediaType.APPLICATION_OCTET_STREAM_VALUE);
            response.setHeader(
                    HttpHeaders.CONTENT_DISPOSITION,
                    "attachment; filename=\"" + m.id() + (folded ? "-folded" : "") + ".onnx\"");
            // written to the response as it is serialized: no byte[] of the whole message
            OnnxExport.write(m, folded, prep, version, response.getOutputStream());
            response.flushBuffer();
        }
        return null; // answered above
    }

    /**
     * The ONNX export as an operation of its own (the same answer as {@code export?format=onnx}), so that a client
     * generated from the OpenAPI document receives its bytes (one operation cannot be typed as both JSON and bytes).
     */
    @GetMapping("/{id}/onnx")
    ResponseEntity<?> exportOnnx(
            @PathVariable String id, @RequestParam(required = false) String fold, HttpServletResponse response)
            throws IOException {
        return export(id, "onnx", fold, response);
    }

    /**
     * Takes an exported document (from this or another instance) and serves it under a new id. The body is read as a
     * stream (weights straight into arrays, never a tree), against {@code bnserve.limits.max-import-bytes}.
     */
    @PostMapping(path = "/import", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ModelRecord> importModel(HttpServletRequest request) throws IOException {
        try (HeapBudget.Reservation heap = budget.open("this model import")) {
            return importModel(request, heap);
        }
    }

    /**
     * Heap an import holds per byte of parameter arrays until it is served: the arrays read, the layer's own copy of
     * each (transient), and the serving index's compiled copy.
     */
    static final int IMPORT_COPIES = 3;

    private ResponseEntity<ModelRecord> importModel(HttpServletRequest request, HeapBudget.Reservation heap)
            throws IOException {
        ModelRecord doc;
        try (PushbackInputStream in = new PushbackInputStream(request.getInputStream(), 1)) {
            int first = in.read();
            if (first < 0) {
                throw new HttpMessageNotReadableException(
                        "Required request body is missing", new ServletServerHttpRequest(request));
            }
            in.unread(first);
            try {
                // each layer's arrays are reserved as their checked shapes arrive, before they are allocated
                doc = json.read(in, bytes -> heap.grow(IMPORT_COPIES * bytes));
            } catch (Problem shortage) {
                HeapAdmissionFilter.drain(request, in); // so that the client, still sending, reads the 503
                throw shortage;
            }
        } catch (ModelFormatException e) {
            throw ModelProblems.invalidDocument(e.getMessage(), Violation.field(e.field(), e.getMessage()));
        } catch (JacksonException e) {
            // not JSON, cut off, or the body stream failed (over the size limit: a 413): as for any JSON body
            throw new HttpMessageNotReadableException(
                    "unreadable model document", e, new ServletServerHttpRequest(request));
        }
        if (doc.status() != ModelStatus.READY) {
            throw ModelProblems.invalidDocument(
                    "Only ready models can be imported; this one is "
                            + doc.status().id() + ".",
                    Violation.field("status", "must be ready"));
        }
        String origin = doc.source() != null ? doc.source() : doc.id();
        Instant now = Instant.now();
        // A named document becomes the next version of its name here; its version elsewhere is not kept.
        ModelRecord imported = catalog.saveNew(
                doc.withIdentity(ModelIds.newId(), origin, now).withStatus(ModelStatus.READY, null, now), doc.name());
        return ResponseEntity.created(URI.create("/models/" + imported.id())).body(imported);
    }

    /**
     * Per BatchNorm layer, the stored running statistics beside the population statistics of the model's training
     * split (or of every row of {@code ?dataset=}), their drift, and the validation loss with each.
     */
    @GetMapping("/{id}/statistics")
    BatchNormStatistics.Report statistics(@PathVariable String id, @RequestParam(required = false) String dataset) {
        return bnStatistics.report(id, dataset);
    }

    /** A new model with the same weights and the population statistics of every row of {@code dataset}. */
    @PostMapping(path = "/{id}/recalibrate", consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<ModelRecord> recalibrate(@PathVariable String id, @RequestBody JsonNode body) {
        JsonNode d = body == null ? null : body.get("dataset");
        if (body == null || !body.isObject() || d == null || !d.isString()) {
            throw Problem.malformed(
                    "Send {\"dataset\": \"d-…\"}: the dataset whose rows give the statistics.",
                    Violation.field("dataset", "required string"));
        }
        ModelRecord derived = bnStatistics.recalibrate(id, d.stringValue());
        return ResponseEntity.created(URI.create("/models/" + derived.id())).body(derived);
    }

    private ModelRecord find(String ref) {
        return catalog.require(ref);
    }
}
