package dev.bnserve;

import com.atlassian.oai.validator.OpenApiInteractionValidator;
import com.atlassian.oai.validator.model.Request;
import com.atlassian.oai.validator.model.SimpleRequest;
import com.atlassian.oai.validator.model.SimpleResponse;
import com.atlassian.oai.validator.report.ValidationReport;
import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.Content;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.parameters.Parameter;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The Open Inference Protocol's published REST document ({@code rest_predict_v2.yaml} from kserve/kserve, vendored
 * unchanged under {@code src/test/resources/openinference}) as a validator of real requests and answers.
 *
 * <p>The document has quirks, adapted here in memory, never by editing the vendored file:
 * <ol>
 * <li>Its path templates are shell-style, {@code /v2/models/${MODEL_NAME}/…}; OpenAPI templates are
 *     {@code {MODEL_NAME}} (a {@code $} would be a literal character), so {@code ${X}} becomes {@code {X}}.</li>
 * <li>It lists only the versioned model paths ({@code …/versions/${MODEL_VERSION}}), while the protocol's text makes
 *     the version optional ({@code GET v2/models/${MODEL_NAME}[/versions/${MODEL_VERSION}]}): each versioned path
 *     gets an unversioned twin with the same operation minus the version parameter. Likewise {@code /v2} joins
 *     {@code /v2/}.</li>
 * <li>Its only error responses are 400s (server metadata, infer), with error schemas for every endpoint defined but
 *     mostly unreferenced: every operation gets a {@code default} response with its error schema (so a 404 for an
 *     unknown model is checked too), and {@code inference_error_response} requires {@code error} like its
 *     siblings do.</li>
 * </ol>
 * OpenAPI 3.0.0 with a recursive {@code tensor_data} schema: swagger-request-validator (swagger-parser, the fge JSON
 * schema validator) reads it as is.
 */
final class OpenInferenceDocument {
    static final String RESOURCE = "/openinference/rest_predict_v2.yaml";

    private final OpenApiInteractionValidator validator;

    OpenInferenceDocument() {
        this.validator = OpenApiInteractionValidator.createFor(adapted()).build();
    }

    static OpenAPI adapted() {
        String text;
        try (InputStream in = OpenInferenceDocument.class.getResourceAsStream(RESOURCE)) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        text = text.replace("${MODEL_NAME}", "{MODEL_NAME}").replace("${MODEL_VERSION}", "{MODEL_VERSION}");
        ParseOptions options = new ParseOptions();
        options.setResolve(true);
        var parsed = new OpenAPIV3Parser().readContents(text, null, options);
        if (parsed.getOpenAPI() == null) throw new IllegalStateException("unreadable: " + parsed.getMessages());
        OpenAPI api = parsed.getOpenAPI();
        OpenAPI twins = new OpenAPIV3Parser().readContents(text, null, options).getOpenAPI();
        for (String path : new ArrayList<>(twins.getPaths().keySet())) {
            PathItem twin = twins.getPaths().get(path);
            if (path.contains("/versions/{MODEL_VERSION}")) {
                // the parser may keep the parameters on the path or move them to its operations
                twin.setParameters(withoutVersion(twin.getParameters()));
                for (Operation op : twin.readOperations()) op.setParameters(withoutVersion(op.getParameters()));
                api.getPaths().addPathItem(path.replace("/versions/{MODEL_VERSION}", ""), twin);
            } else if (path.equals("/v2/")) {
                api.getPaths().addPathItem("/v2", twin);
            }
        }
        for (Map.Entry<String, PathItem> e : api.getPaths().entrySet()) {
            for (Operation op : e.getValue().readOperations()) {
                op.getResponses().setDefault(error(errorSchema(e.getKey())));
            }
        }
        api.getComponents().getSchemas().get("inference_error_response").setRequired(List.of("error"));
        return api;
    }

    private static List<Parameter> withoutVersion(List<Parameter> parameters) {
        return parameters == null
                ? null
                : parameters.stream()
                        .filter(p -> !p.getName().equals("MODEL_VERSION"))
                        .toList();
    }

    /** Which of the document's error schemas an endpoint's errors follow. */
    private static String errorSchema(String path) {
        if (path.endsWith("/infer")) return "inference_error_response";
        if (path.startsWith("/v2/models/")) return "metadata_model_error_response";
        return "metadata_server_error_response";
    }

    private static ApiResponse error(String schema) {
        return new ApiResponse()
                .description("Error")
                .content(new Content()
                        .addMediaType(
                                "application/json",
                                new MediaType().schema(new Schema<>().$ref("#/components/schemas/" + schema))));
    }

    /**
     * The validation errors of a real exchange (empty when the request and the answer follow the document):
     * {@code path} as sent, {@code body} null for none.
     */
    List<String> errors(String method, String path, String body, HttpResponse<String> answer) {
        SimpleRequest.Builder request = new SimpleRequest.Builder(Request.Method.valueOf(method), path);
        if (body != null) request.withContentType("application/json").withBody(body);
        SimpleResponse.Builder response = SimpleResponse.Builder.status(answer.statusCode());
        answer.headers().firstValue("Content-Type").ifPresent(response::withContentType);
        if (!answer.body().isEmpty()) response.withBody(answer.body());
        ValidationReport report = validator.validate(request.build(), response.build());
        return report.getMessages().stream()
                .filter(m -> m.getLevel() == ValidationReport.Level.ERROR)
                .map(m -> m.getKey() + ": " + m.getMessage())
                .toList();
    }
}
